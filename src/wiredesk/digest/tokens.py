"""Signed links mailed to subscribers: confirm, unsubscribe, manage preferences.

A token names the subscriber and carries their ``link_key``; rotating the key (erase,
re-subscription) voids every link ever mailed. Confirmation links expire; unsubscribe
and preference links do not (they sit in old digests, and RFC 8058 wants them to work).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from wiredesk.digest.models import Subscriber
from wiredesk.errors import WiredeskError

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
_PURPOSES = (CONFIRM, UNSUBSCRIBE, PREFERENCES)


class TokenError(WiredeskError):
    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


def make_token(subscriber: Subscriber, purpose: str) -> str:
    """A confirmation link carries its signing time (it expires); the links that sit in
    digests carry none, so every copy of an issue (and its preview) is byte-identical."""
    assert purpose in _PURPOSES
    if purpose == CONFIRM:
        return signing.dumps([subscriber.pk, subscriber.link_key],
                             salt=f"wiredesk.digest.{purpose}")
    return link_token(subscriber.pk, subscriber.link_key, purpose)


# Characters JSON writes as they are (the alphabet of the keys: secrets.token_urlsafe).
_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@lru_cache(maxsize=8)
def _keyed_hmac(secret: str, purpose: str) -> hmac.HMAC:
    # Django's Signer derives its HMAC key from the salt and the secret on every call;
    # derived once here, a link costs one HMAC (of a copy of this keyed state).
    salt = f"wiredesk.digest.{purpose}signer"
    key = hashlib.sha256((salt + secret).encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def link_token(subscriber_id: int, link_key: str, purpose: str) -> str:
    """The token of an unsubscribe or preferences link: exactly what
    ``signing.Signer(salt=...).sign_object([id, link_key])`` gives (a test compares),
    so links mailed before and after read the same, with one HMAC per link."""
    assert purpose in (UNSUBSCRIBE, PREFERENCES)
    if set(link_key) <= _URLSAFE:  # written by json.dumps as it is
        payload = f'[{int(subscriber_id)},"{link_key}"]'
    else:
        payload = json.dumps([subscriber_id, link_key], separators=(",", ":"))
    value = signing.b64_encode(payload.encode("latin-1"))
    mac = _keyed_hmac(settings.SECRET_KEY, purpose).copy()
    mac.update(value)
    return f"{value.decode()}:{signing.b64_encode(mac.digest()).decode()}"


def _unsign(token: str, purpose: str, max_age: int | None):
    salt = f"wiredesk.digest.{purpose}"
    if purpose != CONFIRM and token.count(":") == 1:
        return signing.Signer(salt=salt).unsign_object(token)
    # A confirmation, or a digest link mailed before they dropped their signing time.
    return signing.loads(token, salt=salt, max_age=max_age)


def read_token(token: str, purpose: str) -> Subscriber:
    """The subscriber the token names, or TokenError (forged, expired, voided)."""
    assert purpose in _PURPOSES
    if not token or len(token) > 300:
        raise TokenError(_("This link is not valid."))
    max_age = settings.WIREDESK_DIGEST_CONFIRM_MAX_AGE if purpose == CONFIRM else None
    try:
        subscriber_id, link_key = _unsign(token, purpose, max_age)
    except signing.SignatureExpired as exc:
        raise TokenError(_("This link has expired."), expired=True) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise TokenError(_("This link is not valid.")) from exc
    subscriber = (Subscriber.objects.select_related("edition")
                  .filter(pk=subscriber_id, link_key=link_key).first())
    if subscriber is None:
        raise TokenError(_("This link is no longer valid."))
    return subscriber

"""Signed links mailed to subscribers: confirm, unsubscribe, manage preferences.

A token names the subscriber and carries their ``link_key``; rotating the key (erase,
re-subscription) voids every link ever mailed. Confirmation links expire; unsubscribe
and preference links do not (they sit in old digests, and RFC 8058 wants them to work).
"""

from __future__ import annotations

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
    salt = f"wiredesk.digest.{purpose}"
    value = [subscriber.pk, subscriber.link_key]
    if purpose == CONFIRM:
        return signing.dumps(value, salt=salt)
    return signing.Signer(salt=salt).sign_object(value)


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

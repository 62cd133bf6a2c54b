"""Signed links mailed to subscribers: confirm, unsubscribe, manage preferences.

A token names the subscriber and carries their ``link_key``; rotating the key (erase,
re-subscription) voids every link ever mailed. Confirmation links expire; unsubscribe
and preference links do not (they sit in old digests, and RFC 8058 wants them to work).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

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
    assert purpose in _PURPOSES
    return signing.dumps([subscriber.pk, subscriber.link_key],
                         salt=f"wiredesk.digest.{purpose}")


def read_token(token: str, purpose: str) -> Subscriber:
    """The subscriber the token names, or TokenError (forged, expired, voided)."""
    assert purpose in _PURPOSES
    if not token or len(token) > 300:
        raise TokenError("This link is not valid.")
    max_age = settings.WIREDESK_DIGEST_CONFIRM_MAX_AGE if purpose == CONFIRM else None
    try:
        subscriber_id, link_key = signing.loads(token, salt=f"wiredesk.digest.{purpose}",
                                                max_age=max_age)
    except signing.SignatureExpired as exc:
        raise TokenError("This link has expired.", expired=True) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise TokenError("This link is not valid.") from exc
    subscriber = (Subscriber.objects.select_related("edition")
                  .filter(pk=subscriber_id, link_key=link_key).first())
    if subscriber is None:
        raise TokenError("This link is no longer valid.")
    return subscriber

"""Creating, checking and revoking API keys."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from wiredesk.api.models import ApiKey
from wiredesk.errors import WiredeskError

KEY_PREFIX = "wd_"


class ApiKeyError(WiredeskError):
    """An API key request that cannot be carried out; the message says why."""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def apikey_create(*, name: str, can_write: bool = False,
                  requests_per_minute: int = 600) -> tuple[ApiKey, str]:
    """Create a key; the raw key is returned once and only its hash is kept."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiKeyError("an API key needs a name of 1 to 100 characters")
    if ApiKey.objects.filter(name=name).exists():
        raise ApiKeyError(f"an API key named {name!r} exists already")
    if requests_per_minute < 1:
        raise ApiKeyError("the rate limit must be at least one request a minute")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(name=name, prefix=raw[:10], key_hash=_hash(raw),
                                can_write=can_write, requests_per_minute=requests_per_minute)
    return key, raw


def apikey_check(raw: str) -> ApiKey | None:
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    key = ApiKey.objects.filter(key_hash=_hash(raw), revoked=False).first()
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def apikey_revoke(*, name: str) -> ApiKey:
    key = ApiKey.objects.filter(name=name.strip()).first()
    if key is None:
        raise ApiKeyError(f"no API key named {name!r}")
    key.revoked = True
    key.save(update_fields=["revoked"])
    return key

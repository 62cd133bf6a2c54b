"""Creating, checking and revoking API keys."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from wiredesk.api.models import ApiKey
from wiredesk.errors import WiredeskError

KEY_PREFIX = "wd_"

log = logging.getLogger("wiredesk.api")


class ApiKeyError(WiredeskError):
    """An API key request that cannot be carried out; the message says why."""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def apikey_create(*, name: str, can_write: bool = False, requests_per_minute: int = 600,
                  agencies: Iterable[str] = ()) -> tuple[ApiKey, str]:
    """Create a key; the raw key is returned once and only its hash is kept. A write key
    writes only for ``agencies`` (codes; none means it may write for no agency)."""
    agencies = list(agencies)
    if agencies and not can_write:
        raise ApiKeyError("agencies bind write keys: add --write, or leave out --agency")
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiKeyError("an API key needs a name of 1 to 100 characters")
    if ApiKey.objects.filter(name=name).exists():
        raise ApiKeyError(f"an API key named {name!r} exists already")
    if requests_per_minute < 1:
        raise ApiKeyError("the rate limit must be at least one request a minute")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(name=name, prefix=raw[:10], key_hash=_hash(raw),
                                    can_write=can_write,
                                    requests_per_minute=requests_per_minute)
        _bind(key, agencies)
    return key, raw


def _bind(key: ApiKey, codes: Iterable[str]) -> None:
    from wiredesk.newsroom.services import ServiceError, agency_ensure

    try:
        key.agencies.add(*[agency_ensure(code=code) for code in codes])
    except ServiceError as exc:
        raise ApiKeyError(str(exc)) from exc


def apikey_bind(*, name: str, agencies: Iterable[str]) -> ApiKey:
    """Let an existing write key write for these agencies too."""
    key = ApiKey.objects.filter(name=name.strip()).first()
    if key is None:
        raise ApiKeyError(f"no API key named {name!r}")
    if not key.can_write:
        raise ApiKeyError(f"API key {key.name!r} is read-only: agencies bind write keys")
    with transaction.atomic():
        _bind(key, agencies)
    return key


def apikey_may_write_for(key: ApiKey, agency_code: str) -> bool:
    """Whether ``key`` may write for the agency ``agency_code``; a refusal is logged."""
    code = agency_code.strip().upper()
    if key.can_write and key.agencies.filter(code=code).exists():
        return True
    log.warning("API write refused: key %r may not write for agency %r", key.name, code)
    return False


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

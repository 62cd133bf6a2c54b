"""The signed links mailed to a submitter, and the addresses of a release's image and
articles."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from wiredesk.editions.links import article_url, edition_base_url
from wiredesk.editions.models import Edition
from wiredesk.releases.models import Release

_VERIFY_SALT = "wiredesk.releases.verify"
_STATUS_SALT = "wiredesk.releases.status"


def _edition_base(edition: Edition | None) -> str:
    # The edition's canonical address, as feeds and the digest give it; the site's own
    # base for a release that came in through no edition.
    return edition_base_url(edition) if edition else settings.BASE_URL


def verify_token(release: Release) -> str:
    return signing.dumps({"r": release.reference, "k": release.link_key}, salt=_VERIFY_SALT)


def status_token(release: Release) -> str:
    return signing.dumps({"r": release.reference, "k": release.link_key}, salt=_STATUS_SALT)


def verify_url(release: Release) -> str:
    # Always the configured address, never the request's Host header: a forged Host
    # must not put someone else's domain into the link we mail out.
    return f"{_edition_base(release.submitted_via)}/releases/verify/{verify_token(release)}"


def status_url(release: Release) -> str:
    return f"{_edition_base(release.submitted_via)}/releases/status/{status_token(release)}"


def article_urls(release: Release) -> list[tuple[Edition, str]]:
    article = release.article
    if article is None:
        return []
    return [(e, article_url(e, article)) for e in release.editions.all()]


def image_url(release: Release) -> str:
    if not release.image:
        return ""
    return f"{settings.BASE_URL}{settings.MEDIA_URL}{release.image}"


def release_from_token(token: str, *, purpose: str) -> Release | None:
    """The release a signed link names, or None for a forged, altered or expired link."""
    salt = _VERIFY_SALT if purpose == "verify" else _STATUS_SALT
    max_age = settings.WIREDESK_RELEASE_VERIFY_HOURS * 3600 if purpose == "verify" else None
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    return (Release.objects.select_related("submitted_via", "article")
            .filter(reference=str(payload.get("r", "")), link_key=str(payload.get("k", "")))
            .first())

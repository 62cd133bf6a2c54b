"""Local renditions of agency pictures: fetched by a job, once per address, never by ingest.

Ingest only records where an article's picture comes from (``picture_sources``: one
``PictureSource`` per address, however many articles show it). The ``fetch-pictures``
job (``pictures_fetch_due``, also ``wiredesk pictures fetch``) fetches the due ones a few
at a time through the same guarded fetcher as feeds (``WIREDESK_FETCH_ALLOW``, a size
cap, a deadline per picture), re-encodes them (``wire.images``) and keeps the files in
the media store (``STORAGES["default"]``) under names that hash their own bytes.

A picture is stored once by the hash of the bytes the agency sent (``PictureAsset``):
the same picture under many addresses is decoded and stored once. When it is stored,
every live article with that address gets its renditions (saved, so the editions that
carry it get new stamps and their cached pages refresh). Until then, and when fetching
failed, the article is shown without a picture: the agency's address is never put in a
page. A failure is recorded on the source (the admin lists it) and logged, then tried
again after ``WIREDESK_PICTURE_RETRY_BASE`` seconds, doubled each time, until
``WIREDESK_PICTURE_MAX_ATTEMPTS``; a refusal that would not change (a private address,
over the size or pixel cap, not a picture) is not tried again.

A kill (or the article's picture changing, or its deletion) releases the source after
commit: with no other live article showing the same picture, its files are deleted.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from wiredesk.newsroom.models import Article, PictureAsset, PictureSource
from wiredesk.newsroom.services.picture_sources import delete_files, live, source_for
from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire.images import PictureRejected, Renditions, content_hash, make_renditions
from wiredesk.wire.types import WireError

log = logging.getLogger("wiredesk.newsroom.pictures")

# The article's fields this module keeps (beside the agency's own picture fields).
RENDITION_FIELDS = ["picture_source", "image_renditions"]
MEDIA_FOLDER = "pictures"
MAX_RETRY_DELAY = timedelta(hours=24)


# --- the job ---------------------------------------------------------------------


@dataclass
class PictureReport:
    stored: int = 0  # new pictures decoded and stored
    reused: int = 0  # bytes already stored under another address
    retrying: int = 0  # failed, tried again later
    given_up: int = 0  # failed for good
    skipped: int = 0  # every article waiting for it was killed meanwhile
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.stored + self.reused + self.retrying + self.given_up + self.skipped

    def summary(self) -> str:
        text = (f"{self.stored} picture(s) stored, {self.reused} already stored, "
                f"{self.retrying} to retry, {self.given_up} given up")
        if self.errors:
            text += f"; first error: {self.errors[0]}"
        return text


def pictures_fetch_due(*, limit: int | None = None) -> PictureReport:
    """Fetch up to ``limit`` (``WIREDESK_PICTURE_BATCH``) due pictures that a live
    article waits for, oldest due first. Each is claimed first (its next attempt moved
    past the fetch's deadline), so two workers never fetch the same one."""
    now = timezone.now()
    limit = limit or settings.WIREDESK_PICTURE_BATCH
    lease = timedelta(seconds=2 * settings.WIREDESK_PICTURE_TIMEOUT + 60)
    waiting = live(Article.objects.filter(picture_source=OuterRef("pk")))
    due = list(PictureSource.objects
               .filter(status=PictureSource.Status.PENDING, next_attempt_at__lte=now)
               .filter(Exists(waiting)).order_by("next_attempt_at", "pk")
               .values_list("pk", "next_attempt_at")[:limit])
    report = PictureReport()
    for source_id, due_at in due:
        claimed = PictureSource.objects.filter(
            pk=source_id, status=PictureSource.Status.PENDING, next_attempt_at=due_at,
        ).update(next_attempt_at=now + lease)
        if not claimed:
            continue  # another worker has it
        source = PictureSource.objects.get(pk=source_id)
        outcome, problem = picture_fetch(source)
        setattr(report, outcome, getattr(report, outcome) + 1)
        if problem:
            report.errors.append(problem)
    return report


def picture_fetch(source: PictureSource) -> tuple[str, str]:
    """Fetch, store and show one picture. Returns (outcome, problem): outcome is one of
    ``PictureReport``'s counters; problem is "" or what went wrong."""
    try:
        if not wire_fetch.is_url(source.url):
            raise PictureRejected("only http and https pictures are fetched")
        fetched = wire_fetch.fetch(
            source.url, timeout=settings.WIREDESK_PICTURE_TIMEOUT,
            max_bytes=settings.WIREDESK_PICTURE_MAX_BYTES,
            policy=wire_fetch.FetchPolicy(settings.WIREDESK_FETCH_ALLOW),
            accept=wire_fetch.PICTURE_ACCEPT)
        outcome = picture_store(source, fetched.body)
    except wire_fetch.FetchError as exc:
        return _failed(source, str(exc), permanent=exc.permanent, retry_after=exc.retry_after)
    except PictureRejected as exc:
        return _failed(source, str(exc), permanent=True)
    except WireError as exc:
        return _failed(source, str(exc))
    except Exception as exc:  # the media store or the database: tried again later
        log.exception("picture %s: storing failed", source.url)
        return _failed(source, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
    return outcome, ""


def picture_provide(url: str, data: bytes) -> str:
    """Store ``data`` as the picture at ``url`` without fetching it: for pictures we hold
    already (a news release's own upload, re-encoded when it was sent), which the job
    would otherwise fetch from our own site. Same outcomes as ``picture_store``;
    raises ``PictureRejected`` for what is not a picture we store."""
    return picture_store(source_for(url), data)


def picture_upload(data: bytes, *, caption: str = "", credit: str = "",
                   alt: str = "") -> PictureAsset:
    """A picture the desk uploads, checked, re-encoded and kept in its media library.

    Raises ``PictureRejected`` (not a picture, damaged, over the pixel cap, a
    decompression bomb) before anything is written: nothing is stored then. The same
    bytes uploaded twice are one picture; what the desk says of it is kept where it was
    not said before."""
    sha = content_hash(data)
    made = None
    if not PictureAsset.objects.filter(sha256=sha).exists():
        made = _renditions(data)  # the check: raises before any file is written
    with transaction.atomic():
        asset, _new = _stored_asset(sha, data, made)
        asset.in_library = True
        asset.caption = asset.caption or caption.strip()
        asset.credit = asset.credit or credit.strip()[:300]
        asset.alt = asset.alt or alt.strip()
        asset.save(update_fields=["in_library", "caption", "credit", "alt"])
    log.info("picture %s uploaded to the media library (%dx%d)", sha[:12], asset.width,
             asset.height, extra={"event": "picture_uploaded", "sha256": sha})
    return asset


def picture_source_ready(url: str, asset: PictureAsset) -> PictureSource:
    """The source at ``url`` (an address of our own for a picture we hold: the desk's
    library) shown as ``asset`` at once: ready, never fetched."""
    source = source_for(url)
    if source.status != PictureSource.Status.READY or source.asset_id != asset.pk:
        PictureSource.objects.filter(pk=source.pk).update(
            status=PictureSource.Status.READY, asset=asset, fetched_at=timezone.now(),
            last_error="")
    return source


def picture_store(source: PictureSource, data: bytes) -> str:
    """Store ``data`` (the bytes at the source's address) as its picture, once by content
    hash, and show it on every live article with that address. Returns "stored",
    "reused" (the same bytes were stored already) or "skipped" (no article waits any
    more). Raises ``PictureRejected`` for what is not a picture we store."""
    sha = content_hash(data)
    made, written = None, []
    if not PictureAsset.objects.filter(sha256=sha).exists():
        # Decoded and written before any lock is taken: the slow part holds nothing.
        made = _renditions(data)
        written = _write_files(sha, made)
    outcome = _store(source, sha, data, made)
    if outcome == "skipped" and written and not PictureAsset.objects.filter(
            sha256=sha).exists():
        delete_files(written)
    return outcome


def _renditions(data: bytes) -> Renditions:
    return make_renditions(data, max_pixels=settings.WIREDESK_PICTURE_MAX_PIXELS,
                           widths=settings.WIREDESK_PICTURE_WIDTHS)


def _file_name(sha: str, width: int, digest: str, extension: str) -> str:
    return f"{MEDIA_FOLDER}/{sha[:2]}/{sha[:32]}-{width}w-{digest[:10]}.{extension}"


def _write_files(sha: str, made: Renditions) -> list[dict]:
    """Every rendition in the media store (a file already there with its bytes is kept)."""
    written = []
    for rendition in made.items:
        name = _file_name(sha, rendition.width, rendition.digest, rendition.extension)
        _ensure_file(name, rendition.data)
        written.append({"name": name, "width": rendition.width, "height": rendition.height,
                        "type": rendition.mime_type, "bytes": len(rendition.data)})
    return written


def _ensure_file(name: str, data: bytes) -> None:
    storage = default_storage
    if storage.exists(name):
        if storage.size(name) == len(data):
            return  # the name hashes the bytes: these are they
        storage.delete(name)  # a partial file a killed writer left
    try:
        saved = storage.save(name, ContentFile(data))
    except Exception:
        with contextlib.suppress(Exception):
            storage.delete(name)  # never leave a partial file under the final name
        raise
    if saved != name:  # written by another worker meanwhile: the same bytes, keep one
        storage.delete(saved)


def _files_present(renditions: list[dict]) -> bool:
    storage = default_storage
    return bool(renditions) and all(
        storage.exists(r["name"]) and storage.size(r["name"]) == r["bytes"] for r in renditions)


def _stored_asset(sha: str, data: bytes, made: Renditions | None) -> tuple[PictureAsset, bool]:
    """The asset of these bytes with its files in the store, under its row's lock (or
    the insert's); and whether it was stored just now."""
    asset = PictureAsset.objects.select_for_update().filter(sha256=sha).first()
    if asset is not None and _files_present(asset.renditions):
        return asset, False
    made = made or _renditions(data)  # its files were deleted meanwhile: written again
    renditions = _write_files(sha, made)
    if asset is not None:
        asset.renditions = renditions
        asset.save(update_fields=["renditions"])
        return asset, True
    try:
        with transaction.atomic():
            asset = PictureAsset.objects.create(sha256=sha, width=made.width,
                                                height=made.height, renditions=renditions)
    except IntegrityError:  # the same bytes stored by another worker a moment ago
        return PictureAsset.objects.select_for_update().get(sha256=sha), False
    return asset, True


def _store(source: PictureSource, sha: str, data: bytes, made: Renditions | None) -> str:
    now = timezone.now()
    with transaction.atomic():
        source = PictureSource.objects.select_for_update().filter(pk=source.pk).first()
        if source is None:
            return "skipped"  # released meanwhile: every article showing it was killed
        asset, new = _stored_asset(sha, data, made)
        source.status = PictureSource.Status.READY
        source.asset = asset
        source.fetched_at = now
        source.last_error = ""
        source.save(update_fields=["status", "asset", "fetched_at", "last_error"])
        shown = []
        for article in live(Article.objects.select_for_update()
                             .filter(picture_source=source)):
            if article.image_renditions != asset.renditions:
                article.image_renditions = asset.renditions
                # A save, not an update: the editions carrying it get new stamps.
                article.save(update_fields=["image_renditions", "modified_at"])
                shown.append(article.pk)
    log.info("picture %s %s as %s (%dx%d, %d files), shown on article(s) %s", source.url,
             "stored" if new else "already stored", sha[:12], asset.width, asset.height,
             len(asset.renditions), ", ".join(map(str, shown)) or "none",
             extra={"event": "picture_stored", "sha256": sha, "article_ids": shown})
    return "stored" if new else "reused"


def _failed(source: PictureSource, problem: str, *, permanent: bool = False,
            retry_after: timedelta | None = None) -> tuple[str, str]:
    """Record the failure where the operator sees it (the source's admin page) and log it;
    plan the next try, or give up."""
    now = timezone.now()
    attempts = source.attempts + 1
    limit = settings.WIREDESK_PICTURE_MAX_ATTEMPTS
    give_up = permanent or attempts >= limit
    delay = timedelta(seconds=settings.WIREDESK_PICTURE_RETRY_BASE * 2 ** (attempts - 1))
    delay = min(max(delay, retry_after or timedelta(0)), MAX_RETRY_DELAY)
    PictureSource.objects.filter(pk=source.pk).update(
        attempts=attempts, last_error=problem[:2000], last_error_at=now,
        status=PictureSource.Status.FAILED if give_up else PictureSource.Status.PENDING,
        next_attempt_at=now + delay)
    if give_up:
        log.warning("picture %s not fetched, given up after %d attempt(s): %s", source.url,
                    attempts, problem, extra={"event": "picture_given_up", "url": source.url})
        return "given_up", problem
    log.warning("picture %s not fetched (attempt %d of %d, next in %ds): %s", source.url,
                attempts, limit, delay.total_seconds(), problem,
                extra={"event": "picture_failed", "url": source.url})
    return "retrying", problem


def pictures_retry(source_ids: list[int]) -> int:
    """An operator's "try again now": failed or waiting sources become due at once."""
    return (PictureSource.objects.filter(pk__in=source_ids)
            .exclude(status=PictureSource.Status.READY)
            .update(status=PictureSource.Status.PENDING, attempts=0,
                    next_attempt_at=timezone.now()))

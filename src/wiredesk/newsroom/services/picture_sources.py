"""Where each article's picture comes from: one ``PictureSource`` per address, however
many articles show it, recorded by ingest (``link_source``: never a fetch) and released
when no live article shows it any more (``release_unused``, after commit). The
``fetch-pictures`` job that fills a source is ``renditions``."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from wiredesk.newsroom.models import Article, PictureAsset, PictureSource

log = logging.getLogger("wiredesk.newsroom.pictures")


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def source_for(url: str) -> PictureSource:
    """The source of ``url``, created (pending) the first time the address is seen."""
    key = url_key(url)
    found = PictureSource.objects.select_related("asset").filter(url_hash=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PictureSource.objects.create(url=url[:1000], url_hash=key)
    except IntegrityError:  # another poller recorded it a moment ago
        return PictureSource.objects.select_related("asset").get(url_hash=key)


_SOURCE_TABLE = PictureSource._meta.db_table
# Every new article with a picture asks for its address's source: plain SQL, as building
# the ORM's queries cost more than running them (BENCHMARKS.md, storing).
_FIND_SOURCE = (f"SELECT id, status, asset_id FROM {_SOURCE_TABLE}"  # noqa: S608
                " WHERE url_hash = %s")
_ADD_SOURCE = (f"INSERT INTO {_SOURCE_TABLE} (url, url_hash, status, attempts,"  # noqa: S608
               " next_attempt_at, last_error, created_at)"
               " VALUES (%s, %s, %s, 0, %s, '', %s) ON CONFLICT (url_hash) DO NOTHING"
               " RETURNING id")


def _source_row(url: str) -> tuple[int, str, int | None]:
    """(id, status, asset id) of ``url``'s source, created (pending) the first time the
    address is seen, as ``_source_for`` does: a new article's address is most often new."""
    key = url_key(url)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_ADD_SOURCE, [url[:1000], key, PictureSource.Status.PENDING, now, now])
        added = cursor.fetchone()
        if added is not None:
            return added[0], PictureSource.Status.PENDING, None
        cursor.execute(_FIND_SOURCE, [key])  # known already (or a concurrent poller's)
        return cursor.fetchone()


def link_source(article: Article, *, previous_url: str | None) -> bool:
    """Point the (unsaved) article at the source of its picture's address, and show the
    renditions if the picture is stored already. Says whether ``RENDITION_FIELDS``
    changed. A source the article no longer uses is released after commit."""
    url = article.image_url
    if url == previous_url and (article.picture_source_id is not None or not url):
        return False
    old_id = article.picture_source_id
    new_id, status, asset_id = _source_row(url) if url else (None, None, None)
    renditions = []
    if asset_id is not None and status == PictureSource.Status.READY:
        renditions = PictureAsset.objects.values_list("renditions", flat=True).get(
            pk=asset_id)
    changed = new_id != old_id or article.image_renditions != renditions
    article.picture_source_id = new_id
    article.image_renditions = renditions
    if old_id is not None and old_id != new_id:
        release_later(old_id)
    return changed


def release_later(source_id: int | None) -> None:
    """After commit: forget the source, and delete its picture's files, when no live
    article shows them any more (see ``release_unused``)."""
    if source_id is not None:
        transaction.on_commit(lambda: release_unused(source_id))


def live(queryset):
    return queryset.exclude(status=Article.Status.KILLED)


def release_unused(source_id: int) -> int:
    """Delete the source when no live (published or held) article uses it, and its
    picture's files when no live article shows the same picture under any address.
    Returns how many files were deleted. Runs under the rows' locks, so the job never
    attaches a picture whose files are being deleted (it writes them again instead)."""
    with transaction.atomic():
        source = PictureSource.objects.select_for_update().filter(pk=source_id).first()
        if source is None or live(Article.objects.filter(picture_source=source)).exists():
            return 0
        asset_id = source.asset_id
        # Killed articles keep their record, not their picture.
        Article.objects.filter(picture_source=source).update(image_renditions=[])
        source.delete()
        if asset_id is None:
            return 0
        asset = PictureAsset.objects.select_for_update().filter(pk=asset_id).first()
        if asset is None or asset.in_library or live(
                Article.objects.filter(picture_source__asset=asset)).exists():
            return 0  # the desk's media library keeps its pictures
        removed = delete_files(asset.renditions)
        asset.delete()
    log.info("picture %s deleted: no live article shows it (%d files)", asset.sha256[:12],
             removed, extra={"event": "picture_deleted", "sha256": asset.sha256})
    return removed


def delete_files(renditions: list[dict]) -> int:
    removed = 0
    for rendition in renditions:
        try:
            if default_storage.exists(rendition["name"]):
                default_storage.delete(rendition["name"])
                removed += 1
        except Exception:  # a file left behind is garbage, never an error for the kill
            log.warning("picture file %s not deleted", rendition["name"], exc_info=True)
    return removed

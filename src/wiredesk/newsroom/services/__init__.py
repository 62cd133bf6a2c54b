"""Writes to the newsroom: agencies, feeds, ingest, kills. Views, CLI and tasks call these.

``ingest`` stores items, ``feeds`` keeps agencies and feeds and polls them, ``editorial``
carries out an editor's kill, hold and release, ``scheduling`` the same at a chosen time
(the ``publish-scheduled`` job), ``renditions`` fetches and stores agency
pictures (a job; ingest only records them). The public names are re-exported here.
"""

from wiredesk.newsroom.errors import ServiceError
from wiredesk.newsroom.services.documents import ingest_bytes
from wiredesk.newsroom.services.editorial import article_hold, article_kill, article_release
from wiredesk.newsroom.services.feeds import (
    MAX_BACKOFF,
    STORE_RETRY,
    agency_ensure,
    feed_add,
    feed_poll,
    ingest_source,
    poll_due_feeds,
    section_ensure,
)
from wiredesk.newsroom.services.fulltext import (
    FULL_TEXT_BELOW,
    MAX_PAGES_PER_POLL,
    fill_full_text,
)
from wiredesk.newsroom.services.ingest import IngestContext, Stored, store_item
from wiredesk.newsroom.services.renditions import (
    PictureReport,
    picture_provide,
    picture_source_ready,
    picture_upload,
    pictures_fetch_due,
    pictures_retry,
)
from wiredesk.newsroom.services.reports import IngestReport
from wiredesk.newsroom.services.scheduling import (
    ScheduleReport,
    publish_scheduled,
    schedule_cancel,
    schedule_publish,
    schedule_unpublish,
)

__all__ = [
    "FULL_TEXT_BELOW",
    "MAX_BACKOFF",
    "MAX_PAGES_PER_POLL",
    "STORE_RETRY",
    "IngestContext",
    "IngestReport",
    "PictureReport",
    "ScheduleReport",
    "ServiceError",
    "Stored",
    "agency_ensure",
    "article_hold",
    "article_kill",
    "article_release",
    "feed_add",
    "feed_poll",
    "fill_full_text",
    "ingest_bytes",
    "ingest_source",
    "picture_provide",
    "picture_source_ready",
    "picture_upload",
    "pictures_fetch_due",
    "pictures_retry",
    "poll_due_feeds",
    "publish_scheduled",
    "schedule_cancel",
    "schedule_publish",
    "schedule_unpublish",
    "section_ensure",
    "store_item",
]

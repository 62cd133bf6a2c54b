"""Static mode (``WIREDESK_STATIC_DIR``): the ``publish --static`` copy kept current.

Two paths, so that a kill is never left on disk and ingest never waits on rendering:

- An article that stops being public in an edition (killed, held, embargoed again,
  taken out of the edition) has its files deleted, and the edition's fronts, story and
  tag pages rendered again, in the transaction's commit hook of the process that made
  the change (``receivers``): before the kill returns.
- Everything else (new and updated articles, curation, looks) follows within seconds:
  the ``publish-static`` job compares each edition's stamp (the page cache's generation,
  bumped by every change from any process) with the one it last published
  (``DIR/<edition>/.stamp``) and runs the incremental publish where they differ.

One publish per edition at a time (a file lock beside the manifest), whichever process.
"""

from __future__ import annotations

import fcntl
import json
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from wiredesk import publish
from wiredesk.editions.models import Edition
from wiredesk.editions.selectors import edition_articles
from wiredesk.publishing.stamps import current_stamp

log = logging.getLogger("wiredesk.staticsite")
STAMP = ".stamp"


def static_dir() -> Path | None:
    value = settings.WIREDESK_STATIC_DIR
    return Path(value).expanduser().resolve() if value else None


@contextmanager
def _edition_lock(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stamp_text(edition_id: int) -> str:
    stamp = current_stamp(edition_id)
    return f"{stamp.generation}.{stamp.changed_at.isoformat()}"


def publish_now(edition: Edition, target: Path) -> publish.PublishReport:
    """The incremental publish of one edition, its stamp recorded (read first: a change
    made while it runs is published on the next turn)."""
    root = target / edition.slug
    with _edition_lock(root):
        stamp = _stamp_text(edition.pk)
        report = publish.publish_edition(edition, target)
        (root / STAMP).write_text(stamp)
    return report


def publish_changed() -> list[publish.PublishReport]:
    """The ``publish-static`` job: editions whose stamp moved since they were published."""
    target = static_dir()
    if target is None:
        return []
    target.mkdir(parents=True, exist_ok=True)
    if not (target / "static").is_dir():
        publish.copy_static(target)
    reports = []
    for edition in Edition.objects.all():
        try:
            published = (target / edition.slug / STAMP).read_text()
        except OSError:
            published = ""
        if published != _stamp_text(edition.pk):
            reports.append(publish_now(edition, target))
    if reports:
        publish.copy_pictures(target)
    return reports


def _published_ids(root: Path) -> set[int]:
    try:
        data = json.loads((root / publish.MANIFEST).read_text())
    except (OSError, ValueError):
        return set()
    articles = data.get("articles", {}) if isinstance(data, dict) else {}
    return {int(pk) for pk in articles if isinstance(pk, str) and pk.isdigit()}


def withdraw(article_ids: Iterable[int]) -> int:
    """Editions whose copy shows one of these articles that is no longer public there:
    published again now (its files deleted, fronts rendered). Returns how many."""
    target = static_dir()
    ids = set(article_ids)
    if target is None or not ids:
        return 0
    done = 0
    for edition in Edition.objects.all():
        shown = ids & _published_ids(target / edition.slug)
        if not shown:
            continue
        public = set(edition_articles(edition).filter(pk__in=shown)
                     .values_list("pk", flat=True))
        if shown - public:
            publish_now(edition, target)
            done += 1
    return done

"""``wiredesk publish --static DIR``: an edition's public pages as files for any web server.

Layout under DIR (the same paths as the live site's ``/<edition-slug>/`` URLs)::

    DIR/static/...                                  the stylesheet and other static files
    DIR/<edition>/index.html                        home (latest news, first page)
    DIR/<edition>/section/<section>/index.html      each section's first page
    DIR/<edition>/news/<id>/<headline-slug>.html    every public article

A web server maps ``/x`` to ``x.html`` and ``/x/`` to ``x/index.html`` (nginx:
``try_files $uri $uri.html $uri/index.html =404;``). Older pages (``?page=2``), the
digest signup and release forms stay with the dynamic site.

Incremental: ``DIR/<edition>/.published.json`` records each article's last change;
the next run re-renders only new and changed articles, deletes the files of articles
killed, held or withdrawn from the edition, and re-renders the home and section pages
when anything changed. ``--full`` renders everything again (e.g. after a template change).
Files are written to a temporary name and renamed, so a server never sends half a page.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

MANIFEST = ".published.json"


class PublishError(Exception):
    """A publish request that cannot be carried out; the message says why."""


@dataclass
class PublishReport:
    edition: str
    rendered: int = 0
    unchanged: int = 0
    removed: int = 0
    pages: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.edition}: {self.rendered} articles rendered, {self.unchanged} "
                f"unchanged, {self.removed} removed, {self.pages} index pages")
        if self.errors:
            text += f", {len(self.errors)} error(s): {self.errors[0]}"
        return text


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def _client():
    from django.test import Client

    # A host that is not an edition's, so every link keeps its /<edition-slug>/ prefix.
    allowed = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    return Client(HTTP_HOST=allowed[0] if allowed else "localhost")


def _render(client, url: str) -> bytes | None:
    response = client.get(url)
    if response.status_code != 200:
        return None
    return response.content


def copy_static(target: Path) -> None:
    from django.contrib.staticfiles import finders

    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            source = Path(storage.path(path))
            destination = target / "static" / path
            if not destination.exists() or destination.stat().st_mtime < source.stat().st_mtime:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)


def publish_edition(edition, target: Path, *, full: bool = False,
                    progress=None) -> PublishReport:
    from wiredesk.editions import selectors

    report = PublishReport(edition=edition.slug)
    root = target / edition.slug
    manifest_path = root / MANIFEST
    try:
        previous = {} if full else json.loads(manifest_path.read_text())
    except (FileNotFoundError, ValueError):
        previous = {}
    client = _client()
    current: dict[str, dict] = {}
    public = selectors.edition_articles(edition).values_list("pk", "slug", "modified_at")
    for pk, slug, modified in public.iterator():
        stamp = modified.isoformat()
        relative = f"news/{pk}/{slug}.html"
        current[str(pk)] = {"modified": stamp, "path": relative}
        seen = previous.get(str(pk))
        if seen == current[str(pk)] and (root / relative).is_file():
            report.unchanged += 1
            continue
        content = _render(client, f"/{edition.slug}/news/{pk}/{slug}")
        if content is None:
            report.errors.append(f"article {pk} did not render")
            current.pop(str(pk))
            continue
        _write(root / relative, content)
        if seen and seen["path"] != relative:  # the headline (and slug) changed
            (root / seen["path"]).unlink(missing_ok=True)
        report.rendered += 1
        if progress and report.rendered % 100 == 0:
            progress(f"{edition.slug}: {report.rendered} articles rendered")
    for pk, seen in previous.items():
        if pk not in current:  # killed, held, embargoed again or taken out of the edition
            (root / seen["path"]).unlink(missing_ok=True)
            report.removed += 1
    if full or report.rendered or report.removed or not (root / "index.html").is_file():
        pages = {"index.html": f"/{edition.slug}/"}
        for section in selectors.edition_sections(edition):
            pages[f"section/{section.slug}/index.html"] = f"/{edition.slug}/section/{section.slug}/"
        for relative, url in pages.items():
            content = _render(client, url)
            if content is not None:
                _write(root / relative, content)
                report.pages += 1
    _write(manifest_path, json.dumps(current, sort_keys=True).encode())
    return report


def publish(target: Path, *, edition_slug: str | None = None, full: bool = False,
            progress=None) -> list[PublishReport]:
    from wiredesk.editions.models import Edition

    editions = Edition.objects.all()
    if edition_slug:
        editions = editions.filter(slug=edition_slug)
        if not editions.exists():
            raise PublishError(f"no edition {edition_slug!r} (see `wiredesk edition list`)")
    target = Path(target).expanduser().resolve()
    target.mkdir(parents=True, exist_ok=True)
    copy_static(target)
    return [publish_edition(e, target, full=full, progress=progress) for e in editions]

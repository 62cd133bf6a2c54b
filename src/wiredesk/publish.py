"""``wiredesk publish --static DIR``: an edition's public pages as files for any web server.

Layout under DIR: the same paths as the live site's ``/<edition-slug>/`` URLs, built by
editions/links.py (``article_path`` and the rest)::

    DIR/static/...                                  the stylesheet and other static files,
                                                    under content-hashed names as well
    DIR/favicon.ico                                 the icon
    DIR/media/pictures/...                          the pictures' renditions (files store)
    DIR/media/brand/...                             editions' logos and icons
    DIR/<edition>/brand.<hash>.css                  the edition's colours and fonts
    DIR/<edition>/{about,contact,terms,privacy}     its text pages
    DIR/<edition>/index.html                        home (latest news, first page)
    DIR/<edition>/<section path>index.html          each section's first page
    DIR/<edition>/<article path>                    every public article
    DIR/<edition>/<story path>                      the story pages articles link to
    DIR/<edition>/<tag path>index.html              the tag pages articles link to
    DIR/<edition>/[<section path>|<story folder>|<tag path>]feed.{rss,atom,json}
    DIR/<edition>/feed.ninjs.json, feed.newsml.xml  the partner feeds (NINJS, NewsML-G2)
    DIR/<edition>/sitemap*.xml                      the sitemaps

A page at ``/x`` is the file ``x`` itself, with no extension, and one at ``/x/`` is
``x/index.html``: a web server answers an article with the one file open it makes for any
file, and no lookup of another name first (nginx's ``try_files $uri.html`` costs a
``stat`` per request, 13% of its CPU on an article). Files with no extension are HTML: the
server must say so (nginx: ``default_type "text/html; charset=utf-8";``, docs/static-mode.md;
Caddy and Go servers find it from the bytes; for a bucket, give them that content type).
A copy written before 2026-12-02 (``x.html``) is renamed by the next run: every article
is rendered again under its new name and the old file removed. Older pages (``?page=2``), search,
the digest signup and release forms stay with the dynamic site.

Incremental: ``DIR/<edition>/.published.json`` records each article's last change and
every other page written; the next run re-renders only new and changed articles, deletes
the files of articles killed, held or withdrawn from the edition, and, when anything
changed, re-renders the story and tag pages of those articles (deleting those left with
nothing to show) and the edition-wide pages. ``--full`` renders everything again (e.g.
after a template change); so does a change of the edition's look (stylesheet, logo,
icons, footer), which every page shows (``look`` in the manifest). A change of the desk's
curation (``fronts``) re-renders the edition-wide pages, the fronts among them.
Files are written to a temporary name and renamed, so a server never sends half a page;
each page, feed and sitemap has its ``.gz`` and ``.br`` copies beside it
(``core.precompressed``), removed with it.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from wiredesk.core.precompressed import remove_file, write_file
from wiredesk.errors import WiredeskError

MANIFEST = ".published.json"
# Text pages: all in edition_pages() while they exist. (An old brand.<hash>.css stays: a
# page a CDN still holds may name it.) `.html`: their names before 2026-12-02.
_EDITION_WIDE = re.compile(r"(?:about|contact|terms|privacy)(?:\.html)?")


class PublishError(WiredeskError):
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
                f"unchanged, {self.removed} removed, {self.pages} other pages (home, sections, "
                f"stories, tags, feeds, sitemaps)")
        if self.errors:
            text += f", {len(self.errors)} error(s): {self.errors[0]}"
        return text


def _write(path: Path, content: bytes) -> None:
    write_file(path, content)  # with .gz and .br copies beside it


def _client():
    from django.test import Client

    from wiredesk.editions.pages import STATIC_RENDER

    # A host that is not an edition's, so every link keeps its /<edition-slug>/ prefix;
    # STATIC_RENDER points forms and search at the live site (and skips the page cache).
    allowed = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    return Client(HTTP_HOST=allowed[0] if allowed else "localhost", **{STATIC_RENDER: True})


def _render(client, url: str) -> bytes | None:
    response = client.get(url)
    if response.status_code != 200:
        return None
    return response.content


def copy_static(target: Path) -> None:
    """The collected static files, under the content-hashed names the pages use (and
    their plain names and .gz copies), the icon at ``DIR/favicon.ico``, and the editions'
    logos and icons under ``DIR/media/brand/``."""
    from wiredesk.core import staticfiles
    from wiredesk.editions.brand_images import FOLDER, NAME

    staticfiles.collect()  # pages are rendered with the names its manifest gives
    collected = Path(settings.STATIC_ROOT)
    files = [(source, target / "static" / source.relative_to(collected))
             for source in collected.rglob("*") if source.is_file()]
    files.append((collected / "wiredesk" / "favicon.ico", target / "favicon.ico"))
    brand = Path(settings.MEDIA_ROOT) / FOLDER
    if brand.is_dir():
        files += [(source, target / "media" / FOLDER / source.name)
                  for source in brand.iterdir() if NAME.match(source.name)]
    for source, destination in files:
        if not destination.exists() or destination.stat().st_mtime < source.stat().st_mtime:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def copy_pictures(target: Path) -> None:
    """The stored pictures' renditions beside the pages that name them (``/media/...``),
    when they are files here; a bucket serves its own. Files of pictures no longer
    stored (killed) are removed. Names hash their bytes: a file there is never stale."""
    from django.core.files.storage import default_storage

    from wiredesk.newsroom.models import PictureAsset

    try:
        default_storage.path("pictures")
    except NotImplementedError:
        return  # a bucket: pages name its own addresses
    wanted = {r["name"] for renditions in PictureAsset.objects.values_list("renditions",
                                                                           flat=True)
              for r in renditions}
    for name in sorted(wanted):
        destination = target / "media" / name
        if not destination.exists():
            try:
                source = Path(default_storage.path(name))
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
            except OSError:
                continue  # deleted meanwhile (a kill): its page is gone too
    folder = target / "media" / "pictures"
    if folder.is_dir():
        for path in folder.rglob("*"):
            if path.is_file() and path.relative_to(target / "media").as_posix() not in wanted:
                path.unlink(missing_ok=True)


FEED_EXTENSIONS = ("rss", "atom", "json")
LOOKUP_SLICE = 500


def _with_feeds(pages: dict[str, str], base: str, folder: str) -> None:
    """The feeds beside a page: file ``folder/feed.rss`` for URL ``base/folder/feed.rss``..."""
    from wiredesk.editions.links import feed_path

    for extension in FEED_EXTENSIONS:
        path = feed_path(folder, extension)
        pages[path.lstrip("/")] = base + path


def edition_pages(edition) -> dict[str, str]:
    """Edition-wide pages (file -> URL): home, sections, their feeds and the sitemaps."""
    from wiredesk.editions import selectors
    from wiredesk.editions.brand import brand_of
    from wiredesk.editions.links import edition_path, section_path
    from wiredesk.editions.models import EditionPage
    from wiredesk.publishing.sitemaps import article_page_count

    base = edition_path(edition)
    pages = {"index.html": base + "/"}
    _with_feeds(pages, base, "/")
    for name in ("feed.ninjs.json", "feed.newsml.xml"):  # the partner feeds
        pages[name] = f"{base}/{name}"
    css_name = brand_of(edition).css_name
    pages[css_name] = f"{base}/{css_name}"
    for kind in EditionPage.objects.filter(edition=edition).values_list("kind", flat=True):
        pages[kind] = f"{base}/{kind}"
    for section in selectors.edition_sections(edition):
        folder = section_path(section.slug)
        pages[f"{folder.lstrip('/')}index.html"] = base + folder
        _with_feeds(pages, base, folder)
    for name in ["sitemap.xml", "sitemap-sections.xml", "sitemap-news.xml",
                 *(f"sitemap-articles-{n}.xml"
                   for n in range(1, article_page_count(edition) + 1))]:
        pages[name] = f"{base}/{name}"
    return pages


def coverage_pages(edition, article_ids, story_ids) -> dict[str, str]:
    """The story and tag pages (file -> URL), with their feeds, of these articles and
    stories (a story an article has just left counts too)."""
    from wiredesk.editions.links import edition_path, story_folder, story_path, tag_path
    from wiredesk.newsroom.models import Article, Story, Tag

    base = edition_path(edition)
    pages: dict[str, str] = {}
    story_ids, keys = set(story_ids), set()
    article_ids = list(article_ids)
    # In slices: a first or --full run names every article, more than SQLite takes at once.
    for start in range(0, len(article_ids), LOOKUP_SLICE):
        ids = article_ids[start:start + LOOKUP_SLICE]
        story_ids.update(Article.objects.filter(pk__in=ids, story__isnull=False)
                         .values_list("story_id", flat=True))
        keys.update(Tag.objects.filter(article_tags__article_id__in=ids)
                    .values_list("key", flat=True))
    story_ids = sorted(story_ids)
    for start in range(0, len(story_ids), LOOKUP_SLICE):
        for story in Story.objects.filter(
                pk__in=story_ids[start:start + LOOKUP_SLICE]).only("id", "headline"):
            path = story_path(story)
            pages[path.lstrip("/")] = base + path
            _with_feeds(pages, base, story_folder(story.pk))
    for key in sorted(keys):
        path = tag_path(key)
        pages[f"{path.lstrip('/')}index.html"] = base + path
        _with_feeds(pages, base, path)
    return pages


def _inside(root: Path, relative) -> bool:
    """A manifest path names a file inside the edition's folder (no ``..``, no absolute
    path, no symlink out): the manifest is a file anyone with write access could edit."""
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        return False
    base = root.resolve()
    return (base / relative).resolve().is_relative_to(base) and not Path(relative).is_absolute()


def _read_manifest(path: Path, report: PublishReport | None = None
                   ) -> tuple[dict[str, dict], dict[str, str]]:
    """The articles and pages the last run published, each entry checked: a malformed one
    or one pointing outside the folder is left out (never deleted) and recorded."""
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return {}, {}
    if not isinstance(data, dict):
        data = {}
    if "articles" not in data:  # written before story, tag and feed pages were published
        articles, raw_pages = data, {}
    else:
        articles, raw_pages = data["articles"], data.get("pages", {})
    root = path.parent
    rejected: list[str] = []
    good_articles: dict[str, dict] = {}
    for pk, seen in (articles.items() if isinstance(articles, dict) else ()):
        story = seen.get("story") if isinstance(seen, dict) else None
        if (isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) <= 18
                and isinstance(seen, dict) and _inside(root, seen.get("path"))
                and (story is None or (isinstance(story, int) and not isinstance(story, bool)))):
            good_articles[pk] = seen
        else:
            rejected.append(f"article {str(pk)[:80]!r}")
    good_pages: dict[str, str] = {}
    for relative, url in (raw_pages.items() if isinstance(raw_pages, dict) else ()):
        parts = relative.split("/") if isinstance(relative, str) else []
        story_ok = parts[:1] != ["story"] or (len(parts) > 1 and parts[1].isascii()
                                              and parts[1].isdigit())
        if _inside(root, relative) and isinstance(url, str) and story_ok:
            good_pages[relative] = url
        else:
            rejected.append(f"page {str(relative)[:80]!r}")
    if rejected and report is not None:
        report.errors.append(f"{MANIFEST}: ignored {len(rejected)} malformed or outside "
                             f"entries ({', '.join(rejected[:3])})")
    return good_articles, good_pages


def publish_edition(edition, target: Path, *, full: bool = False,
                    progress=None) -> PublishReport:
    from wiredesk.editions import selectors
    from wiredesk.editions.brand import look_fingerprint
    from wiredesk.editions.links import article_path_for, edition_path

    report = PublishReport(edition=edition.slug)
    root = target / edition.slug
    manifest_path = root / MANIFEST
    # A new look (stylesheet, logo, icons, footer) shows on every page: render them all.
    look = look_fingerprint(edition)
    full = full or _manifest_value(manifest_path, "look") != look
    # The desk's curation changes the fronts (home, sections) with no article changing.
    fronts = selectors.fronts_fingerprint(edition)
    fronts_moved = _manifest_value(manifest_path, "fronts") != fronts
    # Read even for --full: what was published before and is no longer public must go.
    previous, previous_pages = _read_manifest(manifest_path, report)
    client = _client()
    current: dict[str, dict] = {}
    changed: list[int] = []
    stories: set[int] = set()  # stories whose pages may have changed
    public = selectors.edition_articles(edition).values_list("pk", "slug", "modified_at",
                                                             "story_id")
    for pk, slug, modified, story_id in public.iterator():
        path = article_path_for(pk, slug)
        relative = path.lstrip("/")
        # The story is recorded too: an article moved to another story links elsewhere.
        current[str(pk)] = {"modified": modified.isoformat(), "path": relative,
                            "story": story_id}
        seen = previous.get(str(pk))
        if full:
            changed.append(pk)
        elif seen == current[str(pk)] and (root / relative).is_file():
            report.unchanged += 1
            continue
        content = _render(client, edition_path(edition) + path)
        if content is None:
            report.errors.append(f"article {pk} did not render")
            current.pop(str(pk))
            continue
        _write(root / relative, content)
        if seen and seen["path"] != relative:  # the headline (and slug) changed
            remove_file(root / seen["path"])
        if not full:
            changed.append(pk)
        if seen and seen.get("story"):
            stories.add(seen["story"])
        report.rendered += 1
        if progress and report.rendered % 100 == 0:
            progress(f"{edition.slug}: {report.rendered} articles rendered")
    for pk, seen in previous.items():
        if pk not in current:  # killed, held, embargoed again or taken out of the edition
            remove_file(root / seen["path"])
            changed.append(int(pk))
            if seen.get("story"):
                stories.add(seen["story"])
            report.removed += 1
    pages = dict(previous_pages)
    if full or changed or fronts_moved or not (root / "index.html").is_file():
        # Story and tag pages of what changed, then every edition-wide page.
        wanted = {**coverage_pages(edition, changed, stories), **edition_pages(edition)}
        stories.update(int(r.split("/")[1]) for r in wanted if r.startswith("story/"))
        for relative in list(previous_pages):
            parts = relative.split("/")
            gone = ((parts[0] == "story" and int(parts[1]) in stories)  # or its old slug
                    or _EDITION_WIDE.fullmatch(relative))  # a text page removed
            if gone and relative not in wanted:
                remove_file(root / relative)
                pages.pop(relative)
        for relative, url in wanted.items():
            content = _render(client, url)
            if content is None:  # nothing left to show (a story or tag whose copy was killed)
                remove_file(root / relative)
                pages.pop(relative, None)
                continue
            _write(root / relative, content)
            pages[relative] = url
            report.pages += 1
    _write(manifest_path, json.dumps({"articles": current, "pages": pages, "look": look,
                                      "fronts": fronts}, sort_keys=True).encode())
    return report


def _manifest_value(path: Path, key: str) -> str | None:
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return None
    return data.get(key) if isinstance(data, dict) else None


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
    reports = [publish_edition(e, target, full=full, progress=progress) for e in editions]
    copy_pictures(target)
    return reports

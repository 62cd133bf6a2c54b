"""Sitemaps per edition: an index, article sitemaps of at most 50,000 URLs each, the
section pages, and a Google News sitemap of the last two days; plus robots.txt. Article
URLs name their picture (Google's image sitemap extension).

Only canonical URLs are listed (editions.canonical): an edition's sitemaps hold the
articles whose one canonical page is its own, so each article is in exactly one
edition's sitemap, at the URL every page of it names as canonical."""

from __future__ import annotations

from datetime import UTC, timedelta
from itertools import islice
from xml.sax.saxutils import escape as _escape

from django.http import Http404, HttpResponse
from django.utils import timezone

from wiredesk.editions import selectors
from wiredesk.editions.canonical import Candidate, canonicals
from wiredesk.editions.languages import primary
from wiredesk.editions.links import article_path_for, edition_base_url, media_url, section_path
from wiredesk.editions.models import Edition
from wiredesk.editions.pages import edition_page, resolve_edition
from wiredesk.newsroom.models.files import largest_file, picture_files
from wiredesk.wire.xmlsafe import xml_text

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
URLS_PER_SITEMAP = 50_000  # the protocol's limit
NEWS_WINDOW = timedelta(days=2)
NEWS_MAX_URLS = 1000  # Google News reads at most 1,000 URLs per news sitemap

XML_TYPE = "application/xml; charset=utf-8"


def escape(value: str) -> str:
    """Text for a sitemap: escaped, and without the characters XML forbids (a headline
    stored with one would make the whole news sitemap unreadable)."""
    return _escape(xml_text(value))


def _w3c(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _xml(lines: list[str]) -> HttpResponse:
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(lines) + "\n"
    return HttpResponse(body.encode("utf-8"), content_type=XML_TYPE)


def _article_rows(edition: Edition):
    return (selectors.edition_articles(edition).select_related(None)
            .values_list("pk", "slug", "published_at", "source_updated_at", "headline",
                         "image_renditions", "section_id", "agency_id", "duplicate_of_id",
                         "language"))


CANONICAL_BATCH = 2000


def _canonical_rows(edition: Edition, rows):
    """The rows whose canonical page is this edition's own (editions.canonical): an
    article another edition speaks for, or a copy of another agency's item, is left out
    of this edition's sitemaps. Rows come as ``_article_rows`` gives them."""
    batch: list = []

    def keep(chunk):
        found = canonicals([Candidate(row[0], row[1], row[6], row[7], row[8]) for row in chunk],
                           known=[edition])
        for row in chunk:
            canonical = found.get(row[0])
            if canonical is not None and canonical.article_id == row[0] \
                    and canonical.edition.pk == edition.pk:
                yield (*row[:6], row[9])

    for row in rows:
        batch.append(row)
        if len(batch) >= CANONICAL_BATCH:
            yield from keep(batch)
            batch = []
    if batch:
        yield from keep(batch)


def _image(edition: Edition, renditions: list[dict]) -> str:
    """The article's picture (its widest local rendition), once it is stored."""
    shown = largest_file(picture_files(renditions))
    if shown is None:
        return ""
    url = media_url(edition, shown.url)
    return f"<image:image><image:loc>{escape(url)}</image:loc></image:image>"


def article_page_count(edition: Edition) -> int:
    total = selectors.edition_articles(edition).count()
    return max(1, -(-total // URLS_PER_SITEMAP))


@edition_page
def sitemap_index(request):
    edition = request.edition
    base = edition_base_url(edition)
    latest = selectors.edition_articles(edition).values_list("published_at", flat=True).first()
    lastmod = f"<lastmod>{_w3c(latest)}</lastmod>" if latest else ""
    names = ["sitemap-sections.xml", "sitemap-news.xml"]
    names += [f"sitemap-articles-{n}.xml" for n in range(1, article_page_count(edition) + 1)]
    lines = [f'<sitemapindex xmlns="{SITEMAP_NS}">']
    lines += [f"<sitemap><loc>{escape(base)}/{name}</loc>{lastmod}</sitemap>" for name in names]
    lines.append("</sitemapindex>")
    return _xml(lines)


@edition_page
def article_sitemap(request, page: int):
    edition = request.edition
    if page < 1 or page > article_page_count(edition):
        raise Http404("no such sitemap page")
    base = edition_base_url(edition)
    start = (page - 1) * URLS_PER_SITEMAP
    rows = _article_rows(edition).order_by("-published_at", "-id")[start:start + URLS_PER_SITEMAP]
    lines = [f'<urlset xmlns="{SITEMAP_NS}" xmlns:image="{IMAGE_NS}">']
    for pk, slug, published, updated, _headline, image, _language in _canonical_rows(
            edition, rows.iterator(chunk_size=CANONICAL_BATCH)):
        lastmod = max(published, updated) if updated else published
        lines.append(f"<url><loc>{escape(base + article_path_for(pk, slug))}</loc>"
                     f"<lastmod>{_w3c(lastmod)}</lastmod>{_image(edition, image)}</url>")
    lines.append("</urlset>")
    return _xml(lines)


@edition_page
def section_sitemap(request):
    edition = request.edition
    base = edition_base_url(edition)
    lines = [f'<urlset xmlns="{SITEMAP_NS}">',
             f"<url><loc>{escape(base)}/</loc><changefreq>always</changefreq>"
             "<priority>1.0</priority></url>"]
    for section in selectors.edition_sections(edition):
        lines.append(f"<url><loc>{escape(base)}{section_path(section.slug)}</loc>"
                     "<changefreq>hourly</changefreq><priority>0.8</priority></url>")
    lines.append("</urlset>")
    return _xml(lines)


@edition_page
def news_sitemap(request):
    edition = request.edition
    base = edition_base_url(edition)
    since = timezone.now() - NEWS_WINDOW
    rows = _article_rows(edition).filter(published_at__gte=since)
    # The newest canonical URLs, up to the limit (others' are left out before counting).
    canonical = islice(_canonical_rows(edition, rows.iterator(chunk_size=CANONICAL_BATCH)),
                       NEWS_MAX_URLS)
    lines = [f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}" xmlns:image="{IMAGE_NS}">']
    for pk, slug, published, _updated, headline, image, language in canonical:
        # The article's own language (Google News: the publication in that language).
        language = primary(language) or primary(edition.language) or "en"
        lines.append(
            f"<url><loc>{escape(base + article_path_for(pk, slug))}</loc><news:news>"
            f"<news:publication><news:name>{escape(edition.name)}</news:name>"
            f"<news:language>{escape(language)}</news:language></news:publication>"
            f"<news:publication_date>{_w3c(published)}</news:publication_date>"
            f"<news:title>{escape(headline)}</news:title></news:news>"
            f"{_image(edition, image)}</url>")
    lines.append("</urlset>")
    return _xml(lines)


def robots_txt(request, edition_slug: str | None = None):
    """On an edition's host: its sitemaps. Elsewhere: every edition's sitemap."""
    if request.host_edition is not None:
        editions = [request.host_edition]
    elif edition_slug is not None:
        editions = [resolve_edition(request, edition_slug)[0]]
    else:
        editions = list(Edition.objects.all())
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search", "Disallow: /*/search", ""]
    for edition in editions:
        base = edition_base_url(edition)
        lines.append(f"Sitemap: {base}/sitemap.xml")
        lines.append(f"Sitemap: {base}/sitemap-news.xml")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

"""The JSON API. Reads are public (rate-limited per address, more with a key); writes need
a key allowed to write, and go through the newsroom's services like every other writer."""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape

from django.core.exceptions import RequestDataTooBig
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, JsonResponse
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader

from wiredesk.api import schemas
from wiredesk.api.throttle import PerMinuteThrottle, request_key
from wiredesk.editions import selectors
from wiredesk.editions.links import article_url, edition_base_url, story_url
from wiredesk.editions.models import Edition, Placement
from wiredesk.editions.selectors import public_q
from wiredesk.newsroom import services as newsroom
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.search.backends import SearchTooSlow
from wiredesk.search.query import DateOutOfRange, check_day
from wiredesk.search.services import MAX_PAGE, SearchFilters, search_edition

log = logging.getLogger(__name__)

MAX_ID = 2**63 - 1
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class WriteKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key):
        found = request_key(request)
        if found is None:
            return None
        if not found.can_write:
            raise HttpError(403, "this API key may not write; ask for a key with write access")
        return found


api = NinjaAPI(
    title="wiredesk API",
    version="1",
    description=("Editions, sections and articles of this wiredesk instance, and search. "
                 "Reads are public; send `X-API-Key` for a higher rate limit. Submitting "
                 "items and killing articles need a key with write access."),
    urls_namespace="api",
    throttle=[PerMinuteThrottle()],
)


def _error(request, message, status: int):
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return _error(request, exc.errors, 400)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, str(exc) or "not found", 404)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return _error(request, "request body too large", 413)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return _error(request, "an API key is needed: send it in the X-API-Key header", 401)


@api.exception_handler(Exception)
def _server_error(request, exc):
    # Logged with its traceback; the client still gets JSON, never an HTML error page.
    log.exception("API error on %s %s", request.method, request.path)
    return _error(request, "internal error; it has been logged", 500)


def not_found_json(request: HttpRequest, rest: str = ""):
    return JsonResponse({"detail": "no such API endpoint"}, status=404)


# --- helpers ---------------------------------------------------------------------------

def _text(value: str | None, name: str, max_length: int = 200) -> str:
    value = (value or "").strip()
    if "\x00" in value or len(value) > max_length:
        raise HttpError(400, f"{name}: not a valid value")
    return value


def _moment(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise HttpError(400, f"{name}: out of range") from exc
    if not EARLIEST <= utc <= LATEST:
        raise HttpError(400, f"{name}: must be between 1900 and 2200")
    return utc


def _named(model, field: str, value: str | None, *, param: str, max_length: int):
    """The row a query parameter names, None when it is absent, 404 when it names nothing."""
    value = _text(value, param, max_length)
    if field == "code":
        value = value.upper()
    if not value:
        return None
    found = model.objects.filter(**{field: value}).first()
    if found is None:
        raise Http404(f"no {param} {value!r}")
    return found


def _edition(slug: str | None) -> Edition | None:
    return _named(Edition, "slug", slug, param="edition", max_length=64)


def _section(slug: str | None) -> Section | None:
    return _named(Section, "slug", slug, param="section", max_length=64)


def _agency(code: str | None) -> Agency | None:
    return _named(Agency, "code", code, param="agency", max_length=32)


def _articles():
    return (Article.objects.select_related("agency", "section")
            .prefetch_related(Prefetch("placements",
                                       queryset=Placement.objects.select_related("edition")
                                       .order_by("edition__position", "edition__name"))))


def _article_out(article: Article, edition: Edition | None = None) -> dict:
    editions = [p.edition for p in article.placements.all()]
    home = edition or (editions[0] if editions else None)
    return {
        "id": article.pk,
        "url": article_url(home, article) if home else "",
        "headline": article.headline,
        "teaser": article.teaser,
        "agency": {"code": article.agency.code, "name": article.agency.name},
        "section": ({"slug": article.section.slug, "name": article.section.name}
                    if article.section else None),
        "byline": article.byline,
        "dateline": article.dateline,
        "image_url": article.image_url,
        "published_at": article.published_at,
        "updated_at": article.source_updated_at,
        "modified_at": article.modified_at,
        "version": article.version,
        "editions": [e.slug for e in editions],
        "story": article.story_id,
    }


def _edition_out(edition: Edition) -> dict:
    return {
        "slug": edition.slug, "name": edition.name, "tagline": edition.tagline,
        "language": edition.language, "time_zone": edition.time_zone,
        "url": edition_base_url(edition) + "/",
        "hosts": [h.host for h in edition.hosts.all()],
        "sections": [{"slug": s.slug, "name": s.name} for s in edition.sections.all()],
        "agencies": [a.code for a in edition.agencies.all()],
    }


def _encode_cursor(parts: list[str]) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, mode: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, moment, pk = text.split("|")
        if kind != mode:
            raise ValueError("cursor from another ordering")
        when = datetime.fromisoformat(moment)
        if when.tzinfo is None:
            raise ValueError("cursor without zone")
        return when, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise HttpError(400, "cursor: not a cursor this API gave out") from exc


# --- reads -----------------------------------------------------------------------------

@api.get("/editions", response=list[schemas.EditionOut], tags=["editions"])
def list_editions(request):
    """Every edition with its hosts and routing rules."""
    return [_edition_out(e) for e in
            Edition.objects.prefetch_related("hosts", "sections", "agencies")]


@api.get("/editions/{slug}", response={200: schemas.EditionOut, 404: schemas.ErrorOut},
         tags=["editions"])
def get_edition(request, slug: str):
    edition = _edition(slug)
    if edition is None:
        raise Http404("no edition named")
    return _edition_out(edition)


@api.get("/sections", response=list[schemas.SectionOut], tags=["editions"])
def list_sections(request):
    return [{"slug": s.slug, "name": s.name} for s in Section.objects.all()]


class ArticleFilters(schemas.Schema):
    edition: str | None = None
    section: str | None = None
    agency: str | None = None
    story: int | None = schemas.Field(default=None, ge=1, le=MAX_ID)
    updated_since: datetime | None = None
    cursor: str | None = None
    limit: int = schemas.Field(default=20, ge=1, le=100)


@api.get("/articles", response={200: schemas.ArticlePage, 400: schemas.ErrorOut,
                                404: schemas.ErrorOut}, tags=["articles"])
def list_articles(request, filters: Query[ArticleFilters]):
    """Public articles, newest first; with `updated_since`, oldest change first (for sync).

    Pages are cursor-based: follow `next_cursor` until it is null.
    """
    edition = _edition(filters.edition)
    qs = _articles().filter(public_q())
    if edition is not None:
        qs = qs.filter(placements__edition=edition)
    else:
        qs = qs.filter(placements__isnull=False).distinct()
    if (section := _section(filters.section)) is not None:
        qs = qs.filter(section=section)
    if (agency := _agency(filters.agency)) is not None:
        qs = qs.filter(agency=agency)
    if filters.story is not None:
        qs = qs.filter(story_id=filters.story)
    since = _moment(filters.updated_since, "updated_since")
    cursor = _text(filters.cursor, "cursor", 200)
    if since is not None:
        mode, field = "m", "modified_at"
        qs = qs.filter(modified_at__gte=since).order_by("modified_at", "id")
        if cursor:
            when, pk = _decode_cursor(cursor, mode)
            qs = qs.filter(Q(modified_at__gt=when) | Q(modified_at=when, id__gt=pk))
    else:
        mode, field = "p", "published_at"
        qs = qs.order_by("-published_at", "-id")
        if cursor:
            when, pk = _decode_cursor(cursor, mode)
            qs = qs.filter(Q(published_at__lt=when) | Q(published_at=when, id__lt=pk))
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode_cursor([mode, getattr(last, field).isoformat(), str(last.pk)])
    return {"items": [_article_out(a, edition) for a in rows], "next_cursor": next_cursor}


@api.get("/articles/{article_id}",
         response={200: schemas.ArticleDetailOut, 400: schemas.ErrorOut,
                   404: schemas.ErrorOut, 410: schemas.ErrorOut}, tags=["articles"])
def get_article(request, article_id: int, edition: str | None = None):
    """One article with its body and the timestamps of its earlier revisions."""
    if not 1 <= article_id <= MAX_ID:
        raise Http404("no such article")
    chosen = _edition(edition)
    article = _articles().prefetch_related("revisions").filter(pk=article_id).first()
    if article is None or not article.placements.all():
        raise Http404("no such article")
    if article.status == Article.Status.KILLED:
        return Status(410, {"detail": "this article was withdrawn"})
    if not article.is_public:
        raise Http404("no such article")
    if chosen is not None and chosen.pk not in {p.edition_id for p in article.placements.all()}:
        raise Http404("this edition does not carry the article")
    out = _article_out(article, chosen)
    out.update({
        "lead": article.lead, "body_html": article.body_html, "credit": article.credit,
        "image_caption": article.image_caption, "image_credit": article.image_credit,
        "canonical_source_url": article.canonical_url,
        "revisions": [{"version": r.version, "headline": r.headline,
                       "recorded_at": r.recorded_at, "source_updated_at": r.source_updated_at}
                      for r in article.revisions.all()],
        "tags": [{"key": t.key, "name": t.name, "kind": t.kind}
                 for t in selectors.article_tags(article)],
    })
    return out


@api.get("/stories/{story_id}",
         response={200: schemas.StoryOut, 400: schemas.ErrorOut, 404: schemas.ErrorOut},
         tags=["articles"])
def get_story(request, story_id: int, edition: str):
    """One story and its coverage in an edition, oldest first."""
    from wiredesk.editions.selectors import story_coverage
    from wiredesk.newsroom.models import Story

    if not 1 <= story_id <= MAX_ID:
        raise Http404("no such story")
    chosen = _edition(edition)
    if chosen is None:
        raise HttpError(400, "edition: required")
    story = Story.objects.filter(pk=story_id).first()
    coverage = story_coverage(chosen, story) if story is not None else []
    if not coverage:
        raise Http404("this edition carries nothing of that story")
    articles = {a.pk: a for a in _articles().filter(pk__in=[a.pk for a in coverage])}
    return {
        "id": story.pk, "headline": story.headline,
        "first_published_at": story.first_published_at,
        "last_published_at": story.last_published_at,
        "url": story_url(chosen, story),
        "coverage": [_article_out(articles[a.pk], chosen) for a in coverage if a.pk in articles],
    }


class SearchParams(schemas.Schema):
    edition: str
    q: str = schemas.Field(max_length=1000)
    section: str | None = None
    agency: str | None = None
    date_from: date | None = schemas.Field(default=None, alias="from")
    date_to: date | None = schemas.Field(default=None, alias="to")
    page: int = schemas.Field(default=1, ge=1, le=MAX_PAGE)


@api.get("/search", response={200: schemas.SearchOut, 400: schemas.ErrorOut,
                              404: schemas.ErrorOut, 503: schemas.ErrorOut}, tags=["search"])
def search(request, params: Query[SearchParams]):
    """Full-text search in one edition: words, "quoted phrases", filters; highlighted."""
    from wiredesk.search.query import local_day_start

    edition = _edition(params.edition)
    if edition is None:
        raise HttpError(400, "edition: required")
    filters = SearchFilters(section=_section(params.section), agency=_agency(params.agency))
    try:
        if params.date_from:
            filters.since = local_day_start(check_day(params.date_from, "from"),
                                            edition.time_zone)
        if params.date_to:
            from datetime import timedelta

            filters.until = local_day_start(check_day(params.date_to, "to") + timedelta(days=1),
                                            edition.time_zone)
        results = search_edition(edition, params.q, filters=filters, page=params.page)
    except DateOutOfRange as exc:
        raise HttpError(400, str(exc)) from exc
    except SearchTooSlow as exc:
        raise HttpError(503, str(exc)) from exc
    ids = [hit.article.pk for hit in results.hits]
    loaded = _articles().in_bulk(ids)
    return {
        "query": params.q, "page": results.page, "total": results.total,
        "total_capped": results.total_capped, "num_pages": results.num_pages,
        "hits": [{"article": _article_out(loaded[h.article.pk], edition),
                  "headline_html": h.headline_html, "snippet_html": h.snippet_html,
                  "score": h.score} for h in results.hits if h.article.pk in loaded],
    }


# --- writes ----------------------------------------------------------------------------

def _rss_for(item: schemas.IngestItemIn) -> bytes:
    """The submitted item as a one-item RSS document: it then takes the same path
    (normalise, sanitise, identify, place) as every wire item."""
    published = _moment(item.published, "published")
    pub = f"<pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>" \
        if published else ""
    guid = f"<guid isPermaLink=\"false\">{escape(item.guid)}</guid>" if item.guid else ""
    link = f"<link>{escape(item.url)}</link>" if item.url else ""
    categories = "".join(f"<category>{escape(c[:100])}</category>" for c in item.categories)
    author = f"<author>{escape(item.byline)}</author>" if item.byline else ""
    body = item.body_html.replace("]]>", "]]]]><![CDATA[>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>API submission</title><link>https://api.invalid/</link><description>"
        f"</description><item><title>{escape(item.headline)}</title>{guid}{link}{pub}"
        f"{categories}{author}<content:encoded><![CDATA[{body}]]></content:encoded>"
        "</item></channel></rss>").encode("utf-8", "replace")


@api.post("/ingest", auth=WriteKey(),
          response={200: schemas.IngestOut, 400: schemas.ErrorOut, 401: schemas.ErrorOut,
                    403: schemas.ErrorOut}, tags=["write"])
def ingest_item(request, item: schemas.IngestItemIn):
    """Submit one item to the wire, as its agency (created if new)."""
    try:
        agency = newsroom.agency_ensure(code=item.agency)
    except newsroom.ServiceError as exc:
        raise HttpError(400, str(exc)) from exc
    document = _rss_for(item)
    report = newsroom.ingest_bytes(document, agency=agency, source=f"api:{request.auth.name}",
                                   content_type="application/rss+xml")
    return {"created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "skipped": report.skipped,
            "errors": report.errors, "article_ids": report.article_ids}


@api.post("/articles/{article_id}/kill", auth=WriteKey(),
          response={200: schemas.KillOut, 400: schemas.ErrorOut, 401: schemas.ErrorOut,
                    403: schemas.ErrorOut, 404: schemas.ErrorOut}, tags=["write"])
def kill_article(request, article_id: int, body: schemas.KillIn):
    """Withdraw an article from every edition, feed, sitemap and search at once."""
    if not 1 <= article_id <= MAX_ID:
        raise Http404("no such article")
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise Http404("no such article")
    article = newsroom.article_kill(article=article, reason=_text(body.reason, "reason", 2000))
    return {"id": article.pk, "status": article.status}

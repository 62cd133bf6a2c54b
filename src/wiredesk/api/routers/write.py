"""Writes: submitting items and killing articles, for keys allowed to write."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.http import Http404
from ninja import Router
from ninja.errors import HttpError
from ninja.security import APIKeyHeader

from wiredesk.api import schemas
from wiredesk.api.routers.common import (
    MAX_ID,
    moment_param,
    text_param,
)
from wiredesk.api.services import apikey_may_write_for
from wiredesk.api.throttle import request_key
from wiredesk.newsroom import services as newsroom
from wiredesk.newsroom.models import Article

router = Router()


class WriteKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key):
        found = request_key(request)
        if found is None:
            return None
        if not found.can_write:
            raise HttpError(403, "this API key may not write; ask for a key with write access")
        return found


def _rss_for(item: schemas.IngestItemIn) -> bytes:
    """The submitted item as a one-item RSS document: it then takes the same path
    (normalise, sanitise, identify, place) as every wire item."""
    published = moment_param(item.published, "published")
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


def _refuse_other_agencies(key, agency_code: str) -> None:
    if not apikey_may_write_for(key, agency_code):
        raise HttpError(403, f"this API key may not write for agency "
                             f"{agency_code.strip().upper()!r}")


@router.post("/ingest", auth=WriteKey(),
             response={200: schemas.IngestOut, 400: schemas.ErrorOut, 401: schemas.ErrorOut,
                       403: schemas.ErrorOut}, tags=["write"])
def ingest_item(request, item: schemas.IngestItemIn):
    """Submit one item to the wire, as its agency (created if new). The key must be bound
    to that agency: 403 otherwise."""
    _refuse_other_agencies(request.auth, item.agency)
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


@router.post("/articles/{article_id}/kill", auth=WriteKey(),
             response={200: schemas.KillOut, 400: schemas.ErrorOut, 401: schemas.ErrorOut,
                       403: schemas.ErrorOut, 404: schemas.ErrorOut}, tags=["write"])
def kill_article(request, article_id: int, body: schemas.KillIn):
    """Withdraw an article from every edition, feed, sitemap and search at once."""
    if not 1 <= article_id <= MAX_ID:
        raise Http404("no such article")
    article = Article.objects.filter(pk=article_id).select_related("agency").first()
    if article is None:
        raise Http404("no such article")
    _refuse_other_agencies(request.auth, article.agency.code)
    article = newsroom.article_kill(article=article, reason=text_param(body.reason, "reason", 2000),
                                   actor=f"api:{request.auth.name}")
    return {"id": article.pk, "status": article.status}

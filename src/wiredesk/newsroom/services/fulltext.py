"""Full text for summary-only items: the article's own web page, fetched and extracted."""

from __future__ import annotations

from django.db import transaction

from wiredesk.newsroom.models import Agency, Article
from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire.types import CleanItem, WireError

# A body shorter than this (in HTML characters) is a summary: the page has the story.
FULL_TEXT_BELOW = 600
MAX_PAGES_PER_POLL = 25  # keeps one poll short; later items keep their summary


def fill_full_text(*, agency: Agency, item: CleanItem) -> str:
    """Replace a summary-only article's body with its web page's article text.

    The article keeps the fingerprint of the feed's copy, so the next poll of the same
    summary finds it unchanged instead of putting the summary back. Returns a readable
    problem, or "" when the body was filled (or the page had nothing better).
    """
    from django.conf import settings

    from wiredesk.wire.formats import html_page
    from wiredesk.wire.normalize import normalize
    from wiredesk.wire.sanitize import html_to_text

    try:
        fetched = wire_fetch.fetch(item.link, timeout=settings.WIREDESK_FETCH_TIMEOUT,
                                   max_bytes=settings.WIREDESK_FETCH_MAX_BYTES,
                                   policy=wire_fetch.FetchPolicy(settings.WIREDESK_FETCH_ALLOW))
        page = html_page.parse(fetched.body, base_url=fetched.url,
                               content_type=fetched.content_type).items[0]
    except WireError as exc:
        return f"full text for {item.link}: {exc}"
    clean = normalize(page, zone=agency.time_zone)
    if len(html_to_text(clean.body_html)) <= len(html_to_text(item.body_html)):
        return ""
    with transaction.atomic():
        article = (Article.objects.select_for_update()
                   .filter(agency=agency, identity=item.identity).first())
        if article is None or article.status == Article.Status.KILLED:
            return ""
        article.body_html = clean.body_html
        article.lead = clean.lead or article.lead
        article.teaser = clean.teaser or article.teaser
        article.flags = [*article.flags, "full-text-from-page"]
        article.save(update_fields=["body_html", "lead", "teaser", "flags", "modified_at"])
    return ""

"""The digest's public archive: each edition's past issues as pages and an RSS feed, on
the edition's /<slug>/ path and its own host, with nothing personal in them."""

from __future__ import annotations

import re
from datetime import time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.utils import timezone

from tests.digest.conftest import ingest, make_confirmed, news_item
from tests.digest.test_reader_clock import day_label, shown
from tests.editions.test_page_quality import Page
from wiredesk.digest.models import ArchiveIssue
from wiredesk.digest.schedule import last_closed_issue
from wiredesk.digest.sending import send_pending
from wiredesk.digest.services import archive_plan, digest_plan
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

SYDNEY = "Australia/Sydney"
HOST = "chilesun.example"


@pytest.fixture
def archive(site, smtp, tmp_path):
    """Chile Sun (Sydney) with a reader who got a digest, and two archived issues: the
    day before yesterday's and yesterday's (days in Sydney, from 06:00 to 06:00)."""
    chile, euro = site
    day, start, end = last_closed_issue(timezone.now() - timedelta(days=1), time(6), SYDNEY)
    ingest(tmp_path, news_item("a1", "Harbour cranes return", hours_ago=1, now=end)
           + news_item("a2", "Vineyards count the frost", hours_ago=3, now=end,
                       category="Business")
           + news_item("a3", "Night train to Puerto Montt", hours_ago=30, now=end),
           name="archive.rss")
    reader = make_confirmed(chile, "reader@example.org", time_zone="America/Santiago")
    assert digest_plan(now=start + timedelta(minutes=1)).archived == 1
    assert digest_plan(now=end + timedelta(minutes=1)).archived == 1
    # The reader's own digest, whose personal links must never reach the archive. Planned on
    # the archive's clock: planned at the wall clock, the issue after `day` may have closed
    # with the site's fresh stories in it (from 06:00 in Sydney) and be archived too.
    digest_plan(now=end + timedelta(minutes=2), force=True)
    assert send_pending().sent == 1
    [received] = smtp.to("reader@example.org")
    text = received.message.get_body(("plain",)).get_content()
    personal = re.findall(r"https://\S+/digest/(?:unsubscribe|preferences)/(\S+)", text)
    assert len(personal) == 2
    return {"chile": chile, "euro": euro, "day": day, "start": start, "end": end,
            "reader": reader, "tokens": personal}


def urls(archive) -> list[tuple[str, str]]:
    """(path, Host) of the index, the newest issue and the feed, by slug and by host."""
    day = archive["day"].isoformat()
    return [(f"{prefix}/digest/archive/{tail}", host)
            for prefix, host in (("/chile-sun", "testserver"), ("", HOST))
            for tail in ("", f"{day}/", "feed.rss")]


def test_an_issue_is_the_editions_day_stored_once_by_the_planner(archive):
    chile, day = archive["chile"], archive["day"]
    issue = ArchiveIssue.objects.get(edition=chile, issue_date=day)
    assert (issue.window_start, issue.window_end) == (archive["start"], archive["end"])
    assert issue.window_end.astimezone(ZoneInfo(SYDNEY)).time() == time(6)
    headlines = list(Article.objects.filter(pk__in=issue.article_ids)
                     .values_list("headline", flat=True))
    # Only what was published in the day's window; the site's fresh stories came later.
    assert sorted(headlines) == ["Harbour cranes return", "Vineyards count the frost"]
    older = ArchiveIssue.objects.get(edition=chile, issue_date=day - timedelta(days=1))
    assert [Article.objects.get(pk=pk).headline for pk in older.article_ids] == [
        "Night train to Puerto Montt"]
    # Stored once: planning again changes nothing; an edition nobody reads gets none.
    assert archive_plan(now=archive["end"] + timedelta(hours=2)) == 0
    assert ArchiveIssue.objects.filter(edition=archive["euro"]).count() == 0


def test_archive_index_issue_and_feed_answer_by_slug_and_by_host(client, archive):
    label = day_label(archive["day"])
    for path, host in urls(archive):
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, (path, host)
        body = response.content.decode()
        assert "Harbour cranes return" in body, (path, host)
        assert label in body, (path, host)
        prefix = "/chile-sun" if path.startswith("/chile-sun") else ""
        if path.endswith(".rss"):
            assert response["Content-Type"].startswith("application/rss+xml")
        elif path.endswith("/archive/"):  # the index links each issue
            assert f'href="{prefix}/digest/archive/{archive["day"]}/"' in body, (path, host)
        else:  # an issue links its stories' pages
            assert re.search(rf'href="{prefix}/news/\d+/[\w-]+"', body), (path, host)
    issue_page = client.get(f"/chile-sun/digest/archive/{archive['day']}/").content.decode()
    assert "Night train" not in issue_page  # the day before's story is in its own issue
    assert "Ministers meet in Santiago" not in issue_page  # published after the issue
    # Times on the archive are the edition's (Sydney 06:00 ends the window).
    assert f"to {shown(archive['end'], SYDNEY)}" in issue_page


def test_nothing_personal_is_in_the_archive(client, archive):
    reader = archive["reader"]
    for path, host in urls(archive):
        body = client.get(path, HTTP_HOST=host).content.decode()
        for token in archive["tokens"]:
            assert token not in body, (path, host)
        for personal in ("/digest/unsubscribe", "/digest/preferences", "/digest/confirm",
                         "wiredesk.invalid", reader.email, reader.link_key):
            assert personal not in body, (path, host, personal)


def test_the_feed_parses_cleanly_even_with_a_character_xml_forbids(client, archive):
    Article.objects.filter(headline="Harbour cranes return").update(
        headline="Harbour\x0b cranes return")
    for path, host in urls(archive)[2::3]:
        response = client.get(path, HTTP_HOST=host)
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.title == "Chile Sun daily email"
        assert feed.feed.link == "https://chilesun.example/digest/archive/"
        assert feed.feed.language == "en"
        assert [e.link for e in feed.entries] == [
            f"https://chilesun.example/digest/archive/{d}/"
            for d in (archive["day"], archive["day"] - timedelta(days=1))]
        newest = feed.entries[0]
        assert "Harbour cranes return" in newest.content[0].value
        assert re.search(r'href="https://chilesun\.example/news/\d+/[\w-]+"',
                         newest.content[0].value)


def test_archive_pages_follow_the_page_rules_and_the_strict_policy(client, archive):
    for path, host in urls(archive):
        if path.endswith(".rss"):
            continue
        response = client.get(path, HTTP_HOST=host)
        html = response.content.decode()
        page = Page(html)
        assert len(page.descriptions) == 1 and len(page.descriptions[0]) >= 20, path
        levels = [level for level, _ in page.headings]
        assert levels[0] == 1 and levels.count(1) == 1, (path, levels)
        assert all(after <= before + 1 for before, after in pairwise(levels)), (path, levels)
        policy = response["Content-Security-Policy"]
        assert "style-src 'self';" in policy and "unsafe-inline" not in policy
        assert 'style="' not in html and "<style" not in html
        assert "<script" not in html
    issue = Page(client.get(f"/chile-sun/digest/archive/{archive['day']}/").content.decode())
    assert [text for level, text in issue.headings if level == 2][:2] == ["World", "Business"]


def test_archive_pages_are_cached_and_a_new_issue_shows_at_once(client, archive, tmp_path):
    first = client.get("/chile-sun/digest/archive/")
    again = client.get("/chile-sun/digest/archive/")
    assert (first["X-Cache"], again["X-Cache"]) == ("MISS", "HIT")
    next_end = archive["end"] + timedelta(days=1)
    assert next_end < timezone.now()
    # The fixture's plan (run now) already looked at that day and found it empty; as if
    # the planner had not run since its slot:
    ArchiveIssue.objects.filter(issue_date=archive["day"] + timedelta(days=1)).delete()
    ingest(tmp_path, news_item("a4", "Glacier road reopens", hours_ago=2, now=next_end),
           name="next.rss")
    client.get("/chile-sun/digest/archive/")  # cached again before the issue is stored
    assert archive_plan(now=next_end + timedelta(minutes=5)) == 1
    fresh = client.get("/chile-sun/digest/archive/")
    assert fresh["X-Cache"] == "MISS"
    assert "Glacier road reopens" in fresh.content.decode()


def test_a_story_killed_since_leaves_the_archive(client, archive):
    from wiredesk.newsroom.services.editorial import article_kill

    article_kill(article=Article.objects.get(headline="Vineyards count the frost"),
                 reason="legal")
    for path, host in urls(archive):
        assert "Vineyards count the frost" not in client.get(
            path, HTTP_HOST=host).content.decode(), path


@pytest.mark.parametrize("tail", ["2025-13-01/", "20250101/", "2001-01-01/", "x/"])
def test_a_day_without_an_issue_is_not_found(client, archive, tail):
    assert client.get(f"/chile-sun/digest/archive/{tail}").status_code == 404


def test_an_edition_without_issues_has_an_empty_archive_and_feed(client, archive):
    page = client.get("/euro-ledger/digest/archive/")
    assert page.status_code == 200 and b"No issues yet" in page.content
    feed = feedparser.parse(client.get("/euro-ledger/digest/archive/feed.rss").content)
    assert not feed.bozo and feed.entries == []


def test_the_signup_box_and_the_subscribe_page_link_the_archive(client, site):
    for path, host, archive_link in (
            ("/chile-sun/", "testserver", "/chile-sun/digest/archive/"),
            ("/", HOST, "/digest/archive/"),
            ("/euro-ledger/section/world/", "testserver", "/euro-ledger/digest/archive/")):
        html = client.get(path, HTTP_HOST=host).content.decode()
        signup = re.search(r'<aside class="signup".*?</aside>', html, re.S).group(0)
        assert f'href="{archive_link}"' in signup, path
    subscribe = client.get("/chile-sun/digest/subscribe").content.decode()
    assert 'href="/chile-sun/digest/archive/"' in subscribe
    assert 'href="/chile-sun/digest/archive/feed.rss"' in subscribe


def test_the_admin_lists_archive_issues_read_only(admin_client, archive):
    page = admin_client.get("/admin/digest/archiveissue/")
    assert page.status_code == 200 and b"Chile Sun" in page.content
    assert admin_client.get("/admin/digest/archiveissue/add/").status_code == 403

"""The desk's article pages hold at a million articles (issue 14, "Measured"): the same
number of queries whatever the archive's size, a count that stops at a cap, a search
through the index instead of a scan, and no listing of the archive's dates.
The times are in BENCHMARKS.md (benchmarks/desk.py); here only what can be pinned."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wiredesk.core.pagination import CappedPaginator
from wiredesk.editions.models import Edition, Placement
from wiredesk.newsroom import services
from wiredesk.newsroom.admin import articles as admin_module
from wiredesk.newsroom.models import Article, Story
from wiredesk.search.services import index_articles

pytestmark = pytest.mark.django_db

LIST = "/admin/newsroom/article/"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
HEADLINES = ["Minister opens the port", "Floods close the coast road", "Copper price rises",
             "Minister resigns after vote", "Storm reaches the capital"]


@pytest.fixture
def site():
    chile = Edition.objects.create(name="Chile Sun", slug="chile-sun",
                                   time_zone="America/Santiago")
    euro = Edition.objects.create(name="Euro Ledger", slug="euro-ledger",
                                  time_zone="Europe/Paris")
    section = services.section_ensure(slug="world", name="World", position=1)
    return {"editions": [chile, euro], "section": section,
            "agencies": [services.agency_ensure(code="AFP"), services.agency_ensure(code="RFE")]}


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="newsroom",
                                                        codename__endswith="_article"))
    client.force_login(user)
    return client


def archive(site, count: int) -> list[Article]:
    """``count`` articles with what the list shows: two editions, stories, statuses,
    duplicates, pictures; indexed for search as the receivers would."""
    start = Article.objects.count()
    stories = Story.objects.bulk_create(
        [Story(headline=f"story {n}", first_published_at=NOW, last_published_at=NOW, size=2)
         for n in range(start, start + count)])
    articles = Article.objects.bulk_create([
        Article(agency=site["agencies"][n % 2], identity=f"id-{n}", guid=f"urn:x:{n}",
                fingerprint="f", headline=f"{HEADLINES[n % len(HEADLINES)]} {n}",
                slug=f"a-{n}", published_at=NOW - timedelta(minutes=n),
                section=site["section"], story=stories[n - start],
                status=("killed", "held", "published", "published")[n % 4],
                image_url="https://pictures.example/a.jpg" if n % 3 == 0 else "")
        for n in range(start, start + count)])
    for first, copy in pairwise(articles):
        if copy.pk % 5 == 0:
            copy.duplicate_of = first
    Article.objects.bulk_update(articles, ["duplicate_of"])
    chile, euro = site["editions"]
    Placement.objects.bulk_create(
        [Placement(edition=chile, article=a, published_at=a.published_at) for a in articles]
        + [Placement(edition=euro, article=a, published_at=a.published_at)
           for a in articles[::2]])
    index_articles(articles)
    return articles


def queries(client, url: str, params: dict | None = None) -> int:
    client.get(url, params or {})  # the process's first-use caches (content types) warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


PAGES = {
    "list": {},
    "one edition": {"placements__edition__id__exact": "EDITION"},
    "held": {"shown": "held"},
    "killed": {"shown": "killed"},
    "a search": {"q": "minister"},
    "a search for an agency": {"q": "rfe"},
    "by date": {"published_at__gte": "2026-11-01 00:00:00+00:00"},
}


@pytest.mark.parametrize("page", PAGES)
def test_the_article_list_costs_the_same_queries_at_5_and_at_60_articles(editor, site, page):
    params = {key: (site["editions"][1].pk if value == "EDITION" else value)
              for key, value in PAGES[page].items()}
    archive(site, 5)
    small = queries(editor, LIST, params)
    archive(site, 55)
    assert Article.objects.count() == 60
    assert queries(editor, LIST, params) == small


def test_the_change_page_costs_the_same_queries_at_5_and_at_60_articles(editor, site):
    first = archive(site, 5)[0]
    small = queries(editor, f"{LIST}{first.pk}/change/")
    archive(site, 55)
    assert queries(editor, f"{LIST}{first.pk}/change/") == small


def test_the_count_is_bounded_and_past_the_cap_reads_more_than(editor, site, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 20)
    archive(site, 30)
    with CaptureQueriesContext(connection) as captured:
        page = editor.get(LIST).content.decode()
    counts = [q["sql"] for q in captured if q["sql"].upper().startswith("SELECT COUNT(")]
    # One count, of at most cap + 1 ids: never a count of the whole table.
    assert len(counts) == 1 and "LIMIT" in counts[0].upper()
    assert "more than 20 articles" in page
    monkeypatch.setattr(CappedPaginator, "cap", 100)
    assert "30 articles" in editor.get(LIST).content.decode()


def test_search_finds_words_through_the_index_and_killed_articles_by_headline(editor, site):
    articles = archive(site, 8)
    found = editor.get(LIST, {"q": "minister"}).content.decode()
    # Minister headlines: n = 0 (killed: not in the index, found by headline), 3, 5 (held).
    for n in (0, 3, 5):
        assert f'value="{articles[n].pk}" class="action-select"' in found
    assert f'value="{articles[1].pk}" class="action-select"' not in found
    assert found.count('class="action-select"') == 3
    # Every word must match; stemmed like the public search ("resigns" ~ "resign").
    both = editor.get(LIST, {"q": "minister resign"}).content.decode()
    assert both.count('class="action-select"') == 1 and "Minister resigns" in both


def test_search_by_agency_code_section_guid_and_address(editor, site):
    articles = archive(site, 4)
    Article.objects.filter(pk=articles[2].pk).update(canonical_url="https://wire.example/x/2")
    rfe = editor.get(LIST, {"q": "RFE"}).content.decode()
    assert rfe.count('class="action-select"') == 2  # n = 1, 3
    assert editor.get(LIST, {"q": "world"}).content.decode().count('class="action-select"') == 4
    by_guid = editor.get(LIST, {"q": "urn:x:1"}).content.decode()
    assert by_guid.count('class="action-select"') == 1 and articles[1].headline in by_guid
    by_url = editor.get(LIST, {"q": "https://wire.example/x/2"}).content.decode()
    assert by_url.count('class="action-select"') == 1 and articles[2].headline in by_url
    # Operators and stray syntax are words or nothing, never an error.
    for odd in ('"', "NEAR(", "*", "a OR b", "%", "\\"):
        assert editor.get(LIST, {"q": odd}).status_code == 200


def test_dates_are_filtered_by_period_without_listing_the_archive(editor, site):
    archive(site, 3)
    with CaptureQueriesContext(connection) as captured:
        page = editor.get(LIST).content.decode()
    assert "By published" in page and "Past 7 days" in page
    # No DISTINCT over the articles' dates (what a date hierarchy asks on every page).
    assert not [q for q in captured if "DISTINCT" in q["sql"].upper()
                and "newsroom_article" in q["sql"]]


def test_only_the_publication_time_is_offered_for_sorting(editor, site):
    archive(site, 2)
    page = editor.get(LIST).content.decode()
    assert page.count('class="sortable') == 1
    assert 'class="sortable column-local_time' in page


def test_a_common_word_takes_only_the_newest_matches_up_to_the_cap(editor, site, monkeypatch):
    monkeypatch.setattr(admin_module, "SEARCH_CAP", 2)
    agency = site["agencies"][0]
    # Ids grow with time, as ingest makes them.
    harbour = [Article.objects.create(agency=agency, identity=f"h-{n}", fingerprint="f",
                                      headline=f"Harbour news {n}",
                                      published_at=NOW + timedelta(minutes=n))
               for n in range(5)]
    page = editor.get(LIST, {"q": "harbour"}).content.decode()
    assert "more than 2 articles" in page
    shown = [a for a in harbour if f'value="{a.pk}" class="action-select"' in page]
    assert shown == harbour[2:]

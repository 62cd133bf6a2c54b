"""Search on SQLite FTS5 and (with -m django_db on PostgreSQL) PostgreSQL full-text search."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import rss, rss_item
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.search.backends import backend_for
from wiredesk.search.query import MAX_QUERY_CHARS, parse_query
from wiredesk.search.services import SearchFilters, reindex, search_edition

pytestmark = pytest.mark.django_db

BODY = ("<p>{lead}</p><p>Officials spoke at length about what happened and why it matters "
        "to the region.</p><p>Third paragraph.</p>")


@pytest.fixture
def site(tmp_path):
    for slug, position in (("world", 1), ("sport", 2)):
        services.section_ensure(slug=slug, name=slug.title(), position=position)
    rfe = services.agency_ensure(code="RFE")
    ani = services.agency_ensure(code="ANI")
    items = [
        rss_item("h1", "Volcano erupts near the capital",
                 BODY.format(lead="Ash covered roofs on Friday."),
                 date="Fri, 11 Jul 2025 10:00:00 GMT"),
        rss_item("b1", "Parliament passes budget",
                 BODY.format(lead="The budget mentions a volcano observatory in passing."),
                 date="Fri, 11 Jul 2025 11:00:00 GMT"),
        rss_item("p1", "Central bank raises rates",
                 BODY.format(lead="The central bank of the country raised rates again."),
                 date="Thu, 10 Jul 2025 11:00:00 GMT"),
        rss_item("p2", "Bank holiday traffic",
                 BODY.format(lead="Traffic was heavy, the bank said, near the central station."),
                 date="Thu, 10 Jul 2025 12:00:00 GMT"),
        rss_item("s1", "Cup final goes to penalties",
                 BODY.format(lead="A volcano of noise in the stadium."), category="Sport",
                 date="Wed, 09 Jul 2025 12:00:00 GMT"),
        rss_item("k1", "Volcano story that will be killed",
                 BODY.format(lead="Volcano volcano volcano."),
                 date="Fri, 11 Jul 2025 12:00:00 GMT"),
    ]
    path = tmp_path / "rfe.rss"
    path.write_bytes(rss("".join(items)))
    services.ingest_source(str(path), agency=rfe)
    ani_path = tmp_path / "ani.rss"
    ani_path.write_bytes(rss(rss_item("a1", "Volcano watch from ANI",
                                      BODY.format(lead="Scientists watch the volcano."),
                                      date="Fri, 11 Jul 2025 09:00:00 GMT")))
    services.ingest_source(str(ani_path), agency=ani)
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=["chilesun.example"])
    sport = edition_save(name="Sport Daily", time_zone="Europe/London", sections=["sport"],
                         agencies=["RFE"])
    return chile, sport


def headlines(results):
    return [hit.article.headline for hit in results.hits]


def test_headline_match_ranks_above_body_mention(site):
    chile, _ = site
    found = headlines(search_edition(chile, "volcano"))
    assert found.index("Volcano erupts near the capital") < found.index("Parliament passes budget")
    assert "Cup final goes to penalties" in found


def test_killed_article_never_appears(site):
    chile, _ = site
    killed = Article.objects.get(headline__startswith="Volcano story that")
    assert killed.headline in headlines(search_edition(chile, "volcano"))
    services.article_kill(article=killed, reason="legal")
    assert killed.headline not in headlines(search_edition(chile, "volcano"))
    # the killed text is gone from the index itself, not just filtered
    with connection.cursor() as cursor:
        results = backend_for(connection).search(
            cursor, scope_sql="SELECT id, published_at FROM newsroom_article", scope_params=(),
            query=parse_query("volcano"), limit=50, offset=0)
    assert killed.pk not in [hit.article_id for hit in results]


def test_embargoed_and_held_articles_are_hidden(site):
    chile, _ = site
    article = Article.objects.get(headline="Volcano erupts near the capital")
    article.embargo_until = timezone.now() + timedelta(hours=2)
    article.save()
    assert article.headline not in headlines(search_edition(chile, "erupts"))
    article.embargo_until = timezone.now() - timedelta(minutes=1)
    article.save()
    assert article.headline in headlines(search_edition(chile, "erupts"))
    services.article_hold(article=article, reason="check")
    assert headlines(search_edition(chile, "erupts")) == []


def test_only_what_the_edition_carries(site):
    _, sport = site
    assert headlines(search_edition(sport, "volcano")) == ["Cup final goes to penalties"]


def test_phrase_query(site):
    chile, _ = site
    assert headlines(search_edition(chile, '"central bank"')) == ["Central bank raises rates"]
    both = headlines(search_edition(chile, "central bank"))
    assert set(both) == {"Central bank raises rates", "Bank holiday traffic"}


def test_filters(site):
    chile, _ = site
    from wiredesk.newsroom.models import Agency, Section

    by_section = search_edition(chile, "volcano",
                                filters=SearchFilters(section=Section.objects.get(slug="sport")))
    assert headlines(by_section) == ["Cup final goes to penalties"]
    by_agency = search_edition(chile, "volcano",
                               filters=SearchFilters(agency=Agency.objects.get(code="ANI")))
    assert headlines(by_agency) == ["Volcano watch from ANI"]


def test_date_filter_uses_edition_zone(client, site):
    # Cup final: 2025-07-09 12:00 UTC = 2025-07-09 22:00 in Sydney
    html = client.get("/chile-sun/search", {"q": "volcano", "from": "2025-07-09",
                                            "to": "2025-07-09"}).content.decode()
    assert "Cup final" in html and "Volcano erupts" not in html


def test_highlights_are_escaped_and_marked(site):
    chile, _ = site
    hit = search_edition(chile, "erupts").hits[0]
    assert hit.headline_html == "Volcano <mark>erupts</mark> near the capital"
    hostile = Article.objects.get(headline="Bank holiday traffic")
    hostile.headline = "Bank <b>holiday</b> & <script>x()</script>"
    hostile.save()
    hit = search_edition(chile, "holiday").hits[0]
    assert "<script>" not in hit.headline_html and "&lt;script&gt;" in hit.headline_html
    assert "<mark>holiday</mark>" in hit.headline_html


def test_update_reindexes_in_same_transaction(site):
    chile, _ = site
    article = Article.objects.get(headline="Parliament passes budget")
    article.body_html = "<p>Now about glaciers only.</p>"
    article.save()
    assert headlines(search_edition(chile, "glaciers")) == ["Parliament passes budget"]
    assert "Parliament passes budget" not in headlines(search_edition(chile, "observatory"))


def test_a_save_naming_indexed_fields_reindexes_and_others_leave_the_index(site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chile, _ = site
    article = Article.objects.get(headline="Parliament passes budget")
    article.headline = "Parliament passes glacier budget"
    article.save(update_fields=["headline"])
    assert headlines(search_edition(chile, "glacier")) == ["Parliament passes glacier budget"]
    # The story step's save (story, duplicate, section, flags) writes no index row.
    with CaptureQueriesContext(connection) as captured:
        article.save(update_fields=["story", "duplicate_of", "section", "flags", "modified_at"])
    assert not [q for q in captured.captured_queries if "search_" in q["sql"]]
    assert headlines(search_edition(chile, "glacier")) == ["Parliament passes glacier budget"]
    article.status = Article.Status.KILLED
    article.save(update_fields=["status"])
    assert headlines(search_edition(chile, "glacier")) == []


def test_pagination(site):
    chile, _ = site
    first = search_edition(chile, "volcano", page_size=2)
    second = search_edition(chile, "volcano", page=2, page_size=2)
    assert first.total == 5 and first.num_pages == 3 and first.has_next
    assert not set(headlines(first)) & set(headlines(second))
    assert search_edition(chile, "volcano", page=10_000, page_size=2).hits == []



def test_count_says_more_only_past_the_cap(client, site, monkeypatch):
    # "volcano" has 5 matches in chile: counted in full up to the cap, and "more than"
    # only when a match past the cap exists (the count reads one more than it shows).
    from wiredesk.search import services as search_services

    chile, _ = site
    monkeypatch.setattr(search_services, "COUNT_CAP", 5)
    exact = search_edition(chile, "volcano", page_size=2)
    assert (exact.total, exact.total_capped, exact.num_pages) == (5, False, 3)
    page = client.get("/chile-sun/search", {"q": "volcano"}).content.decode()
    assert "5 results for" in page and "More than" not in page
    monkeypatch.setattr(search_services, "COUNT_CAP", 4)
    capped = search_edition(chile, "volcano", page_size=2)
    assert (capped.total, capped.total_capped, capped.num_pages) == (4, True, 2)
    assert len(capped.hits) == 2
    page = client.get("/chile-sun/search", {"q": "volcano"}).content.decode()
    assert "More than 4 results for" in page
    api = client.get("/api/search", {"edition": "chile-sun", "q": "volcano"}).json()
    assert (api["total"], api["total_capped"]) == (4, True)

def test_reindex_rebuilds(site):
    chile, _ = site
    with connection.cursor() as cursor:
        backend_for(connection).clear(cursor)
    assert search_edition(chile, "volcano").total == 0
    seen = []
    count = reindex(batch_size=2, progress=lambda done, total: seen.append((done, total)))
    assert count == 7  # nothing killed in this fixture
    assert seen[-1] == (7, 7)
    assert search_edition(chile, "volcano").total == 5


def test_cli_reindex_shows_progress(site, capsys):
    from wiredesk import cli

    assert cli.main(["search", "reindex", "--batch-size", "3"]) == 0
    captured = capsys.readouterr()
    assert "reindex [" in captured.err and "7/7 100%" in captured.err
    assert "7 articles" in captured.out


@pytest.mark.parametrize("raw", [
    'volcano AND', 'OR', 'NOT volcano', '"unbalanced', '(((volcano', 'volcano)))', 'NEAR(a b)',
    '*', 'volc*', '^volcano', 'headline:volcano', '-volcano', "'; DROP TABLE x; --", '"" ""',
    "\x00\x01volcano\x02\x03", "volcano" * 500, "🌋 volcano", "ｖｏｌｃａｎｏ",
    "Vulkán", "火山", "a" * 5000, "\u202evolcano", "or or or", "%s %(x)s", "{}[]", "&&||!:",
])
def test_hostile_queries_never_fail(client, site, raw):
    response = client.get("/chile-sun/search", {"q": raw})
    assert response.status_code == 200
    assert len(parse_query(raw).words()) <= 12


@pytest.mark.parametrize("raw_qs", ["q=%ED%A0%80", "q=%FF%FE%00", "q=%22%22%22", "q[]=x",
                                    "q=a&q=b&q=volcano", "page=99999999999999999999999&q=a"])
def test_malformed_query_strings(client, site, raw_qs):
    assert client.get("/chile-sun/search?" + raw_qs).status_code == 200


def test_odd_filters_are_ignored(client, site):
    response = client.get("/chile-sun/search", {"q": "volcano", "from": "2025-99-99",
                                                "to": "x", "page": "-3", "section": "nope",
                                                "agency": "\x00"})
    assert response.status_code == 200
    assert "erupts near the capital" in response.content.decode()


def test_search_page_on_host_and_box_everywhere(client, site):
    html = client.get("/search", {"q": '"central bank"'}, HTTP_HOST="chilesun.example") \
        .content.decode()
    # FTS5 marks the phrase as one span, PostgreSQL each word: both are right
    assert re.sub(r"</?mark>", "|", html).count("|Central") == 1
    assert "bank</mark> raises rates" in html
    assert 'href="/news/' in html
    for url in ("/chile-sun/", "/chile-sun/section/world/"):
        assert 'role="search"' in client.get(url).content.decode()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_is_a_safe_query(site, raw):
    chile, _ = site
    results = search_edition(chile, raw)
    assert results.total >= 0
    assert len(parse_query(raw).words()) <= 12
    assert len(" ".join(parse_query(raw).words())) <= MAX_QUERY_CHARS


def test_a_phrase_across_the_highlight_cut_is_still_found(site, monkeypatch):
    from wiredesk.search import text

    chile, _ = site
    monkeypatch.setattr(text, "SNIPPET_SOURCE_CHARS", 66)
    article = Article.objects.get(headline="Central bank raises rates")
    # "blue whale sighting" straddles the 66th character: head and tail both hold it
    article.body_html = "<p>" + "filler " * 7 + "one two blue whale sighting off the coast.</p>"
    article.save()
    found = search_edition(chile, '"blue whale sighting"')
    assert headlines(found) == ["Central bank raises rates"]
    assert search_edition(chile, "coast").total == 1


def test_snippet_is_a_window_around_the_most_query_words():
    from wiredesk.search.text import MARK_END, MARK_START, snippet

    def m(word):
        return f"{MARK_START}{word}{MARK_END}"

    words = ["w"] * 100 + [m("bank")] + ["w"] * 100 + [m("central"), m("bank")] + ["w"] * 100
    cut = snippet(" ".join(words), words=10)
    assert cut == f"… w w w w {m('central')} {m('bank')} w w w w …"
    assert snippet("no marks here at all", words=3) == "no marks here …"

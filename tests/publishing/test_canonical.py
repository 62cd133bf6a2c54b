"""The canonical policy (editions/canonical.py): each rule, and every output naming the one
canonical URL: rel=canonical and og:url on every edition's page, JSON-LD, sitemaps (only
canonical URLs), feeds (link and guid), NINJS and NewsML-G2."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import rss, rss_item
from wiredesk.editions import canonical as policy
from wiredesk.editions.links import article_url
from wiredesk.editions.models import Edition, Placement
from wiredesk.editions.services import EditionError, article_canonical_set, edition_homes_set
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.publishing import newsml, ninjs
from wiredesk.wire.formats import newsml_g2

pytestmark = pytest.mark.django_db

SLUGS = ("chile-sun", "sol-de-chile", "plain-post")


def _edition(slug: str) -> Edition:
    return Edition.objects.get(slug=slug)


def _article(headline: str) -> Article:
    return Article.objects.select_related("agency", "section").get(headline=headline)


def _rule(article: Article) -> tuple[str, str]:
    found = policy.canonical_of(article)
    return found.edition.slug, found.rule


# --- the rules ---------------------------------------------------------------------------

def test_the_first_edition_that_carried_it(site):
    fresh = _article("Fresh world story")
    assert _rule(fresh) == ("chile-sun", policy.FIRST_EDITION)
    assert policy.canonical_of(fresh).url == article_url(_edition("chile-sun"), fresh)
    # It leaves that edition: the next that carried it speaks for it.
    Placement.objects.filter(article=fresh, edition__slug="chile-sun").delete()
    assert _rule(fresh) == ("sol-de-chile", policy.FIRST_EDITION)


def test_an_agency_home_edition(site):
    edition_homes_set(_edition("sol-de-chile"), agencies=["rfe"])
    assert _rule(_article("Fresh world story")) == ("sol-de-chile", policy.AGENCY_HOME)


def test_a_section_home_comes_before_an_agency_home(site):
    edition_homes_set(_edition("sol-de-chile"), agencies=["RFE"])
    edition_homes_set(_edition("plain-post"), sections=["sport"])
    assert _rule(_article("Sport story")) == ("plain-post", policy.SECTION_HOME)
    assert _rule(_article("Fresh world story")) == ("sol-de-chile", policy.AGENCY_HOME)


def test_a_home_that_does_not_carry_the_article_is_passed_over(site):
    edition_homes_set(_edition("plain-post"), sections=["world"])  # carries only sport
    assert _rule(_article("Fresh world story")) == ("chile-sun", policy.FIRST_EDITION)
    with pytest.raises(EditionError):
        edition_homes_set(_edition("plain-post"), sections=["no-such-section"])


def test_the_desk_choice_comes_first(site):
    fresh = _article("Fresh world story")
    edition_homes_set(_edition("chile-sun"), sections=["world"])
    article_canonical_set(article=fresh, edition=_edition("sol-de-chile"))
    assert _rule(fresh) == ("sol-de-chile", policy.DESK)
    article_canonical_set(article=fresh, edition=_edition("chile-sun"))  # changed its mind
    assert _rule(fresh) == ("chile-sun", policy.DESK)
    assert Placement.objects.filter(article=fresh, canonical=True).count() == 1
    with pytest.raises(EditionError):  # an edition that does not carry it
        article_canonical_set(article=fresh, edition=_edition("plain-post"))
    article_canonical_set(article=fresh, edition=None)
    assert _rule(fresh) == ("chile-sun", policy.SECTION_HOME)


@pytest.fixture
def copy(site, tmp_path):
    """Another agency's copy of the fresh world story, as duplicate detection marks it."""
    path = tmp_path / "xin.rss"
    path.write_bytes(rss(rss_item("x1", "Fresh world story (Xinhua)",
                                  "<p>Vineyard owners counted frost damage.</p>")))
    services.ingest_source(str(path), agency=services.agency_ensure(code="XIN", name="Xinhua"))
    original = _article("Fresh world story")
    Article.objects.filter(headline="Fresh world story (Xinhua)").update(duplicate_of=original)
    return _article("Fresh world story (Xinhua)"), original


def test_a_copy_from_another_agency_points_to_the_canonical_copy(copy):
    duplicate, original = copy
    article_canonical_set(article=original, edition=_edition("sol-de-chile"))
    found = policy.canonical_of(duplicate)
    assert (found.article_id, found.edition.slug, found.copy_of) == (
        original.pk, "sol-de-chile", original.pk)
    assert found.url == policy.canonical_of(original).url
    # The canonical copy withdrawn: the copy stands alone again.
    services.article_kill(article=original, reason="wrong")
    found = policy.canonical_of(duplicate)
    assert found.article_id == duplicate.pk and found.copy_of is None


def test_many_articles_in_a_few_queries(site, django_assert_max_num_queries):
    articles = list(Article.objects.all())
    with django_assert_max_num_queries(4):
        found = policy.canonicals(articles)
    assert all(found[a.pk] is not None for a in articles)


# --- every output names it ---------------------------------------------------------------

def _head(client, slug: str, article: Article) -> tuple[str, str, str]:
    page = client.get(f"/{slug}/news/{article.pk}/{article.slug}")
    assert page.status_code == 200, slug
    html = page.content.decode()
    link = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    og = re.search(r'<meta property="og:url" content="([^"]+)">', html).group(1)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["url"] == data["mainEntityOfPage"]["@id"]
    return link, og, data["mainEntityOfPage"]["@id"]


def test_every_edition_page_names_the_one_canonical_url(client, site):
    fresh = _article("Fresh world story")
    article_canonical_set(article=fresh, edition=_edition("sol-de-chile"))
    expected = article_url(_edition("sol-de-chile"), fresh)
    assert expected.startswith("http://soldechile.example")  # another host: cross-domain
    for slug in ("chile-sun", "sol-de-chile"):
        assert _head(client, slug, fresh) == (expected, expected, expected)


def test_a_copy_page_names_the_canonical_copy(client, copy):
    duplicate, original = copy
    expected = policy.canonical_of(original).url
    assert _head(client, "chile-sun", duplicate) == (expected, expected, expected)


def _sitemap_urls(client, slug: str) -> set[str]:
    urls = set()
    for name in ("sitemap-articles-1.xml", "sitemap-news.xml"):
        response = client.get(f"/{slug}/{name}")
        assert response.status_code == 200
        urls |= set(re.findall(r"<loc>([^<]+/news/[^<]+)</loc>", response.content.decode()))
    return urls


def test_sitemaps_list_only_canonical_urls(client, site):
    fresh, sport = _article("Fresh world story"), _article("Sport story")
    article_canonical_set(article=fresh, edition=_edition("sol-de-chile"))
    edition_homes_set(_edition("plain-post"), sections=["sport"])
    listed = {slug: _sitemap_urls(client, slug) for slug in SLUGS}
    assert article_url(_edition("sol-de-chile"), fresh) in listed["sol-de-chile"]
    assert not any(f"/news/{fresh.pk}/" in url for url in listed["chile-sun"])
    assert listed["plain-post"] == {article_url(_edition("plain-post"), sport)}
    # Every article is in exactly one edition's sitemaps, at its canonical URL.
    everything = [url for urls in listed.values() for url in urls]
    assert len(everything) == len(set(everything)) == Article.objects.count()
    assert set(everything) == {policy.canonical_of(a).url for a in Article.objects.all()}


def test_a_copy_is_left_out_of_sitemaps(client, copy):
    duplicate, _original = copy
    for slug in SLUGS:
        assert not any(f"/news/{duplicate.pk}/" in url for url in _sitemap_urls(client, slug))


def test_feeds_link_every_item_to_its_canonical_url(client, site):
    fresh = _article("Fresh world story")
    article_canonical_set(article=fresh, edition=_edition("sol-de-chile"))
    expected = article_url(_edition("sol-de-chile"), fresh)
    for slug in ("chile-sun", "sol-de-chile"):
        rss_text = client.get(f"/{slug}/feed.rss").content.decode()
        item = re.search(r"<item><title>Fresh world story</title>.*?</item>", rss_text, re.S)
        assert f"<link>{expected}</link>" in item.group(0)
        assert f'<guid isPermaLink="true">{expected}</guid>' in item.group(0) \
            or f"<guid>{expected}</guid>" in item.group(0)
        atom = client.get(f"/{slug}/feed.atom").content.decode()
        assert f'<link href="{expected}" rel="alternate"' in atom \
            or f'<link rel="alternate" href="{expected}"' in atom
        feed = json.loads(client.get(f"/{slug}/feed.json").content)
        entry = next(i for i in feed["items"] if i["title"] == "Fresh world story")
        assert entry["id"] == entry["url"] == expected


def test_ninjs_and_newsml_link_the_canonical_url_from_any_edition(site):
    fresh = _article("Fresh world story")
    article_canonical_set(article=fresh, edition=_edition("sol-de-chile"))
    expected = article_url(_edition("sol-de-chile"), fresh)
    for slug in ("chile-sun", "sol-de-chile", None):
        edition = _edition(slug) if slug else None
        document = ninjs.article_document(fresh, edition)
        assert {"role": "canonical-url", "value": expected} in document["altids"]
        assert {"name": "canonical", "href": expected, "contenttype": "text/html",
                "title": fresh.headline} in document["renditions"]
        item = newsml_g2.parse(newsml.article_document(fresh, edition)).items[0]
        assert item.link == expected


def test_a_changed_choice_reaches_cached_pages_of_every_edition(client, site, settings):
    settings.WIREDESK_PAGE_CACHE = True
    fresh = _article("Fresh world story")
    before = _head(client, "chile-sun", fresh)[0]
    assert client.get(f"/chile-sun/news/{fresh.pk}/{fresh.slug}")["X-Cache"] == "HIT"
    article_canonical_set(article=fresh, edition=_edition("sol-de-chile"))
    after = _head(client, "chile-sun", fresh)[0]
    assert before != after == article_url(_edition("sol-de-chile"), fresh)
    edition_homes_set(_edition("chile-sun"), agencies=["RFE"])  # a home: every edition
    sport = _article("Sport story")
    assert _head(client, "plain-post", sport)[0] == article_url(_edition("chile-sun"), sport)


def test_the_cli_sets_homes_and_the_desk_choice(site, capsys):
    from wiredesk import cli

    fresh = _article("Fresh world story")
    assert cli.main(["edition", "update", "sol-de-chile", "--home-agencies", "RFE"]) == 0
    assert _rule(fresh) == ("sol-de-chile", policy.AGENCY_HOME)
    assert cli.main(["edition", "canonical", str(fresh.pk), "chile-sun"]) == 0
    assert f"canonical {article_url(_edition('chile-sun'), fresh)} (desk)" in \
        capsys.readouterr().out
    assert cli.main(["edition", "canonical", str(fresh.pk), "plain-post"]) != 0
    assert "does not carry" in capsys.readouterr().err
    assert cli.main(["edition", "canonical", str(fresh.pk), "--clear"]) == 0
    assert cli.main(["edition", "update", "sol-de-chile", "--home-agencies", ""]) == 0
    assert _rule(fresh) == ("chile-sun", policy.FIRST_EDITION)


def test_the_admin_marks_a_placement_canonical(client, site):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("desk", "d@x.org", "pw-1234"))
    fresh = _article("Fresh world story")
    placement = Placement.objects.get(article=fresh, edition__slug="sol-de-chile")
    done = client.post("/admin/editions/placement/", {
        "action": "make_canonical", "_selected_action": [str(placement.pk)]})
    assert done.status_code == 302
    assert _rule(fresh) == ("sol-de-chile", policy.DESK)
    client.post("/admin/editions/placement/", {
        "action": "clear_canonical", "_selected_action": [str(placement.pk)]})
    assert _rule(fresh) == ("chile-sun", policy.FIRST_EDITION)
    page = client.get(f"/admin/editions/edition/{_edition('chile-sun').pk}/change/")
    assert page.status_code == 200 and "Canonical home" in page.content.decode()

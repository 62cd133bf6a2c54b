"""editions.links: one spelling of every page path, one canonical address per edition,
and every app that writes an absolute link gives the same answer."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template

from wiredesk.editions import links
from wiredesk.editions.models import Edition
from wiredesk.editions.services import edition_save

pytestmark = pytest.mark.django_db

ARTICLE = SimpleNamespace(pk=12, slug="volcano-erupts-near-town")
STORY = SimpleNamespace(pk=7, slug="volcano-erupts")


@pytest.fixture
def base_url(settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    return settings.BASE_URL


@pytest.fixture
def hosted(base_url):
    # Given its hosts in this order: the first by id is not the first alphabetically.
    return edition_save(name="Chile Sun", hosts=["www.chilesun.example", "chilesun.example"])


@pytest.fixture
def plain(base_url):
    return edition_save(name="Euro Ledger")


def fresh(edition: Edition) -> Edition:
    return Edition.objects.get(pk=edition.pk)  # no cached base from an earlier call


def test_paths_are_relative_to_the_edition_base():
    assert links.article_path(ARTICLE) == "/news/12/volcano-erupts-near-town"
    assert links.article_path_for(12, "volcano-erupts-near-town") == links.article_path(ARTICLE)
    assert links.story_path(STORY) == "/story/7/volcano-erupts"
    assert links.story_folder(7) == "/story/7/"
    assert links.tag_path("org:un") == "/tag/org:un/"
    assert links.section_path("world") == "/section/world/"
    assert links.feed_path("/", "rss") == "/feed.rss"
    assert links.feed_path(links.tag_path("org:un"), "json") == "/tag/org:un/feed.json"
    assert links.feed_path(links.story_folder(7), "atom") == "/story/7/feed.atom"


def test_non_ascii_in_a_path_or_host_is_written_as_a_uri():
    # IRIs done right (RFC 3987): UTF-8 percent-encoded in paths, an IDNA A-label for a host,
    # so sitemaps' <loc>, feeds' links and canonical/hreflang links carry a valid URI.
    assert links.section_path("económica") == "/section/econ%C3%B3mica/"
    assert links.tag_path("الهند") == "/tag/%D8%A7%D9%84%D9%87%D9%86%D8%AF/"
    assert links.section_path("world") == "/section/world/"


def test_a_unicode_host_is_given_as_its_idna_form(base_url):
    edition = edition_save(name="Ñandú", slug="nandu", hosts=["noticias.ñandú.example"])
    assert links.edition_base_url(fresh(edition)) == "http://noticias.xn--and-6ma2c.example:8000"


def test_slug_edition_lives_under_its_slug_on_the_site(plain):
    assert links.edition_path(plain) == "/euro-ledger"
    assert links.canonical_host(plain) is None
    assert links.edition_base_url(plain) == "http://127.0.0.1:8000/euro-ledger"
    assert links.article_url(plain, ARTICLE) == \
        "http://127.0.0.1:8000/euro-ledger/news/12/volcano-erupts-near-town"
    assert links.story_url(plain, STORY) == "http://127.0.0.1:8000/euro-ledger/story/7/volcano-erupts"


def test_host_edition_lives_at_its_first_host_with_the_sites_scheme_and_port(hosted):
    assert links.canonical_host(fresh(hosted)) == "www.chilesun.example"
    assert links.edition_base_url(fresh(hosted)) == "http://www.chilesun.example:8000"
    assert links.article_url(fresh(hosted), ARTICLE) == \
        "http://www.chilesun.example:8000/news/12/volcano-erupts-near-town"
    # the slug base still works on every host, for links between editions on one page
    assert links.edition_path(hosted) == "/chile-sun"
    prefetched = Edition.objects.prefetch_related("hosts").get(pk=hosted.pk)
    assert links.canonical_host(prefetched) == "www.chilesun.example"


def test_https_site_gives_https_hosts_without_a_port(settings, hosted):
    settings.BASE_URL = "https://news.example"
    assert links.edition_base_url(fresh(hosted)) == "https://www.chilesun.example"


def test_template_filters_spell_the_same_paths():
    html = Template(
        "{% load editions %}{{ base }}{{ article|article_path }} {{ base }}{{ story|story_path }}"
        " {{ base }}{{ key|tag_path }} {{ base }}{{ 7|story_folder|feed_path:'rss' }}"
        " {{ base }}{{ 'world'|section_path }}").render(Context(
            {"base": "/chile-sun", "article": ARTICLE, "story": STORY, "key": "org:un"}))
    assert html.split() == ["/chile-sun/news/12/volcano-erupts-near-town",
                            "/chile-sun/story/7/volcano-erupts", "/chile-sun/tag/org:un/",
                            "/chile-sun/story/7/feed.rss", "/chile-sun/section/world/"]


def test_digest_releases_feeds_sitemaps_and_api_agree_on_the_canonical_address(
        client, hosted, plain):
    from wiredesk.digest.models import Subscriber
    from wiredesk.digest.services import subscriber_link
    from wiredesk.releases.models import Release
    from wiredesk.releases.services import status_url, verify_url

    for edition in (hosted, plain):
        base = links.edition_base_url(fresh(edition))
        subscriber = Subscriber(pk=1, edition=fresh(edition), email="a@b.example", link_key="k")
        assert subscriber_link(subscriber, "confirm").startswith(f"{base}/digest/confirm/")
        release = Release(reference="NR-TEST", link_key="k", submitted_via=fresh(edition))
        assert verify_url(release).startswith(f"{base}/releases/verify/")
        assert status_url(release).startswith(f"{base}/releases/status/")
        sitemap = client.get(f"/{edition.slug}/sitemap-sections.xml").content.decode()
        assert f"<loc>{base}/</loc>" in sitemap
        feed = client.get(f"/{edition.slug}/feed.json").json()
        assert feed["home_page_url"] == f"{base}/"
        assert client.get(f"/api/editions/{edition.slug}").json()["url"] == f"{base}/"

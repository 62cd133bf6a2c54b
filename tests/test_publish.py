import pytest

from tests.conftest import rss, rss_item
from wiredesk import publish
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(tmp_path):
    services.section_ensure(slug="world", name="World")
    agency = services.agency_ensure(code="RFE")
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss("".join(rss_item(f"g{i}", f"Story {i}") for i in range(3))))
    services.ingest_source(str(feed), agency=agency)
    edition_save(name="Chile Sun", time_zone="Australia/Sydney", hosts=["chilesun.example"])
    return agency, feed


def test_publish_renders_every_public_page_then_only_what_changed(tmp_path, site):
    agency, feed = site
    out = tmp_path / "out"
    [first] = publish.publish(out)
    assert (first.rendered, first.unchanged, first.removed) == (3, 0, 0)
    root = out / "chile-sun"
    home = (root / "index.html").read_text()
    articles = {a.pk: a for a in Article.objects.all()}
    for article in articles.values():
        page = root / "news" / str(article.pk) / f"{article.slug}.html"
        assert article.headline in page.read_text()
        assert f'href="/chile-sun/news/{article.pk}/{article.slug}"' in home
    assert (root / "section" / "world" / "index.html").is_file()
    assert (out / "static" / "wiredesk" / "site.css").is_file()

    [again] = publish.publish(out)
    assert (again.rendered, again.unchanged, again.removed, again.pages) == (0, 3, 0, 0)

    killed = Article.objects.get(guid="g0")
    services.article_kill(article=killed, reason="legal")
    feed.write_bytes(rss(rss_item("g0", "Story 0") + rss_item("g1", "Story 1 corrected")
                         + rss_item("g2", "Story 2")))
    services.ingest_source(str(feed), agency=agency)
    [third] = publish.publish(out, edition_slug="chile-sun")
    assert (third.rendered, third.removed, third.unchanged) == (1, 1, 1)
    assert not (root / "news" / str(killed.pk) / f"{killed.slug}.html").exists()
    corrected = Article.objects.get(guid="g1")
    assert (root / "news" / str(corrected.pk) / f"{corrected.slug}.html").is_file()
    # The old file under the previous headline's slug is gone.
    assert not (root / "news" / str(corrected.pk) / "story-1.html").exists()
    home = (root / "index.html").read_text()
    assert "Story 0" not in home and "Story 1 corrected" in home


def test_publish_unknown_edition_is_an_error(tmp_path, site):
    with pytest.raises(publish.PublishError):
        publish.publish(tmp_path / "out", edition_slug="nope")

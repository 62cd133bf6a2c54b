"""Static mode: a kill takes its files before it returns; the publish-static job follows
every other change, and does nothing when nothing changed."""

import gzip

import brotli
import pytest

from tests.staticsite.conftest import files_of, ingest
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.newsroom.services import article_hold, article_kill
from wiredesk.staticsite import mirror

# Real commits: the files must be gone when the kill returns, not at a test's end.
pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_have_their_compressed_copies(out):
    article = Article.objects.get(headline__startswith="Harbour")
    page, gz, br = files_of(out, article)
    assert gzip.decompress(gz.read_bytes()) == page.read_bytes()
    assert brotli.decompress(br.read_bytes()) == page.read_bytes()
    home = out / "index.html"
    assert gzip.decompress((out / "index.html.gz").read_bytes()) == home.read_bytes()


@pytest.mark.parametrize("withdraw", [
    lambda a: article_kill(article=a, reason="legal", actor="test"),
    lambda a: article_hold(article=a, reason="check", actor="test"),
])
def test_a_kill_deletes_its_files_before_it_returns(out, withdraw):
    article = Article.objects.get(headline__startswith="Harbour")
    files = files_of(out, article)
    assert all(f.is_file() for f in files)
    assert "Harbour pilots" in (out / "index.html").read_text()
    withdraw(article)
    assert not any(f.exists() for f in files)
    for page in ("index.html", "index.html.gz", "sitemap-news.xml", "feed.rss"):
        content = (out / page).read_bytes()
        if page.endswith(".gz"):
            content = gzip.decompress(content)
        assert b"Harbour pilots" not in content, page
    assert "Vineyard owners" in (out / "index.html").read_text()


def test_the_job_follows_other_changes_and_idles_otherwise(out, tmp_path):
    assert mirror.publish_changed() == []  # nothing changed: one stamp read per edition
    ingest(tmp_path, [("g3", "Copper miners accept wage offer")])
    reports = mirror.publish_changed()
    assert [(r.edition, r.rendered) for r in reports] == [("chile-sun", 1)]
    article = Article.objects.get(headline__startswith="Copper")
    assert all(f.is_file() for f in files_of(out, article))
    assert "Copper miners" in (out / "index.html").read_text()
    assert mirror.publish_changed() == []


def test_static_mode_off_touches_nothing(tmp_path, settings):
    settings.WIREDESK_STATIC_DIR = ""
    services.section_ensure(slug="world", name="World")
    ingest(tmp_path, [("g1", "Harbour pilots count cruise ships")])
    edition_save(name="Chile Sun", time_zone="UTC")
    assert mirror.publish_changed() == []
    article_kill(article=Article.objects.get(), reason="legal", actor="test")
    assert not any(tmp_path.glob("**/*.html")) and not (tmp_path / "out").exists()

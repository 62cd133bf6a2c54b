"""Summary-only feeds: the item's web page supplies the body, and re-polls keep it."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import rss
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Dam opens</title></head>
<body><nav>Home | World | Subscribe</nav><article><h1>Dam opens</h1>
<p>The new dam on the river opened on Saturday after six years of building, the
region’s governor said at a ceremony attended by farmers from the valley.</p>
<p>It will irrigate forty thousand hectares and supply power to three towns, engineers
said, adding that the reservoir would take two years to fill completely.</p>
<p>Critics said the project had displaced villages upstream without fair compensation.</p>
</article><aside>Sign up for our newsletter</aside></body></html>"""


@pytest.fixture
def site(tmp_path):
    (tmp_path / "dam.html").write_text(PAGE, encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    item = (f"<item><title>Dam opens</title><guid>dam-1</guid><link>{base}/dam.html</link>"
            "<description>The new dam opened on Saturday.</description></item>")
    (tmp_path / "feed.xml").write_bytes(rss(item))
    yield f"{base}/feed.xml"
    server.shutdown()
    server.server_close()


def test_summary_only_feed_gets_the_page_text(site):
    agency = services.agency_ensure(code="SUM")
    feed = services.feed_add(source=site, agency=agency, full_text=True)
    report = services.feed_poll(feed, force=True)
    assert report.created == 1 and not report.errors
    article = Article.objects.get()
    assert "forty thousand hectares" in article.body_html
    assert "newsletter" not in article.body_html and "Subscribe" not in article.body_html
    assert "full-text-from-page" in article.flags
    again = services.feed_poll(feed, force=True)
    assert again.unchanged == 1
    assert "forty thousand hectares" in Article.objects.get().body_html


def test_without_the_option_the_summary_stays(site):
    agency = services.agency_ensure(code="SUM2")
    feed = services.feed_add(source=site, agency=agency)
    services.feed_poll(feed, force=True)
    assert "hectares" not in Article.objects.get().body_html

"""Articles for push tests: stored through the real ingest, placed by the real rules."""

from __future__ import annotations

from tests.conftest import rss, rss_item
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article


def ingest(tmp_path, *titles: str, agency=None, name: str = "wire.rss") -> list[Article]:
    agency = agency or services.agency_ensure(code="RFE", name="Radio Free Europe")
    path = tmp_path / name
    path.write_bytes(rss("".join(rss_item(f"g-{t}", t) for t in titles)))
    services.ingest_source(str(path), agency=agency)
    return [Article.objects.get(headline=t) for t in titles]

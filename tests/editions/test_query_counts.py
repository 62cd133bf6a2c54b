"""Hot paths must not grow with the archive: same query count for 10 and 200 articles.

The pinned numbers are today's counts; a change that adds a query fails here and has
to say why (or a query that scales with the archive fails the 10-vs-200 comparison).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import distinct_body, rss, rss_item
from wiredesk.editions.models import Placement
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.intelligence.enrich import never_tag_names
from wiredesk.newsroom.models import Article
from wiredesk.wire.pipeline import process

pytestmark = pytest.mark.django_db

BODY = "".join(f"<p>Paragraph {i} with enough words to make a paragraph.</p>" for i in range(6))
# Each has 2 for the footer: the edition's text pages and its footer links; the home one
# more for the newest stories the front's lead and row are chosen from, and one for the
# desk's slots on that front (none here; a curated front adds one for their articles).
HOME_QUERIES = 12
# The article page 2 more for its canonical URL (its placements, the home editions).
ARTICLE_QUERIES = 17  # 14 + the tags named in the article + 2 canonical
# (SEE ALSO is one query for the story's ranked rows and one per box; no box is filled
# in with the newest articles any more, which took one more.)
# Store, place, and the story-intelligence step (PostgreSQL upserts in fewer statements);
# one is the agency picture items paired with a text that brought no picture of its own
# (an ingest run asks once per document whether the agency pairs any); 5 are the change
# stream's rows (publishing.changes): one for the article's save, one for the story step's,
# one for its placement, each but the first replacing the last.
# A new story is one INSERT with its centroid; joining one reads it and its recent
# members (the representative article) and updates it: two more than a new story.
# The search index is written once (the story step's save names no indexed field), with
# no DELETE before a new article's first row, and a new article's save reads no
# placements (it has none yet), nor does its placing (nor re-dates them); a new story
# takes its section's id, never loading the section. The document frequencies' total is
# read with the item's terms, in one query, and a new story's terms are inserted with no
# DELETE before them (42 before). The new article's INSERT skips a concurrent poller's copy
# by ON CONFLICT, with no savepoint of its own (40 before).
INGEST_QUERIES = {"sqlite": 38, "postgresql": 38}


def archive(size: int):
    edition = edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    world = services.section_ensure(slug="world", name="World")
    agency = services.agency_ensure(code="RFE")
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(agency=agency, identity=f"guid:{i}", fingerprint=f"{i:064d}",
                headline=f"Story number {i}", slug=f"story-number-{i}",
                body_html=distinct_body(f"story {i}", paragraphs=6),
                lead="Lead.", teaser="Teaser...", section=world,
                published_at=now - timedelta(minutes=i))
        for i in range(size))
    Placement.objects.bulk_create(
        Placement(edition=edition, article=a, published_at=a.published_at) for a in articles)
    return edition, agency, articles


def count(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured.captured_queries)


def measure(size: int) -> dict[str, int]:
    edition, agency, articles = archive(size)
    client = Client()
    middle = articles[size // 2]
    url = f"/{edition.slug}/news/{middle.pk}/{middle.slug}"
    assert client.get(f"/{edition.slug}/").status_code == 200
    assert client.get(url).status_code == 200
    fresh = rss_item("fresh", "A fresh story", distinct_body("fresh", paragraphs=6))
    item = process(rss(fresh), zone="UTC").items[0]
    # The agencies' and editions' names are read once per process (and again after either
    # changes), not per item: read them here, as the archive's own ingest would have.
    never_tag_names()
    counts = {
        "home": count(lambda: client.get(f"/{edition.slug}/")),
        "article": count(lambda: client.get(url)),
        "ingest": count(lambda: services.store_item(item, agency=agency)),
    }
    assert Article.objects.filter(identity=item.identity).exists()
    return counts


def test_query_counts_do_not_grow_with_the_archive(settings):
    # The views' own queries: the page cache would answer repeats with its one stamp read.
    settings.WIREDESK_PAGE_CACHE = False
    small = measure(10)
    Placement.objects.all().delete()
    Article.objects.all().delete()
    from wiredesk.editions.models import Edition
    from wiredesk.newsroom.models import Story, Tombstone

    Tombstone.objects.all().delete()  # deleting leaves tombstones; the fresh item must come back
    # The fresh item must start its story again too: joining one is another path (the
    # story read, and its recent members read to choose its representative article).
    Story.objects.all().delete()

    Edition.objects.all().delete()
    large = measure(200)
    assert small == large, (small, large)
    assert small == {"home": HOME_QUERIES, "article": ARTICLE_QUERIES,
                     "ingest": INGEST_QUERIES[connection.vendor]}, small

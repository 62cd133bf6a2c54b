from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from tests.conftest import rss, rss_item
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services

# Each item gets its own copy: shared paragraphs would make them near-duplicates of one
# another, and editions show one article per duplicate group.
BODY = ("<p>{lead}</p><p>{second}</p><p>Third paragraph about {topic} with an "
        "<a href=\"https://x.example/\">link</a>.</p>")
COPY = {
    "old": ("Harbour pilots in Valparaiso described the slow autumn season for cruise ships.",
            "cruise schedules"),
    "fresh": ("Vineyard owners near Colchagua counted frost damage after a cold night.",
              "grape harvests"),
    "newest": ("Copper miners in Antofagasta voted to accept a three-year wage offer.",
               "mining wages"),
    "sport": ("The national rugby sevens squad named two debutants for the Hong Kong leg.",
              "rugby selection"),
}


def body(lead: str, key: str) -> str:
    second, topic = COPY[key]
    return BODY.format(lead=lead, second=second, topic=topic)


def ago(**delta) -> str:
    return http_date((timezone.now() - timedelta(**delta)).timestamp())


@pytest.fixture
def site(tmp_path):
    for slug, position in (("world", 1), ("sport", 2)):
        services.section_ensure(slug=slug, name=slug.title(), position=position)
    rfe = services.agency_ensure(code="RFE", name="Radio Free Europe")
    items = [
        rss_item("w1", "Old world story", body("An old one.", "old"),
                 date=ago(days=5)),
        rss_item("w2", "Fresh world story", body("A fresh one & more.", "fresh"),
                 date=ago(hours=3)),
        rss_item("w3", "Newest world story", body("The newest.", "newest"),
                 date=ago(hours=1)),
        rss_item("s1", "Sport story", body("Sport news.", "sport"), category="Sport",
                 date=ago(hours=2)),
    ]
    path = tmp_path / "rfe.rss"
    path.write_bytes(rss("".join(items)))
    services.ingest_source(str(path), agency=rfe)
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=["chilesun.example"], tagline="News from everywhere")
    spanish = edition_save(name="Sol de Chile", time_zone="America/Santiago",
                           hosts=["soldechile.example"], language="es")
    plain = edition_save(name="Plain Post", time_zone="UTC", sections=["sport"])
    return chile, spanish, plain


@pytest.fixture
def world_story(site):
    """The old and the fresh world stories grouped as one story (as intelligence would)."""
    from wiredesk.newsroom.models import Article, Story

    old, fresh = (Article.objects.get(headline=h) for h in ("Old world story",
                                                             "Fresh world story"))
    story = Story.objects.create(headline="World stories", first_published_at=old.published_at,
                                 last_published_at=timezone.now(), size=2)
    for article in (old, fresh):
        article.story = story
        article.save()
    return story, old, fresh

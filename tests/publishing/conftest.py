from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from tests.conftest import rss, rss_item
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services

BODY = ("<p>{lead}</p><p>Officials spoke at length about what happened and why it matters "
        "to the region.</p><p>Third paragraph with an <a href=\"https://x.example/\">link</a>."
        "</p>")


def ago(**delta) -> str:
    return http_date((timezone.now() - timedelta(**delta)).timestamp())


@pytest.fixture
def site(tmp_path):
    for slug, position in (("world", 1), ("sport", 2)):
        services.section_ensure(slug=slug, name=slug.title(), position=position)
    rfe = services.agency_ensure(code="RFE", name="Radio Free Europe")
    items = [
        rss_item("w1", "Old world story", BODY.format(lead="An old one."),
                 date=ago(days=5)),
        rss_item("w2", "Fresh world story", BODY.format(lead="A fresh one & more."),
                 date=ago(hours=3)),
        rss_item("w3", "Newest world story", BODY.format(lead="The newest."),
                 date=ago(hours=1)),
        rss_item("s1", "Sport story", BODY.format(lead="Sport news."), category="Sport",
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

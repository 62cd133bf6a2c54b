"""Editions place what the newsroom stored, by their rules, reading the rules once per run."""

import pytest

from tests.conftest import rss, rss_item
from wiredesk.editions import receivers
from wiredesk.editions.models import Placement
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.newsroom.runs import ingest_run
from wiredesk.newsroom.signals import article_stored
from wiredesk.wire.pipeline import process

pytestmark = pytest.mark.django_db


def clean(guid: str, title: str, category: str = "World"):
    return process(rss(rss_item(guid, title, category=category)), zone="UTC").items[0]


@pytest.fixture
def agency():
    services.section_ensure(slug="world", name="World")
    services.section_ensure(slug="sport", name="Sport")
    return services.agency_ensure(code="RFE")


@pytest.fixture
def rule_reads(monkeypatch):
    calls = []

    def counting():
        calls.append(1)
        return real()

    real = receivers.edition_rules
    monkeypatch.setattr(receivers, "edition_rules", counting)
    return calls


def placed(article: Article) -> list[str]:
    return sorted(article.placements.values_list("edition__slug", flat=True))


def test_a_stored_article_is_placed_by_the_editions_receiver(agency):
    edition_save(name="Chile Sun", time_zone="UTC")
    edition_save(name="Sport Only", time_zone="UTC", sections=["sport"])
    article = services.store_item(clean("g1", "One"), agency=agency).article
    assert placed(article) == ["chile-sun"]
    article_stored.disconnect(dispatch_uid="wiredesk-editions-place-stored")
    try:
        unplaced = services.store_item(clean("g2", "Two"), agency=agency).article
    finally:
        article_stored.connect(receivers.place_stored,
                               dispatch_uid="wiredesk-editions-place-stored")
    assert placed(unplaced) == []  # the newsroom stores; placing is the editions' business


def test_the_rules_are_read_once_per_ingest_run(agency, rule_reads):
    edition_save(name="Chile Sun", time_zone="UTC")
    items = "".join(rss_item(f"g{i}", f"Item {i}") for i in range(3))
    report = services.ingest_bytes(rss(items), agency=agency, source="test")
    assert report.created == 3 and len(rule_reads) == 1
    assert Placement.objects.count() == 3
    services.store_item(clean("x1", "Lone one"), agency=agency)
    services.store_item(clean("x2", "Lone two"), agency=agency)
    assert len(rule_reads) == 3  # outside a run, each item reads the rules afresh


def test_an_edition_changed_during_a_run_is_seen_by_the_next_item(agency):
    edition_save(name="Chile Sun", time_zone="UTC")
    with ingest_run():
        services.store_item(clean("g1", "One"), agency=agency)  # reads the rules
        edition_save(name="Euro Ledger", time_zone="UTC", sections=["world"])
        second = services.store_item(clean("g2", "Two"), agency=agency).article
    assert placed(second) == ["chile-sun", "euro-ledger"]


def test_a_press_release_is_left_to_the_releases_service(agency):
    edition_save(name="Chile Sun", time_zone="UTC")
    stored = services.store_item(clean("r1", "Release"), agency=agency,
                                 kind=Article.Kind.PRESS_RELEASE)
    assert stored.outcome == "created" and placed(stored.article) == []

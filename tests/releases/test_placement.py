"""A news release goes into the editions chosen for it, and only those."""

import pytest

from tests.releases.conftest import CHILE_HOST, form_data
from wiredesk.releases import services
from wiredesk.releases.models import Release

pytestmark = pytest.mark.django_db


def test_a_release_is_placed_only_in_its_chosen_editions(client, smtp, editions,
                                                         django_capture_on_commit_callbacks):
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom.models import Article

    _chile, euro = editions
    edition_save(name="Everything", time_zone="UTC")  # its rules would carry any item
    with django_capture_on_commit_callbacks(execute=True):  # the verification mail
        client.post("/euro-ledger/releases/submit", form_data(euro, category="business"))
    client.post(smtp.last("ana@rowing.example").link("verify"))
    release = services.release_approve(release=Release.objects.get(),
                                       actor=services.Actor(label="test"))
    assert release.article == Article.objects.get(kind=Article.Kind.PRESS_RELEASE)
    assert list(release.article.placements.values_list("edition__slug", flat=True)) == \
        ["euro-ledger"]


def test_an_approved_release_takes_its_place_by_its_own_date(client, smtp, editions,
                                                             django_capture_on_commit_callbacks):
    """Dated when its submitter sent it, not when an editor got round to it: copy that
    came in while it waited in the queue stays above it in the latest news."""
    from datetime import timedelta
    from email.utils import format_datetime

    from django.utils import timezone

    from tests.conftest import rss, rss_item
    from wiredesk.editions.selectors import edition_articles
    from wiredesk.newsroom import services as newsroom
    from wiredesk.wire.pipeline import process

    chile, _euro = editions
    now = timezone.now()
    agency = newsroom.agency_ensure(code="RFE")

    def wire(guid: str, title: str, hours_ago: int) -> None:
        item = rss_item(guid, title, date=format_datetime(now - timedelta(hours=hours_ago)))
        newsroom.store_item(process(rss(item), zone="UTC").items[0], agency=agency)

    wire("older", "Port strike ends after three days of talks", hours_ago=5)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/chile-sun/releases/submit", form_data(chile))
    client.post(smtp.last("ana@rowing.example").link("verify"), HTTP_HOST=CHILE_HOST)
    sent_at = now - timedelta(hours=4)
    Release.objects.update(verified_at=sent_at)  # it waited four hours in the queue
    wire("newer", "Copper price climbs to a two-year high", hours_ago=1)

    release = services.release_approve(release=Release.objects.get(),
                                       actor=services.Actor(label="test"))
    assert release.article.published_at == sent_at
    assert [a.headline for a in edition_articles(chile)] == [
        "Copper price climbs to a two-year high",
        "Rowing club opens new boathouse with junior regatta",
        "Port strike ends after three days of talks"]
    home = client.get("/chile-sun/").content.decode()
    assert (home.index("Copper price climbs") < home.index("Rowing club opens")
            < home.index("Port strike ends"))

"""editions.pages: how any app's view finds its edition, its link prefix and its zone."""

from datetime import UTC, datetime

import pytest
from django.http import Http404, HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from wiredesk.editions.pages import edition_page, page_context, resolve_edition
from wiredesk.editions.services import edition_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions():
    chile = edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                         hosts=["chilesun.example"])
    euro = edition_save(name="Euro Ledger", time_zone="Europe/Paris")
    return chile, euro


def request(host_edition=None):
    made = RequestFactory().get("/")
    made.host_edition = host_edition
    return made


@edition_page
def probe(request, token: str = ""):
    """What a decorated view sees: its own arguments, the edition, the zone."""
    seen = {"token": token, "edition": request.edition.slug, "base": request.edition_base,
            "zone": timezone.get_current_timezone_name()}
    response = HttpResponse()
    response.seen = seen
    return response


def test_on_its_own_host_the_edition_lives_at_the_root(editions):
    chile, _euro = editions
    seen = probe(request(host_edition=chile), token="t").seen
    assert seen == {"token": "t", "edition": "chile-sun", "base": "",
                    "zone": "Australia/Sydney"}
    # its own slug on its own host: links stay at the root
    assert probe(request(host_edition=chile), edition_slug="chile-sun").seen["base"] == ""


def test_by_slug_the_edition_lives_under_its_slug(editions):
    chile, euro = editions
    seen = probe(request(), edition_slug="euro-ledger").seen
    assert seen["edition"] == "euro-ledger" and seen["base"] == "/euro-ledger"
    assert seen["zone"] == "Europe/Paris"
    # another edition reached under its slug on Chile Sun's host
    assert probe(request(host_edition=chile), edition_slug="euro-ledger").seen["base"] == \
        "/euro-ledger"
    assert resolve_edition(request(), "euro-ledger") == (euro, "/euro-ledger")


def test_unknown_edition_is_a_404(editions):
    with pytest.raises(Http404):
        probe(request(), edition_slug="no-such-edition")
    with pytest.raises(Http404):
        probe(request())  # a bare path on a host that is no edition's


def test_zone_is_the_editions_during_the_view_only(editions):
    assert timezone.get_current_timezone_name() == "UTC"
    probe(request(), edition_slug="chile-sun")
    assert timezone.get_current_timezone_name() == "UTC"

    @edition_page
    def failing(request):
        raise ValueError("boom")

    with pytest.raises(ValueError):
        failing(request(), edition_slug="chile-sun")
    assert timezone.get_current_timezone_name() == "UTC"


def test_templates_show_times_in_the_active_edition_zone(editions):
    moment = datetime(2025, 7, 11, 19, 14, tzinfo=UTC)
    template = Template("{% load editions tz %}{{ m|edition_time }} {{ m|utc|date:'c' }}")

    @edition_page
    def page(request):
        return HttpResponse(template.render(Context({"m": moment})))

    assert page(request(), edition_slug="chile-sun").content.decode() == \
        "12 Jul 2025, 05:14 GMT+10 2025-07-11T19:14:00+00:00"
    assert page(request(), edition_slug="euro-ledger").content.decode() == \
        "11 Jul 2025, 21:14 GMT+2 2025-07-11T19:14:00+00:00"
    assert template.render(Context({"m": None})) == " "  # no time, no text


def test_a_spanish_editions_pages_read_times_in_spanish_and_leave_iso_alone(editions):
    edition_save(name="Chile Hoy", time_zone="America/Santiago", language="es")
    moment = datetime(2025, 7, 12, 9, 14, tzinfo=UTC)
    template = Template("{% load editions tz %}{{ m|edition_time }} {{ m|utc|date:'c' }}")

    @edition_page
    def page(request):
        return HttpResponse(template.render(Context({"m": moment})))

    assert page(request(), edition_slug="chile-hoy").content.decode() == \
        "12 jul 2025, 05:14 GMT-4 2025-07-12T09:14:00+00:00"
    assert translation.get_language() == "en"  # undone after the view
    assert page(request(), edition_slug="chile-sun").content.decode().startswith(
        "12 Jul 2025, 19:14 GMT+10")


def test_page_context_carries_what_every_edition_template_needs(editions):
    @edition_page
    def page(request):
        response = HttpResponse()
        response.context = page_context(request, extra=1)
        return response

    context = page(request(), edition_slug="euro-ledger").context
    assert context["edition"].slug == "euro-ledger" and context["base"] == "/euro-ledger"
    assert context["extra"] == 1 and "sections" in context

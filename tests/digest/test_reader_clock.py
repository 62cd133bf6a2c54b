"""Every time in a reader's digest is on the reader's clock: their zone, the edition's
language; the templates are still rendered once per zone, never once per reader."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.digest.conftest import ingest, make_confirmed, news_item
from wiredesk.digest import sending
from wiredesk.digest.models import Delivery, Digest
from wiredesk.digest.sending import send_pending
from wiredesk.digest.services import digest_plan
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

SANTIAGO, KOLKATA, SYDNEY = "America/Santiago", "Asia/Kolkata", "Australia/Sydney"
# International English (CLDR's en_GB) abbreviates September as "Sept".
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec")
STORY_LINK = re.compile(r'href="https://chilesun\.example/news/(\d+)/[\w-]+"')


def last_noon_utc() -> datetime:
    """A past instant at which Santiago, Kolkata and Sydney share one calendar day."""
    now = timezone.now()
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    return noon if noon < now else noon - timedelta(days=1)


def shown(moment: datetime, zone: str) -> str:
    """How a time must read in ``zone``, worked out apart from the code under test."""
    local = moment.astimezone(ZoneInfo(zone))
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    offset = f"GMT{sign}{hours}" + (f":{mins:02d}" if mins else "") if minutes else "GMT"
    return f"{local.day} {MONTHS[local.month - 1]} {local:%Y, %H:%M} {offset}"


def day_label(day: date) -> str:
    """CLDR's full date in international English."""
    return f"{day:%A}, {day.day} {day:%B %Y}"


def bodies(smtp, address: str) -> tuple[str, str]:
    [received] = smtp.to(address)
    message = received.message
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def count_renders(monkeypatch) -> list[str]:
    """The zone of every render the sender asks for."""
    calls = []
    real = sending.render_digest

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(sending, "render_digest", counted)
    return calls


def test_readers_in_santiago_and_kolkata_read_their_own_times_in_one_issue(
        site, smtp, tmp_path, monkeypatch):
    chile, _ = site  # the edition's zone is Australia/Sydney
    noon = last_noon_utc()
    ingest(tmp_path, news_item("c1", "Harbour cranes return", hours_ago=2, now=noon)
           + news_item("c2", "Vineyards count the frost", hours_ago=7, now=noon,
                       category="Business"), name="clock.rss")
    readers = {"ana@example.org": SANTIAGO, "beto@example.org": SANTIAGO,
               "ravi@example.org": KOLKATA, "asha@example.org": KOLKATA,
               "home@example.org": ""}
    for address, zone in readers.items():
        make_confirmed(chile, address, time_zone=zone)
    renders = count_renders(monkeypatch)

    digest_plan(now=noon, force=True)
    assert send_pending().sent == 5
    assert Digest.objects.filter(edition=chile).count() == 1  # one issue for all of them
    assert len(renders) == 3  # once per zone, not once per reader

    window_start = Delivery.objects.get(email="ana@example.org").window_start
    for address, zone in readers.items():
        zone = zone or SYDNEY
        text, html = bodies(smtp, address)
        ids = STORY_LINK.findall(html)
        assert len(ids) >= 2, address
        for article in Article.objects.filter(pk__in=ids):
            mine = shown(article.published_at, zone)
            for body in (text, html):
                assert mine in body, (address, article.headline, mine)
            for other in {SANTIAGO, KOLKATA, SYDNEY} - {zone}:
                assert shown(article.published_at, other) not in text + html, (address, other)
        for body in (text, html):
            assert f"since {shown(window_start, zone)}" in body, address
            assert day_label(noon.astimezone(ZoneInfo(zone)).date()) in body, address


def test_two_readers_in_one_zone_share_a_render_and_differ_only_in_their_links(
        site, smtp, monkeypatch):
    chile, _ = site
    make_confirmed(chile, "one@example.org", time_zone=KOLKATA)
    make_confirmed(chile, "two@example.org", time_zone=KOLKATA)
    renders = count_renders(monkeypatch)
    digest_plan(force=True)
    assert send_pending().sent == 2
    assert len(renders) == 1
    one, two = (bodies(smtp, a)[0] for a in ("one@example.org", "two@example.org"))
    unlinked = [re.sub(r"https://\S+/digest/\w+/\S+", "LINK", t) for t in (one, two)]
    assert unlinked[0] == unlinked[1] and "GMT+5:30" in one


def test_day_and_month_names_are_in_the_editions_language(site, smtp, tmp_path):
    from wiredesk.editions.services import edition_save

    sol = edition_save(name="Sol del Sur", time_zone=SANTIAGO, language="es")
    noon = last_noon_utc()
    ingest(tmp_path, news_item("es1", "Lluvias en el sur", hours_ago=3, now=noon),
           name="es.rss")
    make_confirmed(sol, "lector@example.org", time_zone=KOLKATA)
    digest_plan(now=noon, force=True)
    assert send_pending().sent == 1
    day = Digest.objects.get(edition=sol).issue_date
    weekdays = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"]
    label = f"{weekdays[day.weekday()]}, {day.day} de {months[day.month - 1]} de {day.year}"
    text, html = bodies(smtp, "lector@example.org")
    assert label in text and label in html
    assert "GMT+5:30" in text  # the reader's zone, not the edition's
    # The stories' times: CLDR's Spanish date (lower-case abbreviated month) in the
    # reader's zone.
    article = Article.objects.get(headline="Lluvias en el sur")
    local = article.published_at.astimezone(ZoneInfo(KOLKATA))
    short = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov",
             "dic"][local.month - 1]
    assert f"{local.day} {short} {local:%Y, %H:%M} GMT+5:30" in text

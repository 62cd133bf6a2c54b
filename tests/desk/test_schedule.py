"""The desk's schedule pages (issue 14, item 5): an article scheduled on an edition's clock,
the list of what is scheduled day by day, cancel buttons, and who may use them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from wiredesk.core.audit import AuditEntry
from wiredesk.editions.services import edition_save, place_in_editions
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Schedule

pytestmark = pytest.mark.django_db


def make_article(number: int, status=Article.Status.HELD) -> Article:
    return Article.objects.create(
        agency=services.agency_ensure(code="AFP"), identity=f"id-{number}", fingerprint="f",
        headline=f"Story number {number}", status=status,
        published_at=timezone.now() - timedelta(hours=1))


@pytest.fixture
def chile():
    services.agency_ensure(code="NONE")  # rules no article here matches
    return edition_save(name="Chile Sun", time_zone="America/Santiago", agencies=["NONE"])


@pytest.fixture
def editor(client):
    client.force_login(User.objects.create_superuser("chief", password="x"))
    return client


def next_year() -> int:
    return timezone.now().year + 1


def santiago_spring_forward(year: int) -> datetime:
    """The September day Santiago's clocks skip 00:00-00:59 (from the zone data itself)."""
    zone = ZoneInfo("America/Santiago")
    return next(datetime(year, 9, day) for day in range(1, 31)
                if datetime(year, 9, day, 0, 30, tzinfo=zone).astimezone(UTC)
                .astimezone(zone).hour != 0)


def test_scheduling_on_the_editions_clock(editor, chile):
    article = make_article(1)
    place_in_editions(article, [chile.pk])
    page = editor.get(f"/desk/articles/{article.pk}/schedule/")
    assert page.status_code == 200
    assert b"America/Santiago (UTC-0" in page.content  # the zone and its offset
    year = next_year()
    answer = editor.post(f"/desk/articles/{article.pk}/schedule/",
                         {"edition": "chile-sun", "publish_at": f"{year}-12-24 08:00"})
    assert answer.status_code == 302 and answer["Location"] == "/desk/schedule/"
    schedule = Schedule.objects.get()
    # 08:00 in Santiago's summer is 11:00 UTC.
    assert schedule.due_at == datetime(year, 12, 24, 11, 0, tzinfo=UTC)
    assert (schedule.action, schedule.time_zone, schedule.edition_slug) == \
        ("publish", "America/Santiago", "chile-sun")
    assert schedule.scheduled_by == "chief"
    assert AuditEntry.objects.get(action="article.schedule").actor.username == "chief"
    listing = editor.get("/desk/schedule/")
    text = listing.content.decode()
    assert f'data-article="{article.pk}" data-action="publish"' in text
    assert "08:00</time> America/Santiago (UTC-03:00)" in text
    assert f"Thursday 24 December {year}" in text or f"24 December {year}" in text


def test_a_time_the_clocks_skip_is_refused_with_the_zone_named(editor, chile):
    article = make_article(2)
    place_in_editions(article, [chile.pk])
    # Santiago's spring-forward: the first Sunday of September, 00:00 -> 01:00.
    year = next_year()
    sunday = santiago_spring_forward(year)
    answer = editor.post(f"/desk/articles/{article.pk}/schedule/",
                         {"edition": "chile-sun",
                          "publish_at": f"{sunday:%Y-%m-%d} 00:30"})
    assert answer.status_code == 200
    assert b"does not exist in America/Santiago" in answer.content
    assert not Schedule.objects.exists()


def test_a_past_time_and_a_bad_pair_schedule_nothing(editor, chile):
    article = make_article(3)
    answer = editor.post(f"/desk/articles/{article.pk}/schedule/",
                         {"edition": "chile-sun", "publish_at": "2020-01-01 08:00"})
    assert b"is in the past" in answer.content
    year = next_year()
    # Unpublishing before publishing: neither is kept (one transaction).
    answer = editor.post(f"/desk/articles/{article.pk}/schedule/",
                         {"edition": "chile-sun", "publish_at": f"{year}-12-24 08:00",
                          "unpublish_at": f"{year}-12-23 08:00"})
    assert answer.status_code == 200 and b"unpublish it after that" in answer.content
    assert not Schedule.objects.exists()


def test_cancel_buttons(editor, chile):
    article = make_article(4, status=Article.Status.PUBLISHED)
    now = timezone.now()
    services.schedule_unpublish(article=article, at=now + timedelta(days=1), actor="cli",
                                time_zone="America/Santiago", edition="chile-sun")
    listing = editor.get("/desk/schedule/?edition=chile-sun")
    assert f'action="/desk/articles/{article.pk}/schedule/cancel/"'.encode() in listing.content
    assert editor.get(f"/desk/articles/{article.pk}/schedule/cancel/").status_code == 405
    answer = editor.post(f"/desk/articles/{article.pk}/schedule/cancel/",
                         {"action": "unpublish", "back": "list"})
    assert answer.status_code == 302 and not Schedule.objects.exists()
    assert "cancelled" in AuditEntry.objects.filter(action="article.schedule") \
        .order_by("id").last().details
    assert editor.post(f"/desk/articles/{article.pk}/schedule/cancel/",
                       {"action": "explode"}).status_code == 400


def test_the_edition_selector_shows_its_clock(editor, chile):
    paris = edition_save(name="Euro Ledger", time_zone="Europe/Paris", agencies=["NONE"])
    article = make_article(5)
    place_in_editions(article, [chile.pk])
    services.schedule_publish(article=article, at=datetime(next_year(), 7, 1, 12, 0, tzinfo=UTC),
                              actor="cli", time_zone="America/Santiago", edition="chile-sun")
    on_chile = editor.get("/desk/schedule/?edition=chile-sun").content.decode()
    assert "08:00</time> America/Santiago (UTC-04:00)" in on_chile
    # Another edition's list leaves out what it does not carry.
    on_paris = editor.get(f"/desk/schedule/?edition={paris.slug}").content.decode()
    assert f'data-article="{article.pk}"' not in on_paris
    # Going to an article's page by number.
    answer = editor.get(f"/desk/schedule/?article={article.pk}")
    assert answer["Location"] == f"/desk/articles/{article.pk}/schedule/"


def test_a_staff_user_without_the_permission_is_refused(client, chile):
    article = make_article(6)
    staff = User.objects.create_user("desk", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/desk/schedule/").status_code == 403
    assert client.get(f"/desk/articles/{article.pk}/schedule/").status_code == 403
    year = next_year()
    assert client.post(f"/desk/articles/{article.pk}/schedule/",
                       {"edition": "chile-sun",
                        "publish_at": f"{year}-12-24 08:00"}).status_code == 403
    services.schedule_publish(article=article, at=timezone.now() + timedelta(days=1),
                              actor="cli")
    assert client.post(f"/desk/articles/{article.pk}/schedule/cancel/",
                       {"action": "publish"}).status_code == 403
    assert Schedule.objects.count() == 1
    # Reading the list is the permission to view articles; its cancel buttons are not.
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    listing = client.get("/desk/schedule/")
    assert listing.status_code == 200 and f'data-article="{article.pk}"'.encode() in \
        listing.content
    assert b"schedule/cancel/" not in listing.content


def test_the_desk_home_links_to_the_schedule(editor):
    assert b'href="/desk/schedule/"' in editor.get("/desk/").content


def test_a_reader_never_sees_the_desk(client):
    article = make_article(7)
    assert client.get("/desk/schedule/").status_code == 302
    assert client.post(f"/desk/articles/{article.pk}/schedule/cancel/").status_code in (302,
                                                                                         403)


# --- wiredesk article schedule ----------------------------------------------------------

def test_cli_schedules_on_the_editions_clock_and_cancels(chile, capsys):
    from wiredesk import cli

    article = make_article(8)
    year = next_year()
    assert cli.main(["article", "schedule", str(article.pk), "--publish-at",
                     f"{year}-12-24 08:00", "--unpublish-at", f"{year}-12-26 20:00",
                     "--edition", "chile-sun"]) == 0
    out = capsys.readouterr().out
    assert f"will be published at {year}-12-24 08:00 America/Santiago (UTC-03:00), " \
           f"{year}-12-24 11:00 UTC" in out
    assert f"{year}-12-24 08:00 America/Santiago (UTC-03:00): publish article" in out
    due = dict(Schedule.objects.values_list("action", "due_at"))
    assert due == {"publish": datetime(year, 12, 24, 11, 0, tzinfo=UTC),
                   "unpublish": datetime(year, 12, 26, 23, 0, tzinfo=UTC)}
    assert AuditEntry.objects.filter(action="article.schedule", actor_label="cli").count() == 2

    assert cli.main(["article", "schedule", str(article.pk), "--cancel", "unpublish"]) == 0
    assert "1 scheduled action(s) cancelled" in capsys.readouterr().out
    assert list(Schedule.objects.values_list("action", flat=True)) == ["publish"]
    assert cli.main(["article", "schedule", str(article.pk), "--cancel"]) == 0
    assert not Schedule.objects.exists()


def test_cli_refusals_are_one_line(chile, capsys):
    from wiredesk import cli

    article = make_article(9)
    place_in_editions(article, [chile.pk])
    # The article's only edition is the clock when none is named; the gap is refused.
    year = next_year()
    sunday = santiago_spring_forward(year)
    assert cli.main(["article", "schedule", str(article.pk), "--publish-at",
                     f"{sunday:%Y-%m-%d} 00:30"]) == 2
    assert "does not exist in America/Santiago" in capsys.readouterr().err
    assert cli.main(["article", "schedule", str(article.pk), "--publish-at",
                     f"{year}-12-24 08:00", "--edition", "nowhere"]) == 2
    assert "no edition 'nowhere'" in capsys.readouterr().err
    assert cli.main(["article", "schedule", "999999", "--cancel"]) == 2
    assert "no article with id 999999" in capsys.readouterr().err
    assert not Schedule.objects.exists()

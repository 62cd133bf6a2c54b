"""An editor approves a release for publication at a time on the edition's clock
(issue 14, item 5): the article waits, held, and the publish-scheduled job makes it public."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.releases.conftest import CHILE_HOST
from tests.releases.test_flow import admin_post, editor, editor_client, submit_and_confirm
from wiredesk.newsroom.models import Article, Schedule
from wiredesk.newsroom.services import publish_scheduled
from wiredesk.releases.models import Release

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]
__all__ = ["editor", "editor_client"]  # fixtures, used by name


def test_approved_for_later_it_waits_held_then_is_published(client, smtp, editions,
                                                             editor_client):
    chile, _euro = editions  # Chile Sun's clock here is Australia/Sydney
    release, _status = submit_and_confirm(client, smtp, chile)
    year = timezone.now().year + 1
    page = editor_client.get(f"/admin/releases/release/{release.pk}/change/")
    assert b"Chile Sun, Australia/Sydney" in page.content

    response = admin_post(editor_client, release, decision="approve",
                          publish_at=f"{year}-12-24 08:00")
    assert response.status_code == 302, response.content.decode()[:3000]
    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED
    article = release.article
    assert article.status == Article.Status.HELD
    schedule = Schedule.objects.get(article=article)
    # 08:00 in Sydney's summer (UTC+11) is 21:00 UTC the day before.
    assert schedule.due_at == datetime(year, 12, 23, 21, 0, tzinfo=UTC)
    assert (schedule.time_zone, schedule.edition_slug) == ("Australia/Sydney", "chile-sun")
    assert "scheduled for" in release.events.get(action="approved").note
    # The submitter is told when, on their edition's clock.
    assert f"published from 24 Dec {year}, 08:00 GMT+11" in smtp.last("ana@rowing.example").body
    url = f"/chile-sun/news/{article.pk}/{article.slug}"
    assert client.get(url, HTTP_HOST=CHILE_HOST).status_code != 200

    publish_scheduled(now=schedule.due_at + timedelta(seconds=30))
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert client.get(url).status_code == 200


def test_a_bad_time_approves_nothing(client, smtp, editions, editor_client):
    chile, _euro = editions
    release, _status = submit_and_confirm(client, smtp, chile)
    response = admin_post(editor_client, release, decision="approve",
                          publish_at="2020-01-01 08:00")
    assert response.status_code == 200
    assert b"in the past" in response.content and b"Australia/Sydney" in response.content
    # Sydney's clocks go back on the first Sunday of April: 02:30 happens twice.
    year = timezone.now().year + 1
    sunday = next(datetime(year, 4, day) for day in range(1, 8)
                  if datetime(year, 4, day).weekday() == 6)
    response = admin_post(editor_client, release, decision="approve",
                          publish_at=f"{sunday:%Y-%m-%d} 02:30")
    assert b"happens twice in Australia/Sydney" in response.content
    response = admin_post(editor_client, release, decision="", publish_at=f"{year}-12-24 08:00")
    assert b"A publication time goes with approve" in response.content
    release.refresh_from_db()
    assert release.status == Release.Status.PENDING and release.article is None
    assert not Schedule.objects.exists()


def test_cli_approves_for_later(client, smtp, editions, capsys, commit):
    from wiredesk import cli

    chile, _euro = editions
    release, _status = submit_and_confirm(client, smtp, chile)
    year = timezone.now().year + 1
    with commit():
        assert cli.main(["releases", "approve", str(release.pk), "--publish-at",
                         f"{year}-12-24 08:00"]) == 0
    assert f"published at {year}-12-24 08:00 Australia/Sydney" in capsys.readouterr().out
    release.refresh_from_db()
    assert release.article.status == Article.Status.HELD
    assert Schedule.objects.get().due_at == datetime(year, 12, 23, 21, 0, tzinfo=UTC)
    other, _status = submit_and_confirm(client, smtp, chile, email="bo@other.example",
                                        headline="Harbour traders name a new chair")
    assert cli.main(["releases", "approve", str(other.pk), "--publish-at",
                     "2020-01-01 08:00"]) == 2
    assert "in the past" in capsys.readouterr().err
    other.refresh_from_db()
    assert other.status == Release.Status.PENDING

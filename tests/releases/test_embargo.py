"""A release with a requested time is published then, not before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.releases.conftest import CHILE_HOST, form_data
from wiredesk.releases import services
from wiredesk.releases.models import Release

# Each request commits its mail through `requests_commit`: no transactional database needed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]


def test_embargoed_release_appears_at_its_time(client, smtp, editions, monkeypatch, commit):
    chile, _euro = editions
    from zoneinfo import ZoneInfo

    at = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    local = at.astimezone(ZoneInfo(chile.time_zone)).strftime("%Y-%m-%dT%H:%M")
    client.post("/chile-sun/releases/submit", form_data(chile, requested_release_at=local))
    client.post(smtp.last("ana@rowing.example").link("verify"), HTTP_HOST=CHILE_HOST)
    with commit():  # the "published" mail
        release = services.release_approve(release=Release.objects.get(),
                                           actor=services.Actor(label="test"))
    article = release.article
    assert article.embargo_until == at and article.published_at == at
    assert "It is published from" in smtp.last("ana@rowing.example").body
    url = f"/chile-sun/news/{article.pk}/{article.slug}"
    assert client.get(url).status_code == 404
    assert "Rowing club opens" not in client.get("/chile-sun/").content.decode()

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=3, minutes=1))
    assert client.get(url).status_code == 200
    assert "Rowing club opens" in client.get("/chile-sun/").content.decode()


def test_digest_eligibility_is_per_edition(client, smtp, editions):
    from wiredesk.editions.selectors import edition_articles
    from wiredesk.releases.models import EditionReleasePolicy
    from wiredesk.releases.selectors import digest_articles, press_releases_in_digest

    chile, euro = editions
    client.post("/chile-sun/releases/submit", form_data(
        chile, editions=[str(chile.pk), str(euro.pk)], category="business"))
    client.post(smtp.last("ana@rowing.example").link("verify"), HTTP_HOST=CHILE_HOST)
    release = services.release_approve(release=Release.objects.get(),
                                       actor=services.Actor(label="test"))
    assert press_releases_in_digest(chile) is False
    assert release.article not in digest_articles(edition_articles(chile), chile)
    EditionReleasePolicy.objects.create(edition=chile, in_digest=True)
    assert press_releases_in_digest(chile) is True and press_releases_in_digest(euro) is False
    assert release.article in digest_articles(edition_articles(chile), chile)
    assert release.article not in digest_articles(edition_articles(euro), euro)


def test_rules_never_move_a_release_into_other_editions(client, smtp, editions):
    from wiredesk.editions.services import edition_replace_all, edition_save

    chile, euro = editions
    client.post("/euro-ledger/releases/submit", form_data(euro, category="business"))
    client.post(smtp.last("ana@rowing.example").link("verify"), HTTP_HOST=CHILE_HOST)
    release = services.release_approve(release=Release.objects.get(),
                                       actor=services.Actor(label="test"))
    # Chile Sun carries everything by its rules, but the submitter did not choose it
    edition_replace_all(edition=chile)
    edition_save(name="Everything", time_zone="UTC")
    assert list(release.article.placements.values_list("edition__slug", flat=True)) == \
        ["euro-ledger"]


def test_no_partial_release_is_ever_published(client, smtp, editions, monkeypatch):
    from wiredesk.editions import services as edition_services
    from wiredesk.newsroom.models import Article

    chile, _euro = editions
    client.post("/chile-sun/releases/submit", form_data(chile))
    client.post(smtp.last("ana@rowing.example").link("verify"), HTTP_HOST=CHILE_HOST)
    release = Release.objects.get()
    mails = len(smtp.messages)

    def broken(*args, **kwargs):
        raise RuntimeError("placement failed half-way")

    monkeypatch.setattr(edition_services, "place_in_editions", broken)
    with pytest.raises(RuntimeError):
        services.release_approve(release=release, actor=services.Actor(label="test"))
    release.refresh_from_db()
    assert release.status == Release.Status.PENDING and release.article is None
    assert not Article.objects.exists()
    assert not release.events.filter(action="approved").exists()
    assert len(smtp.messages) == mails  # no "published" mail for what was not published


def test_same_release_twice_is_refused_as_duplicate(client, smtp, editions):
    from wiredesk.newsroom.models import Article

    chile, _euro = editions
    for _ in range(2):
        client.post("/chile-sun/releases/submit", form_data(chile))
        client.post(smtp.last("ana@rowing.example").link("verify"), HTTP_HOST=CHILE_HOST)
    first, second = Release.objects.order_by("pk")
    services.release_approve(release=first, actor=services.Actor(label="test"))
    with pytest.raises(services.ReleaseError, match="already published"):
        services.release_approve(release=second, actor=services.Actor(label="test"))
    assert Article.objects.count() == 1
    second.refresh_from_db()
    assert second.status == Release.Status.PENDING

"""Curated fronts (issue 14, item 4): the desk's top story leads, featured stories open the
secondary row in their order, pinned ones head the latest list until they expire; a slot
whose article is no longer public is skipped and the automatic choice fills in; new copy
keeps flowing; every change is audited and bumps the edition's stamp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from wiredesk.core.audit import AuditEntry
from wiredesk.editions import curation
from wiredesk.editions.curation import CurationError, expiry_in_zone
from wiredesk.editions.models import Edition, FrontSlot
from wiredesk.editions.selectors import SECONDARY_COUNT, edition_front
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Section
from wiredesk.publishing.models import EditionStamp
from wiredesk.publishing.stamps import current_stamp

pytestmark = pytest.mark.django_db


def make_articles(count: int, *, start: int = 1, agency_code: str = "RFE") -> list[Article]:
    world = services.section_ensure(slug="world", name="World")
    sport = services.section_ensure(slug="sport", name="Sport")
    agency = services.agency_ensure(code=agency_code)
    now = datetime.now(UTC)
    return Article.objects.bulk_create(
        Article(agency=agency, identity=f"guid:{i}", fingerprint=f"{i:064d}",
                headline=f"Story {i}", slug=f"story-{i}", teaser=f"Teaser {i}",
                section=sport if i % 5 == 0 else world,
                published_at=now - timedelta(minutes=10 * i))
        for i in range(start, start + count))


@pytest.fixture
def editor():
    return User.objects.create_superuser("editor", password="pw")


@pytest.fixture
def edition():
    make_articles(30)
    return edition_save(name="Chile Sun", time_zone="Australia/Sydney")


def story(n: int) -> Article:
    return Article.objects.get(headline=f"Story {n}")


def headlines(articles) -> list[str]:
    return [a.headline for a in articles]


def generation(edition: Edition) -> int:
    return current_stamp(edition.pk).generation


def test_the_top_story_leads_and_featured_stories_open_the_row_in_order(edition, editor):
    front, rest = edition_front(edition)
    assert front.lead.headline == "Story 1"  # no pictures: the newest leads
    curation.front_feature(actor=editor, edition=edition, article=story(12), top=True)
    curation.front_feature(actor=editor, edition=edition, article=story(20))
    curation.front_feature(actor=editor, edition=edition, article=story(7))
    front, rest = edition_front(edition)
    assert front.lead.headline == "Story 12"
    assert headlines(front.secondary) == ["Story 20", "Story 7", "Story 1", "Story 2"]
    listed = headlines(rest)
    assert listed[:2] == ["Story 3", "Story 4"]
    assert not set(listed) & {"Story 12", "Story 20", "Story 7", "Story 1", "Story 2"}
    assert len(listed) == 30 - 1 - SECONDARY_COUNT


def test_a_new_top_story_replaces_the_old_and_one_article_has_one_slot(edition, editor):
    curation.front_feature(actor=editor, edition=edition, article=story(12), top=True)
    curation.front_feature(actor=editor, edition=edition, article=story(14), top=True)
    assert list(FrontSlot.objects.values_list("kind", "article__headline")) == [
        ("top", "Story 14")]
    # Featuring the top story moves it to the row: never two slots for one article.
    curation.front_feature(actor=editor, edition=edition, article=story(14))
    assert list(FrontSlot.objects.values_list("kind", "article__headline")) == [
        ("featured", "Story 14")]
    entry = AuditEntry.objects.filter(action="front.feature").order_by("-id")[1]
    assert entry.details["replaced"] == story(12).pk and entry.edition_slug == "chile-sun"


def test_the_database_allows_one_top_story_per_front(edition):
    FrontSlot.objects.create(edition=edition, kind="top", article=story(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        FrontSlot.objects.create(edition=edition, kind="top", article=story(2))
    with pytest.raises(IntegrityError), transaction.atomic():
        FrontSlot.objects.create(edition=edition, kind="pinned", article=story(1))
    world = Section.objects.get(slug="world")
    FrontSlot.objects.create(edition=edition, section=world, kind="top", article=story(2))
    with pytest.raises(IntegrityError), transaction.atomic():
        FrontSlot.objects.create(edition=edition, section=world, kind="top", article=story(3))


def test_the_featured_row_and_the_pins_are_bounded(edition, editor):
    for n in range(1, curation.MAX_FEATURED + 1):
        curation.front_feature(actor=editor, edition=edition, article=story(n + 10))
    with pytest.raises(CurationError, match="featured row holds"):
        curation.front_feature(actor=editor, edition=edition, article=story(2))
    for n in range(1, curation.MAX_PINNED + 1):
        curation.front_pin(actor=editor, edition=edition, article=story(n + 20))
    with pytest.raises(CurationError, match="unpin one first"):
        curation.front_pin(actor=editor, edition=edition, article=story(3))


def test_pinned_stories_head_the_latest_list_and_new_copy_keeps_flowing(edition, editor):
    curation.front_pin(actor=editor, edition=edition, article=story(25))
    curation.front_pin(actor=editor, edition=edition, article=story(1))  # the newest too
    front, rest = edition_front(edition)
    assert "Story 1" not in headlines([front.lead, *front.secondary])  # it stays pinned
    assert headlines(rest)[:3] == ["Story 25", "Story 1", "Story 7"]
    # Wire copy arriving after the curation flows in: the newest leads, the list moves on.
    make_articles(2, start=100)
    fresh = Article.objects.filter(headline__in=["Story 100", "Story 101"])
    fresh.update(published_at=datetime.now(UTC) + timedelta(minutes=1))
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")  # places them
    front, rest = edition_front(edition)
    shown = headlines([front.lead, *front.secondary])
    assert {"Story 100", "Story 101"} <= set(shown)
    assert headlines(rest)[:2] == ["Story 25", "Story 1"]


@pytest.mark.parametrize("withdraw", ["kill", "hold", "embargo", "unplace"])
def test_a_slot_whose_article_is_no_longer_public_falls_back(edition, editor, withdraw):
    curation.front_feature(actor=editor, edition=edition, article=story(12), top=True)
    curation.front_feature(actor=editor, edition=edition, article=story(14))
    curation.front_pin(actor=editor, edition=edition, article=story(16))
    before = generation(edition)
    for n in (12, 14, 16):
        article = story(n)
        if withdraw == "kill":
            services.article_kill(article=article, reason="legal")
        elif withdraw == "hold":
            services.article_hold(article=article, reason="check")
        elif withdraw == "embargo":
            article.embargo_until = datetime.now(UTC) + timedelta(hours=2)
            article.save()
        else:
            article.placements.all().delete()
    assert generation(edition) > before  # the withdrawal itself tells the page cache
    front, rest = edition_front(edition)
    assert front.lead.headline == "Story 1"
    assert headlines(front.secondary) == ["Story 2", "Story 3", "Story 4", "Story 5"]
    assert headlines(rest)[0] == "Story 6"
    assert FrontSlot.objects.count() == 3  # kept: a release brings the choice back
    if withdraw == "hold":
        services.article_release(article=story(12))
        assert edition_front(edition)[0].lead.headline == "Story 12"


def test_an_expired_pin_is_skipped_then_removed_by_the_job(edition, editor):
    slot = curation.front_pin(actor=editor, edition=edition, article=story(20),
                              expires=datetime.now(UTC) + timedelta(hours=1))
    assert headlines(edition_front(edition)[1])[0] == "Story 20"
    # The stamp knows when the front will change by itself (as for an embargo).
    assert EditionStamp.objects.get(edition=edition).next_embargo_at == slot.expires_at
    FrontSlot.objects.filter(pk=slot.pk).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert headlines(edition_front(edition)[1])[0] != "Story 20"
    before = EditionStamp.objects.get(edition=edition).generation
    assert curation.expire_front_slots() == 1
    assert not FrontSlot.objects.exists()
    assert EditionStamp.objects.get(edition=edition).generation > before
    entry = AuditEntry.objects.get(action="front.expire")
    assert entry.actor_label == "job:expire-front-slots" and entry.target_id == str(story(20).pk)
    assert curation.expire_front_slots() == 0


def test_the_expiry_job_is_scheduled():
    from wiredesk.core.taskqueue import PERIODIC, Idle, task_named

    job = next(p for p in PERIODIC if p.name == "expire-front-slots")
    assert job.every == 60.0
    assert isinstance(task_named(job.task).run(), Idle)


def test_expiry_is_read_in_the_editions_zone(edition):
    # Sydney: +11 in summer (December).
    assert expiry_in_zone(edition, "2099-12-01T18:30") == datetime(2099, 12, 1, 7, 30,
                                                                    tzinfo=UTC)
    assert expiry_in_zone(edition, "") is None
    with pytest.raises(CurationError, match="does not exist in Australia/Sydney"):
        expiry_in_zone(edition, "2099-10-04T02:30")  # clocks go from 02:00 to 03:00
    with pytest.raises(CurationError, match="happens twice"):
        expiry_in_zone(edition, "2099-04-05T02:30")  # clocks go from 03:00 back to 02:00
    with pytest.raises(CurationError, match="already past"):
        expiry_in_zone(edition, "2020-01-01T10:00")
    with pytest.raises(CurationError, match="not a date and time"):
        expiry_in_zone(edition, "tomorrow")


def test_a_bad_expiry_changes_nothing(edition, editor):
    with pytest.raises(CurationError):
        curation.front_pin(actor=editor, edition=edition, article=story(3),
                           expires="2020-01-01T10:00")
    assert not FrontSlot.objects.exists() and not AuditEntry.objects.exists()


def test_only_what_the_front_may_show_can_be_curated(edition, editor):
    other = edition_save(name="Sport Daily", sections=["sport"])
    with pytest.raises(CurationError, match="not public"):
        curation.front_feature(actor=editor, edition=other, article=story(1))  # world
    services.article_kill(article=story(2), reason="legal")
    with pytest.raises(CurationError, match="not public"):
        curation.front_pin(actor=editor, edition=edition, article=story(2))
    sport = Section.objects.get(slug="sport")
    with pytest.raises(CurationError, match="Sport"):
        curation.front_feature(actor=editor, edition=edition, section=sport,
                               article=story(1))
    assert not FrontSlot.objects.exists()


def test_section_fronts_are_curated_apart_from_the_home(edition, editor):
    world = Section.objects.get(slug="world")
    curation.front_feature(actor=editor, edition=edition, section=world,
                           article=story(13), top=True)
    curation.front_feature(actor=editor, edition=edition, article=story(22), top=True)
    assert edition_front(edition, section=world)[0].lead.headline == "Story 13"
    assert edition_front(edition)[0].lead.headline == "Story 22"
    sport = Section.objects.get(slug="sport")
    assert edition_front(edition, section=sport)[0].lead.headline == "Story 5"
    curation.front_clear(actor=editor, edition=edition, section=world)
    assert edition_front(edition, section=world)[0].lead.headline == "Story 1"
    assert edition_front(edition)[0].lead.headline == "Story 22"


def test_reorder_and_move_keep_each_kind_in_its_own_order(edition, editor):
    a = curation.front_feature(actor=editor, edition=edition, article=story(11))
    b = curation.front_feature(actor=editor, edition=edition, article=story(12))
    c = curation.front_feature(actor=editor, edition=edition, article=story(13))
    p = curation.front_pin(actor=editor, edition=edition, article=story(14))
    curation.front_reorder(actor=editor, edition=edition, slot_ids=[p.pk, c.pk, a.pk, b.pk])
    assert headlines(edition_front(edition)[0].secondary)[:3] == [
        "Story 13", "Story 11", "Story 12"]
    curation.front_move(actor=editor, slot=FrontSlot.objects.get(pk=b.pk), offset=-1)
    assert headlines(edition_front(edition)[0].secondary)[:3] == [
        "Story 13", "Story 12", "Story 11"]
    curation.front_move(actor=editor, slot=FrontSlot.objects.get(pk=c.pk), offset=-1)  # top
    assert headlines(edition_front(edition)[0].secondary)[0] == "Story 13"
    with pytest.raises(CurationError, match="named twice"):
        curation.front_reorder(actor=editor, edition=edition, slot_ids=[a.pk, a.pk])
    world = Section.objects.get(slug="world")
    with pytest.raises(CurationError, match="not on the"):
        curation.front_reorder(actor=editor, edition=edition, section=world,
                               slot_ids=[a.pk])


def test_every_change_is_audited_and_bumps_the_stamp(edition, editor):
    steps = [
        lambda: curation.front_feature(actor=editor, edition=edition, article=story(3),
                                       top=True),
        lambda: curation.front_feature(actor=editor, edition=edition, article=story(4)),
        lambda: curation.front_pin(actor=editor, edition=edition, article=story(5)),
        lambda: curation.front_reorder(actor=editor, edition=edition,
                                       slot_ids=list(FrontSlot.objects.values_list(
                                           "pk", flat=True))),
        lambda: curation.front_remove(actor=editor, slot=FrontSlot.objects.get(kind="pinned")),
        lambda: curation.front_clear(actor=editor, edition=edition),
    ]
    for step in steps:
        before = generation(edition)
        step()
        assert generation(edition) == before + 1
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "front.feature", "front.feature", "front.pin", "front.reorder", "front.remove",
        "front.clear"]
    assert all(e.actor == editor and e.edition_slug == "chile-sun"
               for e in AuditEntry.objects.all())


def test_a_kill_drops_the_top_story_from_the_served_page_at_once(client, edition, editor):
    curation.front_feature(actor=editor, edition=edition, article=story(12), top=True)
    page = client.get("/chile-sun/").content.decode()
    lead = page.split('class="teaser front-lead"')[1].split("</article>")[0]
    assert "Story 12" in lead
    services.article_kill(article=story(12), reason="legal")
    page = client.get("/chile-sun/").content.decode()  # the page cache was told
    assert "Story 12" not in page
    assert "Story 1<" in page.split('class="teaser front-lead"')[1].split("</article>")[0]


@pytest.mark.parametrize("slots", [0, 2, 8])
def test_the_fronts_queries_do_not_grow_with_the_slots(edition, editor, slots,
                                                       django_assert_num_queries):
    kinds = ["top", "featured", "featured", "featured", "pinned", "pinned", "pinned",
             "pinned"][:slots]
    for n, kind in enumerate(kinds, start=10):
        if kind == "pinned":
            curation.front_pin(actor=editor, edition=edition, article=story(n))
        else:
            curation.front_feature(actor=editor, edition=edition, article=story(n),
                                   top=kind == "top")
    # The slots, the newest stories, the page of the list; with slots, their articles.
    with django_assert_num_queries(3 + (1 if slots else 0)):
        front, rest = edition_front(edition)
        listed = list(rest[:20])
    assert len(front.ids) == 1 + SECONDARY_COUNT and len(listed) == 20


def test_a_pins_expiry_reaches_cached_pages_even_before_the_job_runs(edition, editor):
    """The stamp holds the soonest expiry as it holds the next embargo: the first request
    after it bumps the generation, so no cached front outlives its pin; then it holds the
    next one."""
    slot = curation.front_pin(actor=editor, edition=edition, article=story(20),
                              expires=datetime.now(UTC) + timedelta(hours=1))
    later = curation.front_pin(actor=editor, edition=edition, article=story(21),
                               expires=datetime.now(UTC) + timedelta(hours=2))
    before = generation(edition)
    assert generation(edition) == before  # nothing due: no bump
    past = datetime.now(UTC) - timedelta(seconds=1)
    FrontSlot.objects.filter(pk=slot.pk).update(expires_at=past)
    EditionStamp.objects.filter(edition=edition).update(next_embargo_at=past)  # time passed
    assert generation(edition) == before + 1
    assert EditionStamp.objects.get(edition=edition).next_embargo_at == later.expires_at

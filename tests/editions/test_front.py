"""Front pages (an edition's home, a section's): which story leads, which make the
secondary row, and the list of the rest, page by page, with no story shown twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wiredesk.editions.selectors import (
    LEAD_MAX_LAG,
    LEAD_POOL,
    SECONDARY_COUNT,
    SECONDARY_MAX_LAG,
    edition_front,
    pick_front,
)
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Section

NEWEST = datetime(2025, 7, 12, 9, 0, tzinfo=UTC)


def renditions(key: int) -> list[dict]:
    """A stored picture as an article carries it (newsroom.services.renditions)."""
    return [{"name": f"pictures/{key:02x}/{key:032x}-{width}w-{key:010x}.jpg", "width": width,
             "height": width * 2 // 3, "type": "image/jpeg", "bytes": 1000}
            for width in (320, 640, 1024)]


def story(pk: int, *, minutes_old: float, picture: bool = False) -> Article:
    """An unsaved article published ``minutes_old`` before the newest one."""
    return Article(pk=pk, headline=f"Story {pk}", published_at=NEWEST - timedelta(
        minutes=minutes_old), image_renditions=renditions(pk) if picture else [])


def newest_first(*stories: Article) -> list[Article]:
    return sorted(stories, key=lambda a: a.published_at, reverse=True)


def ids(articles) -> list[int]:
    return [a.pk for a in articles]


def test_the_newest_story_with_a_picture_leads():
    stories = newest_first(story(1, minutes_old=0), story(2, minutes_old=20),
                           story(3, minutes_old=40, picture=True),
                           story(4, minutes_old=60, picture=True), story(5, minutes_old=80))
    front = pick_front(stories)
    assert front.lead.pk == 3
    # The row: the other picture story first, then the newest text stories.
    assert ids(front.secondary) == [4, 1, 2, 5]


def test_a_picture_never_puts_stale_news_on_top():
    too_old = LEAD_MAX_LAG.total_seconds() / 60 + 1
    stories = newest_first(story(1, minutes_old=0), story(2, minutes_old=10),
                           story(3, minutes_old=too_old, picture=True))
    assert pick_front(stories).lead.pk == 1
    # Nor a picture further down than the lead pool, however recent.
    crowd = [story(i, minutes_old=i) for i in range(1, LEAD_POOL + 1)]
    late = story(99, minutes_old=LEAD_POOL + 1, picture=True)
    front = pick_front(newest_first(*crowd, late))
    assert front.lead.pk == 1
    assert 99 in ids(front.secondary)  # it still makes the secondary row


def test_ages_count_from_the_newest_story_not_the_clock():
    """A quiet edition whose news is days old still has a picture lead: the front changes
    only when its stories do (page cache, static publishing)."""
    stories = newest_first(story(1, minutes_old=0), story(2, minutes_old=60, picture=True))
    for article in stories:
        article.published_at -= timedelta(days=9)
    assert pick_front(stories).lead.pk == 2


def test_the_secondary_row_prefers_pictures_of_the_last_day_then_the_newest():
    day = SECONDARY_MAX_LAG.total_seconds() / 60
    stories = newest_first(
        story(1, minutes_old=0, picture=True), story(2, minutes_old=5),
        story(3, minutes_old=10), story(4, minutes_old=15), story(5, minutes_old=20),
        story(6, minutes_old=day - 30, picture=True), story(7, minutes_old=day - 20,
                                                            picture=True),
        story(8, minutes_old=day + 30, picture=True))  # older than a day: not preferred
    front = pick_front(stories)
    assert front.lead.pk == 1
    assert len(front.secondary) == SECONDARY_COUNT
    assert ids(front.secondary) == [6, 7, 2, 3]  # pictures first, each part newest first
    # Enough recent pictures fill the row alone.
    pictured = newest_first(*[story(i, minutes_old=i, picture=True) for i in range(1, 8)],
                            story(50, minutes_old=0.5))
    front = pick_front(pictured)
    assert front.lead.pk == 1 and ids(front.secondary) == [2, 3, 4, 5]


def test_no_story_is_chosen_twice_and_small_fronts_are_whole():
    assert pick_front([]).lead is None and pick_front([]).secondary == []
    one = pick_front([story(1, minutes_old=0)])
    assert one.lead.pk == 1 and one.secondary == [] and one.ids == [1]
    three = pick_front(newest_first(story(1, minutes_old=0, picture=True),
                                    story(2, minutes_old=1, picture=True),
                                    story(3, minutes_old=2)))
    assert three.ids == [1, 2, 3]
    for size in range(1, 25):
        stories = newest_first(*[story(i, minutes_old=i * 7, picture=i % 3 == 0)
                                 for i in range(1, size + 1)])
        front = pick_front(stories)
        assert len(set(front.ids)) == len(front.ids) == min(size, 1 + SECONDARY_COUNT)


# With the database: the edition's own articles, and the list of the rest.


@pytest.fixture
def edition(db):
    world = services.section_ensure(slug="world", name="World")
    sport = services.section_ensure(slug="sport", name="Sport")
    agency = services.agency_ensure(code="RFE")
    now = datetime.now(UTC)
    articles = Article.objects.bulk_create(
        Article(agency=agency, identity=f"guid:{i}", fingerprint=f"{i:064d}",
                headline=f"Story {i}", slug=f"story-{i}", teaser=f"Teaser {i}",
                section=sport if i % 5 == 0 else world, published_at=now - timedelta(
                    minutes=10 * i),
                image_url=f"https://img.example/{i}.jpg" if i in (2, 4, 6, 10, 30) else "",
                # Story 4's picture is not stored yet: it is shown without one meanwhile.
                image_renditions=renditions(i) if i in (2, 6, 10, 30) else [],
                image_alt=f"Picture {i}", image_credit=f"Wire Photos/Photographer {i}")
        for i in range(1, 46))
    assert len(articles) == 45
    return edition_save(name="Chile Sun", time_zone="Australia/Sydney")  # places them all


def test_edition_front_chooses_from_the_editions_public_articles(edition):
    front, rest = edition_front(edition)
    assert front.lead.headline == "Story 2"
    assert [a.headline for a in front.secondary] == [
        "Story 6", "Story 10", "Story 1", "Story 3"]
    assert not set(front.ids) & set(rest.values_list("pk", flat=True))
    assert rest.count() == 45 - 5
    # A held story is never on the front.
    services.article_hold(article=Article.objects.get(headline="Story 2"), reason="check")
    front, _rest = edition_front(edition)
    assert front.lead.headline == "Story 6"
    world = Section.objects.get(slug="world")
    front, rest = edition_front(edition, section=world)
    assert front.lead.headline == "Story 6"
    assert all(a.section_id == world.pk for a in [front.lead, *front.secondary, *rest])


def read_front(client, url: str) -> tuple[list[str], list[str], str]:
    """The front's own headlines (lead and row) and the list's, in page order."""
    import re

    html = client.get(url).content.decode()
    front = html.split('<div class="columns">')[0]
    listed = html.split('<div class="columns">')[1]
    headline = re.compile(r'class="teaser-title"><a href="[^"]+">([^<]+)</a>')
    return headline.findall(front), headline.findall(listed), html


def test_every_story_once_over_the_pages_and_only_the_first_has_a_front(client, edition,
                                                                        monkeypatch):
    from wiredesk.editions import views

    monkeypatch.setattr(views, "PAGE_SIZE", 15)
    seen = []
    for page in (1, 2, 3):
        front, listed, html = read_front(client, f"/chile-sun/?page={page}")
        assert (front != []) == (page == 1), page
        seen += front + listed
        assert (f"Page {page} of 3") in html
    assert sorted(seen) == sorted(f"Story {i}" for i in range(1, 46))
    assert len(seen) == len(set(seen)) == 45
    first, listed, _html = read_front(client, "/chile-sun/")
    assert first[0] == "Story 2" and listed[0] == "Story 4"


def test_section_fronts_by_path_and_by_query(client, edition):
    by_path, listed, _ = read_front(client, "/chile-sun/section/world/")
    by_query, listed_too, _ = read_front(client, "/chile-sun/?section=world")
    assert by_path == by_query and listed == listed_too
    assert by_path[0] == "Story 2" and "Story 5" not in by_path + listed
    sport, _, _ = read_front(client, "/chile-sun/section/sport/")
    assert sport[0] == "Story 10"  # the sport section's newest picture

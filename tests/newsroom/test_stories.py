"""Stories in the database (issue 17): unrelated items stay apart, and a story is named
after its representative article, chosen again as it grows, its old address redirecting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import rss, rss_item
from tests.story_texts import (
    COURT,
    FIRE_BRANSTEAD,
    FLOOD,
    MATCH,
    QUAKE_MIRENA,
    QUAKE_TARVEN,
    fire_report,
    html,
)
from wiredesk.editions.links import story_path
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, ArticleSignature, Story
from wiredesk.wire import similarity

pytestmark = pytest.mark.django_db

DEMO_FEEDS = Path(services.__file__).resolve().parents[2] / "demo" / "feeds"


def test_the_demo_ration_card_app_and_leather_scheme_are_two_stories():
    """Issue 17's "story 17": two ANI items from Uttar Pradesh's capital and New Delhi,
    one about a ration-card app and one about a leather export scheme, shared a story on
    the strength of their datelines' names."""
    services.ingest_source(str(DEMO_FEEDS / "ani.atom"),
                           agency=services.agency_ensure(code="ANI"))
    ration = Article.objects.get(headline__contains="ration card")
    leather = Article.objects.get(headline__contains="leather")
    assert ration.story_id != leather.story_id
    # Nothing else of the feed is about either.
    assert Article.objects.filter(story_id=ration.story_id).count() == 1
    assert Article.objects.filter(story_id=leather.story_id).count() == 1


def _report(tmp_path, agency, guid, headline, paragraphs, minute):
    path = tmp_path / f"{guid}.rss"
    path.write_bytes(rss(rss_item(guid, headline, html(paragraphs),
                                  date=f"Sat, 12 Jul 2025 08:{minute:02d}:00 GMT")))
    services.ingest_source(str(path), agency=agency)
    return Article.objects.get(guid=guid)


def test_a_story_is_named_after_the_member_nearest_its_centroid(client, tmp_path):
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    agency = services.agency_ensure(code="AGA")
    # The first report wanders off into the town's shopping; the reports that follow
    # keep to the fire itself.
    headline, body = fire_report(FIRE_BRANSTEAD, 0)
    odd = [*body.split("\n"),
           "Branstead shoppers now face a twelve mile drive to the nearest large supermarket.",
           "Bus companies said they would add a service to the Kestle retail park on Saturdays.",
           "Pensioners without cars told the council the town needed a temporary market."]
    first = _report(tmp_path, agency, "odd", "Branstead shoppers face long drive", odd, 0)
    story = Story.objects.get(pk=first.story_id)
    assert story.representative_id == first.pk and story.headline == first.headline
    old_path = "/chile-sun" + story_path(story)
    for n in range(1, 6):
        headline, body = fire_report(FIRE_BRANSTEAD, n)
        _report(tmp_path, agency, f"fire{n}", f"{headline} ({n})", body.split("\n"), n)
    story.refresh_from_db()
    members = list(ArticleSignature.objects.filter(article__story=story)
                   .order_by("published_at").values_list("article_id", "vector"))
    assert len(members) == 6
    nearest = members[similarity.representative([v for _, v in members], story.centroid)][0]
    assert story.representative_id == nearest != first.pk
    assert story.headline == Article.objects.get(pk=nearest).headline
    # The page is titled after the representative; the first headline's address redirects.
    response = client.get(old_path)
    assert response.status_code == 301
    assert response["Location"].endswith(story_path(story))
    page = client.get(response["Location"]).content.decode()
    title = re.search(r'<h1 class="page-title">(.*?)</h1>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", title).strip() == story.headline


def _fire_reports(tmp_path, agency, count: int) -> list[Article]:
    """``count`` reports of the Branstead fire, a minute apart."""
    articles = []
    for n in range(count):
        headline, body = fire_report(FIRE_BRANSTEAD, n)
        articles.append(_report(tmp_path, agency, f"fire{n}", f"{headline} ({n})",
                                body.split("\n"), n))
    return articles


def test_a_withdrawn_representative_hands_the_name_on(tmp_path):
    agency = services.agency_ensure(code="AGA")
    articles = _fire_reports(tmp_path, agency, 3)
    story = Story.objects.get(pk=articles[0].story_id)
    assert {a.story_id for a in articles} == {story.pk}
    representative = Article.objects.get(pk=story.representative_id)
    services.article_kill(article=representative, reason="withdrawn by the agency")
    story.refresh_from_db()
    assert story.representative_id != representative.pk
    assert story.headline == Article.objects.get(pk=story.representative_id).headline


def _fragment(story: Story, articles: list[Article]) -> Story:
    """Move ``articles`` out of ``story`` into a story of their own, as single-pass
    clustering leaves the first reports of an event that missed each other."""
    from wiredesk.newsroom.intelligence.stories import rebuild_story

    fragment = Story.objects.create(headline=articles[0].headline,
                                    first_published_at=articles[0].published_at,
                                    last_published_at=articles[-1].published_at)
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(story=fragment)
    rebuild_story(fragment)
    rebuild_story(story)
    return fragment


def _story_and_fragment(tmp_path, agency) -> tuple[list[Article], Story, Story]:
    """Four reports of one fire in one story, the last two then moved to a fragment."""
    articles = _fire_reports(tmp_path, agency, 4)
    story = Story.objects.get(pk=articles[0].story_id)
    return articles, story, _fragment(story, articles[2:])


def test_a_fragment_of_a_story_is_merged_into_it_as_it_grows(tmp_path, client):
    edition_save(name="Chile Sun")
    agency = services.agency_ensure(code="AGA")
    _articles, story, fragment = _story_and_fragment(tmp_path, agency)
    assert Article.objects.filter(story=story).count() == 2
    headline, body = fire_report(FIRE_BRANSTEAD, 4)
    last = _report(tmp_path, agency, "fire4", f"{headline} (4)", body.split("\n"), 4)
    # The older story stays, rebuilt from all its members; the fragment is gone.
    assert last.story_id == story.pk
    assert set(Article.objects.values_list("story", flat=True)) == {story.pk}
    assert not Story.objects.filter(pk=fragment.pk).exists()
    story.refresh_from_db()
    assert story.size == 5 and "branstead" in story.anchors
    # The fragment's address, which readers may hold, leads to the story that took it in.
    response = client.get("/chile-sun" + story_path(fragment))
    assert response.status_code == 301
    assert response["Location"] == "/chile-sun" + story_path(story)
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/chile-sun/story/999999/nothing").status_code == 404


def test_a_fragment_holding_what_an_editor_placed_stays(tmp_path):
    agency = services.agency_ensure(code="AGA")
    articles, _story, fragment = _story_and_fragment(tmp_path, agency)
    Article.objects.filter(pk__in=[articles[0].pk, articles[2].pk]).update(intel_locked=True)
    headline, body = fire_report(FIRE_BRANSTEAD, 4)
    _report(tmp_path, agency, "fire4", f"{headline} (4)", body.split("\n"), 4)
    assert Story.objects.filter(pk=fragment.pk).exists()
    assert Article.objects.get(pk=articles[2].pk).story_id == fragment.pk


_PATCH_WORDS = {"patch": 0.5, "emergency": 0.5, "flaw": 0.4, "hackers": 0.4}
_PATCH_NAMES = ["microsoft", "internet", "explorer", "windows", "browser", "redmond", "msrc",
                "xp"]


def _as_patch_reports(articles: list[Article]) -> list[list[str]]:
    """Make the articles' stored signatures those of two emergency patches five years
    apart, told in the same words: the same pool of names, the first half's year 2008,
    the second half's 2013. Returns each article's names."""
    half = len(articles) // 2
    names = []
    for n, article in enumerate(articles):
        year = "2008" if n < half else "2013"
        names.append(sorted({_PATCH_NAMES[(3 * n + k) % len(_PATCH_NAMES)] for k in range(5)}
                            | {year}))
        ArticleSignature.objects.filter(article=article).update(vector=dict(_PATCH_WORDS),
                                                                anchors=names[-1])
    return names


@pytest.mark.parametrize("year_weight", [1.0, similarity.YEAR_WEIGHT])
def test_a_story_blending_two_years_is_split_on_them_in_the_database(tmp_path, monkeypatch,
                                                                       year_weight):
    from wiredesk.newsroom.intelligence import stories

    monkeypatch.setattr(stories, "STORY_PARAMS",
                        similarity.StoryParams(year_weight=year_weight))
    from wiredesk.newsroom.intelligence.stories import rebuild_story

    agency = services.agency_ensure(code="AGA")
    # Ten articles none of which is a copy of another (halves of five texts), put in one
    # story and given the two patches' signatures.
    articles = []
    for text in (FLOOD, COURT, MATCH, QUAKE_TARVEN, QUAKE_MIRENA):
        for half in (text[:3], text[3:]):
            n = len(articles)
            articles.append(_report(tmp_path, agency, f"item{n}", half[0][:60], half, n))
    assert not any(a.duplicate_of_id for a in articles)
    story = Story.objects.get(pk=articles[0].story_id)
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(story=story)
    Story.objects.exclude(pk=story.pk).delete()
    names = _as_patch_reports(articles)
    rebuild_story(story)
    landed = stories.split_if_blended(story, articles[-1], dict(_PATCH_WORDS),
                                      frozenset(names[-1]))
    found = {year: set(Article.objects.filter(pk__in=[a.pk for a in part])
                       .values_list("story", flat=True))
             for year, part in (("2008", articles[:5]), ("2013", articles[5:]))}
    if year_weight == 1.0:
        # A year weighing as any name: the halves share too much to be cut.
        assert landed.pk == story.pk and found == {"2008": {story.pk}, "2013": {story.pk}}
        return
    assert found["2008"] == {story.pk} and found["2013"] == {landed.pk} != {story.pk}
    assert Story.objects.get(pk=landed.pk).size == 5

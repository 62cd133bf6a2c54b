"""SEE ALSO through the product's path: ingest ranks each story against the others and
tells the stories it picked; the page shows a relevant story or nothing (issue 17)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from tests.conftest import rss, rss_item
from tests.story_texts import COURT, FLOOD, MATCH, QUAKE_MIRENA, QUAKE_TARVEN, html
from wiredesk import demo
from wiredesk.editions import selectors
from wiredesk.editions.models import Edition
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, RelatedStory
from wiredesk.wire import similarity


@pytest.fixture
def newsroom(tmp_path):
    services.section_ensure(slug="world", name="World")
    services.section_ensure(slug="sport", name="Sport")
    edition = edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    agency = services.agency_ensure(code="RFE")
    items = [("tarven", "Earthquake kills 14 in Tarven", QUAKE_TARVEN, "World", "06"),
             ("flood", "Floods in Valdoria", FLOOD, "World", "07"),
             ("court", "Former minister jailed for bribes", COURT, "World", "08"),
             ("match", "Harbour City go top", MATCH, "Sport", "09"),
             ("mirena", "Earthquake kills nine in Mirena", QUAKE_MIRENA, "World", "10")]
    for guid, headline, text, category, hour in items:
        # One document per item: each is stored (and its SEE ALSO ranked) as it arrives.
        path = tmp_path / f"{guid}.rss"
        path.write_bytes(rss(rss_item(guid, headline, html(text), category=category,
                                      date=f"Fri, 11 Jul 2025 {hour}:00:00 GMT")))
        services.ingest_source(str(path), agency=agency)
    return edition


def article(headline_start: str) -> Article:
    return Article.objects.get(headline__startswith=headline_start)


@pytest.mark.django_db
def test_the_other_earthquake_is_the_see_also_both_ways(newsroom):
    tarven, mirena = article("Earthquake kills 14"), article("Earthquake kills nine")
    assert tarven.story_id != mirena.story_id
    assert [a.pk for a in selectors.see_also(mirena, newsroom)] == [tarven.pk]
    # Tarven came first; it learnt of Mirena when Mirena's story picked it.
    assert [a.pk for a in selectors.see_also(tarven, newsroom)] == [mirena.pk]


@pytest.mark.django_db
def test_no_box_rather_than_an_unrelated_story(newsroom):
    # The release filled empty boxes with the newest articles of the section.
    for headline in ("Floods in Valdoria", "Former minister", "Harbour City"):
        assert selectors.see_also(article(headline), newsroom, limit=5) == []


@pytest.mark.django_db
def test_a_story_keeps_one_ranking_however_often_it_grows(newsroom, tmp_path):
    tarven = article("Earthquake kills 14")
    agency = tarven.agency
    for i in range(3):
        path = tmp_path / f"update{i}.rss"
        text = [f"Update {i}: " + p for p in QUAKE_TARVEN]
        path.write_bytes(rss(rss_item(f"tarven-{i}", f"Tarven earthquake update {i}",
                                      html(text), category="World",
                                      date=f"Fri, 11 Jul 2025 1{i + 1}:00:00 GMT")))
        services.ingest_source(str(path), agency=agency)
    rows = RelatedStory.objects.filter(article__story_id=tarven.story_id)
    assert rows.count() <= similarity.RELATED_LIMIT
    assert len(set(rows.values_list("article_id", flat=True))) <= 1


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo.build(progress=lambda line: None)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_shows_no_unrelated_see_also(demo_site):
    """The case of issue 17: the EU report on sanctions evasion was shown the desalination
    event and the U.S. heat wave; the desalination story was the SEE ALSO of five others."""
    shown: Counter[str] = Counter()
    boxes = {}
    for edition in Edition.objects.all():
        for item in selectors.edition_articles(edition):
            picks = [a.headline for a in selectors.see_also(item, edition)]
            boxes[item.headline] = picks
            shown.update(picks)
    eu = next(h for h in boxes if h.startswith("EU report says Russia"))
    assert not any("desalination" in h or "heat wave" in h for h in boxes[eu])
    assert not any("desalination" in h for picks in boxes.values() for h in picks)
    # A relevant pair is still linked, both ways.
    heat = next(h for h in boxes if h.startswith("U.S. heat wave"))
    warning = next(h for h in boxes if h.startswith("WHO experts urge"))
    assert boxes[heat] == [warning] and boxes[warning] == [heat]
    # No story is everybody's SEE ALSO (each edition shows a story at most once per article).
    assert max(shown.values()) <= 2 * Edition.objects.count()


@pytest.mark.django_db
def test_pick_counts_are_asked_only_for_the_stories_the_ranking_scores(newsroom, monkeypatch):
    """SEE ALSO's diversity rule needs how many stories show a candidate already, but only
    for the candidates ``rank_related`` scores: the look-up finds ~30 stories a ranking,
    most under its floor, and counting theirs was a third of the database's work in the
    stage. A story whose candidates all fall under the floor asks nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wiredesk.newsroom.intelligence import enrich, tables

    asked: list[list[int]] = []
    real = tables.related_picks

    def counted(story_ids, *, own_story):
        asked.append(list(story_ids))
        return real(story_ids, own_story=own_story)

    tarven, mirena = article("Earthquake kills 14"), article("Earthquake kills nine")
    flood = article("Floods in Valdoria")
    monkeypatch.setattr(tables, "related_picks", counted)
    with CaptureQueriesContext(connection) as captured:
        ranked, compared = enrich._rank_related(flood.story, flood.pk,
                                                when=flood.published_at)
    assert ranked == [] and len(compared) >= 1  # stories found, none scored
    assert asked == []
    assert not any("count(DISTINCT" in q["sql"] for q in captured.captured_queries)
    ranked, compared = enrich._rank_related(mirena.story, mirena.pk,
                                            when=mirena.published_at)
    assert [c.story_id for c in ranked] == [tarven.story_id]
    assert asked == [[tarven.story_id]]  # the other found stories were never counted
    assert len(compared) > 1
    # The pick counts the ranking used are the table's: Tarven's story shows Mirena's
    # (another story, so it counts), and Mirena's own rows do not count for itself.
    assert ranked[0].picks == real([tarven.story_id], own_story=mirena.story_id).get(
        tarven.story_id, 0)

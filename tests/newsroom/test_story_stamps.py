"""Story rows carry a change stamp the database sets on every write (newsroom migration
0025), and the stage reads again in full only the rows whose stamp changed
(``story_reads._rows_by_stamp``), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from wiredesk.newsroom.intelligence import story_reads
from wiredesk.newsroom.models import Story, StoryTerm

T0 = datetime(2025, 7, 11, 6, 0, tzinfo=UTC)
TERMS = ["quake", "tarven"]


def _stamp(story_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT change_stamp FROM newsroom_story WHERE id = %s", [story_id])
        return cursor.fetchone()[0]


def _story(n: int) -> Story:
    at = T0 + timedelta(hours=n)
    story = Story.objects.create(headline=f"Story {n}", first_published_at=at,
                                 last_published_at=at, size=1,
                                 centroid={"quake": 1.0 + n, f"t{n}": 0.5},
                                 anchors={"Tarven": 1})
    for term in TERMS:
        StoryTerm.objects.create(term=term, story=story, last_published_at=at)
    return story


def _found(**kwargs):
    return story_reads.story_rows_by_terms(TERMS, since=T0, limit=20, **kwargs)


def _full_reads(captured) -> int:
    return sum(1 for q in captured.captured_queries if "centroid" in q["sql"])


@pytest.mark.django_db
def test_every_write_of_a_story_row_gives_it_a_new_stamp():
    story = _story(1)
    stamps = [_stamp(story.pk)]
    assert stamps[0] != 0  # stamped on INSERT too
    story.size = 2
    story.save()
    stamps.append(_stamp(story.pk))
    Story.objects.filter(pk=story.pk).update(headline="Moved")
    stamps.append(_stamp(story.pk))
    Story.objects.filter(pk=story.pk).update(headline="Moved")  # the same values again
    stamps.append(_stamp(story.pk))
    with connection.cursor() as cursor:  # an operator's own SQL
        cursor.execute("UPDATE newsroom_story SET size = 7 WHERE id = %s", [story.pk])
    stamps.append(_stamp(story.pk))
    written = stamps[1:]
    assert 0 not in written and len(set(written)) == 4 and stamps[0] not in written


@pytest.mark.django_db
def test_the_stamp_is_set_by_triggers_that_every_migration_keeps():
    """A later migration that rebuilt the table on SQLite would drop the trigger: this test
    then fails, before a stage trusts stamps nobody sets."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                           " AND tbl_name = 'newsroom_story'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                           " AND tgrelid = 'newsroom_story'::regclass")
        names = sorted(row[0] for row in cursor.fetchall())
    assert names == (["newsroom_story_change_stamp", "newsroom_story_change_stamp_new"]
                     if connection.vendor == "sqlite" else ["newsroom_story_change_stamp"])


@pytest.mark.django_db
def test_rows_found_again_unchanged_are_not_read_again():
    stories = [_story(n) for n in range(3)]
    first = _found()
    with CaptureQueriesContext(connection) as captured:
        again = _found()
    assert [a is b for a, b in zip(first, again, strict=True)] == [True, True, True]
    assert _full_reads(captured) == 0 and len(captured.captured_queries) == 1
    # One story changed: that row alone is read again, the others are kept.
    Story.objects.filter(pk=stories[1].pk).update(centroid={"quake": 9.0, "t1": 0.5})
    with CaptureQueriesContext(connection) as captured:
        changed = {row.pk: row for row in _found()}
    assert _full_reads(captured) == 1
    assert changed[stories[1].pk].centroid == {"quake": 9.0, "t1": 0.5}
    assert changed[stories[0].pk] is first[[r.pk for r in first].index(stories[0].pk)]
    rows = story_reads.story_rows_by_terms(TERMS, since=T0, exclude=stories[2].pk, limit=20)
    assert {row.pk: row for row in rows} == {pk: row for pk, row in changed.items()
                                             if pk != stories[2].pk}


@pytest.mark.django_db
def test_an_unstamped_row_is_always_read_in_full():
    story = _story(1)
    with connection.cursor() as cursor:  # as a row stored before migration 0025 is
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # no trigger fires
        # SQLite's trigger leaves a stamp the statement itself changes.
        cursor.execute("UPDATE newsroom_story SET change_stamp = 0 WHERE id = %s", [story.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    assert _stamp(story.pk) == 0
    _found()
    with CaptureQueriesContext(connection) as captured:
        _found()
    assert _full_reads(captured) == 1


@pytest.mark.django_db
def test_a_row_read_in_a_rolled_back_write_is_not_taken_for_a_later_one():
    """A stamp counted up per row would come back after a rollback: the row read inside the
    undone write and the row written later with other values would share it."""
    story = _story(1)
    Story.objects.filter(pk=story.pk).update(size=2)
    _found()
    with pytest.raises(RuntimeError), transaction.atomic():
        Story.objects.filter(pk=story.pk).update(centroid={"quake": 5.0})
        assert _found()[0].centroid == {"quake": 5.0}  # kept with the undone write's stamp
        raise RuntimeError("the item's turn failed")
    Story.objects.filter(pk=story.pk).update(centroid={"quake": 7.0})
    assert _found()[0].centroid == {"quake": 7.0}


@pytest.mark.django_db
def test_rows_kept_are_returned_even_when_reading_the_others_pushes_them_out(monkeypatch):
    monkeypatch.setattr(story_reads, "_DECODED_KEPT", 2)
    monkeypatch.setattr(story_reads, "_read_rows", type(story_reads._read_rows)())
    stories = [_story(n) for n in range(5)]
    for story in stories:
        Story.objects.filter(pk=story.pk).update(size=2)
    found = _found()
    assert len(found) == 5
    Story.objects.filter(pk__in=[s.pk for s in stories[:3]]).update(size=3)
    again = _found()  # two kept rows found, three read: the memory holds two
    assert [row.pk for row in again] == [row.pk for row in found]
    assert {row.size for row in again} == {2, 3}


@pytest.mark.django_db
def test_a_story_deleted_after_it_was_found_is_left_out():
    stories = [_story(n) for n in range(2)]
    found = [(s.pk, _stamp(s.pk)) for s in stories]
    stories[0].delete()
    assert [row.pk for row in story_reads._rows_by_stamp(found)] == [stories[1].pk]

"""Story intelligence as its own stage (``WIREDESK_INTELLIGENCE=deferred``, issue 16 item 1):
storing records each article as due, the stage enriches them in the order they were
stored, one writer at a time, and its decisions are those of the inline step."""

from __future__ import annotations

import html
import random
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from django.db import transaction

from tests.conftest import SHARED_DATA, rss, rss_item
from wiredesk.core.locks import single_flight
from wiredesk.editions.models import Placement
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import (
    Article,
    ArticleTag,
    EnrichmentDue,
    RelatedStory,
    Section,
)
from wiredesk.newsroom.services import enrichment

pytestmark = pytest.mark.django_db

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _story_texts(n: int) -> list[tuple[str, str]]:
    """Distinct copy: a fire in three reports (one story) and unrelated items."""
    fire = ("A fire at the Hartwell grain terminal burned through the night, and the "
            "port authority said two workers were taken to hospital with burns.")
    texts = [(f"Fire at Hartwell grain terminal, report {i}",
              f"<p>{fire} Report {i} adds what firefighters told reporters.</p>"
              "<p>The terminal handles most of the region's wheat exports, and traders "
              "said shipments would be delayed for days while the damage is assessed.</p>")
             for i in range(3)]
    texts += [(f"Unrelated item {i}", "") for i in range(n - 3)]
    return texts


def _decisions() -> dict[str, tuple]:
    """Each article's story (as the set of its members), canonical copy, section and tags,
    and its story's SEE ALSO (the picked stories, as sets of their members, best first)."""
    members: dict[int, frozenset[str]] = {}
    for story_id, identity in Article.objects.values_list("story_id", "identity"):
        members[story_id] = members.get(story_id, frozenset()) | {identity}
    identities = dict(Article.objects.values_list("pk", "identity"))
    tags = {}
    for article_id, key in ArticleTag.objects.order_by("position").values_list(
            "article_id", "tag__key"):
        tags.setdefault(article_id, []).append(key)
    related = {}
    for story_id, picked in (RelatedStory.objects.order_by("-score", "story_id")
                             .values_list("article__story_id", "story_id")):
        related.setdefault(story_id, []).append(members.get(picked))
    out = {}
    for a in Article.objects.select_related("section"):
        out[a.identity] = (members[a.story_id] if a.story_id else None,
                           identities.get(a.duplicate_of_id),
                           a.section.slug if a.section else "",
                           tuple(tags.get(a.pk, ())),
                           tuple(related.get(a.story_id, ())))
    return out


class _Rollback(Exception):
    pass


def _both_ways(settings, ingest) -> tuple[dict, dict, enrichment.EnrichRun]:
    """``ingest()`` inline (rolled back after its decisions are read), then deferred with
    every article enriched after all were stored: the two sets of decisions."""
    settings.WIREDESK_INTELLIGENCE = "inline"
    try:
        with transaction.atomic():
            ingest()
            inline = _decisions()
            raise _Rollback
    except _Rollback:
        pass
    settings.WIREDESK_INTELLIGENCE = "deferred"
    ingest()
    stored = Article.objects.count()
    assert EnrichmentDue.objects.count() == stored
    assert not Article.objects.exclude(story=None).exists()  # nothing decided yet
    run = enrichment.enrich_due()
    assert run.enriched == stored and not EnrichmentDue.objects.exists()
    return inline, _decisions(), run


def test_storing_records_the_article_as_due_and_shows_it_before_the_stage(settings, client):
    settings.WIREDESK_INTELLIGENCE = "deferred"
    settings.WIREDESK_PAGE_CACHE = False
    edition = edition_save(name="Chile Sun")
    agency = services.agency_ensure(code="RFE")
    report = services.ingest_bytes(rss("".join(
        rss_item(f"g{i}", headline, body) for i, (headline, body) in
        enumerate(_story_texts(5)))), agency=agency, source="test")
    assert report.created == 5
    assert EnrichmentDue.objects.count() == 5 and enrichment.backlog() == 5
    first = Article.objects.get(guid="g0")
    assert first.story_id is None  # stored, placed and public; its story comes later
    assert Placement.objects.filter(article=first, edition=edition).exists()
    assert "Fire at Hartwell grain terminal, report 0" in client.get(
        f"/{edition.slug}/").content.decode()

    from wiredesk.ops import prometheus

    assert "wiredesk_intelligence_backlog 5" in prometheus.render()
    run = enrichment.enrich_due()
    assert "wiredesk_intelligence_backlog 0" in prometheus.render()
    assert run.enriched == 5 and len(run.lags) == 5 and all(lag >= 0 for lag in run.lags)
    assert enrichment.backlog() == 0
    fire = Article.objects.filter(headline__startswith="Fire at Hartwell")
    assert fire.values("story").distinct().count() == 1
    assert fire.first().story_id is not None
    assert enrichment.enrich_due().enriched == 0


def test_an_update_before_the_stage_keeps_its_place_and_its_first_arrival(settings):
    settings.WIREDESK_INTELLIGENCE = "deferred"
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss(rss_item("a", "First item")), agency=agency, source="t")
    services.ingest_bytes(rss(rss_item("b", "Second item")), agency=agency, source="t")
    due_before = list(EnrichmentDue.objects.order_by("id").values_list(
        "article__guid", "first", "stored_at"))
    services.ingest_bytes(rss(rss_item("a", "First item, updated")), agency=agency,
                          source="t")
    assert list(EnrichmentDue.objects.order_by("id").values_list(
        "article__guid", "first", "stored_at")) == due_before
    assert enrichment.enrich_due().enriched == 2
    assert Article.objects.get(guid="a").headline == "First item, updated"


def test_an_article_killed_before_its_turn_is_no_story_member_after_it(settings):
    settings.WIREDESK_INTELLIGENCE = "deferred"
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss("".join(
        rss_item(f"g{i}", headline, body) for i, (headline, body) in
        enumerate(_story_texts(3)))), agency=agency, source="test")
    services.article_kill(article=Article.objects.get(guid="g2"), reason="legal")
    services.article_kill(article=Article.objects.get(guid="g0"), reason="legal")
    enrichment.enrich_due()
    alive = Article.objects.get(guid="g1")
    assert alive.story.size == 1 and alive.story.representative_id == alive.pk
    from wiredesk.newsroom.models import Story

    assert Story.objects.count() == 1


def test_one_writer_at_a_time(settings):
    settings.WIREDESK_INTELLIGENCE = "deferred"
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss(rss_item("a", "An item")), agency=agency, source="t")
    with single_flight(enrichment.LOCK) as held:
        assert held
        run = enrichment.enrich_due()
    assert run.busy and run.enriched == 0 and enrichment.backlog() == 1
    assert enrichment.enrich_due().enriched == 1


def test_a_failing_step_keeps_the_article_and_moves_on(settings, monkeypatch, caplog):
    settings.WIREDESK_INTELLIGENCE = "deferred"
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss(rss_item("a", "One item") + rss_item("b", "Another item")),
                          agency=agency, source="t")
    from wiredesk.newsroom import intelligence

    real = intelligence.enrich_article

    def fails_for_a(article, *, created):
        if article.guid == "a":
            raise RuntimeError("boom")
        return real(article, created=created)

    monkeypatch.setattr(intelligence, "enrich_article", fails_for_a)
    assert enrichment.enrich_due().enriched == 2
    assert "story intelligence failed for article" in caplog.text
    assert Article.objects.get(guid="a").story_id is None  # stored, as it was
    assert Article.objects.get(guid="b").story_id is not None


def test_a_failing_turn_loses_only_its_own_article(settings):
    """A batch is one transaction, each article a savepoint in it: a turn that fails after
    the step (here a receiver of ``article_enriched``) is undone alone, the articles
    before it stay enriched, and the failure is raised; the failed one and those after
    it stay due for the next run."""
    settings.WIREDESK_INTELLIGENCE = "deferred"
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss("".join(rss_item(g, f"Item {g} about a thing")
                                      for g in ("a", "b", "c"))), agency=agency, source="t")
    from wiredesk.newsroom.signals import article_enriched

    def fails_for_b(sender, article, **kwargs):
        if article.guid == "b":
            raise RuntimeError("receiver failed")

    from wiredesk.publishing.models import Change

    def changes_of_b():
        return sorted(Change.objects.filter(article_id=Article.objects.get(guid="b").pk)
                      .values_list("id", "edition_id", "version"))

    stored = changes_of_b()
    article_enriched.connect(fails_for_b, dispatch_uid="test-fails-for-b")
    try:
        with pytest.raises(RuntimeError, match="receiver failed"):
            enrichment.enrich_due()
    finally:
        article_enriched.disconnect(dispatch_uid="test-fails-for-b")
    # Nothing of the undone turn is written as the batch ends: b's change log is as stored.
    assert changes_of_b() == stored
    assert Article.objects.get(guid="a").story_id is not None
    assert Article.objects.get(guid="b").story_id is None
    assert sorted(EnrichmentDue.objects.values_list("article__guid", flat=True)) == ["b", "c"]
    assert enrichment.enrich_due().enriched == 2
    assert not Article.objects.filter(story=None).exists()


def test_a_failed_step_leaves_no_counts_for_the_batch_to_write(settings, monkeypatch):
    """The step failing for an article (logged, the article kept as stored) takes back what
    it counted for the batch's end: the term and line counts are those of the others."""
    from wiredesk.newsroom.intelligence import enrich
    from wiredesk.newsroom.models import SourceLine, TermFrequency

    settings.WIREDESK_INTELLIGENCE = "deferred"
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss("".join(rss_item(g, f"Item {g} about a thing", body)
                                      for g, (_h, body) in zip("abc", _story_texts(3),
                                                               strict=True))),
                          agency=agency, source="t")
    tag = enrich._store_tags

    def fails_for_b(article, text, *, created):  # after the counts were taken
        if article.guid == "b":
            raise RuntimeError("step failed")
        tag(article, text, created=created)

    monkeypatch.setattr(enrich, "_store_tags", fails_for_b)
    assert enrichment.enrich_due().enriched == 3
    assert Article.objects.get(guid="b").story_id is None  # stored, not enriched
    assert TermFrequency.objects.get(term="").documents == 2
    # Each enriched article counts each of its short lines once: a's and c's, not b's.
    from wiredesk.newsroom.intelligence import article_text
    from wiredesk.wire import similarity

    def short_lines(guid):
        article = Article.objects.get(guid=guid)
        return set(similarity.content_lines(article.headline, article_text(article))[1])

    assert short_lines("b")
    assert sum(SourceLine.objects.values_list("items", flat=True)) == (
        len(short_lines("a")) + len(short_lines("c")))


def test_the_stage_invalidates_the_pages_of_the_editions_carrying_its_articles(settings):
    """Edition stamps are bumped once per batch (not once per article), before it commits:
    the editions carrying an enriched article get a new generation."""
    from wiredesk.publishing.models import EditionStamp

    settings.WIREDESK_INTELLIGENCE = "deferred"
    services.section_ensure(slug="business", name="Business")
    edition = edition_save(name="Chile Sun")
    other = edition_save(name="Euro Ledger", sections=["business"])
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss("".join(
        rss_item(f"g{i}", headline, body) for i, (headline, body) in
        enumerate(_story_texts(4)))), agency=agency, source="test")
    assert Placement.objects.filter(edition=edition).count() == 4
    assert not Placement.objects.filter(edition=other).exists()

    def generation(e):
        return EditionStamp.objects.filter(edition=e).values_list(
            "generation", flat=True).first() or 0

    before, other_before = generation(edition), generation(other)
    assert enrichment.enrich_due().enriched == 4
    assert generation(edition) == before + 1  # once for the batch
    assert generation(other) == other_before


def test_the_change_stream_is_as_if_each_article_wrote_its_own(settings, monkeypatch):
    """The batch writes the change log once as it ends: the same rows, in the same order,
    as each article's save and placements writing theirs at once (a predicted section
    placing an article in one more edition included)."""
    import contextlib

    from wiredesk.newsroom import runs
    from wiredesk.newsroom.intelligence import enrich
    from wiredesk.publishing.models import Change

    settings.WIREDESK_INTELLIGENCE = "deferred"
    sport = services.section_ensure(slug="sport", name="Sport")
    edition_save(name="Chile Sun")
    edition_save(name="Sport Daily").sections.add(sport)
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss("".join(
        rss_item(f"g{i}", headline, body, category="") for i, (headline, body) in
        enumerate(_story_texts(4)))), agency=agency, source="test")

    def predict(article):
        if article.guid in ("g1", "g3"):
            article.section = sport

    monkeypatch.setattr(enrich, "predict_section", predict)

    def log():
        return list(Change.objects.order_by("id").values_list(
            "article_id", "edition_id", "version"))

    stored = log()
    try:
        with transaction.atomic():
            with monkeypatch.context() as m:
                m.setattr(enrichment, "batch", contextlib.nullcontext)
                m.setattr(runs, "_batch", runs.ContextVar("off", default=None))
                enrichment.enrich_due()
            one_by_one = log()
            raise _Rollback
    except _Rollback:
        pass
    assert log() == stored
    enrichment.enrich_due()
    assert log() == one_by_one != stored


def test_a_predicted_section_places_the_article_by_it(settings, monkeypatch):
    """Placed at storing by what it had (no section), placed again when the stage gives
    it one: an edition carrying only Sport gets it then."""
    settings.WIREDESK_INTELLIGENCE = "deferred"
    sport = services.section_ensure(slug="sport", name="Sport")
    edition = edition_save(name="Sport Daily")
    edition.sections.add(sport)
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss(rss_item("a", "A match report", category="")),
                          agency=agency, source="t")
    article = Article.objects.get(guid="a")
    assert article.section_id is None
    assert not Placement.objects.filter(article=article).exists()

    from wiredesk.newsroom.intelligence import enrich

    def predict(article):
        article.section = Section.objects.get(slug="sport")

    monkeypatch.setattr(enrich, "predict_section", predict)
    enrichment.enrich_due()
    assert Placement.objects.filter(article=article, edition=edition).exists()


def test_the_job_is_on_only_when_deferred(settings):
    from wiredesk.core.taskqueue import PERIODIC

    job = next(j for j in PERIODIC if j.name == "enrich-articles")
    settings.WIREDESK_INTELLIGENCE = "inline"
    assert not job.enabled()
    settings.WIREDESK_INTELLIGENCE = "deferred"
    assert job.enabled()


@pytest.mark.shared_data
def test_decisions_are_those_of_the_inline_step_on_real_copy(settings):
    """Distinct items from the shared data with 15% re-sent by other agencies as copies:
    the same copies, stories, sections, tags and SEE ALSO either way."""
    if not (SHARED_DATA / "ecb_plus").exists():
        pytest.skip("shared evaluation data not found")
    sys.path.insert(0, str(BENCHMARKS))
    import _corpus

    documents = _corpus.feeds(_corpus.items(SHARED_DATA, 90, 0.15), per_feed=5)
    agencies = {code: services.agency_ensure(code=code) for code, _ in _corpus.AGENCIES}

    def ingest():
        for code, data in documents:
            services.ingest_bytes(data, agency=agencies[code], source=f"{code}.rss")

    inline, deferred, _run = _both_ways(settings, ingest)
    assert deferred == inline
    copies = sum(1 for d in inline.values() if d[1])
    assert copies >= 8  # the corpus's copies are found at all (not a vacuous comparison)


@pytest.mark.shared_data
def test_decisions_are_those_of_the_inline_step_on_ecb_plus_look_alikes(settings):
    """Three ECB+ topics, each two look-alike events, in a shuffled arrival order: the same
    stories (and the rest) either way."""
    if not (SHARED_DATA / "ecb_plus").exists():
        pytest.skip("shared evaluation data not found")
    sys.path.insert(0, str(BENCHMARKS))
    import stories

    docs = [d for d in stories.load(SHARED_DATA / "ecb_plus") if d["topic"] in (1, 3, 8)]
    random.Random(0).shuffle(docs)
    start = datetime(2025, 7, 1, tzinfo=UTC)
    items = []
    for n, doc in enumerate(docs):
        headline, body = stories.clean_text(doc["text"])
        paragraphs = "".join(f"<p>{html.escape(line, quote=False)}</p>"
                             for line in body.splitlines() if line.strip())
        items.append(rss_item(doc["doc_id"], html.escape(headline, quote=False),
                              paragraphs or "<p>.</p>",
                              date=format_datetime(start + n * timedelta(minutes=7),
                                                   usegmt=True)))
    agency = services.agency_ensure(code="ECB")

    def ingest():
        for start_at in range(0, len(items), 10):
            services.ingest_bytes(rss("".join(items[start_at:start_at + 10])),
                                  agency=agency, source="ecb.rss")

    inline, deferred, _run = _both_ways(settings, ingest)
    assert deferred == inline
    stories_formed = {d[0] for d in inline.values() if d[0] and len(d[0]) > 1}
    assert len(stories_formed) >= 3  # look-alike events grouped: a real test of stories


def test_the_embedded_default_runs_the_stage_once_the_document_is_stored(
        settings, django_capture_on_commit_callbacks):
    """No broker: the task queued after the document runs in place when it commits."""
    settings.WIREDESK_INTELLIGENCE = "deferred"
    settings.CELERY_BROKER_URL = ""
    agency = services.agency_ensure(code="RFE")
    with django_capture_on_commit_callbacks(execute=True):
        services.ingest_bytes(rss("".join(
            rss_item(f"g{i}", headline, body) for i, (headline, body) in
            enumerate(_story_texts(4)))), agency=agency, source="test")
    assert enrichment.backlog() == 0
    assert Article.objects.get(guid="g0").story_id is not None


def _stored_for_the_stage(settings) -> None:
    settings.WIREDESK_INTELLIGENCE = "deferred"
    agency = services.agency_ensure(code="RFE")
    services.ingest_bytes(rss("".join(
        rss_item(f"g{i}", headline, body) for i, (headline, body) in
        enumerate(_story_texts(8)))), agency=agency, source="test")


@pytest.mark.skipif("not __import__('django.db').db.connection.vendor == 'postgresql'")
def test_on_postgresql_the_stage_prepares_its_statements_and_plans_them_once(settings,
                                                                          monkeypatch):
    """A batch's repeated statements prepared with one generic plan each, and deallocated
    as the batch ends: a plan is never older than its batch."""
    from django.db import connection
    from django.db.backends.postgresql.base import ServerBindingCursor

    def prepared() -> list[tuple[str, int, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement, generic_plans, custom_plans FROM"
                           " pg_prepared_statements WHERE NOT from_sql")
            return cursor.fetchall()

    _stored_for_the_stage(settings)
    settings.WIREDESK_PREPARED_STATEMENTS = False
    try:
        with transaction.atomic():
            assert enrichment.enrich_due().enriched == 8
            unprepared = _decisions()
            raise _Rollback
    except _Rollback:
        pass
    assert not prepared()
    settings.WIREDESK_PREPARED_STATEMENTS = True
    during = []
    enrich_one = enrichment._enrich_one

    def enriching(*args, **kwargs):
        enrich_one(*args, **kwargs)
        during[:] = prepared()  # as the batch's last article is enriched

    monkeypatch.setattr(enrichment, "_enrich_one", enriching)
    assert enrichment.enrich_due().enriched == 8
    assert _decisions() == unprepared  # the same answers, whatever the plans

    looked_up = [row for row in during if "newsroom_storyterm" in row[0]]
    assert looked_up, during
    assert all(generic > 0 and custom == 0 for _text, generic, custom in during)
    assert not prepared()  # deallocated with the batch
    # The connection binds on the client and prepares nothing again after the stage.
    raw = connection.connection
    assert raw.prepare_threshold is None and raw.cursor_factory is not ServerBindingCursor


@pytest.mark.skipif("not __import__('django.db').db.connection.vendor == 'postgresql'")
def test_on_postgresql_the_stage_can_be_told_not_to_prepare(settings):
    from django.db import connection

    _stored_for_the_stage(settings)
    settings.WIREDESK_PREPARED_STATEMENTS = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        before = cursor.fetchone()[0]
    assert enrichment.enrich_due().enriched == 8
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == before
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "auto"

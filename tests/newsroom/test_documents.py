"""A document's items stored in one transaction, each in a savepoint of its own
(``services.documents``): the stamps written once for them, a failing item undoing only
its own work, and every stored item placed, indexed and logged before anyone sees it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import rss, rss_item
from wiredesk.editions.models import Placement
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, EnrichmentDue, PictureSource
from wiredesk.newsroom.services import documents
from wiredesk.publishing.models import Change, EditionStamp
from wiredesk.search.services import search_edition

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINES = ["Harbour cranes idle as dockers strike", "Copper price rises on Chinese demand",
             "Glacier retreat measured from orbit", "Vineyards count a late frost's cost",
             "Ferry line adds a night crossing"]


def feed(count: int = len(HEADLINES), *, picture: bool = False) -> bytes:
    items = []
    for number, headline in enumerate(HEADLINES[:count]):
        item = rss_item(f"doc-{number}", headline)
        if picture:
            item = item.replace("</item>", f'<enclosure url="https://img.example.org/{number}'
                                '.jpg" type="image/jpeg" length="1000"/></item>')
        items.append(item)
    return rss("".join(items))


@pytest.fixture
def edition():
    services.section_ensure(slug="world", name="World")
    return edition_save(name="Chile Sun", time_zone="America/Santiago")


def test_a_documents_items_bump_each_edition_stamp_once(edition):
    agency = services.agency_ensure(code="PRS")
    services.ingest_bytes(feed(1), agency=agency, source="warm")  # the stamp row exists
    before = EditionStamp.objects.get(edition=edition).generation
    with CaptureQueriesContext(connection) as captured:
        report = services.ingest_bytes(feed(), agency=agency, source="doc")
    assert report.created == len(HEADLINES) - 1
    stamp_writes = [q["sql"] for q in captured.captured_queries
                    if q["sql"].startswith("UPDATE") and "publishing_editionstamp" in q["sql"]]
    assert len(stamp_writes) == 1, stamp_writes
    assert EditionStamp.objects.get(edition=edition).generation == before + 1
    # every article of the document is placed, due for the stage, logged and found
    stored = Article.objects.exclude(headline=HEADLINES[0])
    assert stored.count() == 4
    for article in stored:
        assert Placement.objects.filter(edition=edition, article=article).exists()
        assert Change.objects.filter(article_id=article.pk).exists()
    assert search_edition(edition, "glacier").total == 1


@pytest.mark.parametrize("intelligence", ["inline", "deferred"])
def test_a_failing_item_undoes_its_own_work_and_the_others_are_stored(edition, monkeypatch,
                                                                     settings, intelligence):
    settings.WIREDESK_INTELLIGENCE = intelligence
    # the stage's own turn later, as another process would take it: its due rows stay
    monkeypatch.setattr(documents.enrichment, "after_document", lambda: None)
    agency = services.agency_ensure(code="PRS")
    real = documents.store_item

    def store_item(item, **kwargs):
        stored = real(item, **kwargs)  # its rows written, then the item fails
        if item.headline.startswith("Glacier"):
            raise RuntimeError("the third item breaks after writing")
        return stored

    monkeypatch.setattr(documents, "store_item", store_item)
    report = services.ingest_bytes(feed(picture=True), agency=agency, source="doc")
    assert (report.created, report.store_failures) == (4, 1)
    assert "RuntimeError: the third item breaks" in report.store_errors[0]
    headlines = set(Article.objects.values_list("headline", flat=True))
    assert headlines == set(HEADLINES) - {HEADLINES[2]}
    # nothing of the failed item is left: no due row, no placement, no source, no change
    assert EnrichmentDue.objects.count() == (4 if intelligence == "deferred" else 0)
    assert Placement.objects.count() == 4
    assert not PictureSource.objects.filter(url__endswith="/2.jpg").exists()
    assert set(Change.objects.filter(edition_id=None).values_list("article_id", flat=True)) \
        == set(Article.objects.values_list("pk", flat=True))
    assert search_edition(edition, "glacier").total == 0
    # the next poll stores it
    monkeypatch.setattr(documents, "store_item", real)
    again = services.ingest_bytes(feed(picture=True), agency=agency, source="doc")
    assert (again.created, again.unchanged) == (1, 4)


def test_a_long_document_commits_in_bounded_transactions(edition, monkeypatch):
    monkeypatch.setattr(documents, "ITEMS_PER_TRANSACTION", 2)
    agency = services.agency_ensure(code="PRS")
    with CaptureQueriesContext(connection) as captured:
        report = services.ingest_bytes(feed(), agency=agency, source="doc")
    assert report.created == len(HEADLINES)
    stamp_writes = [q["sql"] for q in captured.captured_queries
                    if q["sql"].startswith("UPDATE") and "publishing_editionstamp" in q["sql"]]
    assert len(stamp_writes) == 3  # 2 + 2 + 1 items


def test_a_pictures_address_is_recorded_once_for_many_articles(edition):
    agency = services.agency_ensure(code="PRS")
    shared = rss("".join(
        rss_item(f"same-{n}", headline).replace(
            "</item>", '<enclosure url="https://img.example.org/one.jpg" type="image/jpeg"'
            ' length="1000"/></item>')
        for n, headline in enumerate(HEADLINES[:3])))
    services.ingest_bytes(shared, agency=agency, source="doc")
    source = PictureSource.objects.get()
    assert source.status == PictureSource.Status.PENDING
    assert set(Article.objects.values_list("picture_source", flat=True)) == {source.pk}


def test_a_repoll_of_unchanged_items_writes_nothing(edition):
    agency = services.agency_ensure(code="PRS")
    services.ingest_bytes(feed(), agency=agency, source="doc")
    with CaptureQueriesContext(connection) as captured:
        report = services.ingest_bytes(feed(), agency=agency, source="doc")
    assert report.unchanged == len(HEADLINES) and report.created == 0
    writes = [q["sql"] for q in captured.captured_queries
              if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == [], writes  # no transaction, no savepoint, no row written


# Statements per new item of a document when intelligence is deferred: the savepoint and
# its release, the article's INSERT (no savepoint of its own: a concurrent poller's copy
# is skipped by ON CONFLICT), its placement, its due row, the picture's source recorded;
# the search index and the stamps once per transaction, not per item (17 per item before
# the document's transaction).
STORING_QUERIES_PER_ITEM = 6


def test_storing_queries_per_new_item_are_pinned(edition, monkeypatch, settings):
    settings.WIREDESK_INTELLIGENCE = "deferred"
    monkeypatch.setattr(documents.enrichment, "after_document", lambda: None)
    agency = services.agency_ensure(code="PRS")
    counts = []
    for size, start in ((2, 0), (4, 2)):
        items = [rss_item(f"pin-{n}", f"Story {n} of the pinned count").replace(
            "</item>", f'<enclosure url="https://img.example.org/pin-{n}.jpg"'
            ' type="image/jpeg" length="1000"/></item>') for n in range(start, start + size)]
        with CaptureQueriesContext(connection) as captured:
            report = services.ingest_bytes(rss("".join(items)), agency=agency, source="pin")
        assert report.created == size
        counts.append(len(captured.captured_queries))
    per_item = (counts[1] - counts[0]) / 2
    assert per_item == STORING_QUERIES_PER_ITEM, counts


def test_a_copy_another_poller_stored_meanwhile_wins(edition, monkeypatch):
    """Between the document's look-up of what is stored and its INSERT, another poller
    stores the same item: that copy stays, this one counts as unchanged, no error."""
    agency = services.agency_ensure(code="PRS")
    real_load = documents.IngestContext.load
    raced = []

    def load(agency, identities=None):
        context = real_load(agency, identities)  # read before the other poller's commit
        if not raced:
            raced.append(None)  # the other poller's own look-up does not race again
            raced[0] = services.ingest_bytes(feed(1), agency=agency, source="other poller")
        return context

    monkeypatch.setattr(documents.IngestContext, "load", load)
    report = services.ingest_bytes(feed(), agency=agency, source="doc")
    assert raced[0].created == 1
    assert (report.created, report.unchanged, report.store_failures) == (4, 1, 0)
    assert Article.objects.filter(headline=HEADLINES[0]).count() == 1
    assert Placement.objects.count() == len(HEADLINES)


ON_POSTGRESQL = pytest.mark.skipif(
    "not __import__('django.db').db.connection.vendor == 'postgresql'")


def _prepared() -> list[tuple[str, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM"
                       " pg_prepared_statements WHERE NOT from_sql")
        return cursor.fetchall()


def _stored() -> dict[str, tuple]:
    """Each article's story (as its members' guids), canonical copy and placements."""
    members: dict[int, set[str]] = {}
    for story_id, guid in Article.objects.values_list("story_id", "guid"):
        members.setdefault(story_id, set()).add(guid)
    guids = dict(Article.objects.values_list("pk", "guid"))
    placed = set(Placement.objects.values_list("article__guid", "edition__name"))
    return {a.guid: (frozenset(members[a.story_id]) if a.story_id else None,
                     guids.get(a.duplicate_of_id), a.section_id,
                     frozenset(e for g, e in placed if g == a.guid))
            for a in Article.objects.all()}


def _copies() -> bytes:
    """Two agencies' worth of the same story and a few other items: copies, a story of
    several members and unrelated stories, for the intelligence to decide."""
    fire = ("A fire at the Hartwell grain terminal burned through the night, and the port "
            "authority said two workers were taken to hospital with burns. The terminal "
            "handles most of the region's wheat exports, and traders said shipments would be "
            "delayed for days while the damage is assessed by engineers from the ministry.")
    items = [rss_item(f"fire-{n}", f"Fire at Hartwell grain terminal, report {n}",
                      f"<p>{fire} Report {n} adds what firefighters told reporters.</p>")
             for n in range(4)]
    items += [rss_item(f"other-{n}", headline) for n, headline in enumerate(HEADLINES)]
    return rss("".join(items))


class _Undone(Exception):
    pass


@ON_POSTGRESQL
def test_on_postgresql_a_documents_statements_are_prepared_and_planned_once(
        edition, settings, monkeypatch):
    """Each chunk's repeated statements prepared with one generic plan each, and
    deallocated as the chunk ends: a plan is never older than its document."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    agency = services.agency_ensure(code="PRS")
    settings.WIREDESK_PREPARED_STATEMENTS = False
    try:
        with transaction.atomic():
            assert services.ingest_bytes(_copies(), agency=agency, source="a").created == 9
            unprepared = _stored()
            raise _Undone
    except _Undone:
        pass
    assert not _prepared()
    settings.WIREDESK_PREPARED_STATEMENTS = True
    during = []
    store_one = documents._store_one

    def storing(*args, **kwargs):
        stored = store_one(*args, **kwargs)
        during[:] = _prepared()  # as the last item of the chunk is stored
        return stored

    monkeypatch.setattr(documents, "_store_one", storing)
    assert services.ingest_bytes(_copies(), agency=agency, source="a").created == 9
    assert _stored() == unprepared  # the same stories, copies and placements

    inserted = [row for row in during if row[0].startswith('INSERT INTO "newsroom_article"')]
    assert inserted, during
    assert all(generic > 0 and custom == 0 for _text, generic, custom in during)
    assert not _prepared()  # deallocated with the chunk
    # The connection binds on the client and prepares nothing again after the document.
    raw = connection.connection
    assert raw.prepare_threshold is None and raw.cursor_factory is not ServerBindingCursor
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "auto"


@ON_POSTGRESQL
def test_on_postgresql_storing_can_be_told_not_to_prepare(edition, settings, monkeypatch):
    settings.WIREDESK_PREPARED_STATEMENTS = False
    during = []
    store_one = documents._store_one

    def storing(*args, **kwargs):
        stored = store_one(*args, **kwargs)
        during.append(_prepared())
        return stored

    monkeypatch.setattr(documents, "_store_one", storing)
    agency = services.agency_ensure(code="PRS")
    assert services.ingest_bytes(_copies(), agency=agency, source="a").created == 9
    assert during and not any(during)


@ON_POSTGRESQL
def test_on_postgresql_documents_one_after_another_prepare_afresh(edition, settings,
                                                                  monkeypatch):
    """Each document's statements are forgotten by the driver with the server's: the next
    document never runs a statement the server no longer has. (A document that prepared
    nothing — its one item failed — then two that prepare the same texts: the driver
    notices a DEALLOCATE ALL only the first time it sees one.)"""
    settings.WIREDESK_PREPARED_STATEMENTS = True
    agency = services.agency_ensure(code="PRS")
    real = documents.store_item
    monkeypatch.setattr(documents, "store_item", lambda *a, **k: 1 / 0)
    assert services.ingest_bytes(feed(1), agency=agency, source="a").store_failures == 1
    monkeypatch.setattr(documents, "store_item", real)
    for document in (_copies(), _copies().replace(b"fire-", b"again-")
                     .replace(b"other-", b"more-"), feed()):
        report = services.ingest_bytes(document, agency=agency, source="a")
        assert report.created and not report.errors, report.errors
        assert not _prepared()

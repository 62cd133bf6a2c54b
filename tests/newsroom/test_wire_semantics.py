"""Versions, kills, embargoes, broken guids and tombstones, end to end through public pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.conftest import rss, rss_item
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, Feed, Revision, Tombstone

pytestmark = pytest.mark.django_db

BODY = ("<p>FRANKFURT, July 12 (Wire) - The central bank held its rates on Saturday, "
        "officials said.</p><p>Second paragraph.</p><p>Third paragraph.</p>")

G2 = """<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:wire:rates" version="{version}">
 <itemMeta><itemClass qcode="ninat:text"/>
  <versionCreated>{updated}</versionCreated><firstCreated>2025-07-12T08:00:00Z</firstCreated>
  {embargo}<pubStatus qcode="stat:{status}"/>{signal}</itemMeta>
 <contentMeta><headline>{headline}</headline></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml">
  <html xmlns="http://www.w3.org/1999/xhtml"><body>{body}</body></html>
 </inlineXML></contentSet></newsItem>"""


def g2(*, version=1, headline="Bank holds rates", status="usable", signal="", embargo="",
       updated="2025-07-12T09:00:00Z", body=BODY) -> bytes:
    return G2.format(version=version, headline=headline, status=status, body=body,
                     signal=f'<signal qcode="sig:{signal}"/>' if signal else "",
                     embargo=f"<embargoed>{embargo}</embargoed>" if embargo else "",
                     updated=updated).encode()


@pytest.fixture
def wire(tmp_path):
    agency = services.agency_ensure(code="WIRE", time_zone="Europe/Berlin")
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    path = tmp_path / "item.xml"

    def send(data: bytes):
        path.write_bytes(data)
        return services.ingest_source(str(path), agency=agency)

    return send


def page(client, article):
    return client.get(f"/chile-sun/news/{article.pk}/{article.slug}")


def test_new_version_becomes_a_revision_with_updated_label(client, wire):
    assert wire(g2()).created == 1
    article = Article.objects.get()
    assert "Updated" not in page(client, article).content.decode()
    report = wire(g2(version=2, headline="Bank holds rates, signals cut",
                     updated="2025-07-12T11:30:00Z"))
    assert report.updated == 1
    article.refresh_from_db()
    assert (article.pk, article.version, article.headline) == (
        Article.objects.get().pk, 2, "Bank holds rates, signals cut")
    assert Revision.objects.get(article=article).headline == "Bank holds rates"
    html = page(client, article).content.decode()
    assert "Updated 12 Jul 2025, 21:30 GMT+10" in html
    # The same version again changes nothing; an older one arriving late is ignored.
    assert wire(g2(version=2, headline="Bank holds rates, signals cut",
                   updated="2025-07-12T11:30:00Z")).unchanged == 1
    assert wire(g2(version=1)).skipped == 1
    assert Article.objects.get().headline == "Bank holds rates, signals cut"


def test_correction_is_labelled(client, wire):
    wire(g2())
    wire(g2(version=2, headline="Bank holds rates (corrects figure)", signal="correction"))
    article = Article.objects.get()
    assert article.signal == "correction"
    assert "Corrected" in page(client, article).content.decode()


def test_canceled_item_kills_the_article_everywhere_and_keeps_revisions(client, wire):
    wire(g2())
    article = Article.objects.get()
    url = f"/chile-sun/news/{article.pk}/{article.slug}"
    assert client.get(url).status_code == 200
    assert "Bank holds rates" in client.get("/chile-sun/").content.decode()
    wire(g2(version=2, headline="Bank holds rates v2"))
    wire(g2(version=3, status="canceled"))
    article.refresh_from_db()
    assert article.status == Article.Status.KILLED
    gone = client.get(url)
    assert gone.status_code == 410 and "withdrawn" in gone.content.decode()
    assert "Bank holds rates" not in client.get("/chile-sun/").content.decode()
    assert Revision.objects.filter(article=article).exists()
    # A later "usable" copy never brings it back.
    assert wire(g2(version=4)).skipped == 1
    assert client.get(url).status_code == 410


def test_editor_kill_answers_410(client, wire):
    wire(g2())
    article = Article.objects.get()
    services.article_kill(article=article, reason="legal")
    assert page(client, article).status_code == 410


def test_canceled_before_stored_is_never_created(wire):
    assert wire(g2(status="canceled")).skipped == 1
    assert not Article.objects.exists() and Tombstone.objects.count() == 1
    assert wire(g2()).skipped == 1
    assert not Article.objects.exists()


def test_nitf_management_status_canceled_kills(tmp_path, client):
    agency = services.agency_ensure(code="AAP")
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    nitf = ("<nitf><head><docdata management-status='{s}'><doc-id id-string='AAP.1'/>"
            "<date.issue norm='20250712T093000+1000'/></docdata></head><body><body.head>"
            "<hedline><hl1>Harbour reopens</hl1></hedline></body.head><body.content>"
            "<p>SYDNEY, July 12 AAP - The harbour reopened to ferries on Saturday.</p>"
            "</body.content></body></nitf>")
    path = tmp_path / "a.xml"
    path.write_text(nitf.format(s="usable"))
    services.ingest_source(str(path), agency=agency)
    article = Article.objects.get()
    assert page(client, article).status_code == 200
    path.write_text(nitf.format(s="canceled"))
    services.ingest_source(str(path), agency=agency)
    assert page(client, article).status_code == 410


def test_embargoed_item_appears_only_when_its_time_passes(client, wire, monkeypatch):
    until = timezone.now() + timedelta(hours=2)
    wire(g2(embargo=until.strftime("%Y-%m-%dT%H:%M:%SZ")))
    article = Article.objects.get()
    assert article.embargo_until is not None
    assert page(client, article).status_code == 404
    assert "Bank holds rates" not in client.get("/chile-sun/").content.decode()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=3))
    assert page(client, article).status_code == 200
    assert "Bank holds rates" in client.get("/chile-sun/").content.decode()


def test_deleted_article_is_not_recreated(wire):
    wire(g2())
    Article.objects.get().delete()  # as the admin's delete does
    assert Tombstone.objects.count() == 1
    assert wire(g2(version=2)).skipped == 1
    assert not Article.objects.exists()


def _feed_items(guids, links, titles):
    return rss("".join(
        rss_item(g, t, link=link) for g, link, t in zip(guids, links, titles, strict=True)))


def test_feed_with_one_guid_for_every_item_neither_collapses_nor_floods(tmp_path):
    agency = services.agency_ensure(code="BAD")
    path = tmp_path / "bad.rss"
    links = [f"https://bad.example/story/{i}" for i in range(3)]
    path.write_bytes(_feed_items(["same"] * 3, links, ["One", "Two", "Three"]))
    feed = services.feed_add(source=str(path), agency=agency)
    assert services.feed_poll(feed, force=True).created == 3
    feed.refresh_from_db()
    assert feed.guids_trusted is False and "guid" in feed.identity_note
    assert services.feed_poll(feed, force=True).created == 0
    assert Article.objects.count() == 3


def test_feed_whose_guids_change_every_fetch_does_not_flood(tmp_path):
    agency = services.agency_ensure(code="CHG")
    path = tmp_path / "chg.rss"
    links = [f"https://chg.example/story/{i}?utm_source=rss" for i in range(4)]
    titles = ["One", "Two", "Three", "Four"]
    feed = None
    for fetch in range(3):
        path.write_bytes(_feed_items([f"{fetch}-{i}" for i in range(4)], links, titles))
        feed = feed or services.feed_add(source=str(path), agency=agency)
        services.feed_poll(feed, force=True)
        feed.refresh_from_db()
    # The first fetch stored 4 under their guids; after that, links identify them.
    assert Article.objects.count() == 4
    assert feed.guids_trusted is False


def test_feed_without_guids_or_links_uses_content_hash(tmp_path):
    agency = services.agency_ensure(code="NOG")
    item = "<item><title>{t}</title><description>Body of {t} with words.</description></item>"
    path = tmp_path / "nog.rss"
    path.write_bytes(rss("".join(item.format(t=t) for t in ("A", "B"))))
    services.ingest_source(str(path), agency=agency)
    services.ingest_source(str(path), agency=agency)
    assert sorted(Article.objects.values_list("headline", flat=True)) == ["A", "B"]
    assert all(i.startswith("hash:") for i in Article.objects.values_list("identity", flat=True))


def test_feeds_in_good_health_keep_trusting_guids(tmp_path):
    agency = services.agency_ensure(code="OK")
    path = tmp_path / "ok.rss"
    path.write_bytes(_feed_items(["a", "b"], ["https://ok.example/a", "https://ok.example/b"],
                                 ["A", "B"]))
    feed = services.feed_add(source=str(path), agency=agency)
    services.feed_poll(feed, force=True)
    services.feed_poll(feed, force=True)
    feed.refresh_from_db()
    assert feed.guids_trusted and not Feed.objects.filter(guids_trusted=False).exists()


def test_zone_less_feed_date_read_in_agency_zone(tmp_path):
    agency = services.agency_ensure(code="IST", time_zone="Asia/Kolkata")
    path = tmp_path / "ist.rss"
    path.write_bytes(rss(rss_item("i1", "Zone", date="Sat, 12 Jul 2025 09:00:00")))
    services.ingest_source(str(path), agency=agency)
    assert Article.objects.get().published_at == datetime(2025, 7, 12, 3, 30, tzinfo=UTC)


def test_two_versions_of_one_item_in_one_document(tmp_path):
    agency = services.agency_ensure(code="DUP")
    path = tmp_path / "dup.rss"
    path.write_bytes(rss(rss_item("d1", "First take") + rss_item("d1", "First take")
                         + rss_item("d2", "Other")))
    report = services.ingest_source(str(path), agency=agency)
    assert Article.objects.count() == 2 and report.created == 2

"""Desk edits that survive the wire: each rule of services.desk_edits, on either engine."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from wiredesk.core.audit import AuditEntry
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.desk import desk_state
from wiredesk.newsroom.models import Article, ArticleTag, Revision, Tag
from wiredesk.newsroom.services.desk_edits import (
    EditConflict,
    desk_edit,
    keep_desk_version,
    merge_agency_update,
    restore_revision,
    take_agency_update,
)

pytestmark = pytest.mark.django_db

BODY = ("<p>FRANKFURT, July 12 (Wire) - The central bank held its rates on Saturday, "
        "officials said.</p><p>Second paragraph.</p>")
BODY_2 = BODY.replace("Second paragraph.", "Markets rose after the decision.")

G2 = """<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:wire:rates" version="{version}">
 <itemMeta><itemClass qcode="ninat:text"/>
  <versionCreated>{updated}</versionCreated><firstCreated>2025-07-12T08:00:00Z</firstCreated>
  <pubStatus qcode="stat:{status}"/></itemMeta>
 <contentMeta><headline>{headline}</headline></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml">
  <html xmlns="http://www.w3.org/1999/xhtml"><body>{body}</body></html>
 </inlineXML></contentSet></newsItem>"""


def g2(*, version=1, headline="Bank holds rates", status="usable", body=BODY) -> bytes:
    return G2.format(version=version, headline=headline, status=status, body=body,
                     updated=f"2025-07-12T{8 + version:02d}:00:00Z").encode()


@pytest.fixture
def wire(tmp_path):
    agency = services.agency_ensure(code="WIRE", time_zone="Europe/Berlin")
    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    path = tmp_path / "item.xml"

    def send(data: bytes):
        path.write_bytes(data)
        return services.ingest_source(str(path), agency=agency)

    return send


@pytest.fixture
def ana():
    return User.objects.create_user("ana", is_staff=True)


@pytest.fixture
def ben():
    return User.objects.create_user("ben", is_staff=True)


def stored(wire) -> Article:
    assert wire(g2()).created == 1
    return Article.objects.get()


def fresh(article: Article) -> Article:
    return Article.objects.get(pk=article.pk)


def test_a_desk_edit_changes_the_copy_and_is_a_revision(wire, ana):
    article = stored(wire)
    assert desk_state(article).desk_edited is False
    version = article.edit_version
    edited = desk_edit(article, {"headline": "Central bank keeps rates on hold",
                                 "body_html": BODY}, actor=ana, expected_edit_version=version)
    article = fresh(article)
    assert article.headline == "Central bank keeps rates on hold" and article.body_html == BODY
    assert article.edit_version == version + 1 == edited.edit_version
    assert desk_state(article).desk_edited and not desk_state(article).agency_update_pending
    assert article.desk_edited_by == ana
    # The agency's copy before the edit, then the edit itself: who, what, when.
    before, edit = Revision.objects.filter(article=article).order_by("id")
    assert (before.source, before.author_label, before.headline) == (
        "agency", "agency:WIRE", "Bank holds rates")
    assert (edit.source, edit.author, edit.changed_fields) == ("desk", ana, ["headline"])
    assert edit.headline == "Central bank keeps rates on hold" and edit.recorded_at
    entry = AuditEntry.objects.get(action="article.edit")
    assert entry.actor == ana and entry.target_id == str(article.pk)
    # Saving the same copy again changes nothing.
    desk_edit(article, {"headline": article.headline}, actor=ana,
              expected_edit_version=article.edit_version)
    assert fresh(article).edit_version == article.edit_version
    assert Revision.objects.filter(article=article).count() == 2


def test_the_agency_update_waits_and_the_desk_copy_is_shown(client, wire, ana):
    article = stored(wire)
    desk_edit(article, {"headline": "Desk headline"}, actor=ana,
              expected_edit_version=article.edit_version)
    assert wire(g2(version=2, headline="Bank holds rates, signals cut",
                   body=BODY_2)).updated == 1
    article = fresh(article)
    assert article.headline == "Desk headline" and article.body_html == BODY
    assert article.version == 2  # the agency's word on its version applies
    state = desk_state(article)
    assert state.desk_edited and state.agency_update_pending
    pending = article.pending_revision
    assert (pending.source, pending.author_label, pending.version) == ("agency", "agency:WIRE", 2)
    assert pending.headline == "Bank holds rates, signals cut" and pending.body_html == BODY_2
    assert pending.changed_fields == ["headline", "body_html"]
    page = client.get(f"/chile-sun/news/{article.pk}/{article.slug}").content.decode()
    assert "Desk headline" in page and "signals cut" not in page
    # The same version again is no new revision.
    assert wire(g2(version=2, headline="Bank holds rates, signals cut",
                   body=BODY_2)).unchanged == 1
    assert Revision.objects.filter(article=article, version=2).count() == 1


def test_take_the_agency_update(wire, ana):
    article = stored(wire)
    desk_edit(article, {"headline": "Desk headline"}, actor=ana,
              expected_edit_version=article.edit_version)
    wire(g2(version=2, headline="Agency v2", body=BODY_2))
    article = fresh(article)
    take_agency_update(article, actor=ana, expected_edit_version=article.edit_version)
    article = fresh(article)
    assert (article.headline, article.body_html) == ("Agency v2", BODY_2)
    assert desk_state(article) == desk_state(Article(pk=0))  # neither edited nor pending
    # Following the wire again: the next version replaces the copy as before.
    wire(g2(version=3, headline="Agency v3", body=BODY_2))
    assert fresh(article).headline == "Agency v3"
    assert AuditEntry.objects.filter(action="article.take_agency_update").exists()


def test_merge_takes_the_chosen_fields_and_keeps_the_rest(wire, ana):
    article = stored(wire)
    desk_edit(article, {"headline": "Desk headline"}, actor=ana,
              expected_edit_version=article.edit_version)
    wire(g2(version=2, headline="Agency v2", body=BODY_2))
    article = fresh(article)
    merge_agency_update(article, ["body_html"], actor=ana,
                        expected_edit_version=article.edit_version)
    article = fresh(article)
    assert (article.headline, article.body_html) == ("Desk headline", BODY_2)
    state = desk_state(article)
    assert state.desk_edited and not state.agency_update_pending
    merged = Revision.objects.filter(article=article).order_by("-id").first()
    assert merged.changed_fields == ["body_html"] and "version 2" in merged.note


def test_keep_the_desk_version(wire, ana):
    article = stored(wire)
    desk_edit(article, {"headline": "Desk headline"}, actor=ana,
              expected_edit_version=article.edit_version)
    wire(g2(version=2, headline="Agency v2", body=BODY_2))
    article = fresh(article)
    keep_desk_version(article, actor=ana, expected_edit_version=article.edit_version)
    article = fresh(article)
    assert article.headline == "Desk headline" and not desk_state(article).agency_update_pending
    # The agency's version stays on record.
    assert Revision.objects.filter(article=article, headline="Agency v2").exists()
    with pytest.raises(services.ServiceError, match="No agency update"):
        take_agency_update(article, actor=ana, expected_edit_version=article.edit_version)


def test_a_kill_from_the_agency_still_kills_a_desk_edited_article(client, wire, ana):
    article = stored(wire)
    desk_edit(article, {"headline": "Desk headline"}, actor=ana,
              expected_edit_version=article.edit_version)
    wire(g2(version=2, status="canceled"))
    article = fresh(article)
    assert article.status == Article.Status.KILLED
    assert "withdrawn by the source" in article.status_reason
    assert client.get(f"/chile-sun/news/{article.pk}/{article.slug}").status_code == 410
    with pytest.raises(services.ServiceError, match="killed"):
        desk_edit(article, {"headline": "Again"}, actor=ana,
                  expected_edit_version=article.edit_version)


def test_withheld_by_the_agency_holds_a_desk_edited_article(wire, ana):
    article = stored(wire)
    desk_edit(article, {"headline": "Desk headline"}, actor=ana,
              expected_edit_version=article.edit_version)
    wire(g2(version=2, status="withheld"))
    article = fresh(article)
    assert article.status == Article.Status.HELD and article.headline == "Desk headline"


def test_a_second_editors_stale_save_is_refused_with_a_message(wire, ana, ben):
    article = stored(wire)
    drawn = article.edit_version  # both editors opened the form at this version
    desk_edit(article, {"headline": "Ana's headline"}, actor=ana, expected_edit_version=drawn)
    with pytest.raises(EditConflict, match="changed by ana") as refused:
        desk_edit(article, {"headline": "Ben's headline"}, actor=ben,
                  expected_edit_version=drawn)
    assert "not saved" in str(refused.value)
    assert fresh(article).headline == "Ana's headline"
    assert not Revision.objects.filter(headline="Ben's headline").exists()


def test_an_edit_racing_an_agency_update_keeps_both(wire, ana):
    article = stored(wire)
    drawn = article.edit_version  # ana opens the form
    wire(g2(version=2, headline="Agency v2", body=BODY_2))  # the agency updates meanwhile
    desk_edit(article, {"headline": "Ana's headline", "body_html": BODY}, actor=ana,
              expected_edit_version=drawn)
    article = fresh(article)
    assert (article.headline, article.body_html) == ("Ana's headline", BODY)
    assert desk_state(article).agency_update_pending
    assert article.pending_revision.headline == "Agency v2"
    assert set(Revision.objects.filter(article=article).values_list("headline", flat=True)) >= {
        "Bank holds rates", "Agency v2", "Ana's headline"}


def test_any_revision_can_be_restored(wire, ana):
    tag = Tag.objects.create(key="ecb", name="ECB", kind=Tag.Kind.ORGANISATION)
    article = stored(wire)
    desk_edit(article, {"headline": "First desk", "tags": ["ecb"],
                        "image_caption": "The bank"}, actor=ana,
              expected_edit_version=article.edit_version)
    article = fresh(article)
    assert list(ArticleTag.objects.filter(article=article).values_list("tag", flat=True)) == [
        tag.pk]
    desk_edit(article, {"headline": "Second desk", "tags": []}, actor=ana,
              expected_edit_version=article.edit_version)
    first = Revision.objects.get(article=article, headline="First desk")
    article = fresh(article)
    restore_revision(article, first, actor=ana, expected_edit_version=article.edit_version)
    article = fresh(article)
    assert article.headline == "First desk" and article.image_caption == "The bank"
    assert ArticleTag.objects.filter(article=article).count() == 1
    restored = Revision.objects.filter(article=article).order_by("-id").first()
    assert restored.source == "restore" and f"#{first.pk}" in restored.note
    # The agency's original copy too.
    original = Revision.objects.get(article=article, headline="Bank holds rates")
    restore_revision(article, original, actor=ana, expected_edit_version=article.edit_version)
    assert fresh(article).headline == "Bank holds rates"


def test_the_change_reaches_search_and_the_change_stream(client, wire, ana):
    from wiredesk.publishing.models import Change
    article = stored(wire)
    last = Change.objects.order_by("-id").values_list("id", flat=True).first()
    desk_edit(article, {"headline": "Zanzibar desk headline"}, actor=ana,
              expected_edit_version=article.edit_version)
    assert "Zanzibar" in client.get("/chile-sun/search", {"q": "Zanzibar"}).content.decode()
    assert Change.objects.filter(article_id=article.pk, id__gt=last).exists()


def test_an_unknown_tag_name_is_refused():
    from wiredesk.newsroom.services.desk_edits import tags_from_names
    Tag.objects.create(key="ecb", name="ECB", kind=Tag.Kind.ORGANISATION)
    assert tags_from_names("ecb, ECB") == ["ecb"]
    with pytest.raises(services.ServiceError, match="Nobody"):
        tags_from_names("ECB, Nobody")


def test_a_withhold_racing_an_edit_is_no_agency_update(wire, ana):
    article = stored(wire)
    drawn = article.edit_version
    wire(g2(status="withheld"))  # the same copy, held by the agency meanwhile
    assert fresh(article).edit_version > drawn
    desk_edit(article, {"headline": "Ana's headline"}, actor=ana, expected_edit_version=drawn)
    article = fresh(article)
    assert article.headline == "Ana's headline" and article.status == Article.Status.HELD
    assert not desk_state(article).agency_update_pending


def test_another_editors_change_of_other_fields_also_refuses_a_stale_save(wire, ana, ben):
    article = stored(wire)
    drawn = article.edit_version
    desk_edit(article, {}, other={"status": Article.Status.HELD, "status_reason": "legal"},
              actor=ben, expected_edit_version=drawn)
    with pytest.raises(EditConflict, match="changed by ben"):
        desk_edit(article, {"headline": "Ana's"}, actor=ana, expected_edit_version=drawn)
    assert fresh(article).status == Article.Status.HELD


def test_a_new_section_asks_the_editions_rules_again_and_words_alone_do_not(wire, ana):
    from wiredesk.newsroom.signals import article_stored
    told = []

    def listen(sender, article, outcome, **kwargs):
        told.append((article.pk, outcome))

    article_stored.connect(listen, dispatch_uid="test-desk-edit-told")
    try:
        article = stored(wire)
        told.clear()
        desk_edit(article, {"headline": "Words only"}, actor=ana,
                  expected_edit_version=article.edit_version)
        assert told == []
        sport = services.section_ensure(slug="sport", name="Sport")
        desk_edit(article, {"section": sport}, actor=ana,
                  expected_edit_version=fresh(article).edit_version)
        assert told == [(article.pk, "updated")] and fresh(article).section == sport
    finally:
        article_stored.disconnect(dispatch_uid="test-desk-edit-told")

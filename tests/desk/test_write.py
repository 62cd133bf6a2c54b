"""The desk's writing view (issue 14, item 1): the desk's own articles go the wire's way,
as drafts public nowhere until published, then placed, on the edition home, in its
feeds, search and sitemaps; pictures from the media library or an upload, bad ones
refused with nothing stored; HTML pasted from Word or Google Docs cleaned."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied

from tests.pictureserver import jpeg, png_bomb
from wiredesk.core.audit import AuditEntry
from wiredesk.desk import services
from wiredesk.desk.models import Manuscript
from wiredesk.desk.pasted import clean_pasted_html
from wiredesk.newsroom.models import Article, PictureAsset, PictureSource

pytestmark = pytest.mark.django_db

HEADLINE = "Harbour board approves night ferry to the islands"
BODY = ("The harbour board voted on Tuesday to run a **night ferry** to the islands "
        "from March.\n\n## What changes\n\n- a crossing at 23:00\n- a crossing at 02:00\n\n"
        "> We asked for this for years, said a ferry worker.\n\n"
        "Details are on [the board's site](https://harbour.example/ferry).")

# What Word and Google Docs put on the clipboard (trimmed), with hostile bits added.
PASTES = Path(__file__).parent.parent / "fixtures" / "desk"
WORD_PASTE = (PASTES / "word-paste.html").read_text()
DOCS_PASTE = (PASTES / "google-docs-paste.html").read_text()


@pytest.fixture
def editions(db):
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services as newsroom

    newsroom.section_ensure(slug="world", name="World", position=1)
    newsroom.section_ensure(slug="business", name="Business", position=2)
    chile = edition_save(name="Chile Sun", time_zone="America/Santiago")
    euro = edition_save(name="Euro Ledger", time_zone="Europe/Paris", sections=["business"])
    return chile, euro


@pytest.fixture
def editor(db):
    return User.objects.create_superuser("editor", "editor@example.org", "pw")


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def picture(size=(1200, 800)) -> bytes:
    return jpeg(size)


def write_form(**extra) -> dict:
    data = {"headline": HEADLINE, "standfirst": "Two crossings a night from March.",
            "body": BODY, "byline": "Ana Pérez", "dateline": "VALPARAISO", "section": "",
            "tags": "ferries, harbour", "caption": "", "credit": "", "alt": ""}
    data.update(extra)
    return data


def public_everywhere(client, edition, article) -> dict[str, bool]:
    """Where a reader (no session) finds the article."""
    from datetime import timedelta

    from django.utils import timezone

    from wiredesk.digest.selectors import digest_articles

    now = timezone.now()
    client.logout()
    path = f"/{edition.slug}/news/{article.pk}/{article.slug}"
    found = {
        "page": client.get(path).status_code == 200,
        "home": article.headline in client.get(f"/{edition.slug}/").content.decode(),
        "rss": article.headline in client.get(f"/{edition.slug}/feed.rss").content.decode(),
        "search": f"/news/{article.pk}/" in client.get(
            f"/{edition.slug}/search", {"q": "ferry islands"}).content.decode(),
        "sitemap": f"/news/{article.pk}/" in client.get(
            f"/{edition.slug}/sitemap-articles-1.xml").content.decode(),
        "api": article.pk in [item["id"] for item in client.get(
            "/api/articles", {"edition": edition.slug}).json()["items"]],
        "api-sync": article.pk in [item["id"] for item in client.get(
            "/api/articles", {"updated_since": "1900-01-01T00:00:00Z"}).json()["items"]],
        "digest": article in digest_articles(edition, start=now - timedelta(days=1),
                                             end=now + timedelta(minutes=1)),
    }
    return found


EVERYWHERE = ["page", "home", "rss", "search", "sitemap", "api", "api-sync", "digest"]


def test_a_draft_is_stored_and_placed_but_public_nowhere(editions, editor, client):
    from wiredesk.publishing.changes import BEGINNING, changes_after

    chile, _euro = editions
    before = changes_after(BEGINNING, limit=100).changed
    article = services.draft_save(actor=editor, draft=services.Draft(
        headline=HEADLINE, body=BODY, standfirst="Two crossings a night from March.",
        byline="Ana Pérez", dateline="VALPARAISO", tags=["ferries"]))
    assert article.status == Article.Status.DRAFT and article.kind == Article.Kind.DESK
    assert article.agency.code == "DESK"
    # Placed by the editions' rules (the Euro Ledger takes business only).
    assert list(article.placements.values_list("edition__slug", flat=True)) == ["chile-sun"]
    assert "<strong>night ferry</strong>" in article.body_html
    assert "<h2>What changes</h2>" in article.body_html and "<blockquote>" in article.body_html
    assert article.lead == "Two crossings a night from March."
    assert article.byline == "Ana Pérez" and article.dateline == "VALPARAISO"
    assert public_everywhere(client, chile, article) == dict.fromkeys(
        EVERYWHERE, False)
    # Partners syncing hear nothing of it.
    assert changes_after(BEGINNING, limit=100).changed == before
    assert AuditEntry.objects.filter(action="article.create",
                                     target_id=str(article.pk)).exists()


def test_release_publishes_a_draft_everywhere_its_editions_show_it(editions, editor, client):
    from wiredesk.newsroom.services import article_release
    from wiredesk.publishing.changes import BEGINNING, changes_after

    chile, _euro = editions
    article = services.draft_save(actor=editor, draft=services.Draft(
        headline=HEADLINE, body=BODY))
    written_at = article.published_at
    # What the scheduler calls to publish at a time.
    article_release(article=Article.objects.get(pk=article.pk))
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_at >= written_at
    assert set(article.placements.values_list("published_at", flat=True)) == {
        article.published_at}
    assert public_everywhere(client, chile, article) == dict.fromkeys(
        EVERYWHERE, True)
    assert article.pk in [c.article_id for c in changes_after(BEGINNING, limit=100).changed]


def test_ticked_editions_win_over_the_rules_and_saving_again_rewrites_the_draft(
        editions, editor):
    chile, euro = editions
    article = services.draft_save(actor=editor, draft=services.Draft(
        headline="First try", body="Some words here.", editions=[euro]))
    assert list(article.placements.values_list("edition__slug", flat=True)) == ["euro-ledger"]
    again = services.draft_save(actor=editor, article=article, draft=services.Draft(
        headline=HEADLINE, body=BODY, editions=[chile, euro]))
    assert again.pk == article.pk
    again.refresh_from_db()
    assert again.headline == HEADLINE and again.slug.startswith("harbour-board")
    assert again.version == 1 and again.revisions.count() == 0  # a draft has no history
    assert sorted(again.placements.values_list("edition__slug", flat=True)) == [
        "chile-sun", "euro-ledger"]
    assert Article.objects.filter(kind=Article.Kind.DESK).count() == 1
    assert Manuscript.objects.get(article=again).body == BODY


def test_publish_through_the_view_shows_it_on_the_home_and_in_the_feed(editions, desk,
                                                                       client):
    chile, _euro = editions
    page = desk.post("/desk/write/", write_form(editions=[str(chile.pk)], publish="1"))
    assert page.status_code == 302
    article = Article.objects.get(kind=Article.Kind.DESK)
    assert article.status == Article.Status.PUBLISHED
    assert AuditEntry.objects.filter(action="article.publish").count() == 1
    assert desk.get(page["Location"]).status_code == 200  # the "published" page
    found = public_everywhere(client, chile, article)
    assert found["home"] and found["rss"] and found["page"]


def test_the_preview_is_the_editions_own_page_in_its_zone_never_cached(editions, desk):
    chile, _euro = editions
    desk.post("/desk/write/", write_form(editions=[str(chile.pk)], save="1"))
    article = Article.objects.get(kind=Article.Kind.DESK)
    page = desk.get(f"/desk/write/{article.pk}/preview/chile-sun/")
    html = page.content.decode()
    assert page.status_code == 200 and HEADLINE in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    assert "GMT-3" in html or "GMT-4" in html  # Santiago's time, not UTC
    # Not placed in the Euro Ledger: no preview there.
    assert desk.get(f"/desk/write/{article.pk}/preview/euro-ledger/").status_code == 404
    # The draft page links to its preview.
    assert f"/desk/write/{article.pk}/preview/chile-sun/" in desk.get(
        f"/desk/write/{article.pk}/").content.decode()


def test_an_uploaded_picture_goes_into_the_library_and_onto_the_article(editions, desk):
    chile, _euro = editions
    upload = io.BytesIO(picture())
    upload.name = "ferry.jpg"
    desk.post("/desk/write/", write_form(
        upload=upload, caption="The night ferry at the pier", credit="Harbour Board",
        alt="A white ferry lit up at a pier at night", editions=[str(chile.pk)],
        publish="1"))
    article = Article.objects.get(kind=Article.Kind.DESK)
    asset = PictureAsset.objects.get()
    assert asset.in_library and asset.caption == "The night ferry at the pier"
    assert article.image_renditions == asset.renditions
    assert article.image_alt == "A white ferry lit up at a pier at night"
    assert article.image_caption == "The night ferry at the pier"
    assert PictureSource.objects.get().status == PictureSource.Status.READY  # never fetched
    desk.logout()
    home = desk.get("/chile-sun/").content.decode()
    assert HEADLINE in home and asset.renditions[0]["name"].split("/")[-1] in home
    # Killing the article keeps the library's picture.
    from wiredesk.newsroom.services import article_kill
    from wiredesk.newsroom.services.picture_sources import release_unused

    article_kill(article=article, reason="test")
    release_unused(article.picture_source_id)
    assert PictureAsset.objects.filter(pk=asset.pk).exists()


def test_a_picture_needs_its_alt_text(editions, desk):
    upload = io.BytesIO(picture())
    upload.name = "ferry.jpg"
    page = desk.post("/desk/write/", write_form(upload=upload, save="1"))
    assert page.status_code == 200 and b"alt text" in page.content
    assert not Article.objects.exists() and not PictureAsset.objects.exists()
    asset = services.picture_upload(actor=User.objects.get(), data=picture())
    page = desk.post("/desk/write/", write_form(picture=str(asset.pk), save="1"))
    assert b"a picture needs its alt text" in page.content
    assert not Article.objects.exists()


def _png_header_only(width, height) -> bytes:
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                                              8, 2, 0, 0, 0))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("data, said", [
    (b"<html><script>alert(1)</script></html>", "cannot be used as a picture"),
    (b"GIF89a" + b"\x00" * 40, "cannot be used as a picture"),
    (png_bomb(), "cannot be used as a picture"),
    (_png_header_only(30_000, 30_000), "cannot be used as a picture"),
    (b"", "empty"),
], ids=["html", "broken-gif", "decompression-bomb", "enormous", "empty"])
def test_bad_pictures_are_refused_clearly_and_nothing_is_stored(editions, desk, data, said):
    before = stored_files()
    upload = io.BytesIO(data)
    upload.name = "picture.png"
    page = desk.post("/desk/media/", {"upload": upload, "alt": "x"})
    assert page.status_code == 200
    shown = page.content.decode()
    assert said in shown or "The submitted file is empty" in shown
    assert not PictureAsset.objects.exists() and not PictureSource.objects.exists()
    assert stored_files() == before


def stored_files() -> set[str]:
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_a_picture_over_the_size_cap_is_refused(editions, desk, settings):
    settings.WIREDESK_PICTURE_MAX_BYTES = 10_000
    upload = io.BytesIO(jpeg((1600, 1200), noise=True))
    upload.name = "big.jpg"
    page = desk.post("/desk/media/", {"upload": upload, "alt": "x"})
    assert "larger than" in page.content.decode()
    assert not PictureAsset.objects.exists()


def test_the_media_library_lists_searches_and_picks(editions, desk, editor):
    old = services.picture_upload(actor=editor, data=jpeg((800, 600), color=(10, 10, 10)),
                                  caption="Copper mine at dawn", credit="Mina Press",
                                  alt="A copper mine")
    new = services.picture_upload(actor=editor, data=jpeg((800, 600), color=(200, 200, 9)),
                                  caption="Ferry pier", credit="Harbour Board", alt="A pier")
    page = desk.get("/desk/media/").content.decode()
    assert page.index("Ferry pier") < page.index("Copper mine at dawn")  # newest first
    found = desk.get("/desk/media/", {"q": "mina"}).content.decode()
    assert "Copper mine at dawn" in found and "Ferry pier" not in found
    picking = desk.get("/desk/media/", {"for": "new"}).content.decode()
    assert f"/desk/write/?picture={new.pk}" in picking
    form = desk.get(f"/desk/write/?picture={old.pk}").content.decode()
    assert f'value="{old.pk}"' in form and "A copper mine" in form


def test_pasted_word_html_is_cleaned_nothing_dangerous_kept(editions, editor):
    article = services.draft_save(actor=editor, draft=services.Draft(
        headline=HEADLINE, body=WORD_PASTE))
    body = article.body_html
    assert "<strong>Night ferry</strong>" in body or "<b>Night ferry</b>" in body
    assert "harbour board</i>" in body or "harbour board</em>" in body
    assert "The vote was\nunanimous." in body or "The vote was unanimous." in body
    for bad in ("mso-", "o:p", "MsoNormal", "script", "alert", "onclick", "javascript:",
                "style", "<html", "<meta", "[if"):
        assert bad not in body, bad
    assert '<a href="https://harbour.example/"' in body


def test_pasted_google_docs_html_is_cleaned_and_not_all_bold(editions, editor):
    article = services.draft_save(actor=editor, draft=services.Draft(
        headline=HEADLINE, body=DOCS_PASTE))
    body = article.body_html
    # The editor goes on with the draft in Markdown, not in the clipboard's HTML.
    assert article.manuscript.body == ("**Ferry** runs at night from *March*\n\n"
                                       "- first crossing\n\n## Fares\n\nUnchanged.")
    assert "<strong>Ferry</strong>" in body and "<em>March</em>" in body
    assert "<h2>Fares</h2>" in body and "<li>" in body
    assert not body.startswith("<b") and "docs-internal-guid" not in body
    for bad in ("style", "onmouseover", "steal", "font-size", "dir="):
        assert bad not in body, bad


def test_clean_pasted_html_keeps_nested_bold_inside_the_docs_wrapper():
    cleaned = clean_pasted_html('<b id="docs-internal-guid-1"><p><b>Bold</b> text</p></b>')
    assert cleaned == "<p><b>Bold</b> text</p>"


def test_typed_html_in_markdown_is_never_applied(editions, editor):
    body = services.draft_save(actor=editor, draft=services.Draft(
        headline=HEADLINE, body="Words with <img src=x onerror=alert(1)> in them."
    )).body_html
    assert "<img" not in body and "&lt;img" in body  # shown as typed


def test_pasted_pictures_are_not_taken_from_the_markup(editions, editor):
    article = services.draft_save(actor=editor, draft=services.Draft(
        headline=HEADLINE, body='<p>Text <img src="https://tracker.example/p.jpg" '
                                'onerror="x()"> more</p><p>Second</p>'))
    assert "<img" not in article.body_html and "tracker" not in article.body_html
    assert not article.image_url and not PictureSource.objects.exists()


def test_permissions(editions, client):
    staff = User.objects.create_user("sub", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get("/desk/write/").status_code == 403
    assert client.get("/desk/media/").status_code == 403
    assert client.post("/desk/write/", write_form(save="1")).status_code == 403
    with pytest.raises(Exception, match="may not write"):
        services.draft_save(actor=staff, draft=services.Draft(headline=HEADLINE, body=BODY))
    staff.user_permissions.add(Permission.objects.get(codename="add_article"))
    staff = User.objects.get(pk=staff.pk)  # the permission cache
    client.force_login(staff)
    assert client.get("/desk/write/").status_code == 200
    article = services.draft_save(actor=staff, draft=services.Draft(headline=HEADLINE,
                                                                    body=BODY))
    # Readers and signed-out visitors never reach the desk.
    client.logout()
    assert client.get("/desk/write/").status_code == 302
    assert client.get(f"/desk/write/{article.pk}/preview/chile-sun/").status_code == 302


def test_the_admins_add_form_leads_to_the_writing_view(desk):
    page = desk.get("/admin/newsroom/article/add/")
    assert page.status_code == 302 and page["Location"] == "/desk/write/"


def test_nothing_is_stored_when_no_edition_would_carry_it(db, editor):
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services as newsroom

    newsroom.section_ensure(slug="business", name="Business")
    edition_save(name="Business Only", sections=["business"])
    with pytest.raises(services.DeskError, match="tick the editions"):
        services.draft_save(actor=editor, draft=services.Draft(headline=HEADLINE, body=BODY))
    assert not Article.objects.exists()


def test_a_published_article_is_not_a_draft_any_more(editions, editor, desk):
    article = services.draft_save(actor=editor, draft=services.Draft(headline=HEADLINE,
                                                                     body=BODY))
    services.article_publish(actor=editor, article=article)
    with pytest.raises(services.DeskError, match="not a draft"):
        services.article_publish(actor=editor, article=article)
    with pytest.raises(services.DeskError, match="not a draft"):
        services.draft_save(actor=editor, article=article, draft=services.Draft(
            headline="Changed", body=BODY))
    page = desk.get(f"/desk/write/{article.pk}/").content.decode()
    assert "Published" in page and "/chile-sun/news/" in page
    assert re.search(r"Chile Sun</a>, \d{4}-\d\d-\d\d \d\d:\d\d -0[34]", page)  # Santiago



def test_an_edition_editor_writes_for_their_editions_only(editions, client):
    from wiredesk.editions import roles

    chile, euro = editions
    User.objects.create_user("ana", password="pw")
    roles.role_grant(actor="cli", username="ana", edition="chile-sun")
    ana = User.objects.get(username="ana")
    client.force_login(ana)
    page = client.get("/desk/write/").content.decode()
    assert "Chile Sun" in page and "Euro Ledger" not in page  # the editions to tick
    assert "/desk/write/" in client.get("/desk/").content.decode()
    client.post("/desk/write/", write_form(editions=[str(chile.pk)], save="1"))
    mine = Article.objects.get(kind=Article.Kind.DESK)
    assert client.get(f"/desk/write/{mine.pk}/preview/chile-sun/").status_code == 200
    # Another edition's draft, or its preview, is refused.
    theirs = services.draft_save(actor=User.objects.create_superuser("boss", "b@x.org", "pw"),
                                 draft=services.Draft(headline="Euro only", body=BODY,
                                                      editions=[euro]))
    assert client.get(f"/desk/write/{theirs.pk}/").status_code == 403
    assert client.get(f"/desk/write/{theirs.pk}/preview/euro-ledger/").status_code == 403
    with pytest.raises(PermissionDenied, match="Euro Ledger"):
        services.draft_save(actor=User.objects.get(username="ana"), draft=services.Draft(
            headline="Mine", body=BODY, editions=[euro]))
    # Ticking none leaves it to the rules: refused where they would place it for others.
    euro.sections.clear()  # the Euro Ledger's rules now take everything too
    with pytest.raises(PermissionDenied, match="Euro Ledger"):
        services.draft_save(actor=User.objects.get(username="ana"), draft=services.Draft(
            headline="Everywhere", body=BODY))
    assert Article.objects.filter(kind=Article.Kind.DESK).count() == 2


def test_a_draft_scheduled_is_published_at_its_time_by_the_job(editions, editor, client):
    from datetime import timedelta

    from django.utils import timezone

    from wiredesk.newsroom.services.scheduling import publish_scheduled, schedule_publish

    chile, _euro = editions
    article = services.draft_save(actor=editor, draft=services.Draft(
        headline=HEADLINE, body=BODY))
    at = timezone.now() + timedelta(hours=1)
    schedule_publish(article=article, at=at, actor=editor)
    assert not public_everywhere(client, chile, article)["page"]
    assert publish_scheduled(now=at).published == [article.pk]
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert public_everywhere(client, chile, article)["home"]

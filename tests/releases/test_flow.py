"""The whole channel through the web pages: submit, confirm, moderate, publish, notify."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.releases.conftest import CHILE_HOST, form_data, image_bytes
from wiredesk.newsroom.models import Article
from wiredesk.releases.models import Release, ReleaseEvent

# Each request commits its mail through `requests_commit`: no transactional database needed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]


def submit_and_confirm(client, smtp, edition, **overrides) -> tuple[Release, str]:
    """Submit through the form, confirm through the mailed link; returns (release, status)."""
    data = form_data(edition, **overrides)
    response = client.post(f"/{edition.slug}/releases/submit", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/{edition.slug}/releases/sent"
    assert "Check your email" in client.get(response["Location"]).content.decode()
    release = Release.objects.get(email=data["email"], headline=data["headline"])
    assert release.status == Release.Status.UNVERIFIED

    confirm = smtp.last(data["email"])
    assert "Confirm your news release" in confirm.subject
    verify_path = confirm.link("verify")
    page = client.get(verify_path, HTTP_HOST=CHILE_HOST)
    assert page.status_code == 200 and b"Confirm and send" in page.content
    # opening the link (as a mail scanner would) confirms nothing
    release.refresh_from_db()
    assert release.status == Release.Status.UNVERIFIED
    receipt_page = client.post(verify_path, HTTP_HOST=CHILE_HOST)
    assert receipt_page.status_code == 200
    release.refresh_from_db()
    assert release.status == Release.Status.PENDING
    assert release.reference in receipt_page.content.decode()

    receipt = smtp.last(data["email"])
    assert release.reference in receipt.subject and release.reference in receipt.body
    return release, receipt.link("status")


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", "ed@example.org", "pw-12345678")


@pytest.fixture
def editor_client(client, editor):
    from django.test import Client

    other = Client()
    other.force_login(editor)
    return other


def admin_post(editor_client, release, **changes):
    """Post the admin change form as an editor would after reading it."""
    release.refresh_from_db()
    data = {"headline": release.headline, "body": release.body,
            "section": release.section_id or "",
            "editions": [str(e.pk) for e in release.editions.all()],
            "image_caption": release.image_caption, "image_credit": release.image_credit,
            "decision": "", "reason": "",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "1000", "_save": "Save"}
    data.update(changes)
    return editor_client.post(f"/admin/releases/release/{release.pk}/change/", data)


def test_full_flow_submit_verify_moderate_publish_notify(client, smtp, editions, editor,
                                                          editor_client):
    chile, euro = editions
    image = SimpleUploadedFile("boathouse.jpg", image_bytes(), content_type="image/jpeg")
    release, status_path = submit_and_confirm(
        client, smtp, chile, editions=[str(chile.pk), str(euro.pk)], image=image,
        image_caption="The new boathouse", image_credit="Club photo")
    assert release.image and release.image_width == 640

    # the submitter's status page
    status = client.get(status_path, HTTP_HOST=CHILE_HOST)
    assert status.status_code == 200
    assert "waiting for moderation" in status.content.decode()

    # the queue per edition in the admin
    queue = editor_client.get(f"/admin/releases/release/?edition={chile.pk}")
    assert queue.status_code == 200 and release.reference in queue.content.decode()
    page = editor_client.get(f"/admin/releases/release/{release.pk}/change/")
    assert page.status_code == 200 and "Rowing club opens" in page.content.decode()

    # edit the headline, pick a section and approve in one go
    from wiredesk.newsroom.models import Section

    sport = Section.objects.get(slug="sport")
    response = admin_post(editor_client, release,
                          headline="Rowing club opens its new boathouse",
                          section=str(sport.pk), decision="approve")
    assert response.status_code == 302, response.content.decode()[:3000]
    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED
    article = release.article
    assert article.kind == Article.Kind.PRESS_RELEASE
    assert article.headline == "Rowing club opens its new boathouse"
    assert article.section.slug == "sport"
    assert article.agency.name == "Press releases"
    assert article.byline == "Valparaiso Rowing Club"
    assert article.image_url.startswith("http://testserver/media/releases/")
    assert sorted(article.placements.values_list("edition__slug", flat=True)) == \
        ["chile-sun", "euro-ledger"]

    # the history says who changed what
    edited = release.events.get(action=ReleaseEvent.Action.EDITED)
    assert edited.actor.username == "editor"
    assert edited.changes["headline"] == ["Rowing club opens new boathouse with junior regatta",
                                          "Rowing club opens its new boathouse"]
    assert edited.changes["section"] == [None, "sport"]
    assert release.events.filter(action=ReleaseEvent.Action.APPROVED,
                                 actor__username="editor").exists()

    # visible on the edition, labelled and attributed
    home = client.get("/chile-sun/").content.decode()
    assert "Rowing club opens its new boathouse" in home
    assert "Press release" in home
    article_page = client.get(f"/chile-sun/news/{article.pk}/{article.slug}")
    html = article_page.content.decode()
    assert article_page.status_code == 200
    assert '<span class="label-release">Press release</span>' in html
    assert "Press release from <bdi>Valparaiso Rowing Club</bdi>" in html
    assert "The new boathouse" in html and "Club photo" in html
    # the image is shown at once, from renditions of the upload (no fetch job), served
    image_path = re.search(r'<img src="(?:http://testserver)?(/media/pictures/[^"]+\.jpg)"',
                           html).group(1)
    served = client.get(image_path)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    # the edition it was placed in by choice even though its rules carry no "sport"
    assert client.get(f"/euro-ledger/news/{article.pk}/{article.slug}").status_code == 200

    # the submitter hears back with the article link
    approved = smtp.last("ana@rowing.example")
    assert "published" in approved.subject
    assert f"http://{CHILE_HOST}/news/{article.pk}/{article.slug}" in approved.body
    assert release.events.filter(action=ReleaseEvent.Action.NOTIFIED,
                                 note__startswith="approved").exists()
    status = client.get(status_path, HTTP_HOST=CHILE_HOST).content.decode()
    assert "approved and published" in status
    assert f"/chile-sun/news/{article.pk}/" in status

    # approving twice is refused and publishes nothing new
    count = Article.objects.count()
    admin_post(editor_client, release, decision="approve")
    assert Article.objects.count() == count


def test_rejection_with_reason(client, smtp, editions, editor_client):
    chile, _euro = editions
    release, status_path = submit_and_confirm(client, smtp, chile)
    # a rejection without a reason is refused by the form
    response = admin_post(editor_client, release, decision="reject", reason="")
    assert response.status_code == 200 and b"Say why the release is rejected" in \
        response.content
    release.refresh_from_db()
    assert release.status == Release.Status.PENDING

    response = admin_post(editor_client, release, decision="reject",
                          reason="We only publish releases about events in Chile.")
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.status == Release.Status.REJECTED
    assert release.article is None
    assert not Article.objects.filter(kind=Article.Kind.PRESS_RELEASE).exists()
    mail = smtp.last("ana@rowing.example")
    assert "not accepted" in mail.subject
    assert "We only publish releases about events in Chile." in mail.body
    status = client.get(status_path, HTTP_HOST=CHILE_HOST).content.decode()
    assert "We only publish releases about events in Chile." in status
    event = release.events.get(action=ReleaseEvent.Action.REJECTED)
    assert event.actor_label == "editor" and "events in Chile" in event.note


def test_spam_gets_no_mail_and_is_never_published(client, smtp, editions, editor_client):
    chile, _euro = editions
    release, _status_path = submit_and_confirm(client, smtp, chile)
    before = len(smtp.to("ana@rowing.example"))
    response = admin_post(editor_client, release, decision="spam")
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.status == Release.Status.SPAM
    assert len(smtp.to("ana@rowing.example")) == before
    assert not Article.objects.exists()
    # nor can it be approved afterwards
    admin_post(editor_client, release, decision="approve")
    release.refresh_from_db()
    assert release.status == Release.Status.SPAM and not Article.objects.exists()


def test_changelist_action_marks_spam_and_queue_defaults_to_pending(client, smtp, editions,
                                                                   editor_client):
    chile, _euro = editions
    release, _status = submit_and_confirm(client, smtp, chile)
    queue = editor_client.get("/admin/releases/release/").content.decode()
    assert release.reference in queue
    editor_client.post("/admin/releases/release/", {
        "action": "spam_selected", "_selected_action": [str(release.pk)]})
    release.refresh_from_db()
    assert release.status == Release.Status.SPAM
    assert release.reference not in editor_client.get("/admin/releases/release/").content.decode()
    assert release.reference in editor_client.get(
        "/admin/releases/release/?status=all").content.decode()


def test_changelist_action_approves_and_reports_refusals(client, smtp, editions,
                                                        editor_client):
    chile, _euro = editions
    release, _status = submit_and_confirm(client, smtp, chile)
    spam, _ = submit_and_confirm(client, smtp, chile, email="b@ex.example", organisation="B")
    editor_client.post("/admin/releases/release/", {
        "action": "spam_selected", "_selected_action": [str(spam.pk)]})
    page = editor_client.post("/admin/releases/release/?status=all", {
        "action": "approve_selected", "_selected_action": [str(release.pk), str(spam.pk)]},
        follow=True).content.decode()
    release.refresh_from_db()
    spam.refresh_from_db()
    assert release.status == Release.Status.APPROVED and release.article is not None
    assert spam.status == Release.Status.SPAM
    assert "1 release(s) approved and published" in page
    assert spam.reference in page  # the refusal names the release it concerns


def test_unverified_release_cannot_be_approved(client, smtp, editions, editor_client):
    chile, _euro = editions
    client.post("/chile-sun/releases/submit", form_data(chile))
    release = Release.objects.get()
    response = admin_post(editor_client, release, decision="approve")
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.status == Release.Status.UNVERIFIED and not Article.objects.exists()


def test_status_links_are_private_and_unforgeable(client, smtp, editions):
    chile, _euro = editions
    first, first_status = submit_and_confirm(client, smtp, chile)
    _second, second_status = submit_and_confirm(
        client, smtp, chile, email="bo@other.example", organisation="Other Org",
        headline="A different release from someone else")
    assert first_status != second_status
    first_page = client.get(first_status, HTTP_HOST=CHILE_HOST).content.decode()
    assert "A different release" not in first_page
    token = first_status.rsplit("/", 1)[1]
    # the reference alone, a changed signature, the verify token: none of them work
    assert client.get(f"/chile-sun/releases/status/{first.reference}").status_code == 404
    assert client.get(f"/chile-sun/releases/status/{token[:-2]}xx").status_code == 404
    verify_token = smtp.to("ana@rowing.example")[0].link("verify").rsplit("/", 1)[1]
    assert client.get(f"/chile-sun/releases/status/{verify_token}").status_code == 404
    # a forged verify link confirms nothing
    assert client.post(f"/chile-sun/releases/verify/{token}").status_code == 400


def test_verify_link_expires(client, smtp, editions, settings):
    chile, _euro = editions
    client.post("/chile-sun/releases/submit", form_data(chile))
    link = smtp.last("ana@rowing.example").link("verify")
    settings.WIREDESK_RELEASE_VERIFY_HOURS = -1
    response = client.post(link, HTTP_HOST=CHILE_HOST)
    assert response.status_code == 400 and b"expired" in response.content
    assert Release.objects.get().status == Release.Status.UNVERIFIED


def test_dead_mail_relay_keeps_the_release_and_records_the_failure(client, editions,
                                                                   settings):
    from tests.smtp_sink import free_port
    from wiredesk.mail import email_settings_from_url

    for key, value in email_settings_from_url(f"smtp://127.0.0.1:{free_port()}").items():
        setattr(settings, key, value)
    settings.EMAIL_TIMEOUT = 2
    chile, _euro = editions
    response = client.post("/chile-sun/releases/submit", form_data(chile))
    assert response.status_code == 302
    release = Release.objects.get()
    assert release.events.filter(action=ReleaseEvent.Action.MAIL_FAILED).exists()

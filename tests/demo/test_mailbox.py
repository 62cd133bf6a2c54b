"""The demo mailbox: mail kept as files, read at /_mail/ (demo/mailbox.py, demo/views.py)."""

import re

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives

from wiredesk.demo import mailbox

BACKEND = "wiredesk.demo.mailbox.MailboxBackend"


@pytest.fixture
def demo_mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = BACKEND
    settings.WIREDESK_MAILBOX_DIR = tmp_path / "mailbox"
    settings.WIREDESK_DEMO_MAILBOX = True
    settings.ROOT_URLCONF = "tests.demo.urls"
    return settings.WIREDESK_MAILBOX_DIR


def send(subject: str, *, to: str = "reader@example.org", html: str = "") -> None:
    message = EmailMultiAlternatives(subject, f"Plain text of {subject}: "
                                     "http://chilesun.localhost:8123/digest/confirm/abc",
                                     "Chile Sun <news@localhost>", [to])
    if html:
        message.attach_alternative(html, "text/html")
    connection = django_mail.get_connection()
    assert connection.send_messages([message]) == 1


def test_each_message_is_one_file_read_back_newest_first(demo_mailbox):
    send("First", html="<p>One</p>")
    send("Second", to="other@example.org")
    files = sorted(demo_mailbox.glob("*.eml"))
    assert len(files) == 2 and not list(demo_mailbox.glob(".*"))  # no temporary file left
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"
    newest, oldest = mailbox.letters()
    assert (newest.subject, newest.to) == ("Second", "other@example.org")
    assert oldest.sender == "Chile Sun <news@localhost>" and newest.when >= oldest.when
    full = mailbox.letter(oldest.id)
    assert full.html == "<p>One</p>\n" or full.html.strip() == "<p>One</p>"
    assert full.text.startswith("Plain text of First")


@pytest.mark.parametrize("bad", ["../secret_key", "x", "00000000000000000001-zzzzzzzz",
                                 "/etc/passwd"])
def test_an_id_that_is_not_ours_names_no_file(demo_mailbox, bad):
    assert mailbox.letter(bad) is None


def test_no_mailbox_yet_is_an_empty_list(demo_mailbox):
    assert mailbox.letters() == []


@pytest.mark.django_db
def test_the_list_page_shows_when_from_to_subject_escaped(demo_mailbox, client):
    send("Confirm <script>alert(1)</script>", html="<p>Hi</p>")
    page = client.get("/_mail/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "reader@example.org" in html and "Chile Sun &lt;news@localhost&gt;" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    [letter] = mailbox.letters()
    assert f'href="/_mail/{letter.id}/"' in html


@pytest.mark.django_db
def test_a_message_page_frames_its_html_in_a_sandbox(demo_mailbox, client):
    send("Confirm", html='<p style="color:red">Open <a href="http://x.example/">it</a></p>'
                         "<script>parent.document.title='owned'</script>")
    [letter] = mailbox.letters()
    page = client.get(f"/_mail/{letter.id}/")
    assert page.status_code == 200
    html = page.content.decode()
    frame = re.search(r"<iframe[^>]*>", html).group(0)
    assert f'src="/_mail/{letter.id}/html"' in frame and 'sandbox="' in frame
    assert "allow-scripts" not in frame and "allow-same-origin" not in frame
    policy = page["Content-Security-Policy"]
    assert "frame-src 'self'" in policy and "script-src 'self'" in policy
    # the text part, its links made clickable
    assert '<a href="http://chilesun.localhost:8123/digest/confirm/abc"' in html

    part = client.get(f"/_mail/{letter.id}/html")
    assert part.status_code == 200
    policy = part["Content-Security-Policy"]
    assert policy.startswith("sandbox ") and "allow-scripts" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert part["X-Frame-Options"] == "SAMEORIGIN"
    body = part.content.decode()
    assert body.startswith('<base target="_top">') and 'style="color:red"' in body


@pytest.mark.django_db
def test_the_pages_answer_404_without_the_demo_setting(demo_mailbox, client, settings):
    send("Confirm", html="<p>x</p>")
    [letter] = mailbox.letters()
    settings.WIREDESK_DEMO_MAILBOX = False
    for path in ("/_mail/", f"/_mail/{letter.id}/", f"/_mail/{letter.id}/html"):
        assert client.get(path).status_code == 404, path


@pytest.mark.django_db
def test_the_site_without_the_demo_has_no_mailbox(client, settings, tmp_path):
    """wiredesk.urls as `wiredesk serve` loads it (the setting off): no route at all."""
    from django.urls import Resolver404, resolve

    assert not settings.WIREDESK_DEMO_MAILBOX
    for path in ("/_mail/", "/_mail/00000000000000000001-abcdef01/html"):
        try:
            match = resolve(path, urlconf="wiredesk.urls")
        except Resolver404:
            continue
        assert not match.func.__module__.startswith("wiredesk.demo"), path
    assert client.get("/_mail/").status_code == 404

"""`wiredesk releases ...` does what the admin does, mail included."""

from __future__ import annotations

import pytest

from tests.releases.conftest import CHILE_HOST, form_data
from wiredesk import cli
from wiredesk.newsroom.models import Article
from wiredesk.releases.models import Release, ReleaseEvent

# Each request commits its mail through `requests_commit`: no transactional database needed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]


@pytest.fixture
def pending(client, smtp, editions):
    chile, _euro = editions
    client.post("/chile-sun/releases/submit", form_data(chile))
    client.post(smtp.last("ana@rowing.example").link("verify"), HTTP_HOST=CHILE_HOST)
    client.post("/chile-sun/releases/submit", form_data(
        chile, email="bo@other.example", organisation="Harbour Traders",
        headline="Harbour traders name a new chair", category="appointments"))
    release = Release.objects.get(email="ana@rowing.example")
    assert release.status == Release.Status.PENDING
    return release


@pytest.fixture
def run(capsys, commit):
    """`wiredesk ...` in this process; what it committed (mail included) is done after."""
    def _run(*argv) -> tuple[int, str, str]:
        with commit():
            code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_list_one_line_each_starting_with_id(pending, run):
    code, out, _err = run("releases", "list")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith(f"{pending.pk} ") and pending.reference in lines[0]
    code, out, _err = run("releases", "list", "--status", "pending")
    assert [line.split()[0] for line in out.strip().splitlines()] == [str(pending.pk)]
    code, out, _err = run("releases", "list", "--status", "unverified")
    assert "Harbour traders" in out and pending.reference not in out


def test_show(pending, run):
    code, out, _err = run("releases", "show", str(pending.pk))
    assert code == 0
    assert pending.reference in out and "Valparaiso Rowing Club" in out
    assert "boathouse was built by volunteers" in out and "verified" in out


def test_approve_with_section_publishes_and_mails(pending, run, smtp, client):
    code, out, err = run("releases", "approve", str(pending.pk), "--section", "community")
    assert code == 0, err
    pending.refresh_from_db()
    article = pending.article
    assert pending.status == Release.Status.APPROVED and article.section.slug == "community"
    assert article.kind == Article.Kind.PRESS_RELEASE
    assert f"http://{CHILE_HOST}/news/{article.pk}/{article.slug}" in out
    mail = smtp.last("ana@rowing.example")
    assert f"http://{CHILE_HOST}/news/{article.pk}/{article.slug}" in mail.body
    event = pending.events.get(action=ReleaseEvent.Action.APPROVED)
    assert event.actor_label.startswith("cli:") and event.actor is None
    assert pending.events.get(action=ReleaseEvent.Action.EDITED).changes == {
        "section": [None, "community"]}
    assert client.get(f"/chile-sun/news/{article.pk}/{article.slug}").status_code == 200
    # a second approval is a one-line error, exit 2
    code, _out, err = run("releases", "approve", str(pending.pk))
    assert code == 2 and "already approved" in err, err
    assert err.strip().splitlines()[-1].startswith("wiredesk: error:"), err


def test_approve_without_section_uses_the_category(pending, run):
    assert run("releases", "approve", str(pending.pk))[0] == 0
    pending.refresh_from_db()
    assert pending.article.section.slug == "sport"  # category "sports"


def test_reject_mails_the_reason(pending, run, smtp):
    code, _out, err = run("releases", "reject", str(pending.pk), "--reason",
                          "Please send it with a named spokesperson.")
    assert code == 0, err
    pending.refresh_from_db()
    assert pending.status == Release.Status.REJECTED
    assert "named spokesperson" in smtp.last("ana@rowing.example").body


def test_decisions_are_in_the_audit_log_with_who_took_them(pending, run):
    from wiredesk.core.audit import AuditEntry

    assert run("releases", "approve", str(pending.pk))[0] == 0
    pending.refresh_from_db()
    approve = AuditEntry.objects.get(action__startswith="release.")
    assert (approve.action, approve.target_id) == ("release.approve", str(pending.pk))
    assert approve.details == {"article": pending.article_id}
    assert approve.edition_slug == "chile-sun" and approve.actor_label.startswith("cli:")


def test_a_rejection_is_in_the_audit_log(pending, run):
    from wiredesk.core.audit import AuditEntry

    assert run("releases", "reject", str(pending.pk), "--reason", "Not news.")[0] == 0
    reject = AuditEntry.objects.get(action__startswith="release.")
    assert (reject.action, reject.details) == ("release.reject", {"reason": "Not news."})
    assert reject.actor_label.startswith("cli:")


def test_operator_errors_are_one_line(pending, run):
    for argv in (("releases", "show", "999999"),
                 ("releases", "approve", str(pending.pk), "--section", "nowhere"),
                 ("releases", "reject", str(pending.pk), "--reason", "  ")):
        code, _out, err = run(*argv)
        assert code == 2 and "Traceback" not in err, argv
        # log lines may precede it on stderr; the error itself is one line, last
        assert err.strip().splitlines()[-1].startswith("wiredesk: error:"), (argv, err)
    unverified = Release.objects.get(email="bo@other.example")
    code, _out, err = run("releases", "approve", str(unverified.pk))
    assert code == 2 and "confirm the email" in err
    pending.refresh_from_db()
    assert pending.status == Release.Status.PENDING and not Article.objects.exists()

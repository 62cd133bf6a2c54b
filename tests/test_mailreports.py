"""Delivery reports and complaints parsed: every MTA's sample, provider events, hostile mail."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import bounce_samples as samples
from wiredesk import mailreports
from wiredesk.mailreports import parse_report, status_severity

ORIGINAL = samples.Original()
TOKEN = "d1-0123456789abcdef"


@pytest.mark.parametrize(("build", "kind", "severity", "status"), samples.FAILURES,
                         ids=[f[0].__name__ for f in samples.FAILURES])
def test_each_mtas_bounce_names_recipient_status_and_our_marks(build, kind, severity, status):
    report = parse_report(build(), verp_local_part="bounces")
    assert report.kind == kind
    [recipient] = report.recipients
    assert recipient.address == "reader@example.net"
    assert recipient.severity == severity
    assert recipient.status == status
    assert recipient.diagnostic
    assert report.original_message_id == ORIGINAL.message_id
    assert report.tokens == (TOKEN,)


@pytest.mark.parametrize("build", samples.COMPLAINTS, ids=lambda b: b.__name__)
def test_complaints_are_found_even_with_the_recipient_redacted(build):
    report = parse_report(build(), verp_local_part="bounces")
    assert report.kind == mailreports.FEEDBACK and report.format == "arf"
    [recipient] = report.recipients
    assert recipient.severity == mailreports.COMPLAINT
    assert recipient.address in ("reader@example.net", "")
    assert report.original_message_id == ORIGINAL.message_id
    assert report.tokens == (TOKEN,)


def test_aol_style_redaction_leaves_no_address_but_our_marks():
    report = parse_report(samples.arf_aol_redacted(), verp_local_part="bounces")
    assert report.recipients[0].address == ""
    jmrp = parse_report(samples.arf_microsoft_jmrp(), verp_local_part="bounces")
    assert jmrp.recipients[0].address == "reader@example.net"


@pytest.mark.parametrize("build", samples.NOT_REPORTS, ids=lambda b: b.__name__)
def test_mail_that_is_no_failure_report_has_nothing_to_act_on(build):
    report = parse_report(build(), verp_local_part="bounces")
    assert report.kind == mailreports.UNKNOWN
    assert report.actionable == []
    assert report.error


def test_the_machine_part_of_the_standard_dsn_tells_which_mta_wrote_it():
    formats = {b.__name__: parse_report(b()).format for b in (
        samples.postfix_hard, samples.sendmail_dsn, samples.exchange_dsn, samples.gmail_dsn,
        samples.qmail, samples.exim_plain, samples.gmail_plain)}
    assert formats == {"postfix_hard": "postfix", "sendmail_dsn": "sendmail",
                       "exchange_dsn": "exchange", "gmail_dsn": "gmail", "qmail": "qmail",
                       "exim_plain": "exim", "gmail_plain": "gmail"}


def test_a_report_for_several_recipients_lists_each():
    data = samples.postfix_hard().replace(
        b"\r\n--B0UND4RY.1701\r\nContent-Description: Undelivered Message",
        b"\r\n\r\nFinal-Recipient: rfc822; other@example.com\r\nAction: delayed\r\n"
        b"Status: 4.2.0\r\n\r\n--B0UND4RY.1701\r\nContent-Description: Undelivered Message")
    report = parse_report(data)
    assert [(r.address, r.severity) for r in report.recipients] == [
        ("reader@example.net", "hard"), ("other@example.com", "soft")]


@pytest.mark.parametrize(("status", "action", "severity"), [
    ("5.1.1", "failed", "hard"), ("5.2.1", "failed", "hard"), ("5.0.0", "failed", "hard"),
    ("5.2.2", "failed", "soft"),  # mailbox full says nothing about the address
    ("5.7.1", "failed", "soft"),  # a spam or policy block neither
    ("4.4.7", "failed", "soft"), ("", "delayed", "soft"), ("2.0.0", "delivered", "none"),
    ("", "failed", "hard"), ("", "", "none"),
])
def test_severity_of_status_and_action(status, action, severity):
    assert status_severity(status, action) == severity


def test_the_verp_token_is_read_case_insensitively_and_only_for_our_local_part():
    data = b"To: BOUNCES+D7-ABCDEF0123456789@news.example.org\r\n\r\nx"
    assert mailreports.find_tokens(data, "bounces") == ("d7-abcdef0123456789",)
    assert mailreports.find_tokens(data, "returns") == ()
    assert mailreports.find_tokens(data, "") == ()


HOSTILE = [
    b"", b"\r\n\r\n", b"\x00" * 100, b"garbage without headers",
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n"
    b"--x\r\nContent-Type: message/delivery-status\r\n\r\n\xff\xfe\x00broken\r\n--x",
    b"Content-Type: multipart/report; boundary=\"\r\n\r\n--\r\n",
    b"Content-Type: multipart/mixed; boundary=a\r\n\r\n" + b"--a\r\n" * 5000,
    b"Content-Type: text/plain; charset=no-such-charset\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64",
    b"Content-Type: message/rfc822\r\n\r\n" * 200,
    # a bounce of a bounce of a bounce (a loop): nested reports
    samples.postfix_hard().replace(b"Today's stories.", samples.postfix_hard() * 3),
]


@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_mail_never_raises(data):
    report = parse_report(data, verp_local_part="bounces")
    assert isinstance(report, mailreports.Report)


def test_a_huge_message_is_read_only_up_to_the_cap():
    data = samples.gmail_dsn() + b"A" * (mailreports.MAX_REPORT_BYTES * 3)
    report = parse_report(data, verp_local_part="bounces")
    assert report.kind == mailreports.BOUNCE


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(data):
    parse_report(data, verp_local_part="bounces")


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=4000), st.binary(max_size=50))
def test_a_real_report_cut_or_spliced_anywhere_never_raises(cut, junk):
    data = samples.exchange_dsn()
    parse_report(data[:cut] + junk + data[cut:], verp_local_part="bounces")


# --- provider events -------------------------------------------------------------------

def test_ses_bounce_and_complaint():
    bounce = mailreports.ses_report({
        "notificationType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bounceSubType": "General",
                   "bouncedRecipients": [{"emailAddress": "Reader@Example.net",
                                          "action": "failed", "status": "5.1.1",
                                          "diagnosticCode": "smtp; 550 5.1.1 user unknown"}]},
        "mail": {"source": "bounces+d1-0123456789abcdef@news.example.org",
                 "headers": [{"name": "Message-ID", "value": ORIGINAL.message_id}]}})
    assert bounce.kind == "bounce" and bounce.original_message_id == ORIGINAL.message_id
    assert bounce.recipients[0].address == "reader@example.net"
    assert bounce.recipients[0].severity == "hard"
    assert bounce.envelope_sender.startswith("bounces+d1-")
    transient = mailreports.ses_report({
        "notificationType": "Bounce", "bounce": {
            "bounceType": "Transient", "bouncedRecipients": [{"emailAddress": "a@b.example"}]},
        "mail": {}})
    assert transient.recipients[0].severity == "soft"
    complaint = mailreports.ses_report({
        "notificationType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "a@b.example"}],
                      "complaintFeedbackType": "abuse"},
        "mail": {"commonHeaders": {"messageId": ORIGINAL.message_id}}})
    assert complaint.kind == "complaint" and complaint.recipients[0].severity == "complaint"
    assert mailreports.ses_report({"notificationType": "Delivery"}).kind == "unknown"


def test_postmark_sendgrid_and_mailgun_events():
    hard = mailreports.postmark_report({"RecordType": "Bounce", "ID": 42, "Type": "HardBounce",
                                        "Email": "a@b.example", "Details": "550 5.1.1 no"})
    assert hard.recipients[0].severity == "hard" and hard.event_id == "42"
    soft = mailreports.postmark_report({"RecordType": "Bounce", "Type": "SoftBounce",
                                        "Email": "a@b.example"})
    assert soft.recipients[0].severity == "soft"
    spam = mailreports.postmark_report({"RecordType": "SpamComplaint", "Email": "a@b.example"})
    assert spam.recipients[0].severity == "complaint"

    bounce = mailreports.sendgrid_report({
        "event": "bounce", "email": "a@b.example", "status": "5.1.1", "reason": "550 unknown",
        "sg_event_id": "ev1", "smtp-id": ORIGINAL.message_id})
    assert bounce.recipients[0].severity == "hard"
    assert bounce.original_message_id == ORIGINAL.message_id
    blocked = mailreports.sendgrid_report({"event": "bounce", "type": "blocked",
                                           "email": "a@b.example", "status": "5.7.1"})
    assert blocked.recipients[0].severity == "soft"
    assert mailreports.sendgrid_report({"event": "open"}).kind == "unknown"
    assert mailreports.sendgrid_report(
        {"event": "spamreport", "email": "a@b.example"}).recipients[0].severity == "complaint"

    failed = mailreports.mailgun_report({
        "event": "failed", "severity": "permanent", "recipient": "a@b.example", "id": "mg1",
        "delivery-status": {"code": 550, "description": "No such mailbox"},
        "message": {"headers": {"message-id": ORIGINAL.message_id.strip("<>")}}})
    assert failed.recipients[0].severity == "hard"
    assert failed.original_message_id == ORIGINAL.message_id
    temporary = mailreports.mailgun_report({"event": "failed", "severity": "temporary",
                                            "recipient": "a@b.example"})
    assert temporary.recipients[0].severity == "soft"
    assert mailreports.mailgun_report({"event": "complained", "recipient": "a@b.example"}
                                      ).kind == "complaint"


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=20))
def test_provider_events_of_any_shape_never_raise(value):
    for parse in (mailreports.ses_report, mailreports.postmark_report,
                  mailreports.sendgrid_report, mailreports.mailgun_report):
        if isinstance(value, dict):
            parse(value)
    json.dumps(str(value))

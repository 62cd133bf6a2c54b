"""Delivery reports and complaints as the common MTAs and mailbox providers write them.

Written for this project (no real person's mail): each builder takes the failed
recipient, the Message-ID of our message that bounced and the VERP return path it went
out with, and returns the bytes that would arrive in the bounce mailbox. The shapes
follow each MTA's documented or commonly seen layout: RFC 3464 reports from Postfix,
Exim, Sendmail, Exchange/Office 365 and Gmail; the plain-text notices of qmail, older
Exim, old Sendmail and Gmail; RFC 5965 complaints as Yahoo, AOL and Microsoft's JMRP
send them. Used by tests/digest/test_bounce_reports.py and benchmarks/bounces.py.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Original:
    recipient: str = "reader@example.net"
    message_id: str = "<digest.1.1.abcdef012345@news.example.org>"
    return_path: str = "bounces+d1-0123456789abcdef@news.example.org"
    sender: str = "news@news.example.org"


def _original_headers(o: Original) -> str:
    return (f"Return-Path: <{o.return_path}>\n"
            f"From: \"Chile Sun\" <{o.sender}>\n"
            f"To: {o.recipient}\n"
            "Subject: Chile Sun daily: Harbour reopens after storm\n"
            "Date: Mon, 30 Nov 2026 06:00:01 +0000\n"
            f"Message-ID: {o.message_id}\n"
            "MIME-Version: 1.0\n"
            "List-Id: \"Chile Sun daily digest\" <chile-sun.digest.news.example.org>\n"
            "Content-Type: text/plain; charset=\"utf-8\"\n")


def _original(o: Original) -> str:
    return _original_headers(o) + "\nToday's stories.\nHarbour reopens after storm.\n"


def _report(*, o: Original, mta_from: str, subject: str, human: str, per_message: str,
            per_recipient: str, extra_headers: str = "", headers_only: bool = False,
            boundary: str = "B0UND4RY.1701") -> bytes:
    third_type = "text/rfc822-headers" if headers_only else "message/rfc822"
    third = _original_headers(o) if headers_only else _original(o)
    return (
        f"Return-Path: <>\n"
        f"Delivered-To: {o.return_path}\n"
        f"Received: from mx.example.net (mx.example.net [192.0.2.25])\n"
        f"\tby mail.news.example.org with ESMTP id 4Q1; Mon, 30 Nov 2026 06:00:09 +0000\n"
        f"{extra_headers}"
        f"From: {mta_from}\n"
        f"To: {o.return_path}\n"
        f"Subject: {subject}\n"
        f"Date: Mon, 30 Nov 2026 06:00:09 +0000\n"
        f"Message-ID: <report.{zlib.crc32((o.recipient + subject).encode())}@mx.example.net>\n"
        f"Auto-Submitted: auto-replied\n"
        f"MIME-Version: 1.0\n"
        f"Content-Type: multipart/report; report-type=delivery-status;\n"
        f"\tboundary=\"{boundary}\"\n\n"
        f"This is a MIME-encapsulated message.\n\n"
        f"--{boundary}\n"
        f"Content-Description: Notification\n"
        f"Content-Type: text/plain; charset=us-ascii\n\n"
        f"{human}\n"
        f"--{boundary}\n"
        f"Content-Description: Delivery report\n"
        f"Content-Type: message/delivery-status\n\n"
        f"{per_message}\n\n{per_recipient}\n"
        f"--{boundary}\n"
        f"Content-Description: Undelivered Message\n"
        f"Content-Type: {third_type}\n\n"
        f"{third}\n"
        f"--{boundary}--\n"
    ).replace("\n", "\r\n").encode()


def postfix_hard(o: Original = Original()) -> bytes:
    return _report(
        o=o, mta_from="MAILER-DAEMON@mail.news.example.org (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender",
        human=("This is the mail system at host mail.news.example.org.\n\n"
               "I'm sorry to have to inform you that your message could not\n"
               "be delivered to one or more recipients. It's attached below.\n\n"
               "                   The mail system\n\n"
               f"<{o.recipient}>: host mx.example.net[192.0.2.25] said: 550 5.1.1\n"
               f"    <{o.recipient}>: Recipient address rejected: User unknown in virtual\n"
               "    mailbox table (in reply to RCPT TO command)\n"),
        per_message=("Reporting-MTA: dns; mail.news.example.org\n"
                     "X-Postfix-Queue-ID: 4Q1Zx21Kz9z9s\n"
                     f"X-Postfix-Sender: rfc822; {o.return_path}\n"
                     "Arrival-Date: Mon, 30 Nov 2026 06:00:01 +0000 (UTC)"),
        per_recipient=(f"Final-Recipient: rfc822; {o.recipient}\n"
                       f"Original-Recipient: rfc822;{o.recipient}\n"
                       "Action: failed\n"
                       "Status: 5.1.1\n"
                       "Remote-MTA: dns; mx.example.net\n"
                       f"Diagnostic-Code: smtp; 550 5.1.1 <{o.recipient}>: Recipient address\n"
                       "    rejected: User unknown in virtual mailbox table"),
        extra_headers="X-Mailer: Postfix\n")


def postfix_delay(o: Original = Original()) -> bytes:
    return _report(
        o=o, mta_from="MAILER-DAEMON@mail.news.example.org (Mail Delivery System)",
        subject="Delayed Mail (still being retried)",
        human=("This is the mail system at host mail.news.example.org.\n\n"
               "####################################################################\n"
               "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
               "####################################################################\n\n"
               "Your message could not be delivered for more than 4 hour(s).\n"
               "It will be retried until it is 5 day(s) old.\n"),
        per_message="Reporting-MTA: dns; mail.news.example.org\nX-Postfix-Queue-ID: 4Q1Zx3",
        per_recipient=(f"Final-Recipient: rfc822; {o.recipient}\n"
                       "Action: delayed\n"
                       "Status: 4.4.1\n"
                       "Diagnostic-Code: X-Postfix; connect to mx.example.net[192.0.2.25]:25:\n"
                       "    Connection timed out\n"
                       "Will-Retry-Until: Sat, 5 Dec 2026 06:00:01 +0000 (UTC)"),
        headers_only=True)


def exim_dsn(o: Original = Original()) -> bytes:
    return _report(
        o=o, mta_from="Mail Delivery System <Mailer-Daemon@mail.news.example.org>",
        subject="Mail delivery failed: returning message to sender",
        human=("This message was created automatically by mail delivery software.\n\n"
               "A message that you sent could not be delivered to one or more of its\n"
               "recipients. This is a permanent error. The following address(es) failed:\n\n"
               f"  {o.recipient}\n"
               "    host mx.example.net [192.0.2.25]\n"
               "    SMTP error from remote mail server after RCPT TO:<"
               f"{o.recipient}>:\n    550 5.2.1 The email account that you tried to reach "
               "is disabled.\n"),
        per_message="Reporting-MTA: dns; mail.news.example.org",
        per_recipient=(f"Action: failed\nFinal-Recipient: rfc822;{o.recipient}\n"
                       "Status: 5.0.0\nRemote-MTA: dns; mx.example.net\n"
                       "Diagnostic-Code: smtp; 550 5.2.1 The email account that you tried to "
                       "reach is disabled."),
        extra_headers="X-Failed-Recipients: " + o.recipient + "\n", boundary="1701426009-eximdsn")


def exim_plain(o: Original = Original()) -> bytes:
    return (
        f"Return-Path: <>\nDelivered-To: {o.return_path}\n"
        "From: Mail Delivery System <Mailer-Daemon@relay.example.com>\n"
        f"To: {o.return_path}\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "Message-Id: <E1r8Zt0-0004QK-9f@relay.example.com>\n"
        f"X-Failed-Recipients: {o.recipient}\n"
        "Auto-Submitted: auto-replied\n"
        "Date: Mon, 30 Nov 2026 06:00:12 +0000\n\n"
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        f"  {o.recipient}\n"
        "    SMTP error from remote mail server after RCPT TO:<"
        f"{o.recipient}>:\n"
        "    host mx.example.net [192.0.2.25]: 550 No such user here\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n"
        + _original(o)).replace("\n", "\r\n").encode()


def exim_delay(o: Original = Original()) -> bytes:
    return (
        f"Return-Path: <>\n"
        "From: Mail Delivery System <Mailer-Daemon@relay.example.com>\n"
        f"To: {o.return_path}\n"
        "Subject: Warning: message 1r8Zt0-0004QK-9f delayed 24 hours\n"
        "Message-Id: <E1r8Zt9-0004QT-2a@relay.example.com>\n"
        f"X-Failed-Recipients: {o.recipient}\n"
        "Auto-Submitted: auto-replied\n\n"
        "This message was created automatically by mail delivery software.\n"
        "A message that you sent has not yet been delivered to one or more of its\n"
        "recipients after more than 24 hours on the queue on relay.example.com.\n\n"
        "The message identifier is:     1r8Zt0-0004QK-9f\n"
        "The subject of the message is: Chile Sun daily: Harbour reopens after storm\n\n"
        "The address to which the message has not yet been delivered is:\n\n"
        f"  {o.recipient}\n"
        "    Delay reason: SMTP error from remote mail server after RCPT TO:\n"
        "    451 4.7.1 Greylisting in action, please come back later\n\n"
        "No action is required on your part. Delivery attempts will continue for\n"
        "some time, and this warning may be repeated at intervals if the message\n"
        "remains undelivered. Eventually the mail delivery software will give up,\n"
        "and when that happens, the message will be returned to you.\n\n"
        "------ This is a copy of the message's headers. ------\n\n"
        + _original_headers(o)).replace("\n", "\r\n").encode()


def sendmail_dsn(o: Original = Original()) -> bytes:
    return _report(
        o=o, mta_from="Mail Delivery Subsystem <MAILER-DAEMON@mx2.example.com>",
        subject="Returned mail: see transcript for details",
        human=("The original message was received at Mon, 30 Nov 2026 06:00:02 GMT\n"
               "from mail.news.example.org [198.51.100.7]\n\n"
               "   ----- The following addresses had permanent fatal errors -----\n"
               f"<{o.recipient}>\n"
               "    (reason: 550 5.1.1 <" + o.recipient + ">... User unknown)\n\n"
               "   ----- Transcript of session follows -----\n"
               f"... while talking to mx.example.net.:\n>>> RCPT To:<{o.recipient}>\n"
               f"<<< 550 5.1.1 <{o.recipient}>... User unknown\n550 5.1.1 "
               f"<{o.recipient}>... User unknown\n"),
        per_message=("Reporting-MTA: dns; mx2.example.com\nReceived-From-MTA: DNS; "
                     "mail.news.example.org\nArrival-Date: Mon, 30 Nov 2026 06:00:02 GMT"),
        per_recipient=(f"Final-Recipient: RFC822; {o.recipient}\nAction: failed\n"
                       "Status: 5.1.1\nRemote-MTA: DNS; mx.example.net\n"
                       "Diagnostic-Code: SMTP; 550 5.1.1 <" + o.recipient + ">... User unknown\n"
                       "Last-Attempt-Date: Mon, 30 Nov 2026 06:00:03 GMT"),
        extra_headers="X-Mailer: Sendmail 8.17.1\n", headers_only=True,
        boundary="2B8Ku0s9003421.1701426003/mx2.example.com")


def sendmail_plain(o: Original = Original()) -> bytes:
    return (
        "Return-Path: <>\n"
        "From: Mail Delivery Subsystem <MAILER-DAEMON@old.example.com>\n"
        f"To: <{o.return_path}>\n"
        "Subject: Returned mail: User unknown\n"
        "Message-Id: <200611300600.kAU605a01234@old.example.com>\n\n"
        "The original message was received at Mon, 30 Nov 2026 06:00:02 GMT\n\n"
        "   ----- The following addresses had permanent fatal errors -----\n"
        f"<{o.recipient}>\n"
        "    (reason: 550 5.1.1 User unknown)\n\n"
        "   ----- Transcript of session follows -----\n"
        f"550 5.1.1 <{o.recipient}>... User unknown\n\n"
        "   ----- Original message follows -----\n"
        + _original(o)).replace("\n", "\r\n").encode()


def qmail(o: Original = Original()) -> bytes:
    return (
        "Return-Path: <>\n"
        "From: MAILER-DAEMON@mx.qmail.example.com\n"
        f"To: {o.return_path}\n"
        "Subject: failure notice\n"
        "Date: 30 Nov 2026 06:00:15 -0000\n"
        "Message-ID: <20261130060015.12345.qmail@mx.qmail.example.com>\n\n"
        "Hi. This is the qmail-send program at mx.qmail.example.com.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{o.recipient}>:\n"
        "Sorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        + _original(o)).replace("\n", "\r\n").encode()


def qmail_remote(o: Original = Original()) -> bytes:
    return (
        "Return-Path: <>\n"
        "From: MAILER-DAEMON@mx.qmail.example.com\n"
        f"To: {o.return_path}\n"
        "Subject: failure notice\n\n"
        "Hi. This is the qmail-send program at mx.qmail.example.com.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{o.recipient}>:\n"
        "192.0.2.25 does not like recipient.\n"
        f"Remote host said: 550 5.1.1 <{o.recipient}>... User unknown\n"
        "Giving up on 192.0.2.25.\n\n"
        "--- Below this line is a copy of the message.\n\n"
        + _original(o)).replace("\n", "\r\n").encode()


def exchange_dsn(o: Original = Original()) -> bytes:
    return _report(
        o=o, mta_from="Microsoft Outlook <postmaster@outlook.com>",
        subject="Undeliverable: Chile Sun daily: Harbour reopens after storm",
        human=("Delivery has failed to these recipients or groups:\n\n"
               f"{o.recipient}<mailto:{o.recipient}>\n"
               "The email address you entered couldn't be found. Please check the "
               "recipient's email address and try to resend the message.\n\n"
               "Diagnostic information for administrators:\n\n"
               "Generating server: AM0PR01MB1234.eurprd01.prod.outlook.com\n"
               f"{o.recipient}\nRemote Server returned '550 5.1.10 "
               "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n"),
        per_message=("Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.outlook.com\n"
                     "Received-From-MTA: dns;mail.news.example.org\n"
                     "Arrival-Date: Mon, 30 Nov 2026 06:00:04 +0000"),
        per_recipient=(f"Final-Recipient: rfc822;{o.recipient}\nAction: failed\n"
                       "Status: 5.1.10\n"
                       "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
                       "Recipient not found by SMTP address lookup"),
        extra_headers=("X-MS-Exchange-Message-Is-Ndr:\n"
                       "X-MS-Exchange-Organization-SCL: -1\n"),
        headers_only=True, boundary="c7a1b8e2-3f4d-4b8c-9d1e-ndr")


def exchange_mailbox_full(o: Original = Original()) -> bytes:
    return _report(
        o=o, mta_from="postmaster@contoso.example.com",
        subject="Undeliverable: Chile Sun daily",
        human="Delivery has failed to these recipients or groups:\n\nThe mailbox is full.\n",
        per_message="Reporting-MTA: dns;EX01.contoso.example.com",
        per_recipient=(f"Final-Recipient: rfc822;{o.recipient}\nAction: failed\n"
                       "Status: 5.2.2\nDiagnostic-Code: smtp;554 5.2.2 mailbox full; "
                       "STOREDRV.Deliver.Exception:QuotaExceededException"),
        extra_headers="X-MS-Exchange-Message-Is-Ndr:\n", boundary="ex-full-01")


def gmail_dsn(o: Original = Original()) -> bytes:
    return _report(
        o=o, mta_from="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        subject="Delivery Status Notification (Failure)",
        human=("** Address not found **\n\n"
               f"Your message wasn't delivered to {o.recipient} because the address "
               "couldn't be found, or is unable to receive mail.\n\n"
               "The response from the remote server was:\n"
               f"550 5.1.1 The email account that you tried to reach does not exist.\n"),
        per_message=("Reporting-MTA: dns; googlemail.com\n"
                     "Arrival-Date: Mon, 30 Nov 2026 06:00:01 -0800 (PST)"),
        per_recipient=(f"Final-Recipient: rfc822; {o.recipient}\nAction: failed\n"
                       "Status: 5.1.1\nRemote-MTA: dns; gmail-smtp-in.l.google.com. "
                       "(2607:f8b0:4004:c1b::1a, the server for the domain example.net.)\n"
                       "Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried "
                       "to reach does\n not exist. Please try double-checking the recipient's "
                       "email\n address for typos. s12-20020a05 - gsmtp\n"
                       "Last-Attempt-Date: Mon, 30 Nov 2026 06:00:02 -0800 (PST)"),
        extra_headers="Received: by mail-sor-f69.google.com with SMTP id s12\n",
        boundary="000000000000a1b2c3d4e5f6")


def gmail_plain(o: Original = Original()) -> bytes:
    return (
        "Return-Path: <>\n"
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
        f"To: {o.return_path}\n"
        "Subject: Delivery Status Notification (Failure)\n"
        "Content-Type: text/plain; charset=ISO-8859-1\n\n"
        "Delivery to the following recipient failed permanently:\n\n"
        f"     {o.recipient}\n\n"
        "Technical details of permanent failure:\n"
        "Google tried to deliver your message, but it was rejected by the server for "
        "the recipient domain example.net by mx.example.net. [192.0.2.25].\n\n"
        "The error that the other server returned was:\n"
        "550 5.1.1 <" + o.recipient + ">: Recipient address rejected: User unknown\n\n"
        "----- Original message -----\n\n"
        + _original(o)).replace("\n", "\r\n").encode()


def gmail_delay_plain(o: Original = Original()) -> bytes:
    return (
        "Return-Path: <>\n"
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
        f"To: {o.return_path}\n"
        "Subject: Delivery Status Notification (Delay)\n\n"
        "This is an automatically generated Delivery Status Notification\n\n"
        "THIS IS A WARNING MESSAGE ONLY.\n\n"
        "YOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n"
        "Delivery to the following recipient has been delayed:\n\n"
        f"     {o.recipient}\n\n"
        "Message will be retried for 2 more day(s)\n\n"
        "Technical details of temporary failure:\n"
        "The recipient server did not accept our requests to connect. "
        "[mx.example.net. (10): Connection timed out]\n\n"
        "----- Original message -----\n\n"
        + _original_headers(o)).replace("\n", "\r\n").encode()


def _arf(*, o: Original, reporter: str, feedback: str, recipient_line: str,
         original: str, boundary: str, extra_headers: str = "") -> bytes:
    return (
        f"Return-Path: <{reporter}>\n"
        f"From: <{reporter}>\n"
        f"To: {o.return_path}\n"
        "Subject: Complaint about message from 198.51.100.7\n"
        "Date: Mon, 30 Nov 2026 09:14:00 +0000\n"
        f"Message-ID: <arf.{zlib.crc32((reporter + o.recipient).encode())}@fbl.example>\n"
        f"{extra_headers}"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=feedback-report;\n"
        f"\tboundary=\"{boundary}\"\n\n"
        f"--{boundary}\n"
        "Content-Type: text/plain; charset=\"US-ASCII\"\n"
        "Content-Transfer-Encoding: 7bit\n\n"
        "This is an email abuse report for an email message received from IP\n"
        "198.51.100.7 on Mon, 30 Nov 2026 06:00:05 +0000.\n"
        "For more information about this format please see "
        "http://www.mipassoc.org/arf/.\n\n"
        f"--{boundary}\n"
        "Content-Type: message/feedback-report\n\n"
        f"Feedback-Type: {feedback}\n"
        "User-Agent: ReportingFBL/1.0\n"
        "Version: 1\n"
        f"Original-Mail-From: <{o.return_path}>\n"
        f"{recipient_line}"
        "Arrival-Date: Mon, 30 Nov 2026 06:00:05 +0000\n"
        "Source-IP: 198.51.100.7\n"
        "Reported-Domain: news.example.org\n\n"
        f"--{boundary}\n"
        "Content-Type: message/rfc822\n"
        "Content-Disposition: inline\n\n"
        f"{original}\n"
        f"--{boundary}--\n").replace("\n", "\r\n").encode()


def arf_yahoo(o: Original = Original()) -> bytes:
    return _arf(o=o, reporter="feedback@arf.mail.yahoo.example", feedback="abuse",
                recipient_line=f"Original-Rcpt-To: {o.recipient}\n",
                original=_original(o), boundary="----=_Part_1234_5678.1701335640000",
                extra_headers="X-Yahoo-Newman-Property: cfl\n")


def arf_aol_redacted(o: Original = Original()) -> bytes:
    """AOL-style: the recipient is redacted everywhere; only our own marks remain."""
    redacted = Original(recipient="redacted@aol.example", message_id=o.message_id,
                        return_path=o.return_path, sender=o.sender)
    return _arf(o=redacted, reporter="scomp@aol.example", feedback="abuse",
                recipient_line="", original=_original(redacted),
                boundary="boundary-1019-AOL-FBL")


def arf_microsoft_jmrp(o: Original = Original()) -> bytes:
    """Microsoft JMRP: ARF wrapper, To of the original blanked, X-HmXmrOriginalRecipient."""
    blank = Original(recipient="", message_id=o.message_id, return_path=o.return_path,
                     sender=o.sender)
    return _arf(o=blank, reporter="staff@hotmail.example", feedback="abuse",
                recipient_line="", original=(
                    f"X-HmXmrOriginalRecipient: <{o.recipient}>\n" + _original(blank)),
                boundary="_e6a1d0c5-jmrp-boundary_",
                extra_headers="X-HmXmrOriginalRecipient: <" + o.recipient + ">\n")


def arf_not_spam(o: Original = Original()) -> bytes:
    return _arf(o=o, reporter="fbl@isp.example", feedback="not-spam",
                recipient_line=f"Original-Rcpt-To: {o.recipient}\n",
                original=_original(o), boundary="ns-boundary")


def out_of_office(o: Original = Original()) -> bytes:
    return (f"From: {o.recipient}\nTo: {o.return_path}\n"
            "Subject: Automatic reply: Chile Sun daily\nAuto-Submitted: auto-replied\n\n"
            "I am away until Monday with no access to email.\n").replace(
        "\n", "\r\n").encode()


def spam(o: Original = Original()) -> bytes:
    return (f"From: \"Prize Office\" <winner@lottery.example>\nTo: {o.return_path}\n"
            "Subject: You have WON\nContent-Type: text/html\n\n"
            "<p>Claim your prize now at http://lottery.example/</p>\n").replace(
        "\n", "\r\n").encode()


# Every failure sample with what it must parse to: (builder, kind, severity, status).
FAILURES = [
    (postfix_hard, "bounce", "hard", "5.1.1"),
    (postfix_delay, "delay", "soft", "4.4.1"),
    (exim_dsn, "bounce", "hard", "5.2.1"),
    (exim_plain, "bounce", "hard", "5.0.0"),
    (exim_delay, "delay", "soft", "4.7.1"),
    (sendmail_dsn, "bounce", "hard", "5.1.1"),
    (sendmail_plain, "bounce", "hard", "5.1.1"),
    (qmail, "bounce", "hard", "5.1.1"),
    (qmail_remote, "bounce", "hard", "5.1.1"),
    (exchange_dsn, "bounce", "hard", "5.1.10"),
    (exchange_mailbox_full, "bounce", "soft", "5.2.2"),
    (gmail_dsn, "bounce", "hard", "5.1.1"),
    (gmail_plain, "bounce", "hard", "5.1.1"),
    (gmail_delay_plain, "delay", "soft", "4.0.0"),
]
COMPLAINTS = [arf_yahoo, arf_aol_redacted, arf_microsoft_jmrp]
NOT_REPORTS = [arf_not_spam, out_of_office, spam]

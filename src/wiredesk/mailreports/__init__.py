"""Delivery reports and complaints, parsed: bytes or a provider's event in, a ``Report`` out.

Pure (standard library only): no Django, no database. The digest matches each report
to its delivery (``digest.bounces``); this module only says what a report claims.

Mail from a bounce mailbox is hostile: anyone can write to it, so nothing here raises
on malformed input. A message that is not a report at all comes back as a ``Report``
of kind ``unknown`` with the reason in ``error``.

Formats read:

- RFC 3464 delivery status notifications (``multipart/report;
  report-type=delivery-status``), what Postfix, current Exim, Sendmail, Exchange and
  Office 365, Gmail and most relays send;
- RFC 5965 complaint reports (``report-type=feedback-report``, ARF), as Yahoo, AOL and
  Microsoft's JMRP send them, their original recipient often redacted;
- the common plain-text bounces without a machine-readable part: qmail's
  ("Hi. This is the qmail-send program"), Exim's ("The following address(es) failed"),
  old Sendmail's ("The following addresses had permanent fatal errors"), Gmail's
  ("Delivery to the following recipient failed permanently"), Exchange's ("Delivery
  has failed to these recipients or groups");
- the JSON events of Amazon SES (through SNS), Postmark, SendGrid and Mailgun.

Severity: a 5.x.x status or a ``failed`` action is ``hard`` (the address is bad), a
4.x.x or ``delayed`` is ``soft``. Some 5.x.x codes say nothing about the address (a
full mailbox, a message too big, a policy or spam block): those count as ``soft``, so
one spam-filter hiccup at a big mailbox provider never drops a reader for good.
"""

from wiredesk.mailreports.messages import (
    BOUNCE,
    COMPLAINT,
    DELAY,
    FEEDBACK,
    HARD,
    MAX_REPORT_BYTES,
    NONE,
    SOFT,
    UNKNOWN,
    Recipient,
    Report,
    find_tokens,
    parse_report,
    status_of,
    status_severity,
)
from wiredesk.mailreports.providers import (
    mailgun_report,
    postmark_report,
    sendgrid_report,
    ses_report,
)

__all__ = ["BOUNCE", "COMPLAINT", "DELAY", "FEEDBACK", "HARD", "MAX_REPORT_BYTES", "NONE",
           "SOFT", "UNKNOWN", "Recipient", "Report", "find_tokens", "mailgun_report",
           "parse_report", "postmark_report", "sendgrid_report", "ses_report", "status_of",
           "status_severity"]

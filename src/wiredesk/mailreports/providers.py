"""The JSON events of Amazon SES (through SNS), Postmark, SendGrid and Mailgun as ``Report``s
(already decoded; the caller checked the signature)."""

from __future__ import annotations

from wiredesk.mailreports.messages import (
    BOUNCE,
    COMPLAINT,
    DELAY,
    FEEDBACK,
    HARD,
    MAX_RECIPIENTS,
    NONE,
    SOFT,
    UNKNOWN,
    Recipient,
    Report,
    address_in,
    one_line,
    status_from_text,
    status_severity,
)


def _bracketed(message_id: str) -> str:
    message_id = one_line(message_id, 250).strip()
    if not message_id:
        return ""
    return message_id if message_id.startswith("<") else f"<{message_id.strip('<>')}>"


def ses_report(notification: dict) -> Report:
    """An Amazon SES notification (the SNS message's ``Message``, decoded)."""
    kind = str(notification.get("notificationType") or notification.get("eventType") or "")
    mail = notification.get("mail") if isinstance(notification.get("mail"), dict) else {}
    headers = {str(h.get("name", "")).lower(): str(h.get("value", ""))
               for h in mail.get("headers") or [] if isinstance(h, dict)}
    common_headers = mail.get("commonHeaders") if isinstance(
        mail.get("commonHeaders"), dict) else {}
    message_id = _bracketed(headers.get("message-id") or common_headers.get("messageId", ""))
    common = {"format": "ses", "original_message_id": message_id,
              "envelope_sender": one_line(mail.get("source", ""), 300).lower(),
              "event_id": one_line(notification.get("_sns_message_id", ""), 100)}
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        permanent = bounce.get("bounceType") == "Permanent"
        recipients = []
        for each in (bounce.get("bouncedRecipients") or [])[:MAX_RECIPIENTS]:
            if not isinstance(each, dict):
                continue
            status = status_from_text(str(each.get("status", "")))
            status = status or ("5.0.0" if permanent else "4.0.0")
            severity = status_severity(status, "failed") if permanent else SOFT
            recipients.append(Recipient(
                address=address_in(each.get("emailAddress", "")), action="failed",
                status=status, severity=severity,
                diagnostic=one_line(each.get("diagnosticCode")
                                     or f"{bounce.get('bounceType')}/"
                                        f"{bounce.get('bounceSubType')}")))
        return Report(kind=BOUNCE, recipients=tuple(recipients), **common)
    if kind == "Complaint":
        complaint = notification.get("complaint") or {}
        feedback_type = str(complaint.get("complaintFeedbackType") or "abuse").lower()
        severity = COMPLAINT if feedback_type != "not-spam" else NONE
        recipients = tuple(
            Recipient(address=address_in(each.get("emailAddress", "")), action="complaint",
                      severity=severity, diagnostic=f"feedback type {feedback_type}")
            for each in (complaint.get("complainedRecipients") or [])[:MAX_RECIPIENTS]
            if isinstance(each, dict))
        return Report(kind=FEEDBACK, recipients=recipients, **common)
    return Report(kind=UNKNOWN, error=f"SES notification {kind or '?'} is not a report",
                  **common)


_POSTMARK_SOFT = {"SoftBounce", "Transient", "DnsError", "AutoResponder", "Blocked",
                  "ChallengeVerification", "SMTPApiError", "ContentRelated",
                  "TemplateRenderingFailed", "ManuallyDeactivated"}


def postmark_report(event: dict) -> Report:
    """A Postmark bounce or spam-complaint webhook."""
    record = str(event.get("RecordType") or "")
    address = address_in(str(event.get("Email") or event.get("Recipient") or ""))
    metadata = event.get("Metadata") if isinstance(event.get("Metadata"), dict) else {}
    common = {"format": "postmark", "event_id": one_line(event.get("ID", ""), 100),
              "original_message_id": _bracketed(str(metadata.get("message_id", "")))}
    if record == "SpamComplaint" or event.get("Type") == "SpamComplaint":
        return Report(kind=FEEDBACK, recipients=(Recipient(
            address=address, action="complaint", severity=COMPLAINT,
            diagnostic="spam complaint"),), **common)
    if record != "Bounce":
        return Report(kind=UNKNOWN, error=f"Postmark record {record or '?'} is not a report",
                      **common)
    bounce_type = str(event.get("Type") or "")
    details = one_line(event.get("Details") or event.get("Description") or bounce_type)
    if bounce_type == "HardBounce" or bounce_type == "BadEmailAddress":
        status, severity = status_from_text(details) or "5.0.0", HARD
        if status.startswith("4"):
            status = "5.0.0"
    elif bounce_type in _POSTMARK_SOFT:
        status, severity = "4.0.0", SOFT
    else:
        return Report(kind=UNKNOWN, error=f"Postmark bounce type {bounce_type or '?'} "
                                          "is not a failure", **common)
    return Report(kind=BOUNCE, recipients=(Recipient(
        address=address, action="failed", status=status, severity=severity,
        diagnostic=f"{bounce_type}: {details}"[:500]),), **common)


def sendgrid_report(event: dict) -> Report:
    """One event of a SendGrid Event Webhook post."""
    name = str(event.get("event") or "")
    address = address_in(str(event.get("email") or ""))
    common = {"format": "sendgrid", "event_id": one_line(event.get("sg_event_id", ""), 100),
              "original_message_id": _bracketed(str(event.get("smtp-id") or ""))}
    if name == "spamreport":
        return Report(kind=FEEDBACK, recipients=(Recipient(
            address=address, action="complaint", severity=COMPLAINT,
            diagnostic="spam report"),), **common)
    if name in ("bounce", "dropped", "deferred", "blocked"):
        reason = one_line(event.get("reason") or event.get("response") or name)
        status = status_from_text(str(event.get("status") or "")) or status_from_text(reason)
        if name == "deferred" or event.get("type") == "blocked" or name == "blocked":
            status = status if status.startswith("4") else "4.0.0"
            severity = SOFT
        elif name == "dropped" and "Bounced Address" not in reason:
            return Report(kind=UNKNOWN, error=f"dropped: {reason}", **common)
        else:
            status = status or "5.0.0"
            severity = status_severity(status, "failed")
        return Report(kind=BOUNCE if name != "deferred" else DELAY, recipients=(Recipient(
            address=address, action="failed" if name != "deferred" else "delayed",
            status=status, severity=severity, diagnostic=reason),), **common)
    return Report(kind=UNKNOWN, error=f"SendGrid event {name or '?'} is not a report",
                  **common)


def mailgun_report(event_data: dict) -> Report:
    """A Mailgun webhook's ``event-data``."""
    name = str(event_data.get("event") or "")
    address = address_in(str(event_data.get("recipient") or ""))
    message = event_data.get("message") if isinstance(event_data.get("message"), dict) else {}
    headers = message.get("headers") if isinstance(message.get("headers"), dict) else {}
    envelope = event_data.get("envelope") if isinstance(event_data.get("envelope"),
                                                        dict) else {}
    common = {"format": "mailgun", "event_id": one_line(event_data.get("id", ""), 100),
              "original_message_id": _bracketed(str(headers.get("message-id") or "")),
              "envelope_sender": one_line(envelope.get("sender", ""), 300).lower()}
    if name == "complained":
        return Report(kind=FEEDBACK, recipients=(Recipient(
            address=address, action="complaint", severity=COMPLAINT,
            diagnostic="complaint"),), **common)
    if name != "failed":
        return Report(kind=UNKNOWN, error=f"Mailgun event {name or '?'} is not a report",
                      **common)
    status_info = event_data.get("delivery-status") if isinstance(
        event_data.get("delivery-status"), dict) else {}
    diagnostic = one_line(status_info.get("description") or status_info.get("message")
                           or event_data.get("reason") or "failed")
    code = str(status_info.get("enhanced-code") or status_info.get("code") or "")
    status = status_from_text(code + " " + diagnostic)
    if event_data.get("severity") == "temporary":
        status = status if status.startswith("4") else "4.0.0"
        severity = SOFT
    else:
        status = status if status.startswith("5") else "5.0.0"
        severity = status_severity(status, "failed")
    return Report(kind=BOUNCE, recipients=(Recipient(
        address=address, action="failed", status=status, severity=severity,
        diagnostic=diagnostic),), **common)

"""Bounce and complaint webhooks of mail providers, at ``/hooks/bounces/<provider>``.

Each endpoint is off (404) until its secret is set, refuses (403) a request whose
signature or credentials do not check out or that is a replay, and hands the events to
``bounces.record_report`` as trusted reports. The checks:

- Amazon SES through SNS (``ses``): the SNS message signature (SignatureVersion 1,
  SHA1withRSA, or 2, SHA256withRSA) over the canonical fields, with the certificate
  fetched only over HTTPS from ``WIREDESK_SNS_CERT_HOST`` (``sns.<region>.amazonaws.com``),
  the topic one of ``WIREDESK_SES_TOPIC_ARNS``, the timestamp within the hour; a
  subscription is confirmed by visiting its SubscribeURL (same host rule);
- Postmark (``postmark``): HTTP basic auth whose password, or an ``X-Webhook-Token``
  header, is ``WIREDESK_POSTMARK_WEBHOOK_TOKEN``;
- SendGrid (``sendgrid``): the Event Webhook's ECDSA P-256 signature over timestamp and
  body with ``WIREDESK_SENDGRID_WEBHOOK_PUBLIC_KEY``, the timestamp within 10 minutes,
  each signature taken once;
- Mailgun (``mailgun``): HMAC-SHA256 of timestamp and token with
  ``WIREDESK_MAILGUN_SIGNING_KEY``, the timestamp within 15 minutes, each token once.

A provider retrying an event it already delivered changes nothing (events are stored by
their id, once).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
import ssl
import time
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from wiredesk import mailreports
from wiredesk.digest.bounces import Outcome, record_report
from wiredesk.digest.models import WebhookNonce
from wiredesk.errors import WiredeskError

log = logging.getLogger(__name__)

SNS_MAX_AGE = timedelta(hours=1)
SENDGRID_MAX_AGE = timedelta(minutes=10)
MAILGUN_MAX_AGE = timedelta(minutes=15)
NONCE_RETENTION = timedelta(days=1)
CERT_MAX_BYTES = 64 * 1024
_certificates: dict[str, object] = {}


class Refused(WiredeskError):
    """The request is not from the provider (or is a replay): 403."""


class Malformed(WiredeskError):
    """The request is not a webhook this endpoint understands: 400."""


def _json(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(f"the body is not JSON: {exc}") from exc


def _take_nonce(provider: str, value: str, now: datetime) -> None:
    """Refuse a value seen before (a replayed request); forget old ones."""
    WebhookNonce.objects.filter(seen_at__lt=now - NONCE_RETENTION).delete()
    try:
        with transaction.atomic():
            WebhookNonce.objects.create(provider=provider, value=value[:200], seen_at=now)
    except IntegrityError as exc:
        raise Refused("this request was already taken (replay)") from exc


def _fresh(timestamp: float, max_age: timedelta, now: datetime) -> None:
    age = now.timestamp() - timestamp
    if abs(age) > max_age.total_seconds():
        raise Refused(f"the timestamp is {int(age)} s away from now (stale or replayed)")


# --- Amazon SES through SNS -------------------------------------------------------------

_SNS_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp",
                                 "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp",
                                "Token", "TopicArn", "Type"),
}


def sns_string_to_sign(message: dict) -> bytes:
    kind = message.get("Type")
    if kind not in _SNS_FIELDS:
        raise Malformed(f"SNS message type {kind!r} is unknown")
    lines = []
    for name in _SNS_FIELDS[kind]:
        if name == "Subject" and "Subject" not in message:
            continue
        value = message.get(name)
        if not isinstance(value, str):
            raise Malformed(f"SNS message has no {name}")
        lines.append(f"{name}\n{value}\n")
    return "".join(lines).encode("utf-8")


def _sns_url_allowed(url: str) -> bool:
    parts = urlsplit(url or "")
    return (parts.scheme == "https" and not parts.username and not parts.password
            and re.fullmatch(settings.WIREDESK_SNS_CERT_HOST, parts.netloc or "") is not None)


def _get(url: str, limit: int) -> bytes:
    context = ssl.create_default_context()
    request = urllib.request.Request(url, headers={"User-Agent": "wiredesk"})
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                         _NoRedirect())
    with opener.open(request, timeout=10) as response:
        data = response.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"{url} answered more than {limit} bytes")
    return data


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead off the allowed host: refuse it."""

    def redirect_request(self, *args, **kwargs):
        return None


def _sns_certificate(url: str):
    from cryptography import x509

    if not _sns_url_allowed(url) or not urlsplit(url).path.endswith(".pem"):
        raise Refused(f"signing certificate URL {url!r} is not an SNS address")
    if url not in _certificates:
        try:
            pem = _get(url, CERT_MAX_BYTES)
            certificate = x509.load_pem_x509_certificate(pem)
        except (OSError, ValueError) as exc:
            raise Refused(f"cannot fetch the signing certificate {url}: {exc}") from exc
        if len(_certificates) > 20:
            _certificates.clear()
        _certificates[url] = certificate
    return _certificates[url]


def sns_verify(message: dict, *, now: datetime) -> None:
    """Raise Refused unless ``message`` is signed by SNS, recent and from our topic."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    version = message.get("SignatureVersion")
    algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}.get(str(version))  # noqa: S303
    if algorithm is None:
        raise Refused(f"SNS SignatureVersion {version!r} is not 1 or 2")
    if message.get("TopicArn") not in settings.WIREDESK_SES_TOPIC_ARNS:
        raise Refused(f"topic {message.get('TopicArn')!r} is not in WIREDESK_SES_TOPIC_ARNS")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Refused("the SNS signature is not base64") from exc
    signed = sns_string_to_sign(message)
    certificate = _sns_certificate(str(message.get("SigningCertURL", "")))
    try:
        certificate.public_key().verify(signature, signed, padding.PKCS1v15(), algorithm)
    except (InvalidSignature, TypeError, ValueError) as exc:
        raise Refused("the SNS signature does not match") from exc
    try:
        stamp = datetime.fromisoformat(str(message.get("Timestamp")).replace("Z", "+00:00"))
    except ValueError as exc:
        raise Refused("the SNS timestamp is not a date") from exc
    _fresh(stamp.timestamp(), SNS_MAX_AGE, now)


def _ses(request: HttpRequest, now: datetime) -> Outcome | str:
    if not settings.WIREDESK_SES_TOPIC_ARNS:
        return "off"
    message = _json(request.body)
    if not isinstance(message, dict):
        raise Malformed("an SNS message is a JSON object")
    sns_verify(message, now=now)
    kind = message["Type"]
    if kind == "SubscriptionConfirmation":
        url = str(message.get("SubscribeURL", ""))
        if not _sns_url_allowed(url):
            raise Refused(f"SubscribeURL {url!r} is not an SNS address")
        try:
            _get(url, CERT_MAX_BYTES)
        except OSError as exc:
            raise Refused(f"confirming the subscription failed: {exc}") from exc
        log.info("SNS subscription to %s confirmed", message.get("TopicArn"))
        return Outcome()
    if kind != "Notification":
        return Outcome()
    notification = _json(message["Message"].encode("utf-8"))
    if not isinstance(notification, dict):
        raise Malformed("the SES notification is not a JSON object")
    report = mailreports.ses_report(notification)
    return record_report(report=report, source="ses", trusted=True,
                         fingerprint=f"ses:{message['MessageId']}", now=now)


# --- Postmark ------------------------------------------------------------------------------

def _postmark(request: HttpRequest, now: datetime) -> Outcome | str:
    secret = settings.WIREDESK_POSTMARK_WEBHOOK_TOKEN
    if not secret:
        return "off"
    given = request.headers.get("X-Webhook-Token", "")
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("basic "):
        try:
            given = base64.b64decode(auth[6:].strip(), validate=True).decode(
                "utf-8").partition(":")[2]
        except (binascii.Error, ValueError, UnicodeDecodeError):
            given = ""
    if not given or not hmac.compare_digest(given.encode(), secret.encode()):
        raise Refused("wrong or missing Postmark credentials")
    event = _json(request.body)
    if not isinstance(event, dict):
        raise Malformed("a Postmark webhook is a JSON object")
    report = mailreports.postmark_report(event)
    event_id = report.event_id or hashlib.sha256(request.body).hexdigest()
    return record_report(report=report, source="postmark", trusted=True,
                         fingerprint=f"postmark:{event.get('RecordType')}:{event_id}", now=now)


# --- SendGrid ------------------------------------------------------------------------------

def sendgrid_verify(*, public_key: str, signature: str, timestamp: str, body: bytes) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        key = serialization.load_der_public_key(base64.b64decode(public_key))
    except (binascii.Error, ValueError) as exc:
        raise WiredeskError("WIREDESK_SENDGRID_WEBHOOK_PUBLIC_KEY is not a base64 DER "
                            "public key (as SendGrid shows it)") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise WiredeskError("WIREDESK_SENDGRID_WEBHOOK_PUBLIC_KEY is not an ECDSA key")
    try:
        key.verify(base64.b64decode(signature, validate=True), timestamp.encode() + body,
                   ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise Refused("the SendGrid signature does not match") from exc


def _sendgrid(request: HttpRequest, now: datetime) -> Outcome | str:
    public_key = settings.WIREDESK_SENDGRID_WEBHOOK_PUBLIC_KEY
    if not public_key:
        return "off"
    signature = request.headers.get("X-Twilio-Email-Event-Webhook-Signature", "")
    timestamp = request.headers.get("X-Twilio-Email-Event-Webhook-Timestamp", "")
    if not signature or not timestamp.isdigit():
        raise Refused("the SendGrid signature headers are missing")
    sendgrid_verify(public_key=public_key, signature=signature, timestamp=timestamp,
                    body=request.body)
    _fresh(int(timestamp), SENDGRID_MAX_AGE, now)
    _take_nonce("sendgrid", signature, now)
    events = _json(request.body)
    if not isinstance(events, list):
        raise Malformed("a SendGrid post is a JSON list of events")
    outcome = Outcome()
    for event in events[:1000]:
        if not isinstance(event, dict):
            continue
        report = mailreports.sendgrid_report(event)
        if report.kind == mailreports.UNKNOWN:
            continue  # opens, clicks, deliveries: not ours to keep
        event_id = report.event_id or hashlib.sha256(
            json.dumps(event, sort_keys=True).encode()).hexdigest()
        outcome.add(record_report(report=report, source="sendgrid", trusted=True,
                                  fingerprint=f"sendgrid:{event_id}", now=now))
    return outcome


# --- Mailgun --------------------------------------------------------------------------------

def mailgun_verify(*, key: str, timestamp: str, token: str, signature: str) -> None:
    expected = hmac.new(key.encode(), f"{timestamp}{token}".encode(),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(signature)):
        raise Refused("the Mailgun signature does not match")


def _mailgun(request: HttpRequest, now: datetime) -> Outcome | str:
    key = settings.WIREDESK_MAILGUN_SIGNING_KEY
    if not key:
        return "off"
    body = _json(request.body)
    if not isinstance(body, dict) or not isinstance(body.get("signature"), dict):
        raise Malformed("a Mailgun webhook is a JSON object with a signature")
    signed = body["signature"]
    timestamp, token = str(signed.get("timestamp", "")), str(signed.get("token", ""))
    if not timestamp.isdigit() or not token:
        raise Refused("the Mailgun signature has no timestamp or token")
    mailgun_verify(key=key, timestamp=timestamp, token=token,
                   signature=str(signed.get("signature", "")))
    _fresh(int(timestamp), MAILGUN_MAX_AGE, now)
    _take_nonce("mailgun", token, now)
    event_data = body.get("event-data")
    if not isinstance(event_data, dict):
        raise Malformed("the Mailgun webhook has no event-data")
    report = mailreports.mailgun_report(event_data)
    event_id = report.event_id or token
    return record_report(report=report, source="mailgun", trusted=True,
                         fingerprint=f"mailgun:{event_id}", now=now)


# --- the views --------------------------------------------------------------------------

_PROVIDERS = {"ses": _ses, "postmark": _postmark, "sendgrid": _sendgrid, "mailgun": _mailgun}


@csrf_exempt
@require_POST
def bounce_hook(request: HttpRequest, provider: str) -> HttpResponse:
    handler = _PROVIDERS.get(provider)
    if handler is None:
        return JsonResponse({"error": "no such provider"}, status=404)
    now = timezone.now()
    try:
        outcome = handler(request, now)
    except Refused as exc:
        log.warning("%s bounce webhook refused: %s", provider, exc)
        return JsonResponse({"error": str(exc)}, status=403)
    except Malformed as exc:
        log.warning("%s bounce webhook malformed: %s", provider, exc)
        return JsonResponse({"error": str(exc)}, status=400)
    if outcome == "off":
        return JsonResponse({"error": f"the {provider} webhook is not configured"}, status=404)
    return JsonResponse({"hard": outcome.hard, "soft": outcome.soft,
                         "complaints": outcome.complaints, "unmatched": outcome.unmatched,
                         "duplicates": outcome.duplicates, "at": int(time.time())})


hook_patterns = [path("hooks/bounces/<slug:provider>", bounce_hook, name="bounce-hook")]

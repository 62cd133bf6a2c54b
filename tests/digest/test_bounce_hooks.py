"""Provider webhooks: good, forged and replayed requests for SES (through SNS, the signing
certificate fetched from a loopback HTTPS server), Postmark, SendGrid and Mailgun."""

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from tests.digest.conftest import make_confirmed
from tests.mailbox_server import _make_certificate
from wiredesk.digest import hooks
from wiredesk.digest.models import BounceEvent, Subscriber, Suppression

pytestmark = pytest.mark.django_db
TOPIC = "arn:aws:sns:eu-west-1:123456789012:wiredesk-bounces"


# --- a loopback "SNS": serves the signing certificate, records subscription visits --------

class _Sns(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.visits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "https://evil.example/cert.pem")
            self.end_headers()
            return
        if self.path.endswith(".pem"):
            body = self.server.pem
        elif self.path.startswith("/confirm"):
            body = b"<ConfirmSubscriptionResponse/>"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def sns_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sns")
    ca_file, cert_file, key_file = _make_certificate(directory)
    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    signing_cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                    .public_key(signing_key.public_key()).serial_number(1)
                    .not_valid_before(now - timedelta(days=1))
                    .not_valid_after(now + timedelta(days=1))
                    .sign(signing_key, hashes.SHA256()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sns)
    server.pem = signing_cert.public_bytes(serialization.Encoding.PEM)
    server.visits = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.ca_file, server.signing_key = ca_file, signing_key
    server.base = f"https://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sns(sns_server, settings, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(sns_server.ca_file))
    settings.WIREDESK_SNS_CERT_HOST = rf"127\.0\.0\.1:{sns_server.server_address[1]}"
    settings.WIREDESK_SES_TOPIC_ARNS = [TOPIC]
    settings.WIREDESK_BOUNCE_ADDRESS = "bounces@wiredesk.example"
    hooks._certificates.clear()
    sns_server.visits.clear()
    return sns_server


def sns_message(server, *, kind="Notification", message="{}", version="1",
                timestamp=None, cert_path="/SimpleNotificationService-test.pem", **extra):
    body = {"Type": kind, "MessageId": extra.pop("MessageId", "m-" + str(time.time_ns())),
            "TopicArn": TOPIC, "Message": message,
            "Timestamp": timestamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "SignatureVersion": version,
            "SigningCertURL": server.base + cert_path, **extra}
    if kind == "SubscriptionConfirmation":
        body.setdefault("Token", "tok123")
        body.setdefault("SubscribeURL", server.base + "/confirm?Token=tok123")
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = server.signing_key.sign(hooks.sns_string_to_sign(body), padding.PKCS1v15(),
                                        digest)
    body["Signature"] = base64.b64encode(signature).decode()
    return body


def post(client, provider, body, **headers):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(f"/hooks/bounces/{provider}", data=data,
                       content_type="application/json", **headers)


def ses_bounce(email, *, permanent=True, source=""):
    return json.dumps({
        "notificationType": "Bounce",
        "bounce": {"bounceType": "Permanent" if permanent else "Transient",
                   "bouncedRecipients": [{"emailAddress": email, "status": "5.1.1",
                                          "diagnosticCode": "smtp; 550 5.1.1 unknown"}]},
        "mail": {"source": source or "news@wiredesk.example"}})


@pytest.mark.parametrize("version", ["1", "2"])
def test_ses_signed_bounce_suppresses(client, sns, site, version):
    make_confirmed(site[0], "gone@example.org")
    response = post(client, "ses", sns_message(sns, message=ses_bounce("gone@example.org"),
                                               version=version))
    assert response.status_code == 200, response.content
    assert response.json()["hard"] == 1
    assert Suppression.objects.get(email="gone@example.org").source == "ses"
    assert Subscriber.objects.get(email="gone@example.org").status == "bouncing"
    assert any(v.endswith(".pem") for v in sns.visits)


def test_ses_complaint_unsubscribes(client, sns, site):
    make_confirmed(site[0], "angry@example.org")
    message = json.dumps({"notificationType": "Complaint", "complaint": {
        "complainedRecipients": [{"emailAddress": "angry@example.org"}],
        "complaintFeedbackType": "abuse"}, "mail": {}})
    assert post(client, "ses", sns_message(sns, message=message)).status_code == 200
    assert Subscriber.objects.get(email="angry@example.org").status == "unsubscribed"
    assert Suppression.objects.get(email="angry@example.org").reason == "complaint"


def test_ses_forged_requests_are_refused(client, sns, site):
    make_confirmed(site[0], "victim@example.org")
    good = sns_message(sns, message=ses_bounce("someone@example.org"))
    tampered = {**good, "Message": ses_bounce("victim@example.org")}
    assert post(client, "ses", tampered).status_code == 403
    other_host = sns_message(sns, message=ses_bounce("victim@example.org"))
    other_host["SigningCertURL"] = "https://evil.example/SimpleNotificationService-x.pem"
    assert post(client, "ses", other_host).status_code == 403
    plain_http = {**good, "SigningCertURL": good["SigningCertURL"].replace("https:", "http:")}
    assert post(client, "ses", plain_http).status_code == 403
    redirected = sns_message(sns, message=ses_bounce("victim@example.org"),
                             cert_path="/redirect.pem")
    assert post(client, "ses", redirected).status_code == 403
    wrong_topic = sns_message(sns, message=ses_bounce("victim@example.org"),
                              TopicArn="arn:aws:sns:eu-west-1:999:other")
    assert post(client, "ses", wrong_topic).status_code == 403
    unsigned = {**good, "SignatureVersion": "3"}
    assert post(client, "ses", unsigned).status_code == 403
    assert post(client, "ses", b"not json").status_code == 400
    assert not any("evil" in v for v in sns.visits)
    assert not Suppression.objects.exists()


def test_ses_replays_are_refused_or_change_nothing(client, sns, site):
    make_confirmed(site[0], "gone@example.org")
    stale = sns_message(sns, message=ses_bounce("gone@example.org"),
                        timestamp=(datetime.now(UTC) - timedelta(hours=2)).strftime(
                            "%Y-%m-%dT%H:%M:%S.000Z"))
    assert post(client, "ses", stale).status_code == 403
    fresh = sns_message(sns, message=ses_bounce("gone@example.org", permanent=False))
    assert post(client, "ses", fresh).json()["soft"] == 1
    again = post(client, "ses", fresh)  # SNS retrying, or someone replaying it
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert BounceEvent.objects.filter(kind="soft").count() == 1


def test_ses_subscription_is_confirmed_by_visiting_its_url(client, sns):
    response = post(client, "ses", sns_message(sns, kind="SubscriptionConfirmation",
                                               message="You have chosen to subscribe"))
    assert response.status_code == 200
    assert "/confirm?Token=tok123" in sns.visits
    elsewhere = sns_message(sns, kind="SubscriptionConfirmation", message="x",
                            SubscribeURL="https://evil.example/confirm")
    assert post(client, "ses", elsewhere).status_code == 403


def test_ses_matches_by_the_verp_return_path(client, sns, site, smtp):
    from wiredesk.digest.sending import send_pending
    from wiredesk.digest.services import digest_plan

    make_confirmed(site[0], "reader@example.org")
    digest_plan(force=True)
    send_pending()
    [received] = smtp.to("reader@example.org")
    post(client, "ses", sns_message(sns, message=ses_bounce("reader@example.org",
                                                            source=received.mail_from)))
    event = BounceEvent.objects.get()
    assert event.matched_by == "return-path" and event.delivery.email == "reader@example.org"


# --- Postmark --------------------------------------------------------------------------------

def test_postmark_basic_auth(client, settings, site):
    settings.WIREDESK_POSTMARK_WEBHOOK_TOKEN = "pm-secret"
    make_confirmed(site[0], "gone@example.org")
    body = {"RecordType": "Bounce", "ID": 4323372036854775807, "Type": "HardBounce",
            "Email": "gone@example.org", "Details": "smtp;550 5.1.1 The email account "
                                                    "that you tried to reach does not exist"}

    def auth(password):
        return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(
            f"postmark:{password}".encode()).decode()}

    assert post(client, "postmark", body).status_code == 403
    assert post(client, "postmark", body, **auth("wrong")).status_code == 403
    assert not Suppression.objects.exists()
    assert post(client, "postmark", body, **auth("pm-secret")).json()["hard"] == 1
    assert post(client, "postmark", body, **auth("pm-secret")).json()["duplicates"] == 1
    assert Suppression.objects.get().reason == "hard-bounce"
    spam = {"RecordType": "SpamComplaint", "ID": 77, "Email": "gone@example.org"}
    assert post(client, "postmark", spam,
                HTTP_X_WEBHOOK_TOKEN="pm-secret").json()["complaints"] == 1


# --- SendGrid --------------------------------------------------------------------------------

@pytest.fixture
def sendgrid_key(settings):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.WIREDESK_SENDGRID_WEBHOOK_PUBLIC_KEY = base64.b64encode(
        key.public_key().public_bytes(serialization.Encoding.DER,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    return key


def sendgrid_headers(key, body: bytes, timestamp: int | None = None):
    stamp = str(timestamp or int(time.time()))
    signature = key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {"HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": base64.b64encode(signature).decode(),
            "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": stamp}


def test_sendgrid_signed_events(client, sendgrid_key, site):
    make_confirmed(site[0], "gone@example.org")
    body = json.dumps([
        {"email": "gone@example.org", "event": "bounce", "type": "bounce", "status": "5.1.1",
         "reason": "550 5.1.1 unknown", "sg_event_id": "e1", "timestamp": 1},
        {"email": "gone@example.org", "event": "open", "sg_event_id": "e2"},
        {"email": "other@example.org", "event": "spamreport", "sg_event_id": "e3"},
    ]).encode()
    headers = sendgrid_headers(sendgrid_key, body)
    response = post(client, "sendgrid", body, **headers)
    assert response.status_code == 200, response.content
    assert response.json()["hard"] == 1 and response.json()["complaints"] == 1
    # The same signed request again: a replay.
    assert post(client, "sendgrid", body, **headers).status_code == 403


def test_sendgrid_forged_and_stale_requests_are_refused(client, sendgrid_key, site):
    body = json.dumps([{"email": "v@example.org", "event": "spamreport"}]).encode()
    forged = json.dumps([{"email": "victim@example.org", "event": "spamreport"}]).encode()
    assert post(client, "sendgrid", forged,
                **sendgrid_headers(sendgrid_key, body)).status_code == 403
    other_key = ec.generate_private_key(ec.SECP256R1())
    assert post(client, "sendgrid", body, **sendgrid_headers(other_key, body)).status_code == 403
    assert post(client, "sendgrid", body, **sendgrid_headers(
        sendgrid_key, body, timestamp=int(time.time()) - 3600)).status_code == 403
    assert post(client, "sendgrid", body).status_code == 403
    assert not Suppression.objects.exists()


# --- Mailgun ---------------------------------------------------------------------------------

def mailgun_body(key, event, *, token=None, timestamp=None):
    stamp = str(timestamp or int(time.time()))
    token = token or hashlib.sha256(str(time.time_ns()).encode()).hexdigest()[:50]
    signature = hmac.new(key.encode(), f"{stamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"signature": {"timestamp": stamp, "token": token, "signature": signature},
            "event-data": event}


def test_mailgun_signed_replayed_and_forged(client, settings, site):
    settings.WIREDESK_MAILGUN_SIGNING_KEY = "key-mailgun"
    make_confirmed(site[0], "gone@example.org")
    event = {"event": "failed", "severity": "permanent", "recipient": "gone@example.org",
             "id": "mg-1", "delivery-status": {"code": 550, "description": "No such user"}}
    body = mailgun_body("key-mailgun", event)
    assert post(client, "mailgun", body).json()["hard"] == 1
    assert post(client, "mailgun", body).status_code == 403  # the token again
    assert post(client, "mailgun", mailgun_body("wrong-key", event)).status_code == 403
    stale = mailgun_body("key-mailgun", event, timestamp=int(time.time()) - 3600)
    assert post(client, "mailgun", stale).status_code == 403
    tampered = mailgun_body("key-mailgun", event)
    tampered["signature"]["token"] = "another-token"
    assert post(client, "mailgun", tampered).status_code == 403
    assert Suppression.objects.get().email == "gone@example.org"


def test_an_unconfigured_or_unknown_provider_is_not_there(client, settings):
    settings.WIREDESK_MAILGUN_SIGNING_KEY = ""
    settings.WIREDESK_SES_TOPIC_ARNS = []
    assert post(client, "mailgun", {}).status_code == 404
    assert post(client, "ses", {}).status_code == 404
    assert post(client, "nobody", {}).status_code == 404
    assert client.get("/hooks/bounces/mailgun").status_code == 405

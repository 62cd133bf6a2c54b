"""Issue 22, item 2 (access): an optional, or required, second factor for staff.

The codes are computed here from the enrolled secret with RFC 6238 written out (HMAC-SHA1,
30-second steps, six digits), not with django-otp's own helper, as an authenticator app
on a phone would compute them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import subprocess
import sys
import time
from base64 import b32decode, b32encode
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from wiredesk import cli
from wiredesk.core import signin

pytestmark = pytest.mark.django_db

PASSWORD = "right horse battery staple"


def totp(secret_b32: str, *, at: float | None = None, step: int = 30) -> str:
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(b32decode(secret_b32), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@pytest.fixture
def editor():
    return get_user_model().objects.create_user(
        "editor", password=PASSWORD, is_staff=True, is_superuser=True)


def enrol(capsys, username="editor") -> str:
    """`wiredesk otp add`, as an operator runs it; the secret from its otpauth:// line."""
    assert cli.main(["otp", "add", username]) == 0
    out = capsys.readouterr().out
    url = next(line for line in out.splitlines() if line.startswith("otpauth://totp/"))
    query = parse_qs(urlparse(url).query)
    assert query["issuer"] == ["wiredesk"] and query["digits"] == ["6"]
    return query["secret"][0]


def sign_in(client, password=PASSWORD, code=None, address="203.0.113.9"):
    data = {"username": "editor", "password": password}
    if code is not None:
        data["otp_token"] = code
    return client.post("/admin/login/?next=/admin/", data, REMOTE_ADDR=address)


def reaches_admin(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_optional_mode_without_a_device_is_the_password_alone(editor, settings):
    assert settings.WIREDESK_STAFF_2FA == "optional"  # the default
    client = Client()
    page = client.get("/admin/login/")
    assert b'name="otp_token"' in page.content
    assert sign_in(client).status_code == 302
    assert reaches_admin(client)


def test_an_enrolled_editor_needs_the_current_code(editor, capsys):
    secret = enrol(capsys)
    client = Client()
    # The password alone is not enough any more.
    refused = sign_in(client)
    assert refused.status_code == 200
    assert b"six-digit code" in refused.content
    assert not reaches_admin(client)
    # A wrong code, and a code from an hour ago, are refused.
    assert b"not right" in sign_in(client, code="000000" if totp(secret) != "000000"
                                   else "111111").content
    assert not reaches_admin(client)
    assert sign_in(client, code=totp(secret, at=time.time() - 3600)).status_code == 200
    assert not reaches_admin(client)
    # Each miss makes the device wait before the next guess (django-otp's throttling).
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    # The current code signs in.
    code = totp(secret)
    assert sign_in(client, code=code).status_code == 302
    assert reaches_admin(client)
    # The same code cannot sign in a second time (another browser, the same minute).
    thief = Client()
    assert sign_in(thief, code=code, address="198.51.100.7").status_code == 200
    assert not reaches_admin(thief)


def test_wrong_codes_are_throttled_then_locked_out_like_wrong_passwords(editor, capsys,
                                                                       settings):
    # django-otp refuses codes for factor * 2**(failures - 1) seconds after a miss: a
    # minute, so a loaded machine's slow request cannot outlast the throttle.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    secret = enrol(capsys)
    attacker = Client()
    wrong = str((int(totp(secret)) + 1) % 1_000_000).zfill(6)
    first = sign_in(attacker, code=wrong)
    assert b"not right" in first.content
    # Right after a miss the device refuses even the right code for a while.
    throttled = sign_in(attacker, code=totp(secret))
    assert b"Too many wrong codes" in throttled.content
    assert not reaches_admin(attacker)
    # django-axes counts each wrong code as a failed sign-in: at the limit the pair is
    # locked out, the right password and code included.
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        sign_in(attacker, code=wrong)
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    locked = sign_in(attacker, code=totp(secret))
    assert locked.status_code == 429
    assert not reaches_admin(attacker)


def test_a_session_from_before_enrolment_must_sign_in_again(editor, capsys):
    client = Client()
    assert sign_in(client).status_code == 302
    assert reaches_admin(client)
    enrol(capsys)
    answer = client.get("/admin/")
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]


def test_required_mode_refuses_staff_without_a_device(editor, settings, capsys):
    settings.WIREDESK_STAFF_2FA = "required"
    client = Client()
    refused = sign_in(client)
    assert refused.status_code == 200
    assert b"wiredesk otp add editor" in refused.content
    assert not reaches_admin(client)
    secret = enrol(capsys)
    assert sign_in(client, code=totp(secret)).status_code == 302
    assert reaches_admin(client)


def test_off_mode_ignores_devices(editor, settings, capsys):
    enrol(capsys)
    settings.WIREDESK_STAFF_2FA = "off"
    client = Client()
    assert b'name="otp_token"' not in client.get("/admin/login/").content
    assert sign_in(client).status_code == 302
    assert reaches_admin(client)


def test_the_cli_lists_and_removes_devices(editor, capsys):
    enrol(capsys)
    assert cli.main(["otp", "list"]) == 0
    assert "editor" in capsys.readouterr().out
    assert cli.main(["otp", "add", "editor"]) == 2  # the name is taken: one line, no trace
    assert "already has a device" in capsys.readouterr().err
    assert cli.main(["otp", "remove", "editor"]) == 0
    assert not TOTPDevice.objects.exists()
    assert cli.main(["otp", "add", "nobody"]) == 2
    assert "no user named 'nobody'" in capsys.readouterr().err


def test_an_administrator_enrols_a_device_in_the_admin(editor, capsys):
    admin = Client()
    assert sign_in(admin).status_code == 302
    staff = get_user_model().objects.create_user("desk", password=PASSWORD, is_staff=True)
    added = admin.post("/admin/otp_totp/totpdevice/add/", {
        "user": staff.pk, "name": "phone", "key": "3132333435363738393031323334353637383930",
        "step": 30, "t0": 0, "digits": 6, "tolerance": 1, "drift": 0, "confirmed": "on",
        "throttling_failure_count": 0})
    assert added.status_code == 302, added.content[:2000]
    device = TOTPDevice.objects.get(user=staff)
    assert signin.code_needed(staff)
    desk = Client()
    data = {"username": "desk", "password": PASSWORD, "otp_token": totp(
        b32encode(device.bin_key).decode())}
    assert desk.post("/admin/login/?next=/admin/", data).status_code == 302


def test_an_unknown_mode_is_refused_at_start(tmp_path):
    env = {**os.environ, "WIREDESK_STAFF_2FA": "sometimes", "WIREDESK_SECRET_KEY": "x",
           "WIREDESK_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", "import wiredesk.settings"], env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "WIREDESK_STAFF_2FA must be off, optional or required" in done.stderr

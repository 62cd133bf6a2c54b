"""Every abuse case a public form attracts ends in a clear message and a log line."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.releases.conftest import form_data, image_bytes
from tests.releases.test_images import png_header_only
from wiredesk.core.ratelimit import Rate
from wiredesk.releases.abuse import started_token
from wiredesk.releases.models import Release

# Each request commits its mail through `requests_commit`: no transactional database needed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("requests_commit")]


def post(client, edition, data, **extra):
    return client.post(f"/{edition.slug}/releases/submit", data, **extra)


def test_form_page_offers_every_field(client, editions):
    _chile, _euro = editions
    html = client.get("/chile-sun/releases/submit").content.decode()
    for name in ("organisation", "contact_name", "email", "phone", "headline", "body",
                 "category", "editions", "image", "image_caption", "image_credit",
                 "requested_release_at", "started", "website"):
        assert f'name="{name}"' in html, name
    assert "csrfmiddlewaretoken" not in html  # the same page for everyone (core.origin)
    assert "Personnel appointments" in html and "Euro Ledger" in html
    # the same page on the edition's own host
    assert client.get("/releases/submit", HTTP_HOST="chilesun.example").status_code == 200


def test_validation_errors_keep_what_was_typed(client, smtp, editions):
    chile, _euro = editions
    data = form_data(chile, email="not-an-address", headline="Short",
                     body="Too short body", phone="call me maybe")
    response = post(client, chile, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in html
    assert "Ensure this value has at least 8 characters" in html
    assert "Write at least 80 characters" in html or "at least 80 characters" in html
    assert "Use digits, spaces and + ( ) - only." in html
    # typed values are back in the form
    assert 'value="Valparaiso Rowing Club"' in html and 'value="Ana Rojas"' in html
    assert 'value="not-an-address"' in html and "Too short body</textarea>" in html
    assert not Release.objects.exists() and not smtp.messages


def test_image_kept_across_an_error_and_bad_image_refused_inline(client, smtp, editions):
    chile, _euro = editions
    image = SimpleUploadedFile("photo.jpg", image_bytes(), content_type="image/jpeg")
    response = post(client, chile, form_data(chile, headline="Short", image=image))
    html = response.content.decode()
    assert "The image you chose is kept" in html
    import re

    token = re.search(r'name="image_token" value="([^"]+)"', html).group(1)
    response = post(client, chile, form_data(chile, image_token=token))
    assert response.status_code == 302
    assert Release.objects.get().image.startswith("releases/")

    fake = SimpleUploadedFile("photo.jpg", b"<?php system($_GET['c']); ?>",
                              content_type="image/jpeg")
    html = post(client, chile, form_data(chile, image=fake)).content.decode()
    assert "Image refused: the file is not an image" in html
    bomb = SimpleUploadedFile("bomb.png", png_header_only(30_000, 30_000),
                              content_type="image/png")
    html = post(client, chile, form_data(chile, image=bomb)).content.decode()
    assert "Image refused: the image has far too many pixels" in html
    assert Release.objects.count() == 1


def test_oversized_image_and_request(client, editions, settings):
    chile, _euro = editions
    settings.WIREDESK_RELEASE_MAX_IMAGE_BYTES = 100_000
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"\0" * 120_000, content_type="image/jpeg")
    html = post(client, chile, form_data(chile, image=big)).content.decode()
    assert "The image is larger than" in html
    huge = SimpleUploadedFile("huge.jpg", b"\0" * 600_000, content_type="image/jpeg")
    response = post(client, chile, form_data(chile, image=huge))
    assert response.status_code == 413 and b"too large" in response.content
    assert not Release.objects.exists()


@pytest.mark.parametrize("field, limit", [
    ("organisation", 200), ("contact_name", 120), ("headline", 200), ("body", 20_000),
    ("image_caption", 500), ("image_credit", 200), ("phone", 40)])
def test_size_limits_on_every_field(client, editions, field, limit):
    chile, _euro = editions
    html = post(client, chile, form_data(chile, **{field: "1" * (limit + 1)})).content.decode()
    assert f"at most {limit} characters" in html
    assert not Release.objects.exists()


def test_honeypot(client, editions, caplog):
    chile, _euro = editions
    with caplog.at_level(logging.WARNING, logger="wiredesk.releases.abuse"):
        response = post(client, chile, form_data(chile, website="http://spam.example"))
    assert response.status_code == 400
    assert b"could not be accepted" in response.content
    assert "reason=honeypot" in caplog.text
    assert not Release.objects.exists()


def test_minimum_fill_time_and_forged_clock(client, editions, settings, caplog):
    chile, _euro = editions
    settings.WIREDESK_RELEASE_MIN_FILL_SECONDS = 60
    with caplog.at_level(logging.WARNING, logger="wiredesk.releases.abuse"):
        response = post(client, chile, form_data(chile))
        assert response.status_code == 400
        assert b"faster than a person" in response.content
        # what was typed survives the refusal
        assert b'value="Valparaiso Rowing Club"' in response.content
        forged = post(client, chile, form_data(chile, started="1700000000.0"))
        assert forged.status_code == 400 and b"expired or was changed" in forged.content
    assert "reason=too-fast" in caplog.text and "reason=bad-start-token" in caplog.text
    assert not Release.objects.exists()


def test_header_injection_refused(client, smtp, editions):
    chile, _euro = editions
    for field in ("headline", "organisation", "contact_name"):
        data = form_data(chile, **{field: "Fine words\r\nBcc: victim@example.org"})
        html = post(client, chile, data).content.decode()
        assert "Use one line of ordinary text here." in html, field
    html = post(client, chile, form_data(
        chile, email="ana@rowing.example\nBcc: victim@example.org")).content.decode()
    assert "Enter a valid email address." in html
    assert not Release.objects.exists() and not smtp.messages


def test_cross_site_posts_refused(editions):
    chile, _euro = editions
    strict = Client(enforce_csrf_checks=True)
    for where in ({"HTTP_ORIGIN": "https://evil.example"},
                  {"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_ORIGIN": "null"}):
        response = post(strict, chile, form_data(chile), **where)
        assert response.status_code == 403
    assert not Release.objects.exists()


def test_rate_limit_per_ip(client, smtp, editions, settings):
    chile, _euro = editions
    settings.WIREDESK_RELEASE_RATE_IP = "3/h"
    for n in range(3):
        response = post(client, chile, form_data(chile, email=f"p{n}@ex.example",
                                                 organisation=f"Org {n}"))
        assert response.status_code == 302
    response = post(client, chile, form_data(chile, email="p9@ex.example",
                                             organisation="Org 9"))
    assert response.status_code == 429 and b"Too many submissions from your network" in \
        response.content
    # another address is not affected
    other = post(client, chile, form_data(chile, email="q@ex.example", organisation="Q"),
                 REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302
    assert Release.objects.count() == 4


def test_rate_limit_per_email_and_per_organisation(client, smtp, editions, settings):
    chile, _euro = editions
    settings.WIREDESK_RELEASE_RATE_EMAIL = "2/d"
    settings.WIREDESK_RELEASE_RATE_ORG = "3/d"
    addresses = iter(f"10.0.0.{n}" for n in range(1, 50))
    for n in range(2):
        assert post(client, chile, form_data(chile, organisation=f"Org {n}"),
                    REMOTE_ADDR=next(addresses)).status_code == 302
    response = post(client, chile, form_data(chile, organisation="Org 3"),
                    REMOTE_ADDR=next(addresses))
    assert response.status_code == 429 and b"from this email address" in response.content
    # the same organisation from new addresses: the organisation limit holds
    assert post(client, chile, form_data(chile, email="x@ex.example", organisation="Org 0"),
                REMOTE_ADDR=next(addresses)).status_code == 302
    response = post(client, chile, form_data(chile, email="y@ex.example",
                                             organisation="  org   0 "),
                    REMOTE_ADDR=next(addresses))
    assert response.status_code == 302  # org 0 has 2 releases now; limit is 3
    response = post(client, chile, form_data(chile, email="z@ex.example",
                                             organisation="ORG 0"),
                    REMOTE_ADDR=next(addresses))
    assert response.status_code == 429 and b"from this organisation" in response.content
    assert Release.objects.count() == 4


def test_forwarded_for_only_trusted_when_configured(client, editions, settings):
    chile, _euro = editions
    settings.WIREDESK_RELEASE_RATE_IP = "1/h"
    forged = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert post(client, chile, form_data(chile), **forged).status_code == 302
    # without trusted proxies the header is ignored: same peer, limit reached
    assert post(client, chile, form_data(chile, email="b@ex.example", organisation="B"),
                HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 429
    settings.WIREDESK_TRUSTED_PROXIES = ["127.0.0.0/8"]  # the test client's peer
    assert post(client, chile, form_data(chile, email="c@ex.example", organisation="C"),
                HTTP_X_FORWARDED_FOR="203.0.113.11").status_code == 302
    assert Release.objects.filter(submitted_ip="203.0.113.11").exists()


def test_requested_time_in_the_edition_zone_and_bounds(client, smtp, editions):
    chile, _euro = editions
    html = post(client, chile, form_data(chile, requested_release_at="2001-01-01T10:00")
                ).content.decode()
    assert "The release time is in the past." in html
    html = post(client, chile, form_data(chile, requested_release_at="2999-01-01T10:00")
                ).content.decode()
    assert "within 90 days" in html
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    local = (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo("Australia/Sydney"))
    wanted = local.strftime("%Y-%m-%dT%H:%M")
    assert post(client, chile, form_data(chile, requested_release_at=wanted)
                ).status_code == 302
    stored = Release.objects.get().requested_release_at
    assert stored.astimezone(ZoneInfo("Australia/Sydney")).strftime("%Y-%m-%dT%H:%M") == wanted


def test_edition_that_takes_no_releases_is_not_offered(client, editions):
    chile, euro = editions
    from wiredesk.releases.models import EditionReleasePolicy

    EditionReleasePolicy.objects.create(edition=euro, accepts_releases=False)
    html = client.get("/chile-sun/releases/submit").content.decode()
    assert "Euro Ledger" not in html.split('name="editions"', 1)[1].split("</div>", 1)[0]
    response = post(client, chile, form_data(chile, editions=[str(euro.pk)]))
    assert b"Select a valid choice" in response.content
    assert client.get("/euro-ledger/releases/submit").status_code == 404
    assert post(client, euro, form_data(euro)).status_code == 404
    assert not Release.objects.exists()


def test_rate_parsing():
    assert Rate.parse("10/h") == Rate(10, 3600)
    assert Rate.parse("3/10m") == Rate(3, 600)
    assert Rate.parse("0/d").count == 0
    with pytest.raises(ValueError):
        Rate.parse("ten per hour")


def test_started_token_is_signed():
    assert ":" in started_token()

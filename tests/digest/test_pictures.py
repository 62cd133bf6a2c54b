"""Pictures in the digest email (issue 15, item 4): each story's stored picture, at an
absolute address, sized for the message's column, with its credit; none for a story whose
picture is not stored (never the agency's address)."""

import re

import pytest

from tests.digest.conftest import make_confirmed
from wiredesk.digest.sending import send_pending
from wiredesk.digest.services import digest_plan
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

RENDITIONS = [
    {"name": "pictures/ab/abc-320-1111.jpg", "width": 320, "height": 213,
     "type": "image/jpeg", "bytes": 9000},
    {"name": "pictures/ab/abc-640-2222.jpg", "width": 640, "height": 427,
     "type": "image/jpeg", "bytes": 30000},
    {"name": "pictures/ab/abc-1600-3333.jpg", "width": 1600, "height": 1067,
     "type": "image/jpeg", "bytes": 200000},
    {"name": "pictures/ab/abc-640-4444.webp", "width": 640, "height": 427,
     "type": "image/webp", "bytes": 20000},
]


def test_a_storys_stored_picture_is_in_the_email_with_its_credit(site, smtp, settings):
    settings.BASE_URL = "https://news.example.net"
    chile, _ = site
    pictured = Article.objects.get(headline="Ministers meet in Santiago")
    Article.objects.filter(pk=pictured.pk).update(
        image_url="https://photos.agency.example/ministers.jpg", image_renditions=RENDITIONS,
        image_credit="Wire Photos/Ana Rojas", image_alt="Ministers at a long table")
    waiting = Article.objects.get(headline="Floods close the coast road")
    Article.objects.filter(pk=waiting.pk).update(
        image_url="https://photos.agency.example/floods.jpg")  # not stored yet
    make_confirmed(chile, "reader@example.org")

    digest_plan(force=True)
    assert send_pending().sent == 1
    [mail] = smtp.to("reader@example.org")
    html = mail.message.get_body(("html",)).get_content()
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 1, images
    [image] = images
    # The 640 px JPEG, on the edition's own host, shown at the column's width.
    assert 'src="https://chilesun.example/media/pictures/ab/abc-640-2222.jpg"' in image
    assert 'width="536"' in image and 'height="358"' in image
    assert 'alt="Ministers at a long table"' in image
    assert "Photo: Wire Photos/Ana Rojas" in html
    assert "photos.agency.example" not in html

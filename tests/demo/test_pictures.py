"""The demo's sample pictures: files drawn for the project and shipped in the package,
named by the sample feeds as agencies name theirs, and shown on both demo editions'
fronts once the demo is built, from local renditions, with credits (nothing fetched)."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import transaction
from PIL import Image

from wiredesk import demo
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article, PictureSource

ROOT = Path(__file__).resolve().parents[2]
AGENCY_HOSTS = ("photos.wire.example", "images.example.org")


def test_the_sample_pictures_are_jpeg_files_in_the_package():
    assert 6 <= len(set(demo.PICTURES.values())) <= 10
    for name in set(demo.PICTURES.values()):
        path = demo.PICTURES_DIR / name
        assert path.is_file(), f"{name} is not shipped"
        assert path.stat().st_size < 250_000
        with Image.open(path) as image:
            assert (image.format, image.size) == ("JPEG", (1600, 1067))
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "demo/pictures/*" in data["package-data"]["*"]  # in the wheel too


def test_the_dated_feeds_name_every_sample_picture_with_caption_and_credit(tmp_path):
    paths = demo.dated_feeds(tmp_path, now=datetime(2030, 1, 2, 12, tzinfo=UTC))
    text = "".join(path.read_text(encoding="utf-8") for path in paths.values())
    blocks = re.findall(r'<media:content url="([^"]+)"(.*?)</media:content>', text, re.S)
    assert {url for url, _block in blocks} == set(demo.PICTURES)
    for _url, block in blocks:
        assert 'width="1600" height="1067"' in block
        assert "<media:credit>" in block and "<media:description>" in block


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo.build(progress=lambda line: None)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["chile-sun", "euro-ledger"])
def test_each_demo_front_leads_with_a_local_picture_and_its_credit(demo_site, client, slug):
    home = client.get(f"/{slug}/").content.decode()
    lead = re.search(r'<figure class="picture picture-lead">(.*?)</figure>', home, re.S)
    assert lead, "no lead picture"
    assert re.search(r'src="/media/pictures/[^"]+\.jpg"', lead.group(1))
    assert re.search(r'<span class="credit">Photo: [^<]+</span>', lead.group(1))
    assert len(re.findall(r'<figure class="picture picture-secondary">', home)) == 4
    assert not any(host in home for host in AGENCY_HOSTS)


@pytest.mark.django_db
def test_every_sample_picture_is_stored_and_none_waits_for_a_fetch(demo_site, client):
    assert Article.objects.exclude(image_renditions=[]).count() >= 4
    sources = PictureSource.objects.filter(
        pk__in=Article.objects.values("picture_source"))
    assert sources.count() >= 6
    assert not sources.exclude(status=PictureSource.Status.READY).exists()
    edition = Edition.objects.get(slug="chile-sun")
    for article in Article.objects.exclude(image_renditions=[]).filter(
            placements__edition=edition)[:3]:
        page = client.get(f"/chile-sun/news/{article.pk}/x", follow=True).content.decode()
        assert "/media/pictures/" in page
        assert not any(host in page for host in AGENCY_HOSTS)

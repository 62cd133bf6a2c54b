"""Local renditions: ingest records a picture's address, the fetch-pictures job stores it.

A picture agency's server on loopback (tests/pictureserver.py) serves good and hostile
pictures; the job fetches them through the guarded fetcher, stores each once by content
hash, shows it on every article that waits for it, retries a slow server later and gives
up on what can never work.
"""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests import pictureserver as pics
from tests.conftest import distinct_body
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, PictureAsset, PictureSource
from wiredesk.newsroom.tasks import fetch_pictures

pytestmark = pytest.mark.django_db


def item(guid: str, title: str, picture_url: str = "") -> str:
    enclosure = (f'<enclosure url="{picture_url}" type="image/jpeg" length="1000"/>'
                 if picture_url else "")
    body = f"<p>{title} was reported on Friday.</p>" + distinct_body(title, paragraphs=3)
    return (f"<item><title>{title}</title><guid isPermaLink=\"false\">{guid}</guid>"
            f"<link>https://wire.example.org/{guid}</link><category>World</category>"
            f"<pubDate>Fri, 11 Jul 2025 19:14:00 GMT</pubDate>{enclosure}"
            f"<description><![CDATA[{body}]]></description></item>")


def ingest(tmp_path, *items: str, agency: str = "XIN"):
    path = tmp_path / f"feed-{time.monotonic_ns()}.rss"
    path.write_bytes(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example.org/</link>
<description>test</description>{"".join(items)}</channel></rss>""".encode())
    report = services.ingest_source(str(path), agency=services.agency_ensure(code=agency))
    assert not report.errors, report.errors
    return report


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "pictures"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(autouse=True)
def _empty_media_store():
    for path in media_files():
        path.unlink()
    yield


def test_ingest_only_records_the_address_and_the_job_stores_the_renditions(
        tmp_path, picture_server):
    picture_server.routes["/ferry.jpg"] = pics.jpeg((2000, 1333))
    ingest(tmp_path, item("x1", "Ferry story", f"{picture_server.url}/ferry.jpg"))
    article = Article.objects.get()
    assert picture_server.requests == []  # ingest never fetches
    assert article.is_public and article.picture is None  # shown without, meanwhile
    assert article.picture_source.status == PictureSource.Status.PENDING

    outcome = fetch_pictures.run()
    assert "1 picture(s) stored" in outcome
    article.refresh_from_db()
    widths = [(f.width, f.mime_type) for f in article.picture_files()]
    assert widths == [(320, "image/jpeg"), (320, "image/webp"), (640, "image/jpeg"),
                      (640, "image/webp"), (1024, "image/jpeg"), (1024, "image/webp"),
                      (1600, "image/jpeg"), (1600, "image/webp")]
    picture = article.picture
    assert picture.url.startswith("/media/pictures/") and picture.url.endswith(".jpg")
    assert (picture.width, picture.height, picture.mime_type) == (1600, 1066, "image/jpeg")
    assert picture.source_url == f"{picture_server.url}/ferry.jpg"
    assert len(media_files()) == 8
    assert picture_server.requests == ["/ferry.jpg"]
    # Nothing left to do: a quiet turn.
    assert fetch_pictures.run() == "no picture to fetch"


def test_the_same_picture_under_two_addresses_is_stored_once(tmp_path, picture_server):
    data = pics.jpeg((1200, 800))
    picture_server.routes["/a/photo.jpg"] = data
    picture_server.routes["/b/photo.jpg?size=large"] = data
    picture_server.routes["/b/photo.jpg"] = data
    ingest(tmp_path, item("x1", "Harbour story", f"{picture_server.url}/a/photo.jpg"),
           item("x2", "Wharf story", f"{picture_server.url}/b/photo.jpg"))
    report = services.pictures_fetch_due()
    assert (report.stored, report.reused) == (1, 1)
    assert PictureAsset.objects.count() == 1 and PictureSource.objects.count() == 2
    first, second = Article.objects.order_by("guid")
    assert first.image_renditions == second.image_renditions != []
    assert len(media_files()) == 8  # 320, 640, 1024, 1200 in JPEG and WebP, once


def test_an_address_already_stored_is_shown_at_ingest_without_a_fetch(tmp_path,
                                                                        picture_server):
    picture_server.routes["/p.jpg"] = pics.jpeg((800, 600))
    ingest(tmp_path, item("x1", "First story", f"{picture_server.url}/p.jpg"))
    services.pictures_fetch_due()
    ingest(tmp_path, item("x2", "Second story", f"{picture_server.url}/p.jpg"))
    second = Article.objects.get(guid="x2")
    assert second.picture is not None and picture_server.requests == ["/p.jpg"]


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("page.jpg", b"<!DOCTYPE html><html><body>Not found</body></html>", "not a picture"),
    ("bomb.png", pics.png_bomb(), "decompression bomb"),
    ("icon.jpg", pics.jpeg((40, 40)), "too small"),
])
def test_what_is_not_a_storable_picture_is_given_up_at_once(tmp_path, picture_server, name,
                                                            data, problem, caplog):
    picture_server.routes[f"/{name}"] = data
    ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/{name}"))
    report = services.pictures_fetch_due()
    assert report.given_up == 1
    source = PictureSource.objects.get()
    assert source.status == PictureSource.Status.FAILED and problem in source.last_error
    assert source.attempts == 1 and source.last_error_at is not None
    article = Article.objects.get()
    assert article.is_public and article.picture is None and media_files() == []
    assert any(problem in r.getMessage() and "given up" in r.getMessage()
               for r in caplog.records if r.name == "wiredesk.newsroom.pictures")
    assert services.pictures_fetch_due().done == 0  # never tried again


def test_too_many_bytes_are_refused_while_streaming(tmp_path, picture_server, settings):
    settings.WIREDESK_PICTURE_MAX_BYTES = 100_000
    picture_server.routes["/big.jpg"] = pics.jpeg_of_bytes(300_000)
    ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/big.jpg"))
    assert services.pictures_fetch_due().given_up == 1
    assert "100000-byte limit" in PictureSource.objects.get().last_error
    assert media_files() == []


def test_too_many_pixels_are_refused(tmp_path, picture_server, settings):
    settings.WIREDESK_PICTURE_MAX_PIXELS = 1_000_000
    picture_server.routes["/wide.jpg"] = pics.jpeg((3000, 2000))
    ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/wide.jpg"))
    assert services.pictures_fetch_due().given_up == 1
    assert "too large" in PictureSource.objects.get().last_error


@pytest.mark.parametrize(("kind", "check"), [
    ("animated", lambda image: image.getpixel((5, 5))[0] > 200),  # the red first frame
    ("cmyk", lambda image: min(image.getpixel((5, 5))) > 240),  # white, not inverted
    ("png16", lambda image: abs(image.getpixel((5, 5))[0] - 156) <= 3),  # scaled grey
])
def test_awkward_pictures_are_stored_as_plain_srgb(tmp_path, picture_server, kind, check):
    from PIL import Image

    picture_server.routes["/p"] = {"animated": pics.animated_gif, "cmyk": pics.cmyk_jpeg,
                                   "png16": pics.png16}[kind]()
    ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/p"))
    assert services.pictures_fetch_due().stored == 1
    for path in media_files():
        image = Image.open(path)
        assert image.format in ("JPEG", "WEBP") and getattr(image, "n_frames", 1) == 1
        assert check(image.convert("RGB")), path.name


def test_exif_rotation_applied_and_gps_gone(tmp_path, picture_server):
    from PIL import Image

    picture_server.routes["/rotated.jpg"] = pics.rotated_with_gps()
    ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/rotated.jpg"))
    assert services.pictures_fetch_due().stored == 1
    for path in media_files():
        data = path.read_bytes()
        assert pics.SECRET not in data and b"Exif" not in data and b"GPS" not in data
        assert Image.open(path).size == (200, 400)
    assert (Article.objects.get().picture.width, Article.objects.get().picture.height) == (
        200, 400)


def test_a_slow_server_never_holds_ingest_and_is_tried_again_later(tmp_path, picture_server,
                                                                   settings, caplog):
    settings.WIREDESK_PICTURE_TIMEOUT = 1.0
    picture_server.routes["/slow.jpg"] = pics.jpeg((1000, 700))
    picture_server.delay = 3.0
    started = time.monotonic()
    ingest(tmp_path, item("x1", "Slow picture story", f"{picture_server.url}/slow.jpg"))
    assert time.monotonic() - started < 1.0  # ingest did not wait for the picture
    article = Article.objects.get()
    assert article.is_public

    started = time.monotonic()
    report = services.pictures_fetch_due()
    assert time.monotonic() - started < 2.5  # the deadline, not the server, ended it
    assert report.retrying == 1
    source = PictureSource.objects.get()
    assert source.status == PictureSource.Status.PENDING and source.attempts == 1
    assert "time" in source.last_error  # what the operator sees in the admin
    assert source.next_attempt_at >= timezone.now() + timedelta(
        seconds=settings.WIREDESK_PICTURE_RETRY_BASE - 5)
    assert any("attempt 1 of" in r.getMessage() for r in caplog.records
               if r.name == "wiredesk.newsroom.pictures")
    assert services.pictures_fetch_due().done == 0  # not due yet: no hammering
    article.refresh_from_db()
    assert article.picture is None and article.is_public

    # The agency's server recovers; the retry comes due.
    picture_server.delay = 0
    PictureSource.objects.update(next_attempt_at=timezone.now())
    assert services.pictures_fetch_due().stored == 1
    article.refresh_from_db()
    assert article.picture is not None
    assert PictureSource.objects.get().last_error == ""


def test_failures_back_off_and_stop_after_the_last_attempt(tmp_path, picture_server,
                                                           settings):
    settings.WIREDESK_PICTURE_MAX_ATTEMPTS = 3
    settings.WIREDESK_PICTURE_RETRY_BASE = 60
    ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/missing.jpg"))
    delays = []
    for _ in range(3):
        PictureSource.objects.update(next_attempt_at=timezone.now())
        before = timezone.now()
        services.pictures_fetch_due()
        source = PictureSource.objects.get()
        delays.append(round((source.next_attempt_at - before).total_seconds() / 60))
    assert delays[:2] == [1, 2]  # doubled each time
    assert source.status == PictureSource.Status.FAILED and source.attempts == 3
    assert "HTTP 404" in source.last_error
    assert len(picture_server.requests) == 3
    services.pictures_retry([source.pk])  # the admin's "Try again now"
    assert services.pictures_fetch_due().retrying == 1


def test_a_kill_removes_the_files_unless_another_live_article_shows_them(
        tmp_path, picture_server, django_capture_on_commit_callbacks):
    data = pics.jpeg((900, 600))
    picture_server.routes["/one.jpg"] = data
    picture_server.routes["/two.jpg"] = data
    ingest(tmp_path, item("x1", "First story", f"{picture_server.url}/one.jpg"),
           item("x2", "Second story", f"{picture_server.url}/two.jpg"))
    services.pictures_fetch_due()
    files = media_files()
    assert len(files) == 6
    first, second = Article.objects.order_by("guid")
    with django_capture_on_commit_callbacks(execute=True):
        services.article_kill(article=first, reason="legal")
    assert media_files() == files  # the second article still shows the same picture
    assert PictureAsset.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.article_kill(article=second, reason="legal")
    assert media_files() == [] and not PictureAsset.objects.exists()
    assert not PictureSource.objects.exists()
    second.refresh_from_db()
    assert second.picture is None


def test_a_kill_before_the_fetch_means_no_fetch(tmp_path, picture_server,
                                                django_capture_on_commit_callbacks):
    picture_server.routes["/p.jpg"] = pics.jpeg((900, 600))
    ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/p.jpg"))
    with django_capture_on_commit_callbacks(execute=True):
        services.article_kill(article=Article.objects.get(), reason="legal")
    assert services.pictures_fetch_due().done == 0 and picture_server.requests == []


def test_a_new_version_with_another_picture_lets_the_old_one_go(
        tmp_path, picture_server, django_capture_on_commit_callbacks):
    picture_server.routes["/old.jpg"] = pics.jpeg((900, 600), (10, 10, 10))
    picture_server.routes["/new.jpg"] = pics.jpeg((900, 600), (250, 250, 250))
    ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/old.jpg"))
    services.pictures_fetch_due()
    old_files = media_files()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/new.jpg"))
    article = Article.objects.get()
    assert article.picture is None  # the new picture is not stored yet
    assert not set(old_files) & set(media_files())
    services.pictures_fetch_due()
    article.refresh_from_db()
    assert article.picture.source_url.endswith("/new.jpg")


def test_stored_pictures_bump_the_editions_carrying_the_article(tmp_path, picture_server):
    from wiredesk.editions.services import edition_save
    from wiredesk.publishing.stamps import current_stamp

    edition = edition_save(name="Chile Sun", time_zone="UTC")
    picture_server.routes["/p.jpg"] = pics.jpeg((900, 600))
    ingest(tmp_path, item("x1", "A story", f"{picture_server.url}/p.jpg"))
    before = current_stamp(edition.pk).generation
    services.pictures_fetch_due()
    assert current_stamp(edition.pk).generation > before

"""A full disk during a release upload (issue 23, item 17): the upload answered 500 and
left a 0-byte file. Now the submitter gets a form error, the operator a log line, and
no partial file remains: on a real, tiny tmpfs where mounting is allowed, and with a
write that fails with ENOSPC everywhere else."""

from __future__ import annotations

import builtins
import errno
import io
import logging
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.releases.conftest import editions, form_data  # noqa: F401 (fixture)
from wiredesk.releases import images

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_pixels": 24_000_000}


def noisy_jpeg() -> bytes:
    """A photo-like JPEG whose re-encoded copy (~150 KB) cannot fit in 64 KiB."""
    out = io.BytesIO()
    Image.effect_noise((1200, 900), 60).convert("RGB").save(out, format="JPEG", quality=95)
    return out.getvalue()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs (root only: skipped where mounting is not allowed)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.fixture
def full_writes(monkeypatch):
    """Every file opened for writing under a releases/ folder fails to write with
    ENOSPC, as on a full disk (the file itself is created, as it would be)."""
    real_open = io.open

    class FullDisk:
        def __init__(self, handle):
            self._handle = handle

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._handle.close()

    def open_on_full_disk(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if "releases" in str(file) and set(mode) & set("wxa"):
            return FullDisk(handle)
        return handle

    monkeypatch.setattr(io, "open", open_on_full_disk)
    monkeypatch.setattr(builtins, "open", open_on_full_disk)


@pytest.fixture
def release_site(settings):
    from django.core.cache import caches

    for each in caches.all():  # pages, counters (the release rate limits), default
        each.clear()
    settings.WIREDESK_RELEASE_MIN_FILL_SECONDS = 0
    settings.BASE_URL = "http://testserver"
    yield settings
    for each in caches.all():
        each.clear()


def leftovers(media_root) -> list[str]:
    folder = media_root / "releases"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_tiny_filesystem_store_leaves_nothing_and_says_why(tiny_disk, caplog):
    encoded, extension, width, height = images.process_image(noisy_jpeg(), **LIMITS)
    assert len(encoded) > 64 * 1024
    with caplog.at_level(logging.ERROR, logger="wiredesk.releases"), \
            pytest.raises(images.ImageNotStored, match="out of space"):
        images.save_encoded(encoded, extension, width, height, media_root=tiny_disk)
    assert leftovers(tiny_disk) == []
    assert any("ENOSPC" in r.getMessage() for r in caplog.records)
    # Room again: the same call stores a complete file.
    small = images.process_image(_small_jpeg(), **LIMITS)
    stored = images.save_encoded(*small, media_root=tiny_disk)
    assert (tiny_disk / stored.name).read_bytes() == small[0]
    assert leftovers(tiny_disk) == [stored.name.split("/")[1]]


def _small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 150), (10, 20, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_failing_write_leaves_nothing_and_says_why(tmp_path, full_writes, caplog):
    encoded, extension, width, height = images.process_image(_small_jpeg(), **LIMITS)
    with caplog.at_level(logging.ERROR, logger="wiredesk.releases"), \
            pytest.raises(images.ImageNotStored, match="out of space"):
        images.save_encoded(encoded, extension, width, height, media_root=tmp_path)
    assert leftovers(tmp_path) == []
    assert [r.levelno for r in caplog.records if "not stored" in r.getMessage()] == \
        [logging.ERROR]


def upload(client, chile, image_data):
    image = SimpleUploadedFile("photo.jpg", image_data, content_type="image/jpeg")
    return client.post(f"/{chile.slug}/releases/submit", form_data(chile, image=image))


@pytest.mark.django_db(transaction=True)
def test_upload_on_a_full_tmpfs_is_a_form_error(client, editions, release_site,  # noqa: F811
                                                tiny_disk, caplog):
    from wiredesk.releases.models import Release

    chile, _euro = editions
    release_site.MEDIA_ROOT = tiny_disk
    with caplog.at_level(logging.ERROR, logger="wiredesk.releases"):
        response = upload(client, chile, noisy_jpeg())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Image not saved" in html and "out of space" in html
    assert 'value="Valparaiso Rowing Club"' in html  # what was typed is kept
    assert leftovers(tiny_disk) == [] and not Release.objects.exists()
    assert any("release image not stored" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_upload_with_failing_writes_is_a_form_error(client, editions,  # noqa: F811
                                                    release_site, tmp_path, full_writes):
    from wiredesk.releases.models import Release

    chile, _euro = editions
    release_site.MEDIA_ROOT = tmp_path / "media"
    response = upload(client, chile, _small_jpeg())
    assert response.status_code == 200
    assert "out of space" in response.content.decode()
    assert leftovers(tmp_path / "media") == [] and not Release.objects.exists()

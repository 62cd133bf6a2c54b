"""Uploaded images: real type, real size, bombs refused, re-encoded without metadata."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from tests.releases.conftest import image_bytes
from wiredesk.releases.images import ImageRejected, process_image, store_image

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_pixels": 40_000_000}


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims a huge canvas: what a decompression bomb looks like."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # one compressed row of zeros, repeated by zlib: tiny on disk, huge in memory
    rows = zlib.compress(b"\x00" * (1 + 3 * width) * min(height, 64), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + \
        chunk(b"IEND", b"")


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    gps = {1: "S", 2: (33.0, 2.0, 44.0), 3: "W", 4: (71.0, 37.0, 10.0)}
    exif[0x8825] = gps
    return exif.tobytes()


def test_reencoded_without_exif_or_gps():
    original = image_bytes(exif=exif_with_gps())
    assert b"SpyCam" in original
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    data, extension, width, height = process_image(original, **LIMITS)
    assert extension == "jpg" and (width, height) == (640, 480)
    assert b"SpyCam" not in data and b"Exif" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


def test_trailing_payload_is_dropped():
    polyglot = image_bytes(fmt="PNG") + b"<script>alert(1)</script>"
    data, extension, _w, _h = process_image(polyglot, **LIMITS)
    assert extension == "jpg" and b"<script>" not in data


def test_transparency_kept_as_png():
    data, extension, _w, _h = process_image(image_bytes(fmt="PNG", mode="RGBA"), **LIMITS)
    assert extension == "png" and Image.open(io.BytesIO(data)).mode == "RGBA"


def test_large_image_is_scaled_down():
    _data, _ext, width, height = process_image(image_bytes(size=(4000, 3000)), **LIMITS)
    assert (width, height) == (2000, 1500)


@pytest.mark.parametrize("payload, message", [
    (b"GIF89a<script>alert(1)</script>", "not an image"),
    (b"<html><body>not an image</body></html>", "not an image"),
    (b"%PDF-1.4 fake", "not an image"),
    (b"", "empty"),
])
def test_fake_images_refused(payload, message):
    with pytest.raises(ImageRejected, match=message):
        process_image(payload, **LIMITS)


def test_other_real_formats_refused():
    out = io.BytesIO()
    Image.new("RGB", (200, 200)).save(out, format="BMP")
    with pytest.raises(ImageRejected, match="BMP images are not accepted"):
        process_image(out.getvalue(), **LIMITS)


def test_truncated_image_refused():
    data = image_bytes(size=(800, 600))
    with pytest.raises(ImageRejected):
        process_image(data[: len(data) // 3], **LIMITS)


def test_oversized_file_refused():
    with pytest.raises(ImageRejected, match="larger than 5 MB"):
        process_image(b"\xff" * (5 * 1024 * 1024 + 1), **LIMITS)


def test_too_small_refused():
    with pytest.raises(ImageRejected, match="too small"):
        process_image(image_bytes(size=(20, 20)), **LIMITS)


@pytest.mark.parametrize("width, height", [(50_000, 50_000), (11_000, 11_000), (100_000, 200)])
def test_decompression_bomb_refused_before_decoding(width, height):
    bomb = png_header_only(width, height)
    assert len(bomb) < 200_000
    with pytest.raises(ImageRejected, match=r"too many pixels|too large"):
        process_image(bomb, **LIMITS)


def test_pillow_bomb_guard_is_an_error_not_a_warning(monkeypatch):
    # Below our own cap but above Pillow's: Pillow's guard must refuse, not warn.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    with pytest.raises(ImageRejected, match="too many pixels"):
        process_image(png_header_only(1500, 1000), **LIMITS)


def test_stored_under_media_root_with_a_random_name(tmp_path):
    stored = store_image(image_bytes(), media_root=tmp_path, **LIMITS)
    assert stored.name.startswith("releases/") and stored.name.endswith(".jpg")
    assert (tmp_path / stored.name).is_file()
    again = store_image(image_bytes(), media_root=tmp_path, **LIMITS)
    assert again.name != stored.name


@pytest.mark.django_db
def test_prune_removes_only_old_unreferenced_images(settings, tmp_path):
    import os
    import time

    from wiredesk.releases.services import release_images_prune

    settings.MEDIA_ROOT = tmp_path
    old = store_image(image_bytes(), media_root=tmp_path, **LIMITS)
    fresh = store_image(image_bytes(), media_root=tmp_path, **LIMITS)
    kept = store_image(image_bytes(), media_root=tmp_path, **LIMITS)
    from wiredesk.releases.models import Release

    Release.objects.create(reference="NR-TEST0001", link_key="k", organisation="O",
                           contact_name="C", email="c@example.org", headline="H",
                           body="B", category="other", image=kept.name)
    past = time.time() - 3 * 86400
    for stored in (old, kept):
        os.utime(tmp_path / stored.name, (past, past))
    assert release_images_prune() == 1
    assert not (tmp_path / old.name).exists()
    assert (tmp_path / fresh.name).exists() and (tmp_path / kept.name).exists()


def test_exif_orientation_applied_before_metadata_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data, _ext, width, height = process_image(image_bytes(size=(640, 480), exif=exif.tobytes()),
                                              **LIMITS)
    assert (width, height) == (480, 640)
    assert not Image.open(io.BytesIO(data)).getexif()


def test_large_jpeg_decoded_at_reduced_scale_keeps_its_aspect():
    _data, _ext, width, height = process_image(image_bytes(size=(6000, 2000)), **LIMITS)
    assert (width, height) == (2000, 667)


@pytest.mark.parametrize("size", [(800, 600), (4000, 3000)])  # kept as is, and reduced
def test_sixteen_bit_grey_keeps_its_tones(size):
    """Pillow's own 16-to-8-bit conversion clips: a mid grey (40000 of 65535) came out
    white. The shared wire rule scales it to 156 of 255."""
    source = Image.new("I;16", size, 40000)
    out = io.BytesIO()
    source.save(out, format="PNG")
    data, _ext, _w, _h = process_image(out.getvalue(), **LIMITS)
    pixel = Image.open(io.BytesIO(data)).convert("L").getpixel((10, 10))
    assert 150 <= pixel <= 162, pixel

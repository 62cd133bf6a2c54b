"""Check and re-encode an uploaded image so that only pixels we wrote ever get served.

What the browser says (file name, content type) is ignored: Pillow reads the real
type from the bytes. The pixel count is checked from the header before any pixel is
decoded, and Pillow's own decompression-bomb guard is made an error, not a warning.

The work is bounded, because it runs in a web worker. ``max_pixels``
(``WIREDESK_RELEASE_MAX_IMAGE_PIXELS``) sets it: a PNG or GIF is decoded in full (about
5 bytes a pixel at peak), a WebP peaks at about four times that (libwebp's two canvases
and buffers, then Pillow's copy), so it gets a quarter of the pixels, and a JPEG is
decoded at 1/2, 1/4 or 1/8 scale when that still covers the stored size. Nothing else
is made at full size: a box reduction by a whole factor, a band of rows at a time, goes
straight into the small image, and the mode change, Lanczos step, colour conversion
and rotation run on that.

The stored file is a fresh JPEG/PNG written from the decoded pixels with an empty
``info``: Pillow writes back some of what it read unless told not to (a JPEG or GIF
comment, a PNG text chunk named ``comment``, the ICC profile), so nothing read from the
upload reaches the encoder. EXIF (GPS included), XMP, comments, text chunks and trailing
payloads are left behind. Colour is kept right by converting to sRGB when the upload
carries an ICC profile, rather than by keeping the profile: a profile is attacker bytes
(names, descriptions, any size) and an untagged image is read as sRGB everywhere.
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, UnidentifiedImageError

from wiredesk.errors import WiredeskError
from wiredesk.wire.images import eight_bit, webp_size

log = logging.getLogger("wiredesk.releases")

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MIN_SIDE = 100
MAX_SIDE = 12_000
# The stored copy is scaled down to this longest side; a news page needs no more.
STORED_LONGEST_SIDE = 2000
# Decoding a WebP peaks at about 4x the memory of a PNG of the same size (two canvases
# in libwebp, its buffers, Pillow's copy): it may have a quarter of the pixels.
WEBP_COST = 4
# Rows converted at a time (times the reduction factor) when the decoded mode is not
# the one the image is reduced in.
BAND_ROWS = 64
# EXIF orientation -> the transpose that shows the picture upright.
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class ImageRejected(WiredeskError, ValueError):
    """The upload is not an image we accept; the message is shown to the submitter."""


class ImageNotStored(WiredeskError):
    """An accepted image could not be written (disk full, read-only, ...); the message is
    for the submitter, the cause goes to the operator's log."""


@dataclass(frozen=True, slots=True)
class StoredImage:
    name: str  # relative to MEDIA_ROOT
    width: int
    height: int


def _check_size(width: int, height: int, *, max_pixels: int) -> None:
    if width > MAX_SIDE or height > MAX_SIDE or width * height > max_pixels:
        raise ImageRejected(f"the image is too large ({width}x{height} pixels; at most "
                            f"{max_pixels / 1_000_000:g} megapixels)")
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageRejected(f"the image is too small ({width}x{height} pixels; "
                            f"at least {MIN_SIDE}x{MIN_SIDE})")


def _check_header(data: bytes, *, max_pixels: int) -> Image.Image:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        size = webp_size(data)
        if size is None:
            raise ImageRejected("the image is damaged and cannot be read")
        _check_size(*size, max_pixels=max_pixels // WEBP_COST)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("the image has far too many pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected("the file is not an image (JPEG, PNG, GIF or WebP)") from exc
    if image.format not in ALLOWED_FORMATS:
        raise ImageRejected(f"{image.format or 'this'} images are not accepted; "
                            "use JPEG, PNG, GIF or WebP")
    _check_size(*image.size, max_pixels=max_pixels // (
        WEBP_COST if image.format == "WEBP" else 1))
    return image


def process_image(data: bytes, *, max_bytes: int, max_pixels: int) -> tuple[bytes, str, int, int]:
    """Validate and re-encode; returns (bytes, extension, width, height)."""
    if len(data) > max_bytes:
        raise ImageRejected(f"the image is larger than {max_bytes / (1024 * 1024):g} MB")
    if not data:
        raise ImageRejected("the image file is empty")
    _check_header(data, max_pixels=max_pixels)
    # verify() catches truncated and corrupt files; it spends the image, so open again.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.open(io.BytesIO(data)).verify()
            image = _check_header(data, max_pixels=max_pixels)
            image.seek(0)  # first frame of an animation
            # Taken before decoding: the decoded copies do not keep them.
            icc_profile = image.info.get("icc_profile")
            orientation = image.getexif().get(0x0112)
            has_alpha = image.mode in ("RGBA", "LA", "PA") or (
                image.mode == "P" and "transparency" in image.info)
            target = "RGBA" if has_alpha else "RGB"
            if image.format == "JPEG":
                # Let the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding: a 12 Mpx
                # photo never needs to be decoded in full to be stored at 2000 px.
                scale = STORED_LONGEST_SIDE / max(image.size)
                if scale < 1:
                    image.draft("RGB", (max(1, int(image.width * scale)),
                                        max(1, int(image.height * scale))))
            image.load()
            # Reassigned, so the full-size image (and a WebP decoder's canvases) is freed
            # before the Lanczos step.
            image = _reduced(image, target, keep_cmyk=bool(icc_profile))
            image.thumbnail((STORED_LONGEST_SIDE, STORED_LONGEST_SIDE),
                            Image.Resampling.LANCZOS)
            image = _in_srgb(image, icc_profile, target)
            if orientation in _UPRIGHT:
                image = image.transpose(_UPRIGHT[orientation])
    except ImageRejected:
        raise
    except Exception as exc:  # any decoder error on hostile bytes
        raise ImageRejected("the image is damaged and cannot be read") from exc
    image.info = {}  # nothing read from the upload goes back out (see the module doc)
    out = io.BytesIO()
    if has_alpha:
        image.save(out, format="PNG")
        extension = "png"
    else:
        # Baseline JPEG: progressive or optimized encoding costs 3-8x the time for a
        # few per cent of bytes (benchmarks/release_image.py).
        image.save(out, format="JPEG", quality=85)
        extension = "jpg"
    return out.getvalue(), extension, image.width, image.height


def _reduced(image: Image.Image, target: str, *, keep_cmyk: bool) -> Image.Image:
    """The decoded image reduced by the largest whole factor that keeps it at least
    STORED_LONGEST_SIDE, in a mode the Lanczos step takes as it is.

    With alpha, the mode is premultiplied RGBa (what Pillow would otherwise make a full
    copy of, once to reduce and again to resize). Any conversion (palette, grey with
    alpha, 16-bit, premultiplying) runs a band of rows at a time: the only full-size
    image is the decoded one."""
    factor = max(1, max(image.size) // STORED_LONGEST_SIDE)
    if image.mode in ("RGB", "L") or (image.mode == "CMYK" and keep_cmyk):
        # Grey turns RGB on the small copy; under 2x, Lanczos takes it from here.
        return image.reduce(factor) if factor > 1 else image
    # Even with nothing to reduce, the premultiplied copy is made here, by bands, so the
    # decoded image (and a WebP decoder's canvases) is gone before the Lanczos step.
    work = "RGBa" if target == "RGBA" else "RGB"
    width, height = image.size
    out = Image.new(work, (-(-width // factor), -(-height // factor)))
    step = factor * BAND_ROWS  # whole blocks, so the bands' reductions line up
    for top in range(0, height, step):
        band = eight_bit(image.crop((0, top, width, min(height, top + step)))).convert(target)
        if work != target:
            band = band.convert(work)
        out.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return out


def _in_srgb(image: Image.Image, icc_profile: bytes | None, target: str) -> Image.Image:
    """Pixels converted from the upload's ICC profile to sRGB, so the profile can go.

    A profile that cannot be used (damaged, or for another colour space than the pixels)
    is dropped and the pixels taken as sRGB: the colours may be off, nothing worse."""
    if image.mode == "RGBa":  # premultiplied through the scale-down
        image = image.convert("RGBA")
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode=target)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    return image if image.mode == target else image.convert(target)


def save_encoded(encoded: bytes, extension: str, width: int, height: int, *,
                 media_root: Path) -> StoredImage:
    """Write the image under a random name: complete or not at all.

    The bytes go to a temporary file in the same folder, are flushed to disk and then
    renamed, so a full disk never leaves a truncated or empty image behind (the
    temporary file is removed; one left by a killed process is removed by
    ``release_images_prune``)."""
    folder = media_root / "releases"
    # A random name: no submitter text ever reaches the file system.
    name = f"releases/{secrets.token_hex(16)}.{extension}"
    partial = folder / f".{secrets.token_hex(8)}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(partial, "xb") as handle:
            handle.write(encoded)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, media_root / name)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        log.error("release image not stored: %s (%s) in %s, %d bytes",
                  exc.strerror or exc, errno.errorcode.get(exc.errno or 0, "?"), folder,
                  len(encoded))
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ImageNotStored("the image could not be saved because the server is "
                                 "out of space; please try again later") from exc
        raise ImageNotStored("the image could not be saved; please try again later") \
            from exc
    return StoredImage(name=name, width=width, height=height)


def store_image(data: bytes, *, media_root: Path, max_bytes: int,
                max_pixels: int) -> StoredImage:
    encoded, extension, width, height = process_image(data, max_bytes=max_bytes,
                                                      max_pixels=max_pixels)
    return save_encoded(encoded, extension, width, height, media_root=media_root)

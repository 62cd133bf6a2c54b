"""Check and re-encode an uploaded image so that only pixels we wrote ever get served.

What the browser says (file name, content type) is ignored: Pillow reads the real
type from the bytes. The pixel count is checked from the header before any pixel is
decoded, and Pillow's own decompression-bomb guard is made an error, not a warning.
The stored file is a fresh JPEG/PNG written from the decoded pixels, so EXIF
(GPS included), ICC tricks, comments and trailing payloads are all left behind.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from wiredesk.errors import WiredeskError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MIN_SIDE = 100
MAX_SIDE = 12_000
# The stored copy is scaled down to this longest side; a news page needs no more.
STORED_LONGEST_SIDE = 2000


class ImageRejected(WiredeskError, ValueError):
    """The upload is not an image we accept; the message is shown to the submitter."""


@dataclass(frozen=True, slots=True)
class StoredImage:
    name: str  # relative to MEDIA_ROOT
    width: int
    height: int


def _check_header(data: bytes, *, max_pixels: int) -> Image.Image:
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
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > max_pixels:
        raise ImageRejected(f"the image is too large ({width}x{height} pixels)")
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageRejected(f"the image is too small ({width}x{height} pixels; "
                            f"at least {MIN_SIDE}x{MIN_SIDE})")
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
            if image.format == "JPEG":
                # Let the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding: a 12 Mpx
                # photo never needs to be decoded in full to be stored at 2000 px.
                scale = STORED_LONGEST_SIDE / max(image.size)
                if scale < 1:
                    image.draft("RGB", (max(1, int(image.width * scale)),
                                        max(1, int(image.height * scale))))
            image.load()
            ImageOps.exif_transpose(image, in_place=True)  # upright once EXIF is gone
    except ImageRejected:
        raise
    except Exception as exc:  # any decoder error on hostile bytes
        raise ImageRejected("the image is damaged and cannot be read") from exc
    has_alpha = image.mode in ("RGBA", "LA") or (
        image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((STORED_LONGEST_SIDE, STORED_LONGEST_SIDE), Image.Resampling.LANCZOS)
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


def save_encoded(encoded: bytes, extension: str, width: int, height: int, *,
                 media_root: Path) -> StoredImage:
    folder = media_root / "releases"
    folder.mkdir(parents=True, exist_ok=True)
    # A random name: no submitter text ever reaches the file system.
    name = f"releases/{secrets.token_hex(16)}.{extension}"
    (media_root / name).write_bytes(encoded)
    return StoredImage(name=name, width=width, height=height)


def store_image(data: bytes, *, media_root: Path, max_bytes: int,
                max_pixels: int) -> StoredImage:
    encoded, extension, width, height = process_image(data, max_bytes=max_bytes,
                                                      max_pixels=max_pixels)
    return save_encoded(encoded, extension, width, height, media_root=media_root)

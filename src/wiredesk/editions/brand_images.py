"""An edition's logo and icon: checked, re-encoded, stored under their content hash.

The same care as news-release images (releases/images.py): the type is read from the
bytes (never the file name or Content-Type), the size is checked from the header before
any pixel is decoded (a WebP's canvas before Pillow opens it), a decompression bomb is an
error, and what is stored is a fresh PNG (an ICO for ``/favicon.ico``) written from the
decoded pixels with nothing read from the upload carried over: no EXIF, XMP, comments,
text chunks, ICC profile (colours are converted to sRGB) or trailing bytes.

SVG is refused: it is a document that can carry scripts and links, not a picture.
Logos and icons are small, so the limits are small too and every image is decoded whole.

Files go to ``MEDIA_ROOT/brand/`` named by the SHA-256 of what is written, and are served
as immutable (editions/views.py ``brand_file``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, UnidentifiedImageError

from wiredesk.errors import WiredeskError
from wiredesk.wire.images import webp_size

ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP"}
MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 5000
MAX_PIXELS = 8_000_000
WEBP_COST = 4  # a WebP decode peaks at about 4x the memory of a PNG's
# A logo is shown 48 px high: three times that, for sharp screens.
LOGO_BOX = (720, 144)
LOGO_MIN_SIDE = 16
ICON_MIN_SIDE = 180  # the touch icon's size; smaller would be blown up
ICON_SIZES = (32, 180, 192)
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]
NAME = re.compile(r"^[0-9a-f]{24}(?:-(?:32|180|192))?\.(?:png|ico)$")
FOLDER = "brand"

_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class BrandImageRejected(WiredeskError, ValueError):
    """An upload that is not a logo or icon we accept; the message says why."""


@dataclass(frozen=True)
class StoredLogo:
    name: str  # in MEDIA_ROOT/brand/
    width: int
    height: int


def _looks_like_svg(data: bytes) -> bool:
    """Markup rather than a picture (an image format starts with its magic bytes)."""
    return data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _check_size(what: str, width: int, height: int, max_pixels: int) -> None:
    if width > MAX_SIDE or height > MAX_SIDE or width * height > max_pixels:
        raise BrandImageRejected(f"the {what} is too large ({width}x{height} pixels; at most "
                                 f"{MAX_SIDE} a side and {max_pixels / 1_000_000:g} megapixels)")


def _open(data: bytes, what: str) -> Image.Image:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        size = webp_size(data)
        if size is None:
            raise BrandImageRejected(f"the {what} is damaged and cannot be read")
        _check_size(what, *size, MAX_PIXELS // WEBP_COST)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BrandImageRejected(f"the {what} has far too many pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BrandImageRejected(f"the {what} is not an image (PNG, JPEG or WebP)") from exc
    if image.format not in ALLOWED_FORMATS:
        raise BrandImageRejected(f"{image.format or 'this kind of'} images are not accepted "
                                 f"as the {what}; use PNG, JPEG or WebP")
    _check_size(what, *image.size,
                MAX_PIXELS // (WEBP_COST if image.format == "WEBP" else 1))
    return image


def decode(data: bytes, what: str = "logo") -> Image.Image:
    """The upload's first frame as upright sRGB RGBA pixels, or BrandImageRejected."""
    if not data:
        raise BrandImageRejected(f"the {what} file is empty")
    if len(data) > MAX_BYTES:
        raise BrandImageRejected(f"the {what} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if _looks_like_svg(data):
        raise BrandImageRejected(f"SVG is not accepted as the {what} (an SVG file can carry "
                                 "scripts): export it as PNG or WebP")
    _open(data, what)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.open(io.BytesIO(data)).verify()  # truncated or corrupt files
            image = _open(data, what)
            image.seek(0)
            icc_profile = image.info.get("icc_profile")
            orientation = image.getexif().get(0x0112)
            image.load()
            image = _in_srgb(image, icc_profile)
            if orientation in _UPRIGHT:
                image = image.transpose(_UPRIGHT[orientation])
    except BrandImageRejected:
        raise
    except Exception as exc:  # any decoder error on hostile bytes
        raise BrandImageRejected(f"the {what} is damaged and cannot be read") from exc
    image.info = {}
    return image


def _in_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    if image.mode not in ("RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA")
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGBA")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    return image.convert("RGBA")


def _png(image: Image.Image) -> bytes:
    image.info = {}
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)  # small pictures: worth the few ms
    return out.getvalue()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:24]


def _write(folder: Path, name: str, data: bytes) -> None:
    """Complete or not at all; a file already there has the same bytes (named by them)."""
    path = folder / name
    if path.is_file():
        return
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{secrets.token_hex(8)}.partial"
    try:
        with open(partial, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def logo_encode(data: bytes, what: str = "logo") -> tuple[bytes, int, int]:
    """Check and re-encode a logo: (PNG bytes, width, height)."""
    image = decode(data, what)
    if min(image.size) < LOGO_MIN_SIDE:
        raise BrandImageRejected(f"the {what} is too small ({image.width}x{image.height} "
                                 f"pixels; at least {LOGO_MIN_SIDE} a side)")
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    return _png(image), image.width, image.height


def store_logo(data: bytes, *, media_root: Path, what: str = "logo") -> StoredLogo:
    encoded, width, height = logo_encode(data, what)
    name = f"{_digest(encoded)}.png"
    _write(Path(media_root) / FOLDER, name, encoded)
    return StoredLogo(name=name, width=width, height=height)


def icon_encode(data: bytes) -> dict[str, bytes]:
    """Check an icon and make its files: suffix (``-32.png``, ``-180.png``, ``-192.png``,
    ``.ico``) -> bytes. A picture that is not square is centred on a clear square."""
    image = decode(data, "icon")
    if min(image.size) < ICON_MIN_SIDE:
        raise BrandImageRejected(f"the icon is too small ({image.width}x{image.height} "
                                 f"pixels; at least {ICON_MIN_SIDE}x{ICON_MIN_SIDE})")
    side = max(image.size)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    files = {f"-{size}.png": _png(square.resize((size, size), Image.Resampling.LANCZOS))
             for size in ICON_SIZES}
    ico = io.BytesIO()
    source = square.resize((192, 192), Image.Resampling.LANCZOS)
    source.info = {}
    source.save(ico, format="ICO", sizes=ICO_SIZES)
    files[".ico"] = ico.getvalue()
    return files


def store_icon(data: bytes, *, media_root: Path) -> str:
    """Store an icon's files; returns their common stem (``<hash>``)."""
    files = icon_encode(data)
    stem = _digest(files["-180.png"])
    for suffix, content in files.items():
        _write(Path(media_root) / FOLDER, stem + suffix, content)
    return stem

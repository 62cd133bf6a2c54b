"""An agency's picture, re-encoded into the widths pages ask for: only pixels we wrote.

The bytes come from outside (an agency's server, or whatever a redirect led to), so
nothing about them is trusted: not the Content-Type, not the file name, not the size
the feed announced. Pillow reads the real type from the bytes; the pixel count is
checked from the header before any pixel is decoded (a WebP's from its own header,
since Pillow's WebP reader allocates its canvas on open), and Pillow's
decompression-bomb guard is an error, not a warning.

Decoding is bounded: a JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still covers
the widest rendition, and any other picture is reduced by a whole factor, a band of
rows at a time, before the Lanczos step, so the only full-size image is the decoded
one. An animation gives its first frame. CMYK, palette, grey, 16-bit and alpha
pictures become 8-bit sRGB (alpha over white: a JPEG has none, and a news picture
shown on a page has a page behind it); an embedded ICC profile is applied to the
pixels, not kept; the EXIF orientation is applied, then EXIF goes with everything else.

Each rendition is a fresh JPEG (and WebP) written from those pixels with an empty
``info``: EXIF (GPS included), XMP, comments, text chunks, ICC profiles and trailing
payloads never reach the encoder. A picture is never made larger than it came.

The picture's identity is the SHA-256 of the bytes the agency sent: the same picture
under many addresses is decoded and stored once.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, UnidentifiedImageError, features

from wiredesk.wire.types import WireError

# The widths pages, feeds and the API are offered (a browser picks with srcset).
DEFAULT_WIDTHS = (320, 640, 1024, 1600)
# What agencies send for the web. MPO is the multi-picture JPEG some cameras write.
ALLOWED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "GIF", "WEBP"})
# A picture whose longer side is under this is an icon or a tracking pixel, not news.
MIN_SIDE = 100
MAX_SIDE = 30_000
# Decoding a WebP peaks at about 4x the memory of a PNG of the same size (two canvases
# in libwebp, its buffers, Pillow's copy): it may have a quarter of the pixels.
WEBP_COST = 4
BAND_ROWS = 64  # rows converted at a time (times the reduction factor)
JPEG_QUALITY = 82
WEBP_QUALITY = 80
WHITE = (255, 255, 255)
# EXIF orientation -> the transpose that shows the picture upright.
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}
_SIDEWAYS = frozenset({5, 6, 7, 8})  # orientations that swap width and height
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PictureRejected(WireError):
    """The bytes are not a picture we store; the message says why, for the operator."""


@dataclass(frozen=True, slots=True)
class Rendition:
    width: int
    height: int
    mime_type: str  # image/jpeg or image/webp
    data: bytes

    @property
    def extension(self) -> str:
        return "webp" if self.mime_type == "image/webp" else "jpg"

    @property
    def digest(self) -> str:
        """SHA-256 of the file itself: its name says what is in it (cached for ever)."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class Renditions:
    source_sha256: str  # of the bytes the agency sent
    width: int  # the upright picture as sent
    height: int
    items: tuple[Rendition, ...]  # narrowest first, JPEG before WebP at each width


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def webp_available() -> bool:
    return bool(features.check("webp"))


def rendition_widths(width: int, widths: tuple[int, ...] = DEFAULT_WIDTHS) -> list[int]:
    """The widths made of a picture ``width`` pixels wide: every one it covers, and its
    own width in place of those it does not (never upscaled)."""
    top = min(width, max(widths))
    return sorted({w for w in widths if w < top} | {top})


def webp_size(data: bytes) -> tuple[int, int] | None:
    """The canvas size from a WebP header. Pillow's WebP reader allocates the canvas as
    soon as the file is opened, so this is read before Image.open ever sees the bytes."""
    kind = data[12:16]
    if kind == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X" and len(data) >= 30:
        return (int.from_bytes(data[24:27], "little") + 1,
                int.from_bytes(data[27:30], "little") + 1)
    return None


def _check_size(width: int, height: int, *, max_pixels: int) -> None:
    if width > MAX_SIDE or height > MAX_SIDE or width * height > max_pixels:
        raise PictureRejected(f"the picture is too large ({width}x{height} pixels; at most "
                              f"{max_pixels / 1_000_000:g} megapixels)")
    if max(width, height) < MIN_SIDE:
        raise PictureRejected(f"the picture is too small to be a news picture "
                              f"({width}x{height} pixels)")


def _open(data: bytes, *, max_pixels: int) -> Image.Image:
    """The picture opened (header read, no pixel decoded), once its size is known to be
    within bounds."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        size = webp_size(data)
        if size is None:
            raise PictureRejected("the WebP picture is damaged")
        _check_size(*size, max_pixels=max_pixels // WEBP_COST)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PictureRejected("the picture has far too many pixels (a decompression "
                              "bomb)") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PictureRejected("not a picture (JPEG, PNG, GIF or WebP)") from exc
    if image.format not in ALLOWED_FORMATS:
        raise PictureRejected(f"{image.format or 'these'} pictures are not stored; "
                              "JPEG, PNG, GIF and WebP are")
    _check_size(*image.size, max_pixels=max_pixels // (
        WEBP_COST if image.format == "WEBP" else 1))
    return image


def make_renditions(data: bytes, *, max_pixels: int, widths: tuple[int, ...] = DEFAULT_WIDTHS,
                    webp: bool = True) -> Renditions:
    """Check, decode once and re-encode ``data`` into every width it covers.

    Raises :class:`PictureRejected` for anything that is not a picture we store (not a
    picture, damaged, too large in pixels, too small, a decompression bomb).
    """
    if not data:
        raise PictureRejected("the picture is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # verify() catches truncated and corrupt files; it spends the image.
            _open(data, max_pixels=max_pixels).verify()
            image = _open(data, max_pixels=max_pixels)
            image.seek(0)  # the first frame of an animation
            icc_profile = image.info.get("icc_profile")
            orientation = image.getexif().get(0x0112)
            sideways = orientation in _SIDEWAYS
            upright_width = image.height if sideways else image.width
            upright_height = image.width if sideways else image.height
            made = rendition_widths(upright_width, widths)
            # The stored image's side that becomes the upright width, and what it needs.
            scale = made[-1] / upright_width
            if image.format in ("JPEG", "MPO") and scale < 1:
                image.draft("RGB", (max(1, int(image.width * scale + 0.5)),
                                    max(1, int(image.height * scale + 0.5))))
            image.load()
            across = image.height if sideways else image.width
            factor = max(1, across // made[-1])
            image = _reduced(image, factor, keep_cmyk=bool(icc_profile))
            image = _in_srgb(image, icc_profile)
            if orientation in _UPRIGHT:
                image = image.transpose(_UPRIGHT[orientation])
    except PictureRejected:
        raise
    except Exception as exc:  # any decoder error on hostile bytes
        raise PictureRejected(f"the picture is damaged and cannot be read "
                              f"({type(exc).__name__})") from exc
    items: list[Rendition] = []
    for width in made:
        # From the picture as sent, not the reduced copy: the same shape at every width.
        height = max(1, int(upright_height * width / upright_width + 0.5))
        sized = image if (width, height) == image.size else image.resize(
            (width, height), Image.Resampling.LANCZOS)
        sized.info = {}  # nothing read from the source goes back out (see the module doc)
        items.append(_encoded(sized, "JPEG"))
        if webp and webp_available():
            items.append(_encoded(sized, "WEBP"))
    return Renditions(source_sha256=content_hash(data), width=upright_width,
                      height=upright_height, items=tuple(items))


def _encoded(image: Image.Image, kind: str) -> Rendition:
    out = io.BytesIO()
    if kind == "WEBP":
        image.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
        mime = "image/webp"
    else:
        # Baseline JPEG: progressive or optimized encoding costs several times the CPU
        # for a few per cent of bytes (benchmarks/release_image.py).
        image.save(out, format="JPEG", quality=JPEG_QUALITY)
        mime = "image/jpeg"
    return Rendition(width=image.width, height=image.height, mime_type=mime,
                     data=out.getvalue())


def eight_bit(band: Image.Image) -> Image.Image:
    """16- and 32-bit grey scaled to 8 bits (Pillow's own conversion clips to white)."""
    if band.mode.startswith("I;16") or band.mode == "I":
        return band.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return band


def _flattened(band: Image.Image) -> Image.Image:
    """An RGB band; transparency is laid over white."""
    band = eight_bit(band)
    if band.mode == "RGB":
        return band
    if band.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
            band.mode == "P" and "transparency" in band.info):
        rgba = band.convert("RGBA")
        flat = Image.new("RGB", rgba.size, WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return band.convert("RGB")


def _reduced(image: Image.Image, factor: int, *, keep_cmyk: bool) -> Image.Image:
    """The decoded image reduced by ``factor``, in RGB (or CMYK with a profile to apply).

    Any conversion (palette, grey, 16-bit, alpha) runs a band of rows at a time: the
    only full-size image is the decoded one."""
    if image.mode == "RGB" or (image.mode == "CMYK" and keep_cmyk):
        return image.reduce(factor) if factor > 1 else image
    width, height = image.size
    out = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    step = factor * BAND_ROWS  # whole blocks, so the bands' reductions line up
    for top in range(0, height, step):
        band = image.crop((0, top, width, min(height, top + step)))
        band.info = image.info  # a palette's transparency
        band = _flattened(band)
        out.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return out


def _in_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Pixels converted from the source's ICC profile to sRGB, so the profile can go.

    A profile that cannot be used (damaged, or for another colour space than the pixels)
    is dropped and the pixels taken as sRGB: the colours may be off, nothing worse."""
    if icc_profile and image.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    return image if image.mode == "RGB" else image.convert("RGB")

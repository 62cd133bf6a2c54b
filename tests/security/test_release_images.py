"""Release images (issue 23, items 13 and 14): bounded work, no metadata out.

13. A 170 KB 6300x6300 RGBA PNG cost 3.7-9 s of CPU and ~370 MB per upload in the web
    worker: the default pixel cap is lower and refuses it from the header, and what is
    accepted is decoded once at full size and never copied at that size.
14. JPEG COM segments and PNG text chunks survived re-encoding (and a PNG's ICC profile
    was written back): nothing read from the upload may reach the stored file.
"""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms, ImageFile, WebPImagePlugin

from wiredesk.releases import images
from wiredesk.releases.images import ImageRejected, process_image

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_pixels": 24_000_000}
SECRETS = (b"SECRET-COMMENT", b"SECRET-TEXT", b"SECRET-ITXT", b"SECRET-ZTXT", b"SpyCam",
           b"SECRET-XMP", b"SECRET-GIF")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def flat_png(width: int, height: int, rgba=(200, 30, 30, 128), mode: str = "RGBA",
             level: int = 1) -> bytes:
    """A real, valid PNG of one colour, built row by row (never the whole canvas in
    memory): 6300x6300 RGBA is 170 KB on disk and 159 MB decoded."""
    colour_type, pixel, extra = {
        "RGBA": (6, bytes(rgba), b""),
        "RGB": (2, bytes(rgba[:3]), b""),
        "LA": (4, bytes((rgba[0], rgba[3])), b""),
        "P": (3, b"\x01", _chunk(b"PLTE", bytes(6) + bytes(rgba[:3]))
              + _chunk(b"tRNS", bytes((0, rgba[3])))),
    }[mode]
    row = b"\x00" + pixel * width
    packer = zlib.compressobj(level)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + extra + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    kinds, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        kinds.append(kind)
        pos += 12 + length
    return kinds


def jpeg_segments(data: bytes) -> list[int]:
    """The markers before the image data (where every kind of metadata lives)."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while True:
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        pos += 2 + struct.unpack(">H", data[pos + 2:pos + 4])[0]


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    exif[0x8825] = {1: "S", 2: (33.0, 2.0, 44.0), 3: "W", 4: (71.0, 37.0, 10.0)}
    return exif.tobytes()


XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description "
       b"xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:creator>SECRET-XMP</dc:creator>"
       b"</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>")


def swapped_primaries_profile() -> bytes:
    """An RGB ICC profile whose red and blue primaries are swapped: pure red pixels under
    it are blue. Stored pixels that come out blue show the profile was applied."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    table = {}
    for i in range(count):
        sig, offset, size = struct.unpack(">4sII", data[132 + 12 * i:144 + 12 * i])
        table[sig] = (i, offset, size)
    (ir, off_r, size_r), (ib, off_b, size_b) = table[b"rXYZ"], table[b"bXYZ"]
    struct.pack_into(">4sII", data, 132 + 12 * ir, b"rXYZ", off_b, size_b)
    struct.pack_into(">4sII", data, 132 + 12 * ib, b"bXYZ", off_r, size_r)
    data[84:100] = bytes(16)  # the profile id no longer matches: say "not computed"
    return bytes(data)


def assert_clean(data: bytes, extension: str) -> None:
    for secret in SECRETS:
        assert secret not in data, secret
    stored = Image.open(io.BytesIO(data))
    leaked = {"comment", "exif", "xmp", "icc_profile", "XML:com.adobe.xmp"} & set(stored.info)
    assert not leaked and not getattr(stored, "text", {})
    assert not stored.getexif()
    if extension == "png":
        assert set(png_chunks(data)) <= {b"IHDR", b"IDAT", b"IEND"}
    else:
        # SOI, JFIF APP0, tables, frame, scan: no APP1 (EXIF, XMP), APP2 (ICC) or COM.
        assert set(jpeg_segments(data)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xDD, 0xDA}


# --- 13: what an upload may cost -------------------------------------------------

def test_default_pixel_cap_is_lowered(settings):
    from wiredesk import settings as defaults

    assert 16_000_000 <= defaults.WIREDESK_RELEASE_MAX_IMAGE_PIXELS <= 25_000_000


def test_the_reported_png_is_refused_from_its_header_without_decoding(monkeypatch):
    from wiredesk import settings as defaults

    png = flat_png(6300, 6300, level=9)
    assert len(png) < 200_000  # the shape that was reported: 170 KB, 159 MB decoded

    def no_decoding(self):
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ImageRejected, match=r"too large \(6300x6300 pixels; at most 24"):
        process_image(png, max_bytes=LIMITS["max_bytes"],
                      max_pixels=defaults.WIREDESK_RELEASE_MAX_IMAGE_PIXELS)


class CopySpy:
    """Records the size of every image Pillow converts, copies or makes."""

    def __init__(self, monkeypatch):
        self.sizes: list[tuple[int, int]] = []
        for name in ("convert", "copy", "reduce", "resize"):
            original = getattr(Image.Image, name)
            monkeypatch.setattr(Image.Image, name, self._spy(original))

    def _spy(self, original):
        def spied(image, *args, **kwargs):
            result = original(image, *args, **kwargs)
            if isinstance(result, Image.Image):
                self.sizes.append(result.size)
            return result
        return spied

    def largest(self) -> int:
        return max(width * height for width, height in self.sizes)


@pytest.mark.parametrize("mode", ["RGBA", "P", "LA", "RGB"])
def test_largest_png_is_never_copied_at_full_size(monkeypatch, mode):
    side = 4100  # 16.8 Mpx: decoded once; every other image is a quarter of it or less
    png = flat_png(side, side, mode=mode)
    assert Image.open(io.BytesIO(png)).mode == mode
    spy = CopySpy(monkeypatch)
    _data, extension, width, height = process_image(png, **LIMITS)
    assert (width, height) == (2000, 2000)
    assert extension == ("jpg" if mode == "RGB" else "png")
    assert spy.largest() <= (side // 2 + 1) ** 2


def test_transparency_survives_the_banded_reduction():
    data, extension, _w, _h = process_image(flat_png(4100, 4100, (10, 200, 30, 77)), **LIMITS)
    stored = Image.open(io.BytesIO(data))
    assert extension == "png" and stored.mode == "RGBA"
    red, green, blue, alpha = stored.getpixel((1000, 1000))
    assert abs(alpha - 77) <= 1 and abs(green - 200) <= 3 and red < 20 and blue < 40


def test_large_jpeg_is_decoded_at_reduced_scale(monkeypatch):
    out = io.BytesIO()
    Image.new("RGB", (6000, 4000), (90, 120, 200)).save(out, format="JPEG", quality=80)
    spy = CopySpy(monkeypatch)
    _data, _ext, width, height = process_image(out.getvalue(), **LIMITS)
    assert (width, height) == (2000, 1333)
    assert spy.largest() <= 3000 * 2000  # drafted to 1/2 at least: never 24 Mpx


def test_webp_size_is_checked_before_pillow_allocates_its_canvases(monkeypatch):
    # libwebp allocates two canvases when Pillow opens the file, before any size check.
    created = []
    real = WebPImagePlugin._webp.WebPAnimDecoder

    def decoder(data):
        created.append(len(data))
        return real(data)

    monkeypatch.setattr(WebPImagePlugin._webp, "WebPAnimDecoder", decoder)
    out = io.BytesIO()
    Image.new("RGBA", (3000, 2500), (1, 2, 3, 100)).save(out, format="WEBP", lossless=True)
    with pytest.raises(ImageRejected, match=r"3000x2500 pixels; at most 6 megapixels"):
        process_image(out.getvalue(), **LIMITS)
    assert created == []
    claims_huge = out.getvalue()[:30]
    claims_huge = claims_huge[:24] + (11_999).to_bytes(3, "little") * 2
    with pytest.raises(ImageRejected):
        process_image(claims_huge + b"\0" * 1000, **LIMITS)
    assert created == []
    small = io.BytesIO()
    Image.new("RGBA", (300, 200), (1, 2, 3, 100)).save(small, format="WEBP")
    assert process_image(small.getvalue(), **LIMITS)[1] == "png"


# --- 14: metadata ------------------------------------------------------------------

def test_jpeg_comment_exif_gps_xmp_and_icc_are_dropped():
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (255, 0, 0)).save(
        out, format="JPEG", comment=b"SECRET-COMMENT", exif=exif_with_gps(), xmp=XMP,
        icc_profile=swapped_primaries_profile())
    upload = out.getvalue()
    assert all(secret in upload for secret in (b"SECRET-COMMENT", b"SpyCam", b"SECRET-XMP"))
    data, extension, _w, _h = process_image(upload, **LIMITS)
    assert extension == "jpg"
    assert_clean(data, extension)
    # Colour kept right: the pixels were converted from the profile, not read as sRGB.
    red, green, blue = Image.open(io.BytesIO(data)).getpixel((320, 240))
    assert blue > 230 and red < 25 and green < 25


def png_with_text(mode: str) -> bytes:
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("comment", "SECRET-COMMENT")  # what a JPEG encoder writes back as COM
    meta.add_text("Author", "SECRET-TEXT")
    meta.add_itxt("Description", "SECRET-ITXT", lang="en", tkey="Beschreibung")
    meta.add_text("Software", "SECRET-ZTXT", zip=True)
    meta.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    colour = (255, 0, 0, 255) if mode == "RGBA" else (255, 0, 0)
    Image.new(mode, (400, 300), colour).save(
        out, format="PNG", pnginfo=meta, exif=exif_with_gps(),
        icc_profile=swapped_primaries_profile())
    return out.getvalue()


@pytest.mark.parametrize("mode, extension", [("RGBA", "png"), ("RGB", "jpg")])
def test_png_text_chunks_exif_and_icc_are_dropped(mode, extension):
    upload = png_with_text(mode)
    assert {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"} <= set(png_chunks(upload))
    data, got, _w, _h = process_image(upload, **LIMITS)
    assert got == extension
    assert_clean(data, extension)
    pixel = Image.open(io.BytesIO(data)).convert("RGB").getpixel((200, 150))
    assert pixel[2] > 230 and pixel[0] < 25  # converted through the profile


def test_gif_comment_is_dropped():
    out = io.BytesIO()
    Image.new("P", (300, 200), 3).save(out, format="GIF", comment=b"SECRET-GIF")
    assert b"SECRET-GIF" in out.getvalue()
    data, extension, _w, _h = process_image(out.getvalue(), **LIMITS)
    assert_clean(data, extension)


def test_webp_exif_xmp_and_icc_are_dropped():
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (255, 0, 0)).save(
        out, format="WEBP", exif=exif_with_gps(), xmp=XMP,
        icc_profile=swapped_primaries_profile())
    data, extension, _w, _h = process_image(out.getvalue(), **LIMITS)
    assert_clean(data, extension)


def test_a_damaged_icc_profile_is_dropped_and_the_image_kept():
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (255, 0, 0)).save(out, format="JPEG",
                                                     icc_profile=b"SECRET-COMMENT" * 40)
    data, extension, _w, _h = process_image(out.getvalue(), **LIMITS)
    assert_clean(data, extension)
    assert Image.open(io.BytesIO(data)).getpixel((150, 100))[0] > 230  # taken as sRGB


def test_cmyk_jpeg_with_a_profile_is_stored_as_rgb_without_it(monkeypatch):
    out = io.BytesIO()
    Image.new("CMYK", (300, 200), (0, 255, 255, 0)).save(out, format="JPEG",
                                                          comment=b"SECRET-COMMENT")
    data, extension, _w, _h = process_image(out.getvalue(), **LIMITS)
    assert extension == "jpg" and Image.open(io.BytesIO(data)).mode == "RGB"
    assert_clean(data, extension)


def test_module_says_what_it_does():
    assert "ICC" in images.__doc__ and "sRGB" in images.__doc__

"""Pictures and editions the branding tests share."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin


def picture(width: int = 200, height: int = 100, *, fmt: str = "PNG",
            colour=(11, 61, 145, 255), text_chunk: str = "", exif_gps: bool = False) -> bytes:
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    image = Image.new(mode, (width, height), colour if mode == "RGBA" else colour[:3])
    out = io.BytesIO()
    options: dict = {}
    if text_chunk:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", text_chunk)
        options["pnginfo"] = info
    if exif_gps:
        exif = Image.Exif()
        exif[0x010E] = "secret description"  # ImageDescription
        exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # GPSLatitude
        options["exif"] = exif.tobytes()
    image.save(out, format=fmt, **options)
    return out.getvalue()

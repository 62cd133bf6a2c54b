"""A picture agency's server on loopback, and the pictures (good and hostile) it serves.

Every picture is made here, in memory, with Pillow: nothing is downloaded or shipped.
"""

from __future__ import annotations

import contextlib
import io
import struct
import threading
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
SECRET = b"SECRET-PHOTOGRAPHER-NOTE"


def jpeg(size=(2000, 1333), color=(200, 80, 40), *, quality=90, noise=False, **save) -> bytes:
    # With noise, a photo-like picture: big bytes, as a camera's would be.
    image = (Image.effect_noise(size, 90).convert("RGB") if noise
             else Image.new("RGB", size, color))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, **save)
    return out.getvalue()


def photo(size=(3000, 2000), seed: int = 0) -> Image.Image:
    """Something with a photo's statistics: smooth light, edges, and sensor grain."""
    import random

    rng = random.Random(seed)
    width, height = size
    light = Image.radial_gradient("L").resize(size)
    sky = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (light, sky, Image.eval(light, lambda v: 255 - v)))
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, width // 6)
        draw.ellipse((x - r, y - r, x + r, y + r),
                     fill=tuple(rng.randrange(256) for _ in range(3)))
    grain = Image.effect_noise(size, 40).convert("RGB")
    return Image.blend(image, grain, 0.18)


def jpeg_of_bytes(target: int, seed: int = 0) -> bytes:
    """A photo-like JPEG of about ``target`` bytes (a 2 MB agency picture)."""
    side = 1600
    while True:
        out = io.BytesIO()
        photo((side * 3 // 2, side), seed).save(out, "JPEG", quality=92)
        if len(out.getvalue()) >= target:
            return out.getvalue()
        side = int(side * (target / len(out.getvalue())) ** 0.5) + 16


def rotated_with_gps() -> bytes:
    """400x200 as stored, shown 200x400 (EXIF orientation 6), with GPS and a comment."""
    image = Image.new("RGB", (400, 200), (255, 0, 0))
    image.paste((0, 0, 255), (200, 0, 400, 200))  # right half blue as stored
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (52.0, 30.0, 1.5), 3: "E", 4: (13.0, 24.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=SECRET, quality=95)
    return out.getvalue()


def cmyk_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("CMYK", (300, 200), (0, 0, 0, 0)).save(out, "JPEG")  # white, in ink terms
    return out.getvalue()


def png16(value: int = 40000) -> bytes:
    out = io.BytesIO()
    Image.new("I;16", (300, 200), value).save(out, "PNG")
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (300, 200), 0), Image.new("P", (300, 200), 1)]
    for frame in frames:
        frame.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)  # 0: red, 1: blue
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A few hundred bytes whose header claims 1.6 billion pixels: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + width * 3) * 4, 9)  # a few rows are enough
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows)
            + _chunk(b"IEND", b""))


Route = Callable[[BaseHTTPRequestHandler], None]


class PictureServer:
    """Serves ``routes`` (path -> bytes, or a handler); records each request's path."""

    def __init__(self):
        self.routes: dict[str, bytes | Route] = {}
        self.requests: list[str] = []
        self.delay = 0.0  # seconds before answering (a slow agency)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.requests.append(self.path)
                if server.delay:
                    time.sleep(server.delay)
                route = server.routes.get(self.path.split("?")[0])
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if callable(route):
                        route(self)
                    elif route is None:
                        self.send_response(404)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    else:
                        self.send_response(200)
                        # What an agency's server says is not what the bytes are.
                        self.send_header("Content-Type", "image/jpeg")
                        self.send_header("Content-Length", str(len(route)))
                        self.end_headers()
                        self.wfile.write(route)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @staticmethod
    def redirect(location: str) -> Route:
        def send(handler):
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        return send

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

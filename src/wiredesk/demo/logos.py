"""The demo editions' logos, drawn for this project (shapes only, no font, nothing
copied): ``python -m wiredesk.demo.logos`` writes the PNGs shipped in ``demo/brand/``.

The demo uploads them through the same checks as an operator's logo (``wiredesk.demo``,
``editions.services.edition_brand_set``), so they are re-encoded like any upload.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

BRAND_DIR = Path(__file__).resolve().parent / "brand"
SIZE = 192
SCALE = 4  # drawn large, then reduced: smooth edges


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw, int]:
    side = SIZE * SCALE
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    return image, ImageDraw.Draw(image), side


def _finish(image: Image.Image) -> Image.Image:
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def sun(rays: str, disc: str, core: str) -> Image.Image:
    """Chile Sun: a disc with twelve pointed rays."""
    image, draw, side = _canvas()
    centre = side / 2
    inner, outer, half_width = side * 0.30, side * 0.49, math.pi / 22
    for i in range(12):
        angle = i * math.pi / 6
        points = [(centre + inner * math.cos(angle - half_width * 1.6),
                   centre + inner * math.sin(angle - half_width * 1.6)),
                  (centre + outer * math.cos(angle), centre + outer * math.sin(angle)),
                  (centre + inner * math.cos(angle + half_width * 1.6),
                   centre + inner * math.sin(angle + half_width * 1.6))]
        draw.polygon(points, fill=rays)
    radius = side * 0.31
    draw.ellipse([centre - radius, centre - radius, centre + radius, centre + radius],
                 fill=disc)
    radius = side * 0.19
    draw.ellipse([centre - radius, centre - radius, centre + radius, centre + radius],
                 fill=core)
    return _finish(image)


def ledger(tile: str, bars: str, stars: str) -> Image.Image:
    """Euro Ledger: a rounded tile with three rising bars under a ring of stars."""
    image, draw, side = _canvas()
    draw.rounded_rectangle([0, 0, side - 1, side - 1], radius=side * 0.18, fill=tile)
    base, width, gap = side * 0.80, side * 0.14, side * 0.06
    left = (side - 3 * width - 2 * gap) / 2
    for i, height in enumerate((0.20, 0.32, 0.44)):
        x = left + i * (width + gap)
        draw.rectangle([x, base - side * height, x + width, base], fill=bars)
    centre, ring, dot = (side / 2, side * 0.22), side * 0.11, side * 0.022
    for i in range(12):
        angle = i * math.pi / 6
        x, y = centre[0] + ring * math.cos(angle), centre[1] + ring * math.sin(angle)
        draw.ellipse([x - dot, y - dot, x + dot, y + dot], fill=stars)
    draw.line([side * 0.14, base + side * 0.04, side * 0.86, base + side * 0.04],
              fill=bars, width=int(side * 0.025))
    return _finish(image)


def star_tile(tile: str, star: str, band: str) -> Image.Image:
    """Chile Hoy: a five-pointed star on a rounded tile above a band, the "today" underline."""
    image, draw, side = _canvas()
    draw.rounded_rectangle([0, 0, side - 1, side - 1], radius=side * 0.18, fill=tile)
    draw.rectangle([side * 0.14, side * 0.76, side * 0.86, side * 0.84], fill=band)
    centre, outer, inner = (side / 2, side * 0.42), side * 0.28, side * 0.11
    points = []
    for i in range(10):
        angle = -math.pi / 2 + i * math.pi / 5
        radius = outer if i % 2 == 0 else inner
        points.append((centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle)))
    draw.polygon(points, fill=star)
    return _finish(image)


LOGOS = {
    "chile-sun.png": lambda: sun(rays="#d9480f", disc="#f59f00", core="#ffd43b"),
    "chile-sun-dark.png": lambda: sun(rays="#ffa94d", disc="#ffd43b", core="#fff3bf"),
    "euro-ledger.png": lambda: ledger(tile="#0b3d91", bars="#ffffff", stars="#ffd43b"),
    "chile-hoy.png": lambda: star_tile(tile="#0b3b8c", star="#ffffff", band="#c8102e"),
}


def main() -> None:
    BRAND_DIR.mkdir(exist_ok=True)
    for name, draw in LOGOS.items():
        draw().save(BRAND_DIR / name, format="PNG", optimize=True)
        print(BRAND_DIR / name)


if __name__ == "__main__":
    main()

"""The demo's sample pictures, drawn for this project (shapes and gradients only, nothing
copied, so the project may redistribute them): ``python -m wiredesk.demo.draw_pictures``
writes the JPEGs shipped in ``demo/pictures/``.

They are files in the package, never drawn at run time: the demo hands them to the
newsroom as the bytes at the agency addresses its sample feeds name (``wiredesk.demo``,
``PICTURES``), where they are re-encoded into renditions like any agency picture.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

PICTURES_DIR = Path(__file__).resolve().parent / "pictures"
WIDTH, HEIGHT = 1600, 1067
SCALE = 2  # drawn large, then reduced: smooth edges
QUALITY = 82

Colour = tuple[int, int, int]


def rgb(value: str) -> Colour:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


class Scene:
    """A canvas in picture units (1600 x 1067), drawn at ``SCALE``."""

    def __init__(self, seed: int):
        self.image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE))
        self.draw = ImageDraw.Draw(self.image)
        self.random = random.Random(seed)

    def box(self, x0, y0, x1, y1) -> list[float]:
        return [x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE]

    def gradient(self, top: str, bottom: str, y0: float = 0, y1: float = HEIGHT) -> None:
        a, b = rgb(top), rgb(bottom)
        start, end = int(y0 * SCALE), int(y1 * SCALE)
        for y in range(start, end):
            self.draw.line([(0, y), (WIDTH * SCALE, y)],
                           fill=mix(a, b, (y - start) / max(1, end - start - 1)))

    def rect(self, x0, y0, x1, y1, colour: str) -> None:
        self.draw.rectangle(self.box(x0, y0, x1, y1), fill=colour)

    def ellipse(self, x0, y0, x1, y1, colour: str) -> None:
        self.draw.ellipse(self.box(x0, y0, x1, y1), fill=colour)

    def polygon(self, points, colour: str) -> None:
        self.draw.polygon([(x * SCALE, y * SCALE) for x, y in points], fill=colour)

    def line(self, points, colour: str, width: float) -> None:
        self.draw.line([(x * SCALE, y * SCALE) for x, y in points], fill=colour,
                       width=max(1, round(width * SCALE)))

    def sun(self, x, y, radius, colour: str, glow: str | None = None) -> None:
        if glow:
            for step in range(6, 0, -1):
                r = radius * (1 + step * 0.35)
                layer = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
                ImageDraw.Draw(layer).ellipse(self.box(x - r, y - r, x + r, y + r),
                                              fill=(*rgb(glow), 22))
                self.image.paste(layer, (0, 0), layer)
        self.ellipse(x - radius, y - radius, x + radius, y + radius, colour)

    def ridge(self, base: float, height: float, colour: str, *, peaks: int = 6,
              jagged: float = 0.5) -> None:
        """A range of hills or mountains across the picture, its foot at ``base``."""
        points = [(0, HEIGHT)]
        count = peaks * 2 + 1
        for i in range(count + 1):
            x = i * WIDTH / count
            up = height * (self.random.uniform(0.55, 1.0) if i % 2 else
                           self.random.uniform(0.1, jagged))
            points.append((x, base - up))
        points.append((WIDTH, HEIGHT))
        self.polygon(points, colour)

    def water(self, top: float, near: str, far: str, glints: str, count: int = 70) -> None:
        self.gradient(far, near, top, HEIGHT)
        for _ in range(count):
            y = self.random.uniform(top + 8, HEIGHT)
            x = self.random.uniform(0, WIDTH)
            length = 20 + (y - top) * 0.12
            self.line([(x, y), (x + length, y)], glints, 2)

    def finish(self) -> Image.Image:
        return self.image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).filter(
            ImageFilter.SMOOTH)


def _boat(s: Scene, x: float, y: float, size: float, hull: str, sail: str | None) -> None:
    s.polygon([(x - size, y), (x + size, y), (x + size * 0.7, y + size * 0.35),
               (x - size * 0.7, y + size * 0.35)], hull)
    if sail:
        s.line([(x, y), (x, y - size * 1.6)], "#3b3b3b", size * 0.05)
        s.polygon([(x + size * 0.06, y - size * 1.5), (x + size * 0.06, y - size * 0.1),
                   (x + size * 0.85, y - size * 0.1)], sail)
    else:
        s.rect(x - size * 0.4, y - size * 0.45, x + size * 0.3, y, "#f1efe8")


def harbour() -> Image.Image:
    """A harbour at morning: hills, a quay with warehouses, boats on the water."""
    s = Scene(1)
    s.gradient("#9cc9e8", "#f6dcb4", 0, 560)
    s.sun(1230, 330, 60, "#fff4d6", glow="#ffe2a8")
    s.ridge(560, 190, "#8aa5a9", peaks=4)
    s.ridge(580, 110, "#6d8c7f", peaks=6)
    s.water(560, "#1f5c7a", "#6ea8c2", "#cfe6f0")
    s.rect(0, 520, 620, 600, "#9a8f82")
    colours = ["#c8553d", "#f2d0a4", "#588b8b", "#e8a33d", "#ffffff"]
    for i, x in enumerate(range(20, 600, 115)):
        s.rect(x, 430 - (i % 2) * 30, x + 100, 525, colours[i % len(colours)])
        s.polygon([(x - 8, 430 - (i % 2) * 30), (x + 50, 395 - (i % 2) * 30),
                   (x + 108, 430 - (i % 2) * 30)], "#5a3e36")
    for x, y, size, hull, sail in [(760, 700, 70, "#ffffff", "#f7f3e9"),
                                   (1040, 820, 110, "#c8553d", None),
                                   (1380, 660, 55, "#23395b", "#f7f3e9"),
                                   (480, 860, 90, "#f2c14e", None),
                                   (1250, 960, 80, "#ffffff", "#e9d8a6")]:
        _boat(s, x, y, size, hull, sail)
    return s.finish()


def mountains() -> Image.Image:
    """A mountain valley with snow caps and a road winding along a river."""
    s = Scene(2)
    s.gradient("#5b7fb5", "#dfe9f3", 0, 700)
    s.ridge(620, 430, "#8696b8", peaks=3, jagged=0.3)
    for x, y in [(260, 260), (800, 200), (1330, 250)]:
        s.polygon([(x, y), (x - 70, y + 90), (x + 75, y + 95)], "#f4f7fb")
    s.ridge(700, 300, "#55707f", peaks=5)
    s.ridge(800, 200, "#3f6148", peaks=7)
    s.gradient("#6f8f4e", "#47683a", 780, HEIGHT)
    s.polygon([(700, 780), (760, 780), (1100, HEIGHT), (860, HEIGHT)], "#8fb4c8")
    s.polygon([(820, 780), (850, 780), (560, HEIGHT), (470, HEIGHT)], "#b3a48c")
    for _ in range(60):
        x, y = s.random.uniform(0, WIDTH), s.random.uniform(790, HEIGHT)
        if 440 < x < 1120:
            continue
        h = 30 + (y - 780) * 0.25
        s.polygon([(x, y - h), (x - h * 0.3, y), (x + h * 0.3, y)], "#2e4b2f")
    return s.finish()


def skyline() -> Image.Image:
    """A city skyline on a hot evening: towers against an orange sky, a river below."""
    s = Scene(3)
    s.gradient("#f08a4b", "#fde6a5", 0, 760)
    s.sun(420, 420, 95, "#fff1c1", glow="#ffd27a")
    for layer, (colour, low, high) in enumerate([("#b8627a", 260, 470), ("#6d3b5c", 180, 420),
                                                 ("#3a2142", 120, 330)]):
        x = -20 + layer * 35
        while x < WIDTH:
            width = s.random.uniform(60, 140)
            top = 760 - s.random.uniform(low, high) * (0.6 if layer == 2 else 1)
            s.rect(x, top, x + width, 770, colour)
            if layer == 2:
                for wy in range(int(top) + 20, 740, 34):
                    for wx in range(int(x) + 12, int(x + width) - 14, 24):
                        if s.random.random() < 0.45:
                            s.rect(wx, wy, wx + 10, wy + 16, "#ffd98a")
            if s.random.random() < 0.2:
                s.line([(x + width / 2, top), (x + width / 2, top - 60)], colour, 4)
            x += width + s.random.uniform(0, 30)
    s.water(770, "#2b1a33", "#a65f6b", "#f7c98b", count=90)
    return s.finish()


def arena() -> Image.Image:
    """A stadium under floodlights: stands full of colour around a green pitch."""
    s = Scene(4)
    s.gradient("#0d1b3d", "#2a4b7c", 0, 420)
    for x in (170, 1430):
        s.line([(x, 430), (x, 90)], "#5b6577", 10)
        s.rect(x - 70, 40, x + 70, 110, "#e9eef7")
        s.sun(x, 75, 10, "#ffffff", glow="#dfe8ff")
    s.polygon([(0, 300), (WIDTH, 300), (WIDTH, 640), (0, 640)], "#27324a")
    crowd = ["#e63946", "#f1faee", "#a8dadc", "#457b9d", "#ffb703", "#fb8500"]
    for row, y in enumerate(range(320, 630, 22)):
        for x in range(-10 - (row % 2) * 9, WIDTH, 18):
            s.ellipse(x, y, x + 12, y + 12, s.random.choice(crowd))
    s.polygon([(0, 640), (WIDTH, 640), (WIDTH, HEIGHT), (0, HEIGHT)], "#2f8f46")
    for i in range(8):
        if i % 2:
            y0 = 640 + i * (HEIGHT - 640) / 8
            s.rect(0, y0, WIDTH, y0 + (HEIGHT - 640) / 8, "#35a04f")
    s.line([(60, 700), (1540, 700), (1600, HEIGHT)], "#f4f4f4", 6)
    s.line([(60, 700), (0, 900)], "#f4f4f4", 6)
    s.line([(800, 700), (800, HEIGHT)], "#f4f4f4", 6)
    s.draw.ellipse(s.box(620, 780, 980, 960), outline="#f4f4f4", width=6 * SCALE)
    return s.finish()


def parliament() -> Image.Image:
    """A parliament building: a dome over a colonnade, flags, a square in front."""
    s = Scene(5)
    s.gradient("#7fb2e5", "#e4f0fb", 0, 860)
    for x, y in [(200, 150), (1250, 220), (900, 110)]:
        for dx, r in [(0, 40), (45, 55), (100, 38)]:
            s.ellipse(x + dx - r, y - r, x + dx + r, y + r * 0.8, "#ffffff")
    stone, shade = "#efe6d2", "#cbbd9e"
    s.ellipse(620, 170, 980, 470, "#9fb8a6")  # the dome, green copper
    s.rect(600, 300, 1000, 330, stone)
    s.line([(800, 170), (800, 95)], "#4b4b4b", 5)
    s.rect(800, 95, 870, 135, "#1d4ed8")
    s.polygon([(300, 470), (800, 330), (1300, 470)], stone)
    s.rect(260, 470, 1340, 500, shade)
    for x in range(300, 1300, 80):
        s.rect(x, 500, x + 34, 760, stone)
        s.rect(x - 6, 500, x + 40, 516, shade)
    s.rect(260, 760, 1340, 790, shade)
    for i, y in enumerate(range(790, 860, 14)):
        s.rect(240 - i * 20, y, 1360 + i * 20, y + 14, stone if i % 2 else shade)
    s.gradient("#d9d2c3", "#a89f8d", 860, HEIGHT)
    for x in (120, 1480):
        s.line([(x, 940), (x, 600)], "#555555", 6)
        s.rect(x, 600, x + 110, 670, "#c8102e" if x < 800 else "#0b3d91")
    return s.finish()


def industry() -> Image.Image:
    """A battery plant at dusk: sheds, chimneys and steam, solar panels in front."""
    s = Scene(6)
    s.gradient("#5c6b8a", "#f4b183", 0, 700)
    s.ridge(700, 120, "#6f6a7d", peaks=4)
    s.rect(0, 700, WIDTH, HEIGHT, "#7d7466")
    for x, w, h, colour in [(120, 420, 230, "#c9ccd1"), (580, 360, 300, "#aeb4bd"),
                            (980, 480, 200, "#d4d7db")]:
        s.rect(x, 700 - h, x + w, 700, colour)
        for gx in range(x, x + w, 60):
            s.polygon([(gx, 700 - h), (gx + 60, 700 - h - 40), (gx + 60, 700 - h)], colour)
        for wx in range(x + 20, x + w - 30, 50):
            s.rect(wx, 700 - h + 60, wx + 30, 700 - h + 90, "#5b7db1")
    for x in (700, 800):
        s.rect(x, 210, x + 40, 400, "#9a4c3c")
        for i in range(5):
            r = 26 + i * 10
            cy = 190 - i * 34
            s.ellipse(x + 20 + i * 18 - r, cy - r, x + 20 + i * 18 + r, cy + r, "#f3efe8")
    for row in range(4):
        y = 780 + row * 70
        for x in range(40 + row * 20, WIDTH, 150):
            s.polygon([(x, y + 50), (x + 120, y + 50), (x + 135, y), (x + 15, y)], "#1f3b73")
            s.line([(x + 60, y + 50), (x + 62, y + 62)], "#3d3d3d", 4)
    return s.finish()


def container_port() -> Image.Image:
    """A port terminal: cranes over a ship and rows of cars waiting on the quay."""
    s = Scene(7)
    s.gradient("#8fc1e3", "#eaf4fb", 0, 600)
    s.water(600, "#214e6b", "#5d93b5", "#d3e7f3", count=40)
    s.polygon([(150, 470), (1250, 470), (1180, 640), (210, 640)], "#1f3e5a")
    s.rect(950, 330, 1180, 470, "#f2f2f2")
    s.rect(1000, 280, 1150, 330, "#e6e6e6")
    for x in range(250, 920, 60):
        for y in (400, 435):
            s.rect(x, y, x + 54, y + 32, s.random.choice(
                ["#c8553d", "#2a9d8f", "#e9c46a", "#264653", "#f4a261"]))
    for x in (300, 620):
        s.line([(x, 700), (x, 200), (x + 40, 200), (x + 40, 700)], "#e76f51", 12)
        s.line([(x - 200, 220), (x + 320, 220)], "#e76f51", 16)
        s.line([(x + 20, 200), (x + 20, 140)], "#e76f51", 10)
    s.rect(0, 700, WIDTH, HEIGHT, "#a8a39b")
    cars = ["#ffffff", "#c0c0c0", "#1d3557", "#e63946", "#2b2d42"]
    for row in range(5):
        y = 740 + row * 64
        for x in range(60 + (row % 2) * 30, WIDTH - 60, 82):
            colour = s.random.choice(cars)
            s.rect(x, y + 12, x + 64, y + 36, colour)
            s.rect(x + 14, y, x + 50, y + 14, colour)
            s.rect(x + 18, y + 3, x + 46, y + 12, "#9fc4dd")
    return s.finish()


def aquatics() -> Image.Image:
    """An aquatics centre: a diving tower over a blue pool under a roof of light."""
    s = Scene(8)
    s.gradient("#e8eef4", "#b9c8d8", 0, 560)
    for x in range(0, WIDTH, 80):
        s.line([(x, 0), (x + 40, 140)], "#d3dde8", 8)
    s.rect(0, 140, WIDTH, 160, "#8aa0b8")
    for row, y in enumerate(range(330, 560, 24)):
        for x in range(-10 - (row % 2) * 10, WIDTH, 20):
            if s.random.random() < 0.85:
                s.ellipse(x, y, x + 13, y + 13, s.random.choice(
                    ["#e63946", "#ffd166", "#118ab2", "#f1faee", "#06d6a0"]))
    s.rect(0, 560, WIDTH, 600, "#f4f6f8")
    s.gradient("#4fc3e8", "#0a6fa8", 600, HEIGHT)
    for x in range(0, WIDTH, 200):
        s.line([(x + 100, 600), (x + 100 + (x - 700) * 0.4, HEIGHT)], "#ffffff", 3)
    for _ in range(80):
        x, y = s.random.uniform(0, WIDTH), s.random.uniform(610, HEIGHT)
        s.line([(x, y), (x + 30, y)], "#aee6f7", 2)
    s.rect(1180, 180, 1240, 600, "#d9dee4")
    for y in (200, 330, 460):
        s.rect(1040, y, 1240, y + 18, "#f2f4f6")
    s.ellipse(1070, 150, 1100, 180, "#c68642")  # a diver, tucked, in the air
    s.ellipse(1062, 176, 1108, 214, "#c1121f")
    return s.finish()


PICTURES: dict[str, Callable[[], Image.Image]] = {
    "harbour.jpg": harbour,
    "mountains.jpg": mountains,
    "skyline.jpg": skyline,
    "arena.jpg": arena,
    "parliament.jpg": parliament,
    "industry.jpg": industry,
    "container-port.jpg": container_port,
    "aquatics.jpg": aquatics,
}


def main() -> None:
    PICTURES_DIR.mkdir(exist_ok=True)
    for name, draw in PICTURES.items():
        path = PICTURES_DIR / name
        draw().save(path, format="JPEG", quality=QUALITY, optimize=True, progressive=True)
        print(f"{path} {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()

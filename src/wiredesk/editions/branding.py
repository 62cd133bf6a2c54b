"""An edition's look, as values checked here and a stylesheet made only from them.

Colours are ``#rrggbb`` (``#rgb`` is widened), fonts are keys of ``FONT_STACKS`` (system
fonts only: nothing is downloaded). ``contrast_problems`` refuses colour sets a reader
could not read: text, links (accent) and the masthead name (brand) each need WCAG AA's
4.5:1 against the background. ``palette`` derives the rest (muted text, rules, panels,
button text), checking each derived colour against the same bar, so an edition's
settings can only give it readable pages.

``brand_css`` writes CSS custom properties (``--brand``, ``--accent``, ``--ink``, ``--bg``,
``--muted``, ``--line``, ``--soft``, ``--on-accent``, ``--font-body``, ``--font-head``) that
site.css uses. Its text is built from validated hex values and the constant stacks below,
never from what an operator typed, and its URL carries its hash (``brand_css_name``) so it
can be cached for good.

Pure: no Django, no database.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

AA_CONTRAST = 4.5

# key -> (label shown to operators, CSS font stack). System fonts only.
FONT_STACKS: dict[str, tuple[str, str]] = {
    "serif": ("Serif news (Georgia)", 'Georgia, "Times New Roman", Times, serif'),
    "transitional": ("Transitional serif (Charter)",
                     'Charter, "Bitstream Charter", "Sitka Text", Cambria, '
                     '"Liberation Serif", serif'),
    "sans": ("Sans (system UI)",
             'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
             '"Liberation Sans", sans-serif'),
    "humanist": ("Humanist sans",
                 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", '
                 "source-sans-pro, sans-serif"),
    "mono": ("Monospace",
             'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, '
             '"DejaVu Sans Mono", monospace'),
}
FONT_CHOICES = [(key, label) for key, (label, _stack) in FONT_STACKS.items()]
DEFAULT_FONT = "serif"

# site.css's own values: an edition that sets nothing looks exactly as before.
DEFAULT_TEXT = "#1b1b1b"
DEFAULT_ACCENT = "#a4161a"
DEFAULT_BACKGROUND = "#ffffff"
DEFAULT_MUTED = "#5c5c5c"
DEFAULT_LINE = "#e2e2e2"
DEFAULT_SOFT = "#f6f4f0"

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


class BrandValueError(ValueError):
    """A colour or font that cannot be used; the message says which and why."""


def parse_colour(value: str) -> str:
    """``#RGB``/``#RRGGBB`` (the ``#`` optional) -> ``#rrggbb``; anything else is refused."""
    match = _HEX.fullmatch((value or "").strip())
    if not match:
        raise BrandValueError(f"{str(value)[:40]!r} is not a colour: use a hex value such "
                              "as #1b1b1b")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def parse_font(value: str) -> str:
    key = (value or "").strip().lower()
    if key not in FONT_STACKS:
        raise BrandValueError(f"{str(value)[:40]!r} is not one of the fonts: "
                              f"{', '.join(FONT_STACKS)}")
    return key


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: str, b: str, share_of_b: float) -> str:
    """``a`` moved ``share_of_b`` of the way to ``b`` (sRGB channels)."""
    return _hex(x + (y - x) * share_of_b for x, y in zip(_rgb(a), _rgb(b), strict=True))


def is_dark(background: str) -> bool:
    """Light text reads better on it than dark text: the dark logo goes there."""
    return contrast(background, "#ffffff") > contrast(background, "#000000")


@dataclass(frozen=True)
class Colours:
    """What an operator sets; empty means the default."""

    brand: str = ""
    accent: str = ""
    text: str = ""
    background: str = ""

    def resolved(self) -> Colours:
        text = parse_colour(self.text) if self.text else DEFAULT_TEXT
        return Colours(
            brand=parse_colour(self.brand) if self.brand else text,
            accent=parse_colour(self.accent) if self.accent else DEFAULT_ACCENT,
            text=text,
            background=parse_colour(self.background) if self.background
            else DEFAULT_BACKGROUND)


FIELD_LABELS = {"brand": "brand colour", "accent": "accent colour", "text": "text colour",
                "background": "background colour"}


def contrast_problems(colours: Colours) -> dict[str, str]:
    """Field -> why it cannot be used; empty when every colour is fine.

    A colour that is not a hex value is reported as such; the contrast of the text,
    accent (links, buttons) and brand (the masthead name) against the background must
    reach WCAG AA for normal text (4.5:1)."""
    problems: dict[str, str] = {}
    for name in ("brand", "accent", "text", "background"):
        value = getattr(colours, name)
        if value:
            try:
                parse_colour(value)
            except BrandValueError as exc:
                problems[name] = str(exc)
    if problems:
        return problems
    c = colours.resolved()
    for name in ("text", "accent", "brand"):
        ratio = contrast(getattr(c, name), c.background)
        if ratio < AA_CONTRAST:
            problems[name] = (f"the {FIELD_LABELS[name]} {getattr(c, name)} on the background "
                              f"{c.background} has a contrast of {ratio:.2f}:1; readers need "
                              f"at least {AA_CONTRAST}:1 (WCAG AA)")
    return problems


@dataclass(frozen=True)
class Palette:
    brand: str
    accent: str
    ink: str
    bg: str
    muted: str
    line: str
    soft: str
    on_accent: str


def _readable(colour: str, *grounds: str) -> bool:
    return all(contrast(colour, g) >= AA_CONTRAST for g in grounds)


@functools.lru_cache(maxsize=256)
def palette(colours: Colours) -> Palette:
    """Every colour site.css uses, derived from checked colours (``contrast_problems``
    empty). Derived colours that would not stay readable fall back to safe ones."""
    c = colours.resolved()
    if (c.text, c.background) == (DEFAULT_TEXT, DEFAULT_BACKGROUND):
        soft, line, muted = DEFAULT_SOFT, DEFAULT_LINE, DEFAULT_MUTED
    else:
        soft = mix(c.background, c.brand, 0.06)
        line = mix(c.background, c.text, 0.14)
        muted = mix(c.text, c.background, 0.4)
    # Panels (signup, SEE ALSO) carry text, links and muted text: lighter, else plain.
    soft = next(s for s in (soft, mix(c.background, c.brand, 0.03), c.background)
                if _readable(c.text, s) and _readable(c.accent, s))
    step = 0
    while not _readable(muted, c.background, soft) and step < 20:
        step += 1
        muted = mix(muted, c.text, 0.15)
    if not _readable(muted, c.background, soft):
        muted = c.text
    on_accent = max(("#ffffff", "#000000"), key=lambda fg: contrast(fg, c.accent))
    return Palette(brand=c.brand, accent=c.accent, ink=c.text, bg=c.background, muted=muted,
                   line=line, soft=soft, on_accent=on_accent)


@functools.lru_cache(maxsize=256)
def brand_css(colours: Colours, font_body: str, font_headings: str) -> str:
    """The edition's stylesheet: custom properties only, from checked values."""
    p = palette(colours)
    body = FONT_STACKS[parse_font(font_body)][1]
    head = FONT_STACKS[parse_font(font_headings)][1]
    declarations = [
        ("--brand", p.brand), ("--accent", p.accent), ("--ink", p.ink), ("--bg", p.bg),
        ("--muted", p.muted), ("--line", p.line), ("--soft", p.soft),
        ("--on-accent", p.on_accent), ("--font-body", body), ("--font-head", head),
    ]
    return ":root {\n" + "".join(f"  {k}: {v};\n" for k, v in declarations) + "}\n"


def css_hash(css: str) -> str:
    return hashlib.sha256(css.encode()).hexdigest()[:12]


def brand_css_name(css: str) -> str:
    """``brand.<hash>.css``: a new name whenever the content changes."""
    return f"brand.{css_hash(css)}.css"

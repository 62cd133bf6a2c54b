"""An article's picture as page markup: its local renditions, never the agency's address.

``<picture>`` offers the WebP renditions to browsers that take them and the JPEG ones to
every other, each as a ``srcset`` of widths with the ``sizes`` the layout gives it, so a
phone loads 640 pixels and a wide screen 1600. ``width``/``height`` are the fallback
file's own, so the browser reserves the picture's box before a byte arrives (no layout
shift). Only the lead picture of a page (above the fold) loads at once, with high
priority; every other waits until it is scrolled near (``loading="lazy"``).
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from wiredesk.newsroom.models.files import JPEG, WEBP, PictureFile

# The article column: the whole width on a phone, about 730 px beside the rail.
ARTICLE_SIZES = "(max-width: 860px) calc(100vw - 2rem), 730px"
FALLBACK_WIDTH = 1024  # the <img src> for browsers that read no srcset


def _srcset(files: list[PictureFile]) -> str:
    return ", ".join(f"{f.url} {f.width}w" for f in files)


def fallback(files: list[PictureFile], width: int = FALLBACK_WIDTH) -> PictureFile | None:
    """The widest JPEG no wider than ``width`` (else the narrowest)."""
    jpegs = sorted((f for f in files if f.mime_type == JPEG), key=lambda f: f.width)
    if not jpegs:
        return None
    fitting = [f for f in jpegs if f.width <= width]
    return fitting[-1] if fitting else jpegs[0]


def picture_alt(article) -> str:
    """The picture's own alt text; "" when it only repeats the headline (beside the
    headline, a picture with no description of its own is left unannounced)."""
    alt = (article.image_alt or "").strip()
    return "" if alt.casefold() == (article.headline or "").strip().casefold() else alt


def picture_html(article, *, sizes: str = ARTICLE_SIZES, lead: bool = False,
                 css_class: str = "") -> SafeString:
    """The article's ``<picture>``, or "" while it has no stored rendition."""
    files = article.picture_files()
    shown = fallback(files)
    if shown is None:
        return mark_safe("")
    jpegs = sorted((f for f in files if f.mime_type == JPEG), key=lambda f: f.width)
    webps = sorted((f for f in files if f.mime_type == WEBP), key=lambda f: f.width)
    source = (format_html('<source type="{}" srcset="{}" sizes="{}">', WEBP, _srcset(webps),
                          sizes) if webps else "")
    loading = ' fetchpriority="high"' if lead else ' loading="lazy"'
    extra = format_html(' class="{}"', css_class) if css_class else ""
    img = format_html('<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"'
                      '{}{} decoding="async">', shown.url, _srcset(jpegs), sizes, shown.width,
                      shown.height, picture_alt(article), mark_safe(loading), extra)
    return mark_safe(f"<picture>{source}{img}</picture>")

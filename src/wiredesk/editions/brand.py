"""An edition's brand as its pages show it: the stylesheet's name, the logo for its
background, its icons and its footer.

Templates read it through ``{% edition_brand as brand %}`` and
``{% edition_footer as footer %}`` (templatetags/editions.py); views and ``publish
--static`` through ``brand_of``. Pictures live in ``MEDIA_ROOT/brand/`` under their
content hash (brand_images.py) and are served from ``/media/brand/``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from wiredesk.editions import brand_images, branding
from wiredesk.editions.models import Edition, EditionPage

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class Logo:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Brand:
    css: str
    css_name: str  # brand.<hash>.css, beside the edition's pages
    logo: Logo | None  # the variant for the edition's background
    logo_replaces_name: bool
    icon_png: str  # 32 px
    touch_icon: str  # 180 px
    icon_192: str
    theme_color: str  # the brand colour, for the browser's own chrome

    @property
    def css_hash(self) -> str:
        return self.css_name.split(".")[1]


def brand_file_url(name: str) -> str:
    return f"{settings.MEDIA_URL}{brand_images.FOLDER}/{name}"


def brand_file_path(name: str) -> Path | None:
    """The stored file of a brand picture's name; None for any other name."""
    if not brand_images.NAME.match(name or ""):
        return None
    return Path(settings.MEDIA_ROOT) / brand_images.FOLDER / name


def brand_of(edition: Edition) -> Brand:
    cached = getattr(edition, "_brand", None)
    if cached is not None:
        return cached
    try:
        css = branding.brand_css(edition.colours, edition.font_body, edition.font_headings)
        colours = branding.palette(edition.colours)
    except branding.BrandValueError:
        # Only a value written around the checks (SQL, a bulk update) gets here: the
        # page keeps the default look rather than failing or carrying it into CSS.
        logger.warning("edition %s has brand values that are not valid; the default look "
                       "is used until they are corrected in the admin", edition.slug)
        css = branding.brand_css(branding.Colours(), branding.DEFAULT_FONT,
                                 branding.DEFAULT_FONT)
        colours = branding.palette(branding.Colours())
    dark = branding.is_dark(colours.bg)
    logo = None
    if dark and edition.logo_dark:
        logo = Logo(brand_file_url(edition.logo_dark), edition.logo_dark_width,
                    edition.logo_dark_height)
    elif edition.logo:
        logo = Logo(brand_file_url(edition.logo), edition.logo_width, edition.logo_height)
    icon = edition.icon
    brand = Brand(css=css, css_name=branding.brand_css_name(css), logo=logo,
                  logo_replaces_name=bool(logo and edition.logo_replaces_name),
                  icon_png=brand_file_url(f"{icon}-32.png") if icon else "",
                  touch_icon=brand_file_url(f"{icon}-180.png") if icon else "",
                  icon_192=brand_file_url(f"{icon}-192.png") if icon else "",
                  theme_color=colours.brand)
    edition._brand = brand
    return brand


def edition_ico(edition: Edition | None) -> Path | None:
    """The edition's own ``favicon.ico``, when it has one on disk."""
    if edition is None or not edition.icon:
        return None
    path = brand_file_path(f"{edition.icon}.ico")
    return path if path is not None and path.is_file() else None


@dataclass(frozen=True)
class FooterItem:
    label: str
    href: str  # a path under the edition's base when ``local``, else a full address
    local: bool


def footer_items(edition: Edition) -> list[FooterItem]:
    """The edition's text pages (About, Contact, Terms, Privacy), then its own links."""
    order = {kind: i for i, kind in enumerate(EditionPage.Kind.values)}
    pages = sorted(EditionPage.objects.filter(edition=edition).only("kind", "title"),
                   key=lambda p: order[p.kind])
    items = [FooterItem(p.heading, f"/{p.kind}", True) for p in pages]
    items += [FooterItem(link.label, link.url, False)
              for link in edition.footer_links.all()]
    return items


def look_fingerprint(edition: Edition) -> str:
    """Changes whenever what every page of the edition shows of its brand changes."""
    brand = brand_of(edition)
    parts = [brand.css_name, repr(brand.logo), str(brand.logo_replaces_name), brand.icon_png,
             edition.template_folder,
             *(f"{item.label}\x00{item.href}" for item in footer_items(edition))]
    return hashlib.sha256("\x01".join(parts).encode()).hexdigest()[:16]

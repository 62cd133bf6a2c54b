"""``{% article_picture article "role" %}``: every picture an edition page shows, one way.

The role says where the picture sits: ``lead`` (the front's top story), ``secondary`` (the
row under it), ``thumb`` (beside a teaser in a list) or ``article`` (the story's own page).
It sets how the picture loads (the page's main picture at once and early; every other when
scrolled near, ``loading="lazy"``) and what goes under it: the credit always, wherever the
picture is, and the caption on the article page. Nothing is rendered for an article
without a picture.

Every ``<img>`` has a width and a height, so the browser reserves its box before a byte
arrives (no layout shift); when the agency gave no size, a 3:2 one stands in (the
stylesheet crops pictures on fronts and in lists to 3:2). The alt text is the picture's
own, never the headline: beside the headline, a picture with no description of its own
is left unannounced (``alt=""``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from wiredesk.editions.selectors import has_picture

register = template.Library()

STAND_IN_SIZE = (1200, 800)  # 3:2, the shape fronts and lists show pictures in


@dataclass(frozen=True)
class Role:
    eager: bool  # the page's main picture: fetched at once, first (it is the largest paint)
    caption: bool
    # How wide the layout (site.css) shows it, for a srcset of several widths to choose by.
    sizes: str


ROLES = {
    "lead": Role(eager=True, caption=False,
                 sizes="(max-width: 600px) calc(100vw - 2rem), (max-width: 1120px) 60vw, 650px"),
    "secondary": Role(eager=False, caption=False,
                      sizes="(max-width: 600px) calc(50vw - 1.5rem), "
                            "(max-width: 1120px) 25vw, 260px"),
    "thumb": Role(eager=False, caption=False, sizes="(max-width: 600px) 7.5rem, 11rem"),
    "article": Role(eager=True, caption=True,
                    sizes="(max-width: 860px) calc(100vw - 2rem), 730px"),
}


def picture_alt(article) -> str:
    alt = (article.image_alt or "").strip()
    return "" if alt.casefold() == (article.headline or "").strip().casefold() else alt


@register.inclusion_tag("wiredesk/_picture.html")
def article_picture(article, role: str) -> dict:
    spec = ROLES[role]
    if article is None or not has_picture(article):
        return {"shown": False}
    known = article.image_width and article.image_height
    width, height = ((article.image_width, article.image_height) if known
                     else STAND_IN_SIZE)
    return {"shown": True, "role": role, "src": article.image_url, "alt": picture_alt(article),
            "width": width, "height": height, "eager": spec.eager,
            "caption": article.image_caption if spec.caption else "",
            "credit": article.image_credit}

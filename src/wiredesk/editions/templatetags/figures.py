"""``{% article_picture article "role" %}``: every picture an edition page shows, one way.

The role says where the picture sits: ``lead`` (the front's top story), ``secondary`` (the
row under it), ``thumb`` (beside a teaser in a list) or ``article`` (the story's own page).
It sets the ``sizes`` the renditions' srcset is chosen by (how wide site.css shows the
picture there), how it loads (the page's main picture at once and first; every other when
scrolled near, ``loading="lazy"``) and what goes under it: the credit always, wherever the
picture is, and the caption on the article page. The markup itself, width and height
included, is ``editions.pictures.picture_html``; nothing is rendered until the picture is
stored (``selectors.has_picture``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from wiredesk.editions import pictures
from wiredesk.editions.selectors import has_picture

register = template.Library()


@dataclass(frozen=True)
class Role:
    eager: bool  # the page's main picture: fetched at once, first (it is the largest paint)
    caption: bool
    sizes: str  # how wide site.css shows it, for the browser to pick from the srcset


# From site.css: the page is at most 1120 px with 1 rem on each side (1088 px of content).
ROLES = {
    # Beside its headline (3 to 2) once there is room for both, else the whole width.
    "lead": Role(eager=True, caption=False,
                 sizes="(max-width: 616px) calc(100vw - 2rem), "
                       "(max-width: 1120px) calc(60vw - 50px), 622px"),
    # Two a row on phones and tablets, four from 860 px.
    "secondary": Role(eager=False, caption=False,
                      sizes="(max-width: 860px) calc(50vw - 1.5rem), "
                            "(max-width: 1120px) calc(25vw - 1.25rem), 260px"),
    "thumb": Role(eager=False, caption=False, sizes="(max-width: 600px) 7.5rem, 11rem"),
    "article": Role(eager=True, caption=True, sizes=pictures.ARTICLE_SIZES),
}


@register.inclusion_tag("wiredesk/_picture.html")
def article_picture(article, role: str) -> dict:
    spec = ROLES[role]
    if article is None or not has_picture(article):
        return {"picture": ""}
    return {"picture": pictures.picture_html(article, sizes=spec.sizes, lead=spec.eager),
            "role": role, "caption": article.image_caption if spec.caption else "",
            "credit": article.image_credit}

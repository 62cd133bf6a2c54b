"""The one picture an item is shown with, chosen from everything its format offered.

Each adapter lists what its format sends (Media RSS contents, groups and thumbnails,
enclosures, JSON Feed images and attachments, NewsML-G2 renditions, NITF ``<media>``) as
:class:`~wiredesk.wire.types.Media` in the source's order; the copy's own ``<img>`` tags
are found here. :func:`best_picture` picks one: a full picture before one from the copy,
and a thumbnail only when there is nothing else.

The alt text is the agency's own alternative text or the caption, never the headline:
a screen reader has just read the headline, and the picture is not the headline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from wiredesk.wire.identity import canonical_url
from wiredesk.wire.sanitize import plain_text
from wiredesk.wire.teaser import make_teaser
from wiredesk.wire.types import Media, Picture

# What NewsML-G2 (and NITF's media-type) call a picture item.
PICTURE_CLASSES = frozenset({"picture", "photo", "graphic"})
MAX_ALT = 250  # characters: an alt text is a sentence or two, not the whole caption
MAX_SIDE = 100_000  # pixels: a larger width or height is a typo, not a size
# Pictures smaller than this on both sides are icons, avatars and buttons, not news.
MIN_NEWS_SIDE = 100
_ROLE_RANK = {"": 0, "body": 1, "thumbnail": 2}
# Counters and web bugs hide in copy as images at addresses like these, often with no
# width or height to give them away.
_WEB_BUG = re.compile(r"[/._-]pixel[./?_-]|[/._-]track(?:ing|er)?[./?_-]|beacon|spacer\.|1x1|"
                      r"/b\.gif|feeds\.feedburner\.com/~r/|doubleclick\.net|//stats?\.", re.I)
_FIGURE_OR_IMG = re.compile(r"<figure\b[^>]*>.*?</figure>|<img\b[^>]*>", re.I | re.S)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.I | re.S)


@dataclass(frozen=True, slots=True)
class BodyImage:
    """An ``<img>`` in the copy, and where its markup (its ``<figure>`` if any) is."""

    media: Media
    start: int
    end: int


def dimension(value) -> int | None:
    """A width or height as sources write it ("640", "640px", 640), or None."""
    if value is None:
        return None
    text = str(value).strip().lower().removesuffix("px").strip()
    if not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_SIDE else None


def byte_length(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def is_image_type(mime: str) -> bool:
    return (mime or "").strip().lower().startswith("image/")


def _is_tracker(media: Media) -> bool:
    """A tracking pixel: one or two pixels on a side."""
    return any(side is not None and side <= 2 for side in (media.width, media.height))


def _is_icon(media: Media) -> bool:
    return (media.width is not None and media.height is not None
            and max(media.width, media.height) < MIN_NEWS_SIDE)


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        if not self.attrs:
            self.attrs = {name: value or "" for name, value in attrs}

    handle_startendtag = handle_starttag


def _attributes(tag: str) -> dict[str, str]:
    parser = _Attributes()
    parser.feed(tag)
    parser.close()
    return parser.attrs


def body_images(body_html: str) -> list[BodyImage]:
    """The meaningful ``<img>`` tags of the copy in order: no web bugs, no icons."""
    found = []
    for match in _FIGURE_OR_IMG.finditer(body_html or ""):
        block = match.group(0)
        img = _IMG.search(block)
        if img is None:
            continue
        attrs = _attributes(img.group(0))
        caption = _FIGCAPTION.search(block) if block[:7].lower() == "<figure" else None
        media = Media(url=attrs.get("src", "").strip(),
                      caption=caption.group(1) if caption else "",
                      alt=attrs.get("alt", "").strip() or attrs.get("title", "").strip(),
                      width=dimension(attrs.get("width")), height=dimension(attrs.get("height")),
                      role="body")
        if not media.url.lower().startswith(("http://", "https://")):
            continue
        if _is_tracker(media) or _is_icon(media) or _WEB_BUG.search(media.url):
            continue
        found.append(BodyImage(media=media, start=match.start(), end=match.end()))
    return found


def _folded(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .")


def alt_text(agency_alt: str, caption: str, headline: str) -> str:
    """The agency's alt text, else the caption (cut short), never the headline."""
    for candidate in (agency_alt, caption):
        if candidate and _folded(candidate) != _folded(headline):
            return make_teaser(candidate, MAX_ALT)
    return ""


def _usable(media: Media) -> bool:
    if not canonical_url(media.url) or not media.url.lower().startswith(("http://", "https://")):
        return False
    if media.mime_type and not is_image_type(media.mime_type):
        return False
    return not _is_tracker(media)


def best_media(media: list[Media]) -> Media | None:
    """The first full picture, else the first from the copy, else the first thumbnail."""
    usable = [m for m in media if _usable(m)]
    if not usable:
        return None
    return min(usable, key=lambda m: _ROLE_RANK.get(m.role, 0))  # the first of the best


def picture_from(chosen: Media, *, headline: str = "", credit: str = "",
                 text: Callable[[str], str] = plain_text) -> Picture:
    """``chosen`` as the picture to show. ``credit`` (a "(Photo credit: ...)" found in the
    copy) stands in when the picture brings none; ``text`` makes each field plain text."""
    caption = text(chosen.caption)
    sized = chosen.width is not None and chosen.height is not None
    return Picture(
        url=chosen.url,
        caption=caption,
        credit=text(chosen.credit) or text(credit),
        alt=alt_text(text(chosen.alt), caption, text(headline)),
        width=chosen.width if sized else None,
        height=chosen.height if sized else None,
        rights=text(chosen.rights),
        mime_type=chosen.mime_type.strip().lower() if is_image_type(chosen.mime_type) else "",
        length=chosen.length,
    )


def best_picture(media: list[Media], *, headline: str = "", credit: str = "",
                 text: Callable[[str], str] = plain_text) -> Picture | None:
    """The picture to show from what a format offered (see :func:`best_media`)."""
    chosen = best_media(media)
    return picture_from(chosen, headline=headline, credit=credit, text=text) if chosen else None


def is_web_bug(img_tag: str) -> bool:
    """An ``<img>`` that is a counter, not a picture: one or two pixels on a side, or at an
    address counters use."""
    attrs = _attributes(img_tag)
    media = Media(url=attrs.get("src", "").strip(), width=dimension(attrs.get("width")),
                  height=dimension(attrs.get("height")))
    return _is_tracker(media) or bool(_WEB_BUG.search(media.url))


def without_web_bugs(body_html: str) -> str:
    """The copy without its web bugs: left in, each would tell a stranger's server who
    reads the page, from the reader's own browser."""
    return _IMG.sub(lambda m: "" if is_web_bug(m.group(0)) else m.group(0), body_html or "")


def without_image(body_html: str, image: BodyImage) -> str:
    """The copy without the picture shown above it (and without its figure and caption)."""
    return (body_html[:image.start] + body_html[image.end:]).strip()

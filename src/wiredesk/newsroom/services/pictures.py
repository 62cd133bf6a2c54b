"""Pictures on articles, and agency picture items that belong to a text item.

A picture item that belongs to a text (``CleanItem.picture_links`` names the pair, or an
earlier item did) is kept as a ``WirePicture`` and shown on the text's article: never an
article of its own. The article carries the picture's fields, so every page, feed and the
API show it exactly when they show the article (embargo, hold, kill), and a new version
of the picture or of the text keeps them together. The text's own picture, when it
brought one, comes first.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from wiredesk.newsroom.models import Agency, Article, PictureLink, WirePicture
from wiredesk.newsroom.services import picture_sources, renditions
from wiredesk.newsroom.services.editorial import article_hold
from wiredesk.wire.pictures import PICTURE_CLASSES
from wiredesk.wire.types import CleanItem, Picture

log = logging.getLogger("wiredesk.newsroom.services")

PICTURE_FIELDS = ["image_url", "image_caption", "image_credit", "image_alt", "image_width",
                  "image_height", "image_type", "image_length", "image_rights", "picture_guid"]
STANDALONE_FLAG = "picture-item"  # set by normalize on an agency's picture item


def picture_values(picture: Picture | None, picture_guid: str = "") -> dict:
    """The article's picture fields for ``picture`` (all empty for None)."""
    if picture is None:
        return {"image_url": "", "image_caption": "", "image_credit": "", "image_alt": "",
                "image_width": None, "image_height": None, "image_type": "",
                "image_length": None, "image_rights": "", "picture_guid": ""}
    return {"image_url": picture.url[:1000], "image_caption": picture.caption,
            "image_credit": picture.credit[:300], "image_alt": picture.alt,
            "image_width": picture.width, "image_height": picture.height,
            "image_type": picture.mime_type[:100], "image_length": picture.length,
            "image_rights": picture.rights, "picture_guid": picture_guid[:500]}


def set_picture(article: Article, picture: Picture | None, picture_guid: str = "") -> bool:
    """Put the picture's fields on the article (unsaved); says whether anything changed
    (``PICTURE_FIELDS`` and ``renditions.RENDITION_FIELDS``)."""
    previous_url = article.image_url
    changed = False
    for name, value in picture_values(picture, picture_guid).items():
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed = True
    return picture_sources.link_source(article, previous_url=previous_url) or changed


def text_links(item: CleanItem) -> list[str]:
    """The picture guids this item names as its own pictures."""
    return [link.picture_guid for link in item.picture_links if link.text_guid == item.guid]


def record_links(agency: Agency, item: CleanItem) -> None:
    """Remember every picture-to-text pairing the item makes, for whichever comes later."""
    rows = [PictureLink(agency=agency, picture_guid=link.picture_guid[:500],
                        text_guid=link.text_guid[:500])
            for link in item.picture_links if link.picture_guid and link.text_guid]
    if rows:
        PictureLink.objects.bulk_create(rows, ignore_conflicts=True)


def belongs_to_a_text(item: CleanItem, agency: Agency) -> bool:
    """A picture item that goes with a text: it is never an article of its own."""
    if item.item_class not in PICTURE_CLASSES or not item.guid:
        return False
    if any(link.picture_guid == item.guid for link in item.picture_links):
        return True
    return PictureLink.objects.filter(agency=agency, picture_guid=item.guid[:500]).exists()


def linked_picture(agency: Agency, text_guid: str) -> tuple[Picture | None, str]:
    """The first usable picture item paired with the text, and its guid."""
    if not text_guid:
        return None, ""
    guids = list(PictureLink.objects.filter(agency=agency, text_guid=text_guid[:500])
                 .values_list("picture_guid", flat=True))
    if not guids:
        return None, ""
    found = {p.guid: p for p in WirePicture.objects.filter(agency=agency, guid__in=guids)}
    for guid in guids:
        picture = found[guid].picture if guid in found else None
        if picture is not None:
            return picture, guid
    return None, ""


def adopt_standalone(agency: Agency, picture_guids: list[str]) -> None:
    """Pictures published alone before we knew which text they belong to become that
    text's pictures: the lone article is held, the picture kept for the text."""
    for guid in picture_guids:
        if WirePicture.objects.filter(agency=agency, guid=guid[:500]).exists():
            continue
        lone = (Article.objects.select_for_update()
                .filter(agency=agency, guid=guid).exclude(status=Article.Status.KILLED)
                .first())
        if lone is None or STANDALONE_FLAG not in (lone.flags or []) or not lone.image_url:
            continue
        WirePicture.objects.create(
            agency=agency, guid=guid[:500], version=lone.version, headline=lone.headline,
            url=lone.image_url, caption=lone.image_caption, credit=lone.image_credit,
            alt=lone.image_alt, width=lone.image_width, height=lone.image_height,
            mime_type=lone.image_type, length=lone.image_length, rights=lone.image_rights,
            status=(WirePicture.Status.USABLE if lone.status == Article.Status.PUBLISHED
                    else WirePicture.Status.WITHHELD))
        if lone.status == Article.Status.PUBLISHED:
            article_hold(article=lone, reason="shown with its story as the story's picture",
                         actor=f"agency:{agency.code}")
        log.info("picture item %s now shown with its story", guid, extra={
            "event": "picture_adopted", "article_id": lone.pk, "agency": agency.code})


def pair_others(agency: Agency, item: CleanItem) -> None:
    """Pairings an item makes between two other items (a package naming a text and its
    pictures, sent after both): each text shows its picture at once."""
    others = {link.picture_guid for link in item.picture_links
              if item.guid not in (link.picture_guid, link.text_guid)}
    if not others:
        return
    adopt_standalone(agency, sorted(others))
    for guid in sorted(others):
        _refresh_texts(agency, guid)


def effective_picture(item: CleanItem, agency: Agency, *,
                      links_possible: bool = True) -> tuple[Picture | None, str]:
    """The picture a text item's article shows: its own, else its first paired picture
    item's. ``links_possible`` False skips the lookup (the agency never paired any)."""
    if item.picture is not None:
        return item.picture, ""
    if not links_possible or not item.guid:
        return None, ""
    return linked_picture(agency, item.guid)


def _refresh_texts(agency: Agency, picture_guid: str) -> None:
    """Every stored text the picture belongs to shows what is now true of its pictures."""
    texts = list(PictureLink.objects.filter(agency=agency, picture_guid=picture_guid[:500])
                 .values_list("text_guid", flat=True))
    if not texts:
        return
    for article in Article.objects.select_for_update().filter(agency=agency, guid__in=texts):
        if article.image_url and not article.picture_guid:
            continue  # the text brought its own picture: it stays
        picture, guid = linked_picture(agency, article.guid)
        if set_picture(article, picture, guid):
            article.save(update_fields=[*PICTURE_FIELDS, *renditions.RENDITION_FIELDS,
                                        "modified_at"])


_STATUS = {"usable": WirePicture.Status.USABLE, "withheld": WirePicture.Status.WITHHELD,
           "canceled": WirePicture.Status.KILLED}


def store_picture_item(item: CleanItem, *, agency: Agency) -> str:
    """Keep a picture item that belongs to a text and show it on the text's article.

    Idempotent and versioned like articles: an older version is skipped, a canceled one
    takes the picture off its text, a killed picture never comes back. Returns the
    outcome: created, updated, unchanged or skipped.
    """
    with transaction.atomic():
        record_links(agency, item)
        adopt_standalone(agency, [item.guid])
        existing = (WirePicture.objects.select_for_update()
                    .filter(agency=agency, guid=item.guid[:500]).first())
        picture = item.picture
        values = {"headline": item.headline[:500], "status": _STATUS.get(item.status,
                                                                          "usable")}
        values.update({"url": picture.url[:1000], "caption": picture.caption,
                       "credit": picture.credit[:300], "alt": picture.alt,
                       "width": picture.width, "height": picture.height,
                       "mime_type": picture.mime_type[:100], "length": picture.length,
                       "rights": picture.rights} if picture is not None else
                      {"url": "", "caption": "", "credit": "", "alt": "", "width": None,
                       "height": None, "mime_type": "", "length": None, "rights": ""})
        if existing is None:
            try:
                with transaction.atomic():
                    WirePicture.objects.create(agency=agency, guid=item.guid[:500],
                                               version=item.version or 1, **values)
            except IntegrityError:
                return "unchanged"  # another poller stored it a moment ago
            outcome = "created"
        elif existing.status == WirePicture.Status.KILLED:
            return "skipped"  # a killed picture is never brought back
        elif item.version and item.version < existing.version:
            return "skipped"  # an older version arriving late
        else:
            if item.status == "canceled":
                values = {"status": WirePicture.Status.KILLED}
            changed = [name for name, value in values.items()
                       if getattr(existing, name) != value]
            if not changed:
                return "unchanged"
            for name in changed:
                setattr(existing, name, values[name])
            existing.version = max(existing.version, item.version or existing.version)
            existing.save()
            outcome = "updated"
        _refresh_texts(agency, item.guid)
    log.info("picture item %s %s", item.guid, outcome, extra={
        "event": f"picture_{outcome}", "agency": agency.code, "identity": item.identity})
    return outcome

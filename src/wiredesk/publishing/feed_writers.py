"""RSS and Atom written with what readers and aggregators want: the whole text, the
picture as Media RSS, and nothing XML cannot carry."""

from __future__ import annotations

from django.utils import feedgenerator

from wiredesk.publishing import websub
from wiredesk.wire.xmlsafe import xml_clean

MEDIA_NS = "http://search.yahoo.com/mrss/"


class XmlSafeFeed:
    """A feed generator that removes XML-forbidden characters from everything it is given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*xml_clean(args), **xml_clean(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*xml_clean(args), **xml_clean(kwargs))


def add_media_content(handler, picture: dict | None) -> None:
    """Media RSS for one picture (a dict of ``Picture`` fields, already XML-safe)."""
    if not picture:
        return
    attrs = {"url": picture["url"], "medium": "image"}
    if picture.get("mime_type"):
        attrs["type"] = picture["mime_type"]
    if picture.get("width") and picture.get("height"):
        attrs["width"] = str(picture["width"])
        attrs["height"] = str(picture["height"])
    if picture.get("length"):
        attrs["fileSize"] = str(picture["length"])
    handler.startElement("media:content", attrs)
    if picture.get("caption"):
        handler.addQuickElement("media:description", picture["caption"], {"type": "plain"})
    if picture.get("credit"):
        handler.addQuickElement("media:credit", picture["credit"])
    if picture.get("rights"):
        handler.addQuickElement("media:copyright", picture["rights"])
    handler.endElement("media:content")


class RssWithContent(XmlSafeFeed, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full HTML body in content:encoded beside the summary."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)  # atom:link rel="self" among them
        hub = websub.hub_url()
        if hub:
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": hub})

    def rss_attributes(self):
        attrs = super().rss_attributes()
        attrs["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        attrs["xmlns:media"] = MEDIA_NS
        return attrs

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        updated = item.get("updateddate")
        if updated and updated != item.get("pubdate"):
            # RSS 2.0 has no updated date; Atom's, in the namespace RSS 2.0 feeds already
            # declare, is what readers understand (a correction moves it).
            handler.addQuickElement("atom:updated", feedgenerator.rfc3339_date(updated))
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        add_media_content(handler, item.get("picture"))


class AtomWithContent(XmlSafeFeed, feedgenerator.Atom1Feed):
    def add_root_elements(self, handler):
        super().add_root_elements(handler)  # link rel="self" among them
        hub = websub.hub_url()
        if hub:
            handler.addQuickElement("link", "", {"rel": "hub", "href": hub})

    def root_attributes(self):
        attrs = super().root_attributes()
        attrs["xmlns:media"] = MEDIA_NS
        return attrs

    def item_attributes(self, item):
        # An entry in another language than the feed's says so (RSS 2.0 has no place).
        attrs = super().item_attributes(item)
        language = item.get("language")
        if language and language != self.feed.get("language"):
            attrs["xml:lang"] = language
        return attrs

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        picture = item.get("picture")
        if picture:
            # Atom's enclosure link needs no length (RSS's does: see item_enclosures).
            link = {"rel": "enclosure", "href": picture["url"]}
            if picture.get("mime_type"):
                link["type"] = picture["mime_type"]
            if picture.get("length"):
                link["length"] = str(picture["length"])
            handler.addQuickElement("link", "", link)
        add_media_content(handler, picture)

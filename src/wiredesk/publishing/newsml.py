"""IPTC NewsML-G2 out: a ``newsItem`` per article, and ``newsMessage`` feeds.

``article_document(article, edition=None)`` is the one writer of an article's text item
(the API's ``/api/articles/{id}/newsml``, content negotiation, push subscriptions);
``picture_document`` writes the picture shown with it as a picture item of its own (its
renditions as ``remoteContent``, with caption, credit and rights), and
``message_document`` puts both of each article in one ``newsMessage`` (the edition's
``feed.newsml.xml``). The text item names its picture by an ``irel:associatedWith`` link
(``residref``: the picture item's guid; ``href``: its widest rendition), so a receiver of
the text alone still finds the picture, and one of the message links the two items.

Identity, status, dates, subjects and the canonical page come from ``publishing.items``
(the same facts as NINJS). The body is the sanitized HTML as XHTML in ``inlineXML``.
Schemes: IPTC's catalog (``catalogRef``: ninat, stat, sig, isrol, cpnat, irel, drol,
nprov) and an inline catalog for wiredesk's own sections and tags and the IANA link
relation ``canonical``.

The IPTC XSD cannot be fetched here, so ``check`` is the project's own schema check: a
strict parse, the namespace, the required elements and attributes, the XSD's element
order for what wiredesk writes, dates with a zone, and every QCode's alias declared.
wiredesk's own reader (``wire.formats.newsml_g2``) reads every document back (tests).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime

import lxml.html
from django.conf import settings
from django.utils import timezone
from lxml import etree

from wiredesk.editions.canonical import canonicals
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article
from wiredesk.publishing.items import (
    ItemFacts,
    iso,
    item_facts,
    located_place,
    prefetch_tags,
    provider_id,
)
from wiredesk.publishing.newsml_check import IPTC_ALIASES as IPTC_ALIASES  # re-exported
from wiredesk.publishing.newsml_check import NAR, XHTML, XML_NAME, _q
from wiredesk.publishing.newsml_check import check as check  # re-exported: newsml.check
from wiredesk.wire.xmlsafe import xml_text

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ITEM_MEDIA_TYPE = "application/vnd.iptc.g2.newsitem+xml"
MESSAGE_MEDIA_TYPE = "application/vnd.iptc.g2.newsmessage+xml"
STANDARD_VERSION = "2.35"
IPTC_CATALOG = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_41.xml"

_ENTITY_TYPES = {"section": "cpnat:abstract", "person": "cpnat:person",
                 "organisation": "cpnat:organisation", "place": "cpnat:geoArea"}


def _sub(parent, name: str, text: str | None = None, **attrs: str):
    element = etree.SubElement(parent, _q(name), {k.rstrip("_"): xml_text(v)
                                                  for k, v in attrs.items() if v})
    if text:
        element.text = xml_text(text)
    return element


def _schemes() -> dict[str, str]:
    """wiredesk's own schemes: where its section and tag codes and link relations live."""
    base = settings.BASE_URL.rstrip("/")
    return {"wdsection": f"{base}/schemes/section/", "wdtag": f"{base}/schemes/tag/",
            "wdgenre": f"{base}/schemes/genre/",
            "iana": "http://www.iana.org/assignments/relation/"}


def _item_root(kind: str, guid: str, version: str, language: str):
    root = etree.Element(_q(kind), nsmap={None: NAR})
    root.set("guid", guid)
    root.set("version", version)
    root.set("standard", "NewsML-G2")
    root.set("standardversion", STANDARD_VERSION)
    root.set("conformance", "power")
    root.set(XML_LANG, language)
    _sub(root, "catalogRef", href=IPTC_CATALOG)
    catalog = _sub(root, "catalog")
    for alias, uri in _schemes().items():
        _sub(catalog, "scheme", alias=alias, uri=uri)
    return root


def _item_meta(root, facts: ItemFacts, item_class: str, provider_name: str):
    meta = _sub(root, "itemMeta")
    _sub(meta, "itemClass", qcode=f"ninat:{item_class}")
    provider = _sub(meta, "provider", uri=settings.BASE_URL.rstrip("/") + "/")
    _sub(provider, "name", provider_name)
    _sub(meta, "versionCreated", facts.version_created)
    _sub(meta, "firstCreated", facts.first_created)
    if facts.embargoed:
        _sub(meta, "embargoed", facts.embargoed)
    _sub(meta, "pubStatus", qcode=f"stat:{facts.status}")
    notes = [facts.withdrawn_note] if facts.withdrawn_note else []
    if facts.is_correction and facts.has_copy:
        notes.append("Correction: this version corrects an earlier one.")
    for note in notes:
        _sub(meta, "edNote", note)
    if facts.is_correction and facts.has_copy:
        _sub(meta, "signal", qcode="sig:correction")
    return meta


def _rights(root, holder: str, notice: str) -> None:
    rights = _sub(root, "rightsInfo")
    _sub(_sub(rights, "copyrightHolder"), "name", holder)
    if notice:
        _sub(rights, "copyrightNotice", notice)


def _xhtml_copy(source, target) -> None:
    """The children of an lxml.html element as XHTML children of ``target``."""
    for child in source:
        if not isinstance(child.tag, str):  # comments, processing instructions
            if child.tail:
                _append_text(target, child.tail)
            continue
        tag = child.tag.lower()
        if not XML_NAME.fullmatch(tag):  # not an XML name: keep what it holds, drop the tag
            if child.text:
                _append_text(target, child.text)
            _xhtml_copy(child, target)
            if child.tail:
                _append_text(target, child.tail)
            continue
        attrs = {k: xml_text(v) for k, v in child.attrib.items() if XML_NAME.fullmatch(k)}
        element = etree.SubElement(target, f"{{{XHTML}}}{tag}", attrs)
        element.text = xml_text(child.text) if child.text else None
        _xhtml_copy(child, element)
        element.tail = xml_text(child.tail) if child.tail else None


def _append_text(target, text: str) -> None:
    if len(target):
        target[-1].tail = (target[-1].tail or "") + xml_text(text)
    else:
        target.text = (target.text or "") + xml_text(text)


def _body(content_set, article: Article) -> None:
    inline = _sub(content_set, "inlineXML", contenttype="application/xhtml+xml")
    page = etree.SubElement(inline, f"{{{XHTML}}}html", nsmap={None: XHTML})
    head = etree.SubElement(page, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}title").text = xml_text(article.headline)
    body = etree.SubElement(page, f"{{{XHTML}}}body")
    markup = article.body_html or (f"<p>{html.escape(article.lead)}</p>"
                                   if article.lead else "")
    if markup.strip():
        wrapper = lxml.html.fragment_fromstring(markup, create_parent="div")
        if wrapper.text:
            _append_text(body, wrapper.text)
        _xhtml_copy(wrapper, body)


def _text_item(facts: ItemFacts, provider_name: str):
    article = facts.article
    root = _item_root("newsItem", facts.uri, facts.version, facts.language)
    _rights(root, article.agency.name, "")
    meta = _item_meta(root, facts, "text", provider_name)
    if facts.canonical_url:
        _sub(meta, "link", rel="iana:canonical", href=facts.canonical_url,
             contenttype="text/html")
    if facts.picture is not None:
        widest = max((f for f in facts.picture.files if f[0].mime_type == "image/jpeg"),
                     key=lambda f: f[0].width, default=facts.picture.files[-1])
        link = _sub(meta, "link", rel="irel:associatedWith", residref=facts.picture.uri,
                    version=facts.version, href=widest[1], contenttype=widest[0].mime_type)
        _sub(link, "itemClass", qcode="ninat:picture")
    content = _sub(root, "contentMeta")
    source = _sub(content, "infoSource", role="isrol:originfo", literal=article.agency.code)
    _sub(source, "name", article.agency.name)
    if facts.has_copy:
        _descriptive(content, facts)
        _body(_sub(root, "contentSet"), article)
    return root


def _descriptive(content, facts: ItemFacts) -> None:
    """contentMeta's descriptive part, in the XSD's order."""
    article = facts.article
    place = located_place(article.dateline) if article.dateline else ""
    if place:
        # located comes before infoSource in the XSD: move it in front.
        located = etree.Element(_q("located"))
        _sub(located, "name", place)
        content.insert(0, located)
    if article.urgency:
        urgency = etree.Element(_q("urgency"))  # first of all
        urgency.text = str(article.urgency)
        content.insert(0, urgency)
    _sub(content, "language", tag=facts.language)
    genre = _sub(content, "genre", qcode=f"wdgenre:{article.kind}")
    _sub(genre, "name", Article.Kind(article.kind).label.capitalize())
    for subject in facts.subjects:
        scheme = "wdsection" if subject.kind == "section" else "wdtag"
        node = _sub(content, "subject", type=_ENTITY_TYPES.get(subject.kind, "cpnat:abstract"),
                    qcode=f"{scheme}:{subject.key}")
        _sub(node, "name", subject.name)
    _sub(content, "slugline", article.slug)
    _sub(content, "headline", article.headline)
    if article.dateline:
        _sub(content, "dateline", article.dateline)
    if article.byline_shown:
        _sub(content, "by", article.byline_shown)
    if article.credit:
        _sub(content, "creditline", article.credit)
    summary = article.teaser or article.lead
    if summary:
        _sub(content, "description", summary, role="drol:summary")


def _picture_item(facts: ItemFacts, provider_name: str):
    article, picture = facts.article, facts.picture
    root = _item_root("newsItem", picture.uri, facts.version, facts.language)
    _rights(root, picture.holder, picture.rights)
    meta = _item_meta(root, facts, "picture", provider_name)
    link = _sub(meta, "link", rel="irel:associatedWith", residref=facts.uri,
                version=facts.version)
    _sub(link, "itemClass", qcode="ninat:text")
    content = _sub(root, "contentMeta")
    _sub(content, "language", tag=facts.language)
    _sub(content, "headline", article.headline)
    if picture.credit:
        _sub(content, "by", picture.credit)
        _sub(content, "creditline", picture.credit)
    if picture.caption:
        _sub(content, "description", picture.caption, role="drol:caption")
    if picture.alt:
        _sub(content, "description", picture.alt, role="drol:alternativeText")
    content_set = _sub(root, "contentSet")
    for file, url in picture.files:
        _sub(content_set, "remoteContent", href=url, contenttype=file.mime_type,
             width=str(file.width), height=str(file.height), size=str(file.length))
    return root


def _provider_name(facts: ItemFacts, edition: Edition | None) -> str:
    home = edition or (facts.canonical.edition if facts.canonical else None)
    return home.name if home is not None else provider_id()


def _bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def article_document(article: Article, edition: Edition | None = None) -> bytes:
    """The article's text as a NewsML-G2 ``newsItem`` (UTF-8 bytes)."""
    facts = item_facts(article, edition)
    return _bytes(_text_item(facts, _provider_name(facts, edition)))


def picture_document(article: Article, edition: Edition | None = None) -> bytes | None:
    """The picture shown with the article as a picture ``newsItem``; None without one."""
    facts = item_facts(article, edition)
    if facts.picture is None:
        return None
    return _bytes(_picture_item(facts, _provider_name(facts, edition)))


def message_document(articles: Iterable[Article], edition: Edition | None = None, *,
                     now: datetime | None = None) -> bytes:
    """A ``newsMessage`` with each article's text item, and its picture item after it.

    ``sent`` is ``now`` when given, else the latest change of the items it holds: the same
    articles make the same bytes (one ETag, and ``publish --static`` rewrites nothing)."""
    articles = list(articles)
    found = canonicals(articles, known=[edition] if edition else [])
    prefetch_tags(articles)
    facts = [item_facts(a, edition, canonical=found.get(a.pk)) for a in articles]
    root = etree.Element(_q("newsMessage"), nsmap={None: NAR})
    header = _sub(root, "header")
    sent = iso(now) if now else max((f.version_created for f in facts),
                                    default=iso(timezone.now()))
    _sub(header, "sent", sent)
    _sub(header, "sender", edition.name if edition is not None else provider_id())
    item_set = _sub(root, "itemSet")
    for each in facts:
        name = _provider_name(each, edition)
        item_set.append(_text_item(each, name))
        if each.picture is not None:
            item_set.append(_picture_item(each, name))
    return _bytes(root)



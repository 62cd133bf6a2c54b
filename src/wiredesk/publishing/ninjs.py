"""IPTC NINJS 2.1 (News in JSON) for every article, desk and wire, and per edition.

``article_document(article, edition=None)`` is the one writer: the API
(``/api/articles/{id}/ninjs``, and ``/api/articles/{id}`` asked for
``application/ninjs+json``), the edition feeds (``/<slug>/feed.ninjs.json``) and push
subscriptions all send what it returns. Every document is valid against the NINJS 2.1
JSON schema (``schemas/ninjs-2.1.json``, see its ``$comment``); the tests check that of
every demo article.

NINJS 2.x has no property for a G2 ``signal`` nor for links, and a valid document may not
add any. So, within the standard:

- a correction is a description with role ``signal`` whose value is the IPTC signal
  NewsCode ``http://cv.iptc.org/newscodes/signal/correction``, and an ``ednote`` saying so;
- the canonical page is a rendition of the text named ``canonical`` (``text/html``), and
  an ``altids`` entry with role ``canonical-url``;
- the agency's own guid and address are ``altids`` (roles ``agency-guid``,
  ``source-url``).

What ``publishing.items`` decides is written here as is: identity, status (usable,
withheld, canceled), dates, subjects and the picture.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from wiredesk.editions.canonical import canonicals
from wiredesk.editions.links import edition_base_url, feed_path
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article
from wiredesk.publishing.items import ItemFacts, item_facts, located_place, prefetch_tags

MEDIA_TYPE = "application/ninjs+json"
NINJS_VERSION = "2.1"
SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json#"
SCHEMA_PATH = Path(__file__).with_name("schemas") / "ninjs-2.1.json"
SIGNAL_NEWSCODES = "http://cv.iptc.org/newscodes/signal/"
_TAGS = re.compile(r"<[^>]+>")

# Tag kinds (newsroom Tag.Kind) to the NINJS array that holds them.
_ENTITY_ARRAYS = {"person": "people", "organisation": "organisations", "place": "places"}


def schema() -> dict:
    """The NINJS 2.1 JSON schema the documents are checked against."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _text_counts(html: str) -> dict:
    text = " ".join(_TAGS.sub(" ", html).split())
    return {"charcount": len(text), "wordcount": len(text.split())}


def _picture_association(facts: ItemFacts) -> dict:
    picture = facts.picture
    association: dict = {"name": "featureimage", "uri": picture.uri, "type": "picture",
                         "representationtype": "full", "version": facts.version,
                         "pubstatus": facts.status, "copyrightholder": picture.holder}
    if picture.credit:
        association["by"] = picture.credit
    if picture.rights:
        association["copyrightnotice"] = picture.rights
    descriptions = []
    if picture.caption:
        descriptions.append({"role": "caption", "contenttype": "text/plain",
                             "value": picture.caption})
    if picture.alt:
        descriptions.append({"role": "alternative-text", "contenttype": "text/plain",
                             "value": picture.alt})
    if descriptions:
        association["descriptions"] = descriptions
    association["renditions"] = [
        {"name": f"{file.mime_type.rsplit('/', 1)[-1]}-{file.width}", "href": url,
         "contenttype": file.mime_type, "width": file.width, "height": file.height,
         "sizeinbytes": file.length}
        for file, url in facts.picture.files]
    return association


def document_from_facts(facts: ItemFacts) -> dict:
    article = facts.article
    doc: dict = {
        "uri": facts.uri,
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": SCHEMA_URI},
        "type": "text",
        "representationtype": "full" if facts.has_copy else "partial",
        "version": facts.version,
        "firstcreated": facts.first_created,
        "versioncreated": facts.version_created,
        "pubstatus": facts.status,
        "language": facts.language,
        "copyrightholder": article.agency.name,
    }
    if facts.embargoed:
        doc["embargoed"] = facts.embargoed
    if article.urgency and facts.has_copy:
        doc["urgency"] = article.urgency
    notes = [facts.withdrawn_note] if facts.withdrawn_note else []
    altids = [{"role": "wiredesk-id", "value": str(article.pk)}]
    if article.guid:
        altids.append({"role": "agency-guid", "value": article.guid})
    if facts.canonical_url:
        altids.append({"role": "canonical-url", "value": facts.canonical_url})
    if facts.has_copy:
        doc.update(_copy(facts))
        if facts.is_correction:
            notes.append("Correction: this version corrects an earlier one.")
            doc.setdefault("descriptions", []).append(
                {"role": "signal", "contenttype": "text/plain",
                 "value": SIGNAL_NEWSCODES + "correction"})
        if article.canonical_url:
            altids.append({"role": "source-url", "value": article.canonical_url})
    if notes:
        doc["ednote"] = " ".join(notes)
    doc["altids"] = altids
    if facts.canonical_url:
        doc.setdefault("renditions", []).append(
            {"name": "canonical", "href": facts.canonical_url, "contenttype": "text/html",
             **({"title": article.headline} if facts.has_copy else {})})
    return doc


def _copy(facts: ItemFacts) -> dict:
    """Headline, body, descriptions, people and places, subjects and the picture."""
    article = facts.article
    out: dict = {"headlines": [{"role": "main", "value": article.headline}]}
    summary = article.teaser or article.lead
    if summary:
        out["descriptions"] = [{"role": "summary", "contenttype": "text/plain",
                                "value": summary}]
    if article.body_html:
        out["bodies"] = [{"role": "main", "contenttype": "text/html",
                          "value": article.body_html, **_text_counts(article.body_html)}]
    if article.byline_shown:
        out["by"] = article.byline_shown
    place = located_place(article.dateline) if article.dateline else ""
    if place:
        out["located"] = place
    out["genres"] = [{"name": Article.Kind(article.kind).label.capitalize(),
                      "literal": article.kind}]
    for subject in facts.subjects:
        entry = {"name": subject.name, "literal": f"{subject.kind}:{subject.key}"}
        if subject.url:
            entry["uri"] = subject.url
        if subject.kind == "section":
            out.setdefault("subjects", []).append({**entry, "rel": "section"})
        else:
            out.setdefault(_ENTITY_ARRAYS.get(subject.kind, "subjects"), []).append(
                {**entry, "rel": "mentioned"})
    if facts.picture is not None:
        out["associations"] = [_picture_association(facts)]
    return out


def article_document(article: Article, edition: Edition | None = None) -> dict:
    """One article as a NINJS 2.1 object (a dict ready for ``json.dumps``)."""
    return document_from_facts(item_facts(article, edition))


def documents(articles: Iterable[Article], edition: Edition | None = None) -> list[dict]:
    """Several articles, their canonical pages worked out in one batch."""
    articles = list(articles)
    found = canonicals(articles, known=[edition] if edition else [])
    prefetch_tags(articles)
    return [document_from_facts(item_facts(a, edition, canonical=found.get(a.pk)))
            for a in articles]


def feed_document(edition: Edition, articles: Iterable[Article]) -> dict:
    """The edition's NINJS feed: its latest articles, newest first."""
    base = edition_base_url(edition)
    return {"title": edition.name, "home_page_url": base + "/",
            "feed_url": base + feed_path("/", "ninjs.json"),
            "language": edition.language, "items": documents(articles, edition)}


def dumps(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

"""The XSS corpus (issue 22, item 2) through every way text gets in, on every page that
shows it, in a real headless Chromium: nothing may run and nothing may load from elsewhere.

Ways in (the real paths, nothing written to the database by hand):

- feeds polled from a loopback agency server (``feed_poll``): RSS 2.0, Atom, JSON Feed,
  NewsML-G2 (a text item and its linked picture item), NITF; a summary-only RSS feed with
  ``--full-text``, whose items' own web pages are fetched; web pages ingested directly
  (``ingest_source``, as ``wiredesk ingest URL``). Every field: titles, summaries,
  bodies, bylines, datelines, categories, links, guids, picture addresses, captions and
  credits (the pictures fetched by the ``fetch-pictures`` service, so their captions
  show), the feed's own title and the agency's name;
- the news-release form (posted to the view, a hostile file name on the image), then
  verified and approved through the release services;
- search queries and every other search parameter (reflected on the results page);
- tag names, set through the admin's change form;
- the digest: its public archive pages and the email itself.

Pages read: every edition page that shows the copy (home and its further pages, sections,
articles, stories, tags, search, release verify/status pages, the digest archive), the
admin's lists and change pages for a signed-in superuser, the API's docs page, and the
digest email as a mail client shows it.

Everything is read twice: with the site's Content-Security-Policy, and with Chromium told
to ignore it (``bypass_csp``), which proves the sanitizer and the templates' escaping stop
every payload on their own; the policy is a second wall, not the only one.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from datetime import time, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

import pytest
from django.utils import timezone

from tests.conftest import distinct_body
from tests.digest.conftest import make_confirmed
from tests.pictureserver import jpeg
from tests.releases.conftest import image_bytes
from tests.security.attacker import Attacker
from tests.security.xss_browser import XssBrowser
from tests.security.xss_payloads import ATTRIBUTE, PAYLOADS, Payload, chunks, injection_id
from tests.smtp_sink import SmtpSink

# Transactional: the live server answers Chromium from another thread, which must see what
# the test wrote.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ZONE = "Australia/Sydney"
PER_ITEM = 16  # payloads per item and field: short fields are cut by the product anyway
CSP_ON_PER_KIND = 2  # pages of each kind read with the policy on (all without it)
PER_LINE = 3  # payloads per one-line form field (a release's headline holds 200 characters)

SURFACES = {
    "rs": "RSS 2.0 feed", "at": "Atom feed", "jf": "JSON Feed", "g2": "IPTC NewsML-G2",
    "nf": "NITF", "hp": "web page fetched for full text", "hd": "web page ingested directly",
    "ag": "agency names", "rl": "news-release form", "sq": "search queries",
    "tg": "tag names (admin)", "ad": "admin search box",
}


class Corpus:
    """Builds the hostile text for each field and remembers every injection tried."""

    def __init__(self):
        self.tried: dict[str, set[str]] = defaultdict(set)

    def text(self, surface: str, field: str, payloads: list[Payload]) -> str:
        for payload in payloads:
            self.tried[surface].add(injection_id(surface, field, payload.code))
        return " ".join(p.render(surface, field) for p in payloads)

    def markup(self, surface: str, field: str, payloads: list[Payload]) -> str:
        """Well-formed payloads as XML markup (for XML bodies); the rest are only text."""
        return self.text(surface, field, [p for p in payloads if p.well_formed])


def x(value: str) -> str:
    """Text as XML character data or attribute value."""
    return escape(value, {'"': "&quot;"})


def attr_payload(k: int) -> Payload:
    return ATTRIBUTE[k % len(ATTRIBUTE)]


# --- the agency's documents ---------------------------------------------------------------

def rss_feed(corpus, wire, dates) -> bytes:
    items = []
    for k, chunk in enumerate(chunks(PAYLOADS, PER_ITEM)):
        t = lambda f, c=chunk: x(corpus.text("rs", f, c))  # noqa: E731
        a = lambda f, k=k: x(corpus.text("rs", f, [attr_payload(k + len(f))]))  # noqa: E731
        items.append(f"""<item><title>Harbour story {k} {t("ti")}</title>
<guid isPermaLink="false">rs-{k} {t("gu")}</guid><link>{a("li")}</link>
<description>{t("su")}</description>
<content:encoded>{x(named("rs", k) + distinct_body(f"rs{k}", 3))}{t("bo")}</content:encoded>
<dc:creator>{t("au")}</dc:creator><author>x@example.org ({t("am")})</author>
<category>World</category><category>{t("ca")}</category>
<pubDate>{dates(k)}</pubDate><comments>{a("co")}</comments>
<enclosure url="{a("en")}" type="image/jpeg" length="9"/>
<media:thumbnail url="{a("th")}"/>
<media:content url="{wire.url}/pic/rs{k}.jpg?{quote(corpus.text("rs", "mu", [attr_payload(k)]))}"
  medium="image" type="image/jpeg">
 <media:title>{t("mt")}</media:title><media:description>{t("md")}</media:description>
 <media:credit>{t("mc")}</media:credit></media:content>
</item>""")
    channel_title = x(corpus.text("rs", "ct", PAYLOADS[:4]))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>{channel_title}</title><link>{wire.url}/</link><description>d</description>
{"".join(items)}</channel></rss>""".encode()


def atom_feed(corpus, wire, dates) -> bytes:
    entries = []
    for k, chunk in enumerate(chunks(PAYLOADS, PER_ITEM)):
        t = lambda f, c=chunk: x(corpus.text("at", f, c))  # noqa: E731
        a = lambda f, k=k: x(corpus.text("at", f, [attr_payload(k + len(f))]))  # noqa: E731
        entries.append(f"""<entry><title type="html">Atom story {k} {t("ti")}</title>
<id>urn:at:{k}</id><link rel="alternate" href="{a("li")}"/>
<link rel="enclosure" type="image/jpeg" href="{wire.url}/pic/at{k}.jpg?{quote(
            corpus.text("at", "en", [attr_payload(k)]))}"/>
<author><name>{t("au")}</name><uri>{a("ur")}</uri></author>
<category term="World"/><category term="{t("ca")}" label="{t("cl")}"/>
<published>{dates(k, iso=True)}</published><updated>{dates(k, iso=True)}</updated>
<summary type="html">{t("su")}</summary><rights>{t("ri")}</rights>
<content type="html">{x(named("at", k) + distinct_body(f"at{k}", 3))}{t("bo")}</content></entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">{x(corpus.text(
        "at", "ct", PAYLOADS[4:8]))}</title><id>urn:at</id>
<updated>{dates(0, iso=True)}</updated>{"".join(entries)}</feed>""".encode()


def json_feed(corpus, wire, dates) -> bytes:
    items = []
    for k, chunk in enumerate(chunks(PAYLOADS, PER_ITEM)):
        t = lambda f, c=chunk: corpus.text("jf", f, c)  # noqa: E731
        a = lambda f, k=k: corpus.text("jf", f, [attr_payload(k + len(f))])  # noqa: E731
        body = named("jf", k) + distinct_body(f"jf{k}", 3)
        item = {"id": f"jf-{k}", "url": a("li"), "external_url": a("ex"),
                "title": f"JSON story {k} {t('ti')}", "summary": t("su"),
                "date_published": dates(k, iso=True), "tags": ["World", t("ta")],
                "authors": [{"name": t("au"), "url": a("au")}],
                "image": f"{wire.url}/pic/jf{k}.jpg?{quote(a('im'))}",
                "banner_image": a("bi"),
                "attachments": [{"url": a("at"), "mime_type": "image/jpeg", "title": t("an")}]}
        if k % 2:  # content_text is a body too when there is no content_html
            item["content_text"] = body + t("tx")
        else:
            item["content_html"] = body + t("bo")
        items.append(item)
    return json.dumps({"version": "https://jsonfeed.org/version/1.1",
                       "title": corpus.text("jf", "ct", PAYLOADS[8:12]),
                       "home_page_url": wire.url + "/", "items": items}).encode()


def newsml_g2(corpus, wire, dates) -> bytes:
    items = []
    for k, chunk in enumerate(chunks(PAYLOADS, PER_ITEM)):
        t = lambda f, c=chunk: x(corpus.text("g2", f, c))  # noqa: E731
        pic_url = f"{wire.url}/pic/g2{k}.jpg?{quote(corpus.text('g2', 'pu', [attr_payload(k)]))}"
        items.append(f"""
<newsItem guid="urn:g2:text:{k}" version="1" standard="NewsML-G2" xml:lang="en">
 <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:WIRE"/>
  <versionCreated>{dates(k, iso=True)}</versionCreated>
  <firstCreated>{dates(k, iso=True)}</firstCreated><pubStatus qcode="stat:usable"/>
  <link rel="irel:seeAlso" residref="urn:g2:pic:{k}"/></itemMeta>
 <contentMeta><located><name>{t("lo")}</name></located>
  <subject qcode="medtop:11000000"><name>World</name></subject>
  <subject qcode="x:{k}"><name>{t("su")}</name></subject>
  <by>{t("au")}</by><slugline>{t("sl")}</slugline>
  <headline>G2 story {k} {t("ti")}</headline><dateline>{t("dl")}</dateline>
  <description role="drol:summary">{t("de")}</description></contentMeta>
 <contentSet><inlineXML contenttype="application/xhtml+xml">
  <html xmlns="http://www.w3.org/1999/xhtml"><head><title>{t("ht")}</title></head><body>
   {named("g2", k) + distinct_body(f"g2{k}", 3)}<p>{t("bo")}</p>
   <div>{corpus.markup("g2", "bx", chunk)}</div>
  </body></html></inlineXML></contentSet>
</newsItem>
<newsItem guid="urn:g2:pic:{k}" version="1" standard="NewsML-G2">
 <itemMeta><itemClass qcode="ninat:picture"/><pubStatus qcode="stat:usable"/>
  <link rel="irel:seeAlso" residref="urn:g2:text:{k}"/></itemMeta>
 <contentMeta><headline>{t("ph")}</headline><creditline>{t("pr")}</creditline>
  <description role="drol:caption">{t("pc")}</description></contentMeta>
 <contentSet><remoteContent rendition="rnd:viewImage" href="{x(pic_url)}"
   contenttype="image/jpeg"/></contentSet>
</newsItem>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header><sent>{dates(0, iso=True)}
</sent></header><itemSet>{"".join(items)}</itemSet></newsMessage>""".encode()


def nitf(corpus, wire, dates, k: int, chunk: list[Payload]) -> bytes:
    t = lambda f: x(corpus.text("nf", f, chunk))  # noqa: E731
    pic_url = f"{wire.url}/pic/nf{k}.jpg?{quote(corpus.text('nf', 'mu', [attr_payload(k)]))}"
    return f"""<?xml version="1.0" encoding="utf-8"?>
<nitf version="-//IPTC//DTD NITF 3.4//EN">
<head><title>{t("ht")}</title>
<tobject><tobject.subject tobject.subject.matter="World"/>
<tobject.subject tobject.subject.matter="{t("su")}"/></tobject>
<docdata><doc-id id-string="nf-{k}-{t("gu")}"/><date.issue norm="{dates(k, nitf=True)}"/>
<du-key version="1"/></docdata></head>
<body><body.head><hedline><hl1>NITF story {k} {t("ti")}</hl1></hedline>
<byline>By <person>{t("au")}</person><byttl>{t("bt")}</byttl></byline>
<dateline><location>{t("dl")}</location></dateline></body.head>
<body.content>{named("nf", k) + distinct_body(f"nf{k}", 3)}<p>{t("bo")}</p>
<div>{corpus.markup("nf", "bx", chunk)}</div>
<media media-type="image"><media-reference source="{x(pic_url)}" mime-type="image/jpeg"/>
<media-caption>{t("mc")}</media-caption><media-producer>{t("mp")}</media-producer></media>
</body.content></body></nitf>""".encode()


def web_page(corpus, wire, surface: str, k: int, chunk: list[Payload], dates) -> bytes:
    """An agency's article page, its payloads raw in the markup as a hostile site sends."""
    t = lambda f: corpus.text(surface, f, chunk)  # noqa: E731
    a = lambda f: x(corpus.text(surface, f, chunk))  # noqa: E731
    pic = f"{wire.url}/pic/{surface}{k}.jpg?{quote(corpus.text(surface, 'pu', [attr_payload(k)]))}"
    paragraphs = "".join(f"<p>{distinct_body(f'{surface}{k}{n}', 1)[3:-4]} "
                         f"{p.render(surface, 'bo')}</p>" for n, p in enumerate(chunk))
    corpus.text(surface, "bo", chunk)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Page story {k} {t("ti")}</title>
<meta property="og:title" content="Page story {k} {a("og")}">
<meta name="author" content="{a("au")}">
<meta property="article:published_time" content="{dates(k, iso=True)}">
<meta property="og:image" content="{x(pic)}">
</head><body><nav><a href="/">Home</a></nav>
<article><h1>Page story {k} {t("h1")}</h1><p class="byline">By {t("by")}</p>
<figure><img src="{x(pic)}" width="1200" height="800" alt="{a("al")}">
<figcaption>{t("fc")}</figcaption></figure>
{named(surface, k)}{distinct_body(f"{surface}{k}", 10)}{paragraphs}</article>
<footer>Comments are closed.</footer></body></html>""".encode()


def summary_feed(wire, dates, count: int) -> bytes:
    items = "".join(
        f"""<item><title>Summary only {k}</title><guid isPermaLink="false">hp-{k}</guid>
<link>{wire.url}/page/hp{k}.html</link><description>A short summary {k}.</description>
<category>World</category><pubDate>{dates(k)}</pubDate></item>""" for k in range(count))
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Summaries</title><link>{wire.url}/</link><description>d</description>{items}
</channel></rss>""".encode()


def web_chunks() -> list[list[Payload]]:
    """The corpus shared out over web pages the extractor still reads as articles.

    Some markup leaves the rest of a page unreadable (an unclosed ``<svg>`` or a MathML
    ``<style>`` swallows the article after it): the page is refused, "no article text
    found". So a payload starts a new page when the page so far would be refused with it;
    one that is refused even alone gets a page of its own (and is refused there).
    """
    from wiredesk.wire.formats import html_page
    from wiredesk.wire.types import WireError

    def readable(chunk):
        try:
            html_page.parse(web_page(Corpus(), _NoServer, "hd", 0, chunk, _no_date))
        except WireError:
            return False
        return True

    pages: list[list[Payload]] = [[]]
    for payload in PAYLOADS:
        if len(pages[-1]) < PER_ITEM and readable([*pages[-1], payload]):
            pages[-1].append(payload)
        else:
            pages.append([payload])
    return pages


class _NoServer:
    url = "http://127.0.0.1:9"


def _no_date(k, **_kind) -> str:
    return "2025-07-12T08:00:00+00:00"


# --- fixtures -----------------------------------------------------------------------------

@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls between page
    # loads are plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def smtp(settings):
    from wiredesk.mail import email_settings_from_url

    sink = SmtpSink().start()
    for key, value in email_settings_from_url(sink.url).items():
        setattr(settings, key, value)
    settings.DEFAULT_FROM_EMAIL = "Chile Sun <news@chilesun.example>"
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def site_settings(settings, tmp_path, live_server):
    from django.core.cache import caches

    settings.BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WIREDESK_RELEASE_MIN_FILL_SECONDS = 0
    settings.WIREDESK_RELEASE_RATE_IP = settings.WIREDESK_RELEASE_RATE_EMAIL = "1000/h"
    settings.WIREDESK_RELEASE_RATE_ORG = "1000/h"
    settings.WIREDESK_DIGEST_RATE_PER_SECOND = settings.WIREDESK_DIGEST_RATE_PER_HOUR = 0
    for each in caches.all():
        each.clear()
    return settings


# --- the site, fed -----------------------------------------------------------------------

def feed_the_site(corpus: Corpus, wire: Attacker, dates) -> list[list[Payload]]:
    """Every agency document served and polled; returns the web pages refused."""
    from wiredesk.newsroom import services
    from wiredesk.newsroom.services.renditions import pictures_fetch_due

    pages = web_chunks()

    picture = jpeg((1200, 800))
    for surface in ("rs", "at", "jf", "g2", "nf", "hp", "hd"):
        for k in range(len(pages)):
            wire.routes[f"/pic/{surface}{k}.jpg"] = Attacker.page(picture, "image/jpeg")
    names = chunks(PAYLOADS, 3)
    agencies = {code: services.agency_ensure(
        code=code, name=corpus.text("ag", "nm", names[n % len(names)])[:200], time_zone=ZONE)
        for n, code in enumerate(("RS", "AT", "JF", "G2", "NF", "HP", "HD"))}
    documents = {
        "rs": (rss_feed(corpus, wire, dates), "application/rss+xml"),
        "at": (atom_feed(corpus, wire, dates), "application/atom+xml"),
        "jf": (json_feed(corpus, wire, dates), "application/feed+json"),
        "g2": (newsml_g2(corpus, wire, dates), "application/xml"),
        "hp": (summary_feed(wire, dates, len(pages)), "application/rss+xml"),
    }
    for k, chunk in enumerate(chunks(PAYLOADS, PER_ITEM)):
        documents[f"nf{k}"] = (nitf(corpus, wire, dates, k, chunk), "application/xml")
    for k, chunk in enumerate(pages):
        wire.routes[f"/page/hp{k}.html"] = Attacker.page(
            web_page(corpus, wire, "hp", k, chunk, dates), "text/html; charset=utf-8")
        wire.routes[f"/page/hd{k}.html"] = Attacker.page(
            web_page(corpus, wire, "hd", k, chunk, dates), "text/html; charset=utf-8")
    for name, (body, content_type) in documents.items():
        wire.routes[f"/feed/{name}"] = Attacker.page(body, content_type)
        agency = agencies[name[:2].upper()]
        feed = services.feed_add(source=f"{wire.url}/feed/{name}", agency=agency,
                                 full_text=name == "hp")
        report = services.feed_poll(feed, force=True)
        assert report.created, (name, report.errors)
    refused = []
    for k, chunk in enumerate(pages):
        report = services.ingest_source(f"{wire.url}/page/hd{k}.html", agency=agencies["HD"])
        assert report.created or len(chunk) == 1, report.errors
        if not report.created:
            refused.append(chunk)
    fetched = pictures_fetch_due(limit=500)
    assert fetched.stored + fetched.reused >= 5 * len(chunks(PAYLOADS, PER_ITEM)), fetched.errors
    return refused


def submit_releases(corpus: Corpus, live_server, edition) -> list:
    """Each release carries a slice of the corpus in every field, posted to the form."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from wiredesk.releases import services
    from wiredesk.releases.abuse import started_token
    from wiredesk.releases.models import Release

    client = Client()
    image = image_bytes()
    submitted = []
    for k, chunk in enumerate(chunks(PAYLOADS, PER_LINE)):
        t = lambda f, c=chunk: corpus.text("rl", f, c)  # noqa: E731
        body = (f"The harbour market reopens on Sunday, release {k}, with stalls and music.\n\n"
                f"{t('bo')}\n\n[details](javascript:__xss('{injection_id('rl', 'md', 'K01')}'))"
                f" <javascript:__xss('{injection_id('rl', 'md', 'K02')}')> "
                f"[data](data:text/html;base64,PHNjcmlwdD5fX3hzcygpPC9zY3JpcHQ+)\n\n"
                f"- {t('li')}\n\n> {t('bq')}\n\n## {t('hh')}")
        corpus.tried["rl"].update({injection_id("rl", "md", "K01"),
                                   injection_id("rl", "md", "K02")})
        filename = t("fn").replace("/", "_")[:180] + ".jpg"
        response = client.post(f"/{edition.slug}/releases/submit", {
            "organisation": t("or")[:200], "contact_name": t("cn")[:120],
            "email": f"submitter{k}@harbour.example", "phone": "+56 2 555 0100",
            "headline": f"Market {k} {t('hl')}"[:200], "body": body,
            "category": "community", "editions": [edition.pk],
            "image": SimpleUploadedFile(filename, image, content_type="image/jpeg"),
            "image_caption": t("ic")[:500], "image_credit": t("cr")[:200],
            "started": started_token()})
        assert response.status_code in (200, 302), response.content[:2000]
        # One-line fields refuse line breaks and format characters (U+202E, U+200B):
        # those submissions come back as a form with errors, which the browser reads.
        release = Release.objects.filter(email=f"submitter{k}@harbour.example").first()
        if release is not None:
            submitted.append(release)
    assert len(submitted) >= len(chunks(PAYLOADS, PER_LINE)) // 2
    editor = services.Actor(label="editor")
    for release in submitted[: len(submitted) // 2]:
        services.release_verify(release=release)
        services.release_approve(release=release, actor=editor, section="community")
    for release in submitted[len(submitted) // 2:]:
        services.release_verify(release=release)
        services.release_reject(release=release, actor=editor,
                                reason=corpus.text("rl", "re", PAYLOADS[:6]))
    return submitted


def rename_tags(corpus: Corpus, client) -> None:
    """An editor renames the tags found in the copy, in the admin's change form: as many
    payloads in each name as its 100 characters hold."""
    from wiredesk.newsroom.models import Tag

    tags = list(Tag.objects.order_by("pk"))
    waiting = list(PAYLOADS)
    for tag in tags:
        if not waiting:
            break
        taken = [waiting.pop(0)]
        while waiting and len(" ".join(p.render("tg", "nm") for p in [*taken, waiting[0]])) <= 100:
            taken.append(waiting.pop(0))
        response = client.post(f"/admin/newsroom/tag/{tag.pk}/change/",
                               {"name": corpus.text("tg", "nm", taken)[:100], "kind": tag.kind,
                                "_save": "Save"})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert not waiting, f"only {len(tags)} tags were found in the copy"


FIRST = ["Ana", "Luis", "Marta", "Jorge", "Elena", "Pablo", "Rosa", "Diego", "Clara", "Hugo",
         "Irene", "Tomas"]
LAST = ["Torres", "Vega", "Rojas", "Fuentes", "Medina", "Castro", "Navarro", "Ibarra",
        "Soto", "Lagos", "Pizarro", "Quiroga", "Alvarez", "Bravo", "Cortes", "Duran",
        "Espinoza", "Figueroa", "Gallardo", "Herrera", "Jara", "Leiva", "Morales", "Nunez"]


def people(surface: str, k: int) -> list[str]:
    """Three people an item names twice each, so the copy yields tags to rename: a name
    of its own for every item (12 first names times 24 surnames)."""
    base = (list(SURFACES).index(surface) * 10 + k) * 3
    return [f"{FIRST[(base + i) % 12]} {LAST[((base + i) // 12) % 24]}" for i in range(3)]


def named(surface: str, k: int) -> str:
    one, two, three = people(surface, k)
    # Separate sentences: "and" between two names would join them into one. Each is said
    # to speak: two capitalised words are a person when the copy treats them as one.
    return (f"<p>{one} met {two} on Friday. {three} was there too. {one} said the talks "
            f"went well. {two} said she agreed. {three} said she left early.</p>")


RELEASE_FIELDS = {"organisation": "fo", "contact_name": "fn", "phone": "fp", "headline": "fh",
                  "body": "fb", "image_caption": "fc", "image_credit": "fr"}


def post_release_form(chromium: XssBrowser, edition, corpus: Corpus) -> None:
    """The whole corpus in every field of the form, posted by the browser with an address
    that is not one: the form comes back with every value in it."""
    page = chromium.page
    chromium.visit(f"/{edition.slug}/releases/submit", "release form")
    values = {name: corpus.text("rl", code, PAYLOADS) for name, code in RELEASE_FIELDS.items()}
    values["email"] = corpus.text("rl", "fe", PAYLOADS[:3])
    page.evaluate("""values => { for (const [name, value] of Object.entries(values)) {
        document.querySelector(`[name="${name}"]`).value = value; } }""", values)
    page.select_option('select[name="category"]', "community")
    page.set_input_files('input[name="image"]', {
        "name": corpus.text("rl", "ff", PAYLOADS[:4]).replace("/", "_") + ".jpg",
        "mimeType": "image/jpeg", "buffer": image_bytes()})
    with page.expect_navigation(wait_until="load"):
        page.click('main button[type="submit"]')
    assert page.locator("input[name=headline]").count() == 1  # the form, shown again
    chromium.settle("release form with errors")


# --- the pages ---------------------------------------------------------------------------

def public_pages(edition, corpus: Corpus, releases, day) -> list[tuple[str, str]]:
    from wiredesk.editions.links import (
        article_path,
        digest_archive_path,
        digest_issue_path,
        section_path,
        story_path,
        tag_path,
    )
    from wiredesk.editions.models import Placement
    from wiredesk.newsroom.models import Section, Story, Tag
    from wiredesk.releases.services import links

    base = f"/{edition.slug}"
    pages = [(f"{base}/", "edition home")]
    pages += [(f"{base}/?page={n}", "edition home, further pages") for n in range(2, 8)]
    pages += [(f"{base}{section_path(s.slug)}", "section")
              for s in Section.objects.all()]
    articles = [p.article for p in Placement.objects.filter(edition=edition)
                .select_related("article").order_by("article_id")]
    pages += [(f"{base}{article_path(a)}", "article") for a in articles]
    pages += [(f"{base}{story_path(s)}", "story") for s in Story.objects.all()]
    renamed = Tag.objects.filter(name__contains="__xss") | Tag.objects.filter(
        name__contains="leak.invalid")
    pages += [(f"{base}{tag_path(t.key)}", "tag") for t in renamed]
    pages += [(f"{base}{digest_archive_path()}", "digest archive"),
              (f"{base}{digest_issue_path(day)}", "digest archive issue")]
    for release in releases:
        pages.append((_path(links.status_url(release)), "release status"))
    # The confirmation page shows the headline and organisation the status page shows.
    pages += [(_path(links.verify_url(release)), "release verify") for release in releases[:3]]
    # Search: queries that find the hostile copy (its highlights are HTML), and queries
    # that are the payloads, in every parameter the page writes back.
    for q in ("xss", "script", "onerror", "javascript", "story", "market"):
        pages.append((f"{base}/search?{urlencode({'q': q})}", "search results"))
    for chunk in chunks(PAYLOADS, PER_LINE):
        query = {name: corpus.text("sq", code, chunk) for name, code in (
            ("q", "qu"), ("section", "se"), ("agency", "ag"), ("from", "fr"), ("to", "to"),
            ("page", "pg"))}
        pages.append((f"{base}/search?{urlencode(query)}", "search query"))
    return pages


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def admin_pages(corpus: Corpus) -> list[tuple[str, str]]:
    """The admin as a signed-in editor sees it: every list, the article search box, and the
    change pages of objects carrying the corpus (an article of each chunk, from a different
    format each time)."""
    from wiredesk.newsroom.models import Article, Feed, PictureSource, Story, Tag, WirePicture
    from wiredesk.releases.models import Release

    pages = [(f"/admin/{model}/", "admin list") for model in (
        "newsroom/article", "newsroom/feed", "newsroom/agency", "newsroom/tag",
        "newsroom/story", "newsroom/wirepicture", "newsroom/picturesource",
        "releases/release", "newsroom/section")]
    for chunk in chunks(PAYLOADS, 20):
        query = urlencode({"q": corpus.text("ad", "qu", chunk)})
        pages.append((f"/admin/newsroom/article/?{query}", "admin search"))
    surfaces = ["RS", "AT", "JF", "G2", "NF", "HD"]
    for k in range(len(chunks(PAYLOADS, PER_ITEM))):
        article = (Article.objects.filter(agency__code=surfaces[k % len(surfaces)])
                   .order_by("pk")[k:k + 1].first())
        if article is not None:
            pages.append((f"/admin/newsroom/article/{article.pk}/change/", "admin article"))
    feeds = Feed.objects.exclude(title="", last_error="")
    renamed = Tag.objects.filter(name__contains="__xss") | Tag.objects.filter(
        name__contains="leak.invalid")
    for model, queryset in (("feed", feeds), ("story", Story.objects.all()[:2]),
                            ("tag", renamed[:3]), ("wirepicture", WirePicture.objects.all()[:2]),
                            ("picturesource", PictureSource.objects.all()[:2])):
        pages += [(f"/admin/newsroom/{model}/{obj.pk}/change/", f"admin {model}")
                  for obj in queryset]
    pages += [(f"/admin/releases/release/{pk}/change/", "admin release")
              for pk in Release.objects.order_by("pk").values_list("pk", flat=True)[::4]]
    pages.append(("/api/docs", "API docs"))
    return pages


# --- the test ----------------------------------------------------------------------------

def test_no_payload_runs_or_leaks_on_any_page(browser, live_server, site_settings, smtp,
                                              admin_client):
    from wiredesk.digest.schedule import last_closed_issue
    from wiredesk.digest.sending import send_pending
    from wiredesk.digest.services import archive_plan, digest_plan
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services

    for slug, position in (("world", 1), ("business", 2), ("community", 4)):
        services.section_ensure(slug=slug, name=slug.title(), position=position)
    edition = edition_save(name="Chile Sun", time_zone=ZONE)
    day, _start, end = last_closed_issue(timezone.now(), time(6), ZONE)

    def dates(k: int, *, iso: bool = False, nitf: bool = False) -> str:
        moment = end - timedelta(hours=1, minutes=k)
        if nitf:
            return moment.strftime("%Y%m%dT%H%M%SZ")
        return moment.isoformat() if iso else format_datetime(moment)

    corpus = Corpus()
    with Attacker() as wire:
        refused_pages = feed_the_site(corpus, wire, dates)
    agency_server = wire.url
    releases = submit_releases(corpus, live_server, edition)
    rename_tags(corpus, admin_client)
    make_confirmed(edition, "reader@example.org")
    assert archive_plan(now=end + timedelta(minutes=1)) == 1
    digest_plan(now=end + timedelta(minutes=1), force=True)
    assert send_pending().sent == 1
    mail = next(m for m in smtp.to("reader@example.org") if m.message["List-Unsubscribe"])
    digest_html = mail.message.get_body(("html",)).get_content()

    pages = public_pages(edition, corpus, releases, day) + admin_pages(corpus)
    session = admin_client.cookies["sessionid"].value

    results = {}
    # Without the policy, every page: what the sanitizer and the escaping stop on their own.
    # With it (it can only stop more), the first pages of each kind.
    kinds: dict[str, int] = defaultdict(int)
    sample = []
    for path, label in pages:
        kinds[label] += 1
        if kinds[label] <= CSP_ON_PER_KIND:
            sample.append((path, label))
    for variant, bypass, visited in (("CSP off", True, pages), ("CSP on", False, sample)):
        chromium = XssBrowser(browser, live_server.url, bypass_csp=bypass,
                              image_origins=(agency_server,))
        chromium.context.add_cookies([{"name": "sessionid", "value": session,
                                       "url": live_server.url}])
        try:
            chromium.visit(f"/{edition.slug}/", "edition home")
            # The variant is what it says: an inline script runs only without the policy.
            assert chromium.runs_inline_script() is bypass
            post_release_form(chromium, edition, corpus)
            for path, label in visited:
                chromium.visit(path, label)
            chromium.show(digest_html, "digest email")
        finally:
            chromium.close()
        results[variant] = chromium.findings

    print(report(corpus, results, pages, refused_pages))  # docs/security.md shows it
    for variant, findings in results.items():
        assert not findings.errors, f"{variant}: pages that failed: {findings.errors}"
        assert not findings.ids(), f"{variant}:\n{findings.summary()}"


def report(corpus: Corpus, results, pages, refused_pages) -> str:
    """The table docs/security.md shows: injections tried and fired, per surface."""
    off, on = results["CSP off"], results["CSP on"]
    lines = ["| surface | fields | injections tried | shown on a page as text "
             "| executed, CSP off | executed, CSP on | requests leaked | live markup left |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for surface, name in SURFACES.items():
        tried = corpus.tried.get(surface, set())
        fields = {i.split(".")[1] for i in tried}

        def fired(*buckets, tried=tried):
            return len({i for bucket in buckets for i in bucket if i in tried})

        lines.append(
            f"| {name} | {len(fields)} | {len(tried)} | {fired(on.shown, off.shown)} | "
            f"{fired(off.executed)} | {fired(on.executed)} | {fired(on.leaked, off.leaked)} | "
            f"{fired(on.live, off.live)} |")
    total = sum(len(v) for v in corpus.tried.values())
    kinds: dict[str, int] = defaultdict(int)
    for _path, label in pages:
        kinds[label] += 1
    refused = ", ".join(p.code for chunk in refused_pages for p in chunk)
    lines.append(
        f"\n{total} injections ({len(PAYLOADS)} payloads, {len(ATTRIBUTE)} more for "
        f"addresses). Page loads: {off.pages} without the policy (every page), {on.pages} "
        f"with it (the first {CSP_ON_PER_KIND} of each kind). Pages: "
        + ", ".join(f"{label} {n}" for label, n in sorted(kinds.items()))
        + f", the release form posted back with errors, the digest email. Web pages "
        f"refused as unreadable (no article found): {refused or 'none'}. Pictures in agency "
        f"copy asked of the agency's own server (the policy's img-src allows them; the test "
        f"stopped them): {len(off.agency_images)}.")
    return "\n".join(lines)


# --- the hooks catch what they are meant to --------------------------------------------

# Harmless when a browser parses them as they are, so no hook can see them there: text
# that only looks like markup (entities, fullwidth and small-form brackets), an address
# a zero-width space makes relative, a <template>'s inert content, a comment in a JSON
# block that stays one valid block, and mutation XSS that needs a sanitizer's round trip.
INERT = {"S10", "S11", "N01", "N06", "A07", "X02", "X06", "J02"}
HTML = "text/html; charset=utf-8"


def unescaped_page(payloads: list[Payload], addresses: list[Payload]) -> bytes:
    """Every payload written into a page with no escaping at all, in the contexts a
    template has: element content, double- and single-quoted attributes, a JSON-LD block
    and the title; and the address payloads as a link, a picture and a frame."""
    parts = []
    for p in payloads:
        parts.append(f"<div>{p.render('ct', 'el')}</div>"
                     f"<input value=\"{p.render('ct', 'dq')}\">"
                     f"<input value='{p.render('ct', 'sq')}'>"
                     f"<script type=\"application/ld+json\">{{\"h\": \"{p.render('ct', 'js')}\"}}"
                     "</script>")
    for p in addresses:
        parts.append(f"<a href=\"{p.render('ct', 'hr')}\">a</a>"
                     f"<img src=\"{p.render('ct', 'im')}\">")
    title = " ".join(p.render("ct", "ti") for p in payloads)
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"{''.join(parts)}</body></html>").encode()


@pytest.mark.django_db(transaction=False)
def test_the_hooks_catch_every_payload_when_nothing_is_escaped(browser):
    """Without this the corpus test could pass by catching nothing: the same payloads,
    not escaped, on a page of a loopback server, are each caught by at least one hook;
    most of them run outright."""
    # A frame each: a refresh, a <base> or an unclosed element must not hide the others.
    frames = "".join(f'<iframe srcdoc="{x(unescaped_page([p], []).decode())}"></iframe>'
                     for p in PAYLOADS)
    frames += "".join(f'<iframe srcdoc="{x(unescaped_page([], [p]).decode())}"></iframe>'
                      for p in ATTRIBUTE)
    with Attacker() as server:
        server.routes["/raw"] = Attacker.page(
            f"<!doctype html><html><body>{frames}</body></html>".encode(), HTML)
        chromium = XssBrowser(browser, server.url, bypass_csp=True, settle_ms=500)
        try:
            chromium.visit("/raw", "unescaped", main_frame=False)
        finally:
            chromium.close()
    findings = chromium.findings

    def caught(bucket):
        return {key.split(".")[2] for key in bucket if key.startswith("ct.")}

    executed = caught(findings.executed)
    any_hook = executed | caught(findings.leaked) | caught(findings.live)
    codes = {p.code for p in PAYLOADS + ATTRIBUTE}
    print(f"unescaped: {len(executed)} of {len(codes)} ran, {len(any_hook)} caught by a hook")
    assert codes - INERT - any_hook == set(), (sorted(codes - INERT - any_hook),
                                               findings.summary()[:3000])
    # Scripts, handlers that fire by themselves, frames and script-bearing SVG run outright
    # (links, forms and refreshes wait for a click or are stopped, and are caught above).
    assert {"S01", "S06", "S09", "E01", "E04", "I01", "V04", "X01"} <= executed, \
        sorted(executed)

"""The front page as a reader sees it in Chromium, on a wide screen and on a phone.

A `wiredesk serve` instance carries wire copy whose pictures an agency serves from a
loopback server (never the Internet), stored by `wiredesk pictures fetch`. At 1366 and
390 px wide the lead picture is whole on the first screen (at 360 px it begins there); at
every width nothing scrolls sideways, every picture loads (none broken) with its credit
under it, and every `<img>` reserves its box (width and height: no layout shift). The
screenshots are kept in the test's tmp directory (printed with -s) for a person to look at.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.e2e.processes import migrate, run_django

pytestmark = pytest.mark.e2e

WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 640}

# headline, section, picture (file, credit, caption) or None; newest first, 40 min apart.
STORIES = [
    ("Ministers meet in Santiago to agree on a shared water plan for the central valley",
     "World", None),
    ("Copper price climbs for a fifth day as smelters in the north cut output", "Business",
     ("smelter.jpg", "Wire Photos/Ana Rojas", "Steam rises over a copper smelter at dusk.")),
    ("Port workers in Valparaiso agree a new three-year contract after a week of talks",
     "Business", None),
    ("National sevens squad names two debutants for the Hong Kong leg of the series", "Sport",
     ("sevens.jpg", "Sportswire/Luis Mena", "Players run a drill on a wet training pitch.")),
    ("Heavy snow closes the Los Libertadores pass to trucks for a second day", "World",
     ("pass.jpg", "Wire Photos/Pedro Soto", "Trucks wait in a queue below a snowy pass.")),
    ("Vineyard owners in Colchagua count frost damage after the coldest night of the year",
     "Business", ("vines.jpg", "Wire Photos/Marta Vidal", "")),
    ("Antofagasta miners vote to accept a three-year wage offer", "Business", None),
    ("Chile and Argentina sign a pact to share forest fire crews next summer", "World",
     ("forest.jpg", "", "Firefighters walk along a burnt ridge.")),
    ("Santiago metro opens two new stations on line 7 ahead of schedule", "World", None),
    ("Colo-Colo hold on for a draw in a rain-soaked derby", "Sport",
     ("derby.jpg", "Sportswire/Jo Paz", "Fans hold umbrellas in a packed stand.")),
    ("Senate committee backs a bill on pension fund fees", "World", None),
    ("Salmon exports rise as new markets open in Asia", "Business", None),
]


def scene(seed: int, size=(1600, 1067)) -> bytes:
    """A landscape-like JPEG of its own colours: sky, a sun, hills."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top = (40 + seed * 30 % 120, 90 + seed * 17 % 100, 160 + seed * 13 % 90)
    for y in range(height):
        shade = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(c + (250 - c) * shade * .6)
                                                    for c in top))
    draw.ellipse([width * .65, height * .12, width * .8, height * .12 + width * .15],
                 fill=(250, 220, 120))
    for band, colour in enumerate(((60, 110, 70), (40, 85, 55), (30, 60, 40))):
        base = height * (.55 + band * .13)
        points = [(x, base + ((x * (seed + band + 3)) % 170) - 60)
                  for x in range(0, width + 200, 200)]
        draw.polygon([(0, height), *points, (width, height)], fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def wire_feed(pictures: str) -> bytes:
    items = []
    for n, (headline, section, picture) in enumerate(STORIES):
        media = ""
        if picture:
            name, credit, caption = picture
            # One picture comes without a size: the page stands a 3:2 box in for it.
            size = '' if name == "forest.jpg" else ' width="1600" height="1067"'
            media = (f'<media:content url="{pictures}/{name}" medium="image" '
                     f'type="image/jpeg"{size}>'
                     + (f"<media:credit>{credit}</media:credit>" if credit else "")
                     + (f"<media:description>{caption}</media:description>" if caption
                        else "") + "</media:content>")
        words = " ".join(f"{w}{n}" for w in ("report", "on", "what", "officials", "said"))
        body = "".join(f"<p>{html.escape(headline)} was reported on Friday; {words}, "
                       f"paragraph {p} of the story with enough words.</p>" for p in range(4))
        body += (f"<p>Officials in Santiago said{n} more would follow{n}; in Santiago "
                 f"the news{n} spread{n}.</p>")  # a place named twice: a tag
        items.append(
            f"<item><title>{html.escape(headline)}</title><guid>front-{n}</guid>"
            f"<link>https://wire.example.org/front-{n}</link><category>{section}</category>"
            f"<pubDate>Fri, 11 Jul 2025 {20 - n // 2:02d}:{(n % 2) * 30:02d}:00 GMT</pubDate>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>{media}</item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Wire</title>'
            '<link>https://wire.example.org/</link><description>test</description>'
            + "".join(items) + "</channel></rss>").encode()


@pytest.fixture
def site(instance, picture_server, tmp_path):
    """The edition, its copy ingested and its pictures stored (tests/pictureserver.py is
    the agency's host)."""
    for seed, (_headline, _section, picture) in enumerate(STORIES):
        if picture:
            picture_server.routes[f"/{picture[0]}"] = scene(seed)
    migrate(instance.env)
    run_django("from wiredesk.newsroom.services import section_ensure\n"
               "for n, name in enumerate(('World', 'Business', 'Sport')):\n"
               "    section_ensure(slug=name.lower(), name=name, position=n)", instance.env)
    feed = tmp_path / "wire.rss"
    feed.write_bytes(wire_feed(picture_server.url))
    instance.run("ingest", str(feed), "--agency", "WIRE")
    assert "6 picture(s) stored" in instance.run("pictures", "fetch")
    instance.run("edition", "add", "--name", "Chile Sun", "--timezone", "America/Santiago")
    return instance.serve() + "/chile-sun"


RECORD_LAYOUT_SHIFTS = """window.__shifts = [];
new PerformanceObserver(list => { for (const entry of list.getEntries())
    window.__shifts.push(entry.value); }).observe({type: 'layout-shift', buffered: true});"""

LOAD_EVERY_PICTURE = """async () => {
    // Lazy pictures load when scrolled near: scroll through the page as a reader would.
    for (let y = 0; y < document.body.scrollHeight; y += 400) {
        window.scrollTo(0, y); await new Promise(r => setTimeout(r, 60));
    }
    window.scrollTo(0, 0);
    await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
}"""

IMAGES = """() => [...document.images].map(img => ({
    src: img.currentSrc, alt: img.getAttribute('alt'), width: img.getAttribute('width'),
    height: img.getAttribute('height'), loading: img.getAttribute('loading'),
    loaded: img.complete && img.naturalWidth > 0,
    credit: img.closest('figure')?.querySelector('.credit')?.textContent || '',
    headline: img.closest('.teaser')?.querySelector('.teaser-title')?.textContent.trim()
        || document.querySelector('h1').textContent.trim()}))"""


def look(page, url: str, viewport: dict, shots: Path, name: str) -> list[dict]:
    """Open the page at this size, keep a first-screen and a whole-page screenshot, and
    check what every page owes a reader at any width."""
    page.set_viewport_size(viewport)
    failed: list[str] = []

    def failure(request):
        if request.failure != "net::ERR_ABORTED":  # cancelled by a navigation, not broken
            failed.append(f"{request.failure} {request.url}")

    def error(response):
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("requestfailed", failure)
    page.on("response", error)
    page.goto(url)
    page.evaluate(LOAD_EVERY_PICTURE)
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfailed", failure)
    page.remove_listener("response", error)
    page.screenshot(path=shots / f"{name}-{viewport['width']}.png")
    page.screenshot(path=shots / f"{name}-{viewport['width']}-full.png", full_page=True)
    assert failed == [], (name, failed)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
    # Nothing moves while the pictures arrive: each box was reserved (width and height).
    shifts = page.evaluate("window.__shifts")
    if shifts:  # once can be a loaded machine's late paint; a box left unreserved shifts again
        page.reload()
        page.evaluate(LOAD_EVERY_PICTURE)
        page.wait_for_load_state("networkidle")
        shifts = page.evaluate("window.__shifts")
    assert shifts == [], (name, shifts)
    images = page.evaluate(IMAGES)
    for image in images:
        assert image["loaded"], (name, image)  # no broken picture
        assert image["width"] and image["height"], (name, image)  # its box is reserved
        assert image["alt"] is not None and image["alt"] != image["headline"], (name, image)
    return images


def lead_box(page) -> dict:
    return page.evaluate("""() => { const r = document.querySelector('.front-lead img')
        .getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,
        right: r.right, height: r.height, width: r.width, fold: innerHeight}; }""")


def test_front_page_with_pictures_at_desk_and_phone_widths(site, page, tmp_path, capsys):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    page.add_init_script(RECORD_LAYOUT_SHIFTS)
    for viewport in (WIDE, PHONE):
        images = look(page, site + "/", viewport, shots, "home")
        box = lead_box(page)
        # The lead picture is whole on the first screen, and large: more than half the
        # page's column on the desk (1088 px), all of it on a phone.
        assert 0 < box["top"] < box["bottom"] <= box["fold"], (viewport, box)
        assert box["width"] >= (560 if viewport is WIDE else 350), (viewport, box)
        lead = page.locator(".front-lead")
        assert lead.locator(".teaser-title").is_visible()
        assert lead.locator(".credit").inner_text() == "Photo: Wire Photos/Ana Rojas"
        assert lead.locator(".credit").is_visible()
        assert page.locator(".front-secondary .picture-secondary").count() == 4
        assert page.locator("ol.teasers .picture-thumb").count() >= 1
        eager = [i["headline"] for i in images if i["loading"] != "lazy"]
        assert eager == [STORIES[1][0]]  # the lead's picture alone loads at once
        # Our stored copy, a width chosen for the screen (never the agency's address);
        # every credit the agency gave under its picture.
        assert all("/media/pictures/" in i["src"] for i in images), images
        credited = {i["headline"]: i["credit"] for i in images}
        for headline, _section, picture in STORIES:
            if picture and headline in credited:
                assert credited[headline] == (f"Photo: {picture[1]}" if picture[1] else "")
        # The lead's link covers its picture: a tap on the picture opens the story.
        assert page.locator(".front-lead").evaluate(
            "el => { const r = el.querySelector('img').getBoundingClientRect();"
            " return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)"
            ".closest('a') !== null; }")

    # The smallest phones: nothing sideways still, and the lead picture begins on screen.
    look(page, site + "/", SMALL_PHONE, shots, "home")
    assert lead_box(page)["top"] < SMALL_PHONE["height"] / 2

    page.set_viewport_size(PHONE)
    page.goto(site + "/")
    page.locator(".front-lead .teaser-title a").click()
    page.wait_for_load_state()
    article = page.url
    look(page, article, PHONE, shots, "article")
    assert page.locator("figure.picture-article .credit").inner_text() == (
        "Photo: Wire Photos/Ana Rojas")
    for name, link in (("section", "nav.sections a >> text=Business"),
                       ("story", "text=All coverage of this story"),
                       ("tag", "nav.tags a")):
        page.goto(article)
        page.locator(link).first.click()
        page.wait_for_load_state()
        images = look(page, page.url, PHONE, shots, name)
        assert images, name  # pictures on section, story and tag pages too
    with capsys.disabled():
        print(f"\nscreenshots: {shots}")

"""A right-to-left edition in Chromium: an Arabic edition (``--language ar``) carrying
Arabic copy that names a Latin-script person mirrors its whole page with the same
stylesheet, while an English edition on the same instance is laid out as before.

The page's direction is rtl; the masthead's brand and the section navigation start at
the right; ``text-align: start`` lands text on the right; the rail sits at the left of the
article; the logical margins and borders (site.css writes no left or right) fall on the
mirrored side; a Latin byline inside Arabic keeps its closing parenthesis at its own end
(``<bdi>``), and dates read in Arabic. Both pages' screenshots are kept in the test's tmp
directory (printed with -s) for a person to look at.
"""

from __future__ import annotations

import html
from itertools import pairwise

import pytest

from tests.e2e.processes import migrate, run_django

pytestmark = pytest.mark.e2e

WIDE = {"width": 1280, "height": 900}
SECTIONS = ("World", "Business", "Sport")

ARABIC = [
    ("وزير الطاقة يلتقي Fatih Birol في أبوظبي لبحث أسعار النفط", "Business",
     "قال وزير الطاقة إنه بحث مع Fatih Birol، المدير التنفيذي لوكالة الطاقة الدولية (IEA)، "
     "توقعات الطلب على النفط في العام المقبل."),
    ("أمطار غزيرة تغلق الطرق في جنوب البلاد", "World",
     "أغلقت السلطات عدة طرق في الجنوب بعد أمطار غزيرة استمرت يومين، وطلبت من السكان البقاء "
     "في منازلهم."),
    ("المنتخب الوطني يفوز في مباراة ودية استعدادا للبطولة", "Sport",
     "فاز المنتخب الوطني في مباراة ودية أمس، وقال المدرب إن اللاعبين أظهروا روحا عالية."),
    ("البنك المركزي يبقي أسعار الفائدة دون تغيير", "Business",
     "أبقى البنك المركزي أسعار الفائدة دون تغيير للشهر الثالث على التوالي، مشيرا إلى تراجع "
     "التضخم."),
    ("افتتاح معرض الكتاب بمشاركة مئات دور النشر", "World",
     "افتتح معرض الكتاب أبوابه للزوار بمشاركة مئات دور النشر من أكثر من ثلاثين بلدا."),
]
ENGLISH = [
    ("Ministers meet in Santiago to agree on a shared water plan", "World"),
    ("Copper price climbs for a fifth day as smelters cut output", "Business"),
    ("National sevens squad names two debutants for the series", "Sport"),
    ("Port workers agree a new three-year contract after talks", "Business"),
]
BYLINE = "Fatih Birol (IEA)"


def feed(items: list[tuple[str, str, str, str]]) -> bytes:
    """headline, section, body, byline; one hour apart on 11 July 2025."""
    entries = "".join(
        f"<item><title>{html.escape(headline)}</title><guid>rtl-{n}-{abs(hash(headline))}</guid>"
        f"<link>https://wire.example.org/{n}</link><category>{section}</category>"
        + (f"<author>{html.escape(byline)}</author>" if byline else "")
        + f"<pubDate>Fri, 11 Jul 2025 {20 - n:02d}:14:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[{''.join(f'<p>{body}</p>' for _ in range(3))}]]>"
        f"</content:encoded></item>"
        for n, (headline, section, body, byline) in enumerate(items))
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            '<title>Wire</title><link>https://wire.example.org/</link><description>t'
            '</description>' + entries + "</channel></rss>").encode()


@pytest.fixture
def site(instance, tmp_path):
    """An Arabic edition (WAM's Arabic copy) and an English one (WIRE's) on one server."""
    migrate(instance.env)
    run_django("from wiredesk.newsroom.services import section_ensure\n"
               f"for n, name in enumerate({SECTIONS!r}):\n"
               "    section_ensure(slug=name.lower(), name=name, position=n)", instance.env)
    arabic = [(h, s, b, BYLINE if n == 0 else "") for n, (h, s, b) in enumerate(ARABIC)]
    english = [(h, s, f"{h}, officials said on Friday in a statement to reporters.", "")
               for h, s in ENGLISH]
    for agency, items in (("WAM", arabic), ("WIRE", english)):
        path = tmp_path / f"{agency}.rss"
        path.write_bytes(feed(items))
        instance.run("ingest", str(path), "--agency", agency)
    instance.run("edition", "add", "--name", "Akhbar", "--slug", "akhbar", "--language", "ar",
                 "--timezone", "Asia/Dubai", "--agencies", "WAM")
    instance.run("edition", "add", "--name", "Chile Sun", "--timezone", "America/Santiago",
                 "--agencies", "WIRE")
    return instance.serve()


LAYOUT = """() => {
  const box = (el) => el.getBoundingClientRect();
  const one = (selector) => document.querySelector(selector);
  const wrap = box(one('.masthead .wrap'));
  const padding = parseFloat(getComputedStyle(one('.masthead .wrap')).paddingLeft);
  const items = [...document.querySelectorAll('.sections li')].map(li => box(li));
  const title = one('.page-title');
  const text = document.createRange();
  text.selectNodeContents(title);
  const agency = getComputedStyle(one('.meta .agency'));
  const arrow = document.createElement('span');  // as the pagination links carry them
  arrow.className = 'arrow';
  arrow.textContent = '\u2192';
  document.querySelector('main').appendChild(arrow);
  return {
    arrow: getComputedStyle(arrow).transform,
    direction: getComputedStyle(document.documentElement).direction,
    dir: document.documentElement.getAttribute('dir'),
    lang: document.documentElement.lang,
    contentLeft: wrap.left + padding, contentRight: wrap.right - padding,
    brand: {left: box(one('.masthead .brand')).left, right: box(one('.masthead .brand')).right},
    nav: items.map(r => ({left: r.left, right: r.right})),
    titleAlign: getComputedStyle(title).textAlign,
    title: {left: box(title).left, right: box(title).right},
    titleText: {left: text.getBoundingClientRect().left, right: text.getBoundingClientRect().right},
    agencyMargin: {left: agency.marginLeft, right: agency.marginRight,
                   isolation: agency.unicodeBidi},
    times: [...document.querySelectorAll('.meta time')].map(t => t.textContent),
  };
}"""

ARTICLE = """() => {
  const box = (el) => el.getBoundingClientRect();
  const byline = document.querySelector('.byline bdi');
  const at = (node, i) => { const r = document.createRange(); r.setStart(node, i);
                             r.setEnd(node, i + 1); return r.getBoundingClientRect(); };
  const name = byline.firstChild, value = name.textContent;
  return {
    primary: box(document.querySelector('.primary')).left,
    rail: box(document.querySelector('.rail')).right,
    byline: {isolation: getComputedStyle(byline).unicodeBidi,
             direction: getComputedStyle(byline).direction,
             open: at(name, value.indexOf('(')).left, close: at(name, value.indexOf(')')).left,
             first: at(name, 0).left, last: at(name, value.length - 1).left},
    headlineAlign: getComputedStyle(document.querySelector('h1')).textAlign,
  };
}"""


def visit(page, url: str):
    response = page.goto(url)
    page.wait_for_load_state("load")
    assert response.status == 200, url
    return response


def test_an_arabic_edition_mirrors_and_an_english_one_does_not(site, page, tmp_path):
    page.set_viewport_size(WIDE)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    visit(page, f"{site}/akhbar/")
    arabic = page.evaluate(LAYOUT)
    page.screenshot(path=str(tmp_path / "akhbar-rtl.png"), full_page=True)
    story = page.get_by_role("link", name=ARABIC[0][0]).first.get_attribute("href")
    visit(page, f"{site}/chile-sun/")
    english = page.evaluate(LAYOUT)
    page.screenshot(path=str(tmp_path / "chile-sun-ltr.png"), full_page=True)
    print(f"\nscreenshots: {tmp_path}/akhbar-rtl.png {tmp_path}/chile-sun-ltr.png")

    assert (arabic["direction"], arabic["dir"], arabic["lang"]) == ("rtl", "rtl", "ar")
    assert (english["direction"], english["dir"], english["lang"]) == ("ltr", None, "en")
    near = 2  # px

    # The brand stands at the start: the right in Arabic, the left in English.
    assert abs(arabic["brand"]["right"] - arabic["contentRight"]) <= near, arabic
    assert arabic["brand"]["left"] > WIDE["width"] / 2
    assert abs(english["brand"]["left"] - english["contentLeft"]) <= near, english
    assert english["brand"]["right"] < WIDE["width"] / 2

    # The navigation starts at the right and runs leftwards; in English the reverse.
    nav = arabic["nav"]
    assert len(nav) == 1 + len(SECTIONS)
    assert abs(nav[0]["right"] - arabic["contentRight"]) <= near, nav
    assert all(a["left"] > b["right"] for a, b in pairwise(nav)), nav
    nav = english["nav"]
    assert abs(nav[0]["left"] - english["contentLeft"]) <= near, nav
    assert all(a["right"] < b["left"] for a, b in pairwise(nav)), nav

    # text-align: start resolves to the right in Arabic (even for an English title).
    assert arabic["titleAlign"] == english["titleAlign"] == "start"
    assert abs(arabic["titleText"]["right"] - arabic["title"]["right"]) <= near
    assert arabic["titleText"]["left"] > arabic["title"]["left"] + 20
    assert abs(english["titleText"]["left"] - english["title"]["left"]) <= near

    # Logical margins: the agency's code keeps its gap on its end side, isolated.
    assert arabic["agencyMargin"]["left"] == "4.8px" and arabic["agencyMargin"]["right"] == "0px"
    assert english["agencyMargin"]["right"] == "4.8px" and english["agencyMargin"]["left"] == "0px"
    assert arabic["agencyMargin"]["isolation"] == "isolate"

    # The pagination's arrows point the way the pages run.
    assert arabic["arrow"] == "matrix(-1, 0, 0, 1, 0, 0)" and english["arrow"] == "none"

    # Dates in Arabic (July: يوليو) on Dubai's clock, in English on Santiago's.
    assert arabic["times"] and all("يوليو 2025" in t and "غرينتش+4" in t
                                   for t in arabic["times"]), arabic["times"]
    assert english["times"] and all("Jul 2025" in t and "GMT-4" in t
                                    for t in english["times"]), english["times"]

    # The article with the Latin name: the rail at the left of the story, and the byline
    # isolated left to right, its closing parenthesis at its own end.
    visit(page, site + story)
    article = page.evaluate(ARTICLE)
    page.screenshot(path=str(tmp_path / "akhbar-article-rtl.png"), full_page=True)
    assert article["rail"] < article["primary"], article
    assert article["headlineAlign"] == "start"
    byline = article["byline"]
    assert (byline["isolation"], byline["direction"]) == ("isolate", "ltr"), byline
    assert byline["first"] < byline["open"] < byline["close"] == byline["last"], byline
    assert errors == []

"""The demo editions look different in a real browser: each page gets its edition's
colours, fonts and logo from its own stylesheet under the strict CSP (nothing inline),
its 404 page too, and nothing the browser loads is refused or missing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.e2e.test_demo_pages import demo  # noqa: F401  (the demo served by `wiredesk demo`)
from wiredesk.demo import BRANDS

pytestmark = pytest.mark.e2e

LOOK = """() => {
  const style = (selector) => getComputedStyle(document.querySelector(selector));
  const logo = document.querySelector(".masthead .brand img.logo");
  return {
    background: style("body").backgroundColor,
    text: style("body").color,
    bodyFont: style("body").fontFamily,
    headingFont: style("h1").fontFamily,
    brand: style(".masthead .brand").color,
    rule: style(".masthead").borderBottomColor,
    button: style(".search-box button").backgroundColor,
    logo: logo && {src: logo.getAttribute("src"), loaded: logo.complete && logo.naturalWidth > 0,
                   height: logo.getBoundingClientRect().height},
  };
}"""


def rgb(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def visit(page, url: str):
    response = page.goto(url)
    page.wait_for_load_state("load")
    return response


def test_the_demo_editions_each_wear_their_own_look(demo, page, tmp_path):  # noqa: F811
    base, port = demo
    page.set_viewport_size({"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error"
            else None)
    looks, shots = {}, {}
    for slug in ("chile-sun", "euro-ledger"):
        response = visit(page, f"{base}/{slug}/")
        assert response.status == 200
        looks[slug] = page.evaluate(LOOK)
        shots[slug] = page.screenshot(path=str(tmp_path / f"{slug}.png"))
    for slug, look in looks.items():
        fields = BRANDS[slug]["fields"]
        assert look["background"] == rgb(fields["background_color"]), slug
        assert look["text"] == rgb(fields["text_color"]), slug
        assert look["brand"] == look["rule"] == rgb(fields["brand_color"]), slug
        assert look["button"] == rgb(fields["accent_color"]), slug
        assert look["logo"]["loaded"] and look["logo"]["height"] == 48, (slug, look["logo"])
    chile, euro = looks["chile-sun"], looks["euro-ledger"]
    for key in ("background", "text", "brand", "button", "bodyFont", "headingFont"):
        assert chile[key] != euro[key], key
    assert chile["bodyFont"].startswith("Georgia") and euro["bodyFont"].startswith("system-ui")
    assert chile["logo"]["src"] != euro["logo"]["src"]
    # The pixels say the same: the page's background under the masthead.
    for slug, shot in shots.items():
        pixel = Image.open(io.BytesIO(shot)).convert("RGB").getpixel((8, 600))
        assert rgb("#" + "".join(f"{c:02x}" for c in pixel)) == looks[slug]["background"]

    # A missing page on the edition's own host: its masthead, its colours.
    response = visit(page, f"http://chilesun.localhost:{port}/no/such/page")
    assert response.status == 404
    missing = page.evaluate(LOOK)
    page.screenshot(path=str(tmp_path / "chile-sun-404.png"))
    assert page.locator(".masthead .brand").inner_text() == "Chile Sun"
    assert missing["background"] == chile["background"] and missing["logo"]["loaded"]
    # The only console error allowed is the 404 answer itself.
    assert [e for e in errors if "404 (Not Found)" not in e] == []

    # Text pages and a phone's width.
    page.set_viewport_size({"width": 390, "height": 844})
    assert visit(page, f"{base}/euro-ledger/about").status == 200
    page.screenshot(path=str(tmp_path / "euro-ledger-about-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert [e for e in errors if "404 (Not Found)" not in e] == []

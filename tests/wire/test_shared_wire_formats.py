"""Real agency NewsML-G2 / NITF items and IPTC's own samples, read from ../shared/data."""

from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from wiredesk.wire.formats import detect_format
from wiredesk.wire.pipeline import process
from wiredesk.wire.types import WireError

WIRE = SHARED_DATA / "wire-formats"
pytestmark = [pytest.mark.shared_data,
              pytest.mark.skipif(not WIRE.is_dir(), reason=f"{WIRE} is absent")]


def files(folder: str) -> list[Path]:
    return sorted((WIRE / folder).glob("*.xml")) if WIRE.is_dir() else []


def _has_copy(path: Path) -> bool:
    text = path.read_bytes()
    return b"<headline" in text or b"<hl1" in text or b"<title" in text


@pytest.mark.parametrize("path", files("superdesk/nitf") + files("superdesk/newsml-g2"),
                         ids=lambda p: p.name)
def test_every_agency_item_yields_an_article(path):
    result = process(path.read_bytes())
    assert detect_format(path.read_bytes()) in ("nitf", "newsml_g2")
    if path.name == "aap-finance-lite.xml":
        # The file's headline and body are empty: a recorded error, not an article.
        assert not result.items and result.errors
        return
    assert result.items, result.errors
    for item in result.items:
        assert item.headline
        assert item.body_html


def test_agency_fields_come_through():
    by_name = {p.name: process(p.read_bytes()).items for p in
               files("superdesk/nitf") + files("superdesk/newsml-g2")}
    ap = by_name["ap-nitf.xml"][0]
    assert ap.byline == "BERNARD CONDON"
    assert ap.dateline_place == "NEW YORK" and ap.dateline_agencies == ["AP"]
    assert ap.lead.startswith("The gas produced by hog manure")
    fishing = by_name["nitf-fishing.xml"][0]
    assert fishing.status == "canceled" and fishing.embargo_until is not None
    pa3 = by_name["pa3.xml"][0]
    assert pa3.embargo_until is not None
    mapping = by_name["mapping_test.xml"][0]
    assert "41-årig" in mapping.headline  # declared iso-8859-1, really UTF-8
    picture = by_name["picture.xml"][0]
    assert picture.image_url.startswith("http") and "VIEWIMAGE" in picture.image_url
    assert picture.image_credit == "REUTERS" and picture.byline == "MARKO DJURICA"
    dpa = by_name["dpa.xml"][0]
    assert dpa.dateline_agencies == ["dpa"] or dpa.dateline.startswith("London")
    ap_g2 = by_name["ap.xml"]
    assert len(ap_g2) == 3 and ap_g2[0].dateline.startswith("FORT WASHINGTON")


@pytest.mark.parametrize("path", [p for p in files("iptc-newsml-g2/examples")
                                  + files("iptc-newsml-g2/schema-tests-should-pass")
                                  if b"<newsItem" in p.read_bytes()], ids=lambda p: p.name)
def test_iptc_news_items_yield_a_headline(path):
    result = process(path.read_bytes())
    if b"<headline" not in path.read_bytes() and b"<hl1" not in path.read_bytes():
        assert result.errors or result.items
        return
    assert result.items and all(i.headline for i in result.items)


@pytest.mark.parametrize("path", files("iptc-newsml-g2/schema-tests-should-fail")
                         + files("iptc-newsml-g2/examples"), ids=lambda p: p.name)
def test_every_iptc_file_is_parsed_or_rejected_cleanly(path):
    try:
        result = process(path.read_bytes())
    except WireError as exc:
        assert str(exc)
        return
    assert result.items or result.errors


@pytest.mark.parametrize("path", files("superdesk/newsml-1.x"), ids=lambda p: p.name)
def test_newsml1_items_yield_articles(path):
    result = process(path.read_bytes())
    assert result.format == "newsml1"
    assert result.items and all(i.headline and i.body_html for i in result.items)


def test_newsml1_fields():
    afp = process((WIRE / "superdesk/newsml-1.x/afp.xml").read_bytes()).items[0]
    assert afp.headline.startswith("Sweden court accepts receivers")
    assert "Chinese-owned company" in afp.body_html  # the inline NITF body
    afp20 = process((WIRE / "superdesk/newsml-1.x/afp20.xml").read_bytes()).items[0]
    assert afp20.headline.startswith("Décès de Naomi Musenga")  # iso-8859-1 decoded
    assert afp20.dateline.startswith("Strasbourg")


def test_reuters_prefixes_are_the_items_status():
    corrected = process((WIRE / "superdesk/newsml-g2/tag_reuters.com_2016_newsml_L1N14N0FF_"
                                 "version_978556838.xml").read_bytes()).items[0]
    assert corrected.headline == ("S. Illinois battles flooding as Mississippi River builds "
                                  "downstream")
    assert corrected.signal == "correction"
    assert corrected.correction_note.startswith("In Jan. 3 story, corrects last paragraph")
    assert "corrects last paragraph" not in corrected.body_html
    update = process((WIRE / "superdesk/newsml-g2/tag_reuters.com_2018_newsml_MTZXEE13ZXCZES_"
                             "2.xml").read_bytes()).items[0]
    assert (update.headline, update.signal) == ("Primeira Liga Results", "update")

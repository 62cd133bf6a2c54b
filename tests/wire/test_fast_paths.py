"""The shortcuts taken for plain text give what the full path gives."""

import html

import ftfy
import nh3
import pytest

from wiredesk.wire import xmlsafe
from wiredesk.wire.language import _letters_by_script
from wiredesk.wire.normalize import repair_text
from wiredesk.wire.sanitize import DROP_WITH_CONTENT, html_to_text

SAMPLES = [
    "Plain ASCII headline, with: punctuation; (and) 'quotes' \"too\" > 3",
    "tab\tand\nnewline", "form\x0cfeed and \x01 control", "nul\x00byte",
    "curly “quotes” — dash", "Ã©tÃ© mojibake", "bidi \u202eevil\u202c and \u2066iso\u2069",
    "nonchar \ufffe\uffff\ufdd0 here", "astral \U0001fffe\U0010ffff emoji \U0001f600",
    "lone \ud800 surrogate", "Ελληνικά και Русский 中文 かな", "a &amp; b <b>c</b>", "cr\r\nlf",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_xml_scrubs_remove_exactly_the_forbidden_characters(text):
    forbidden = set(range(0, 9)) | {0x0B, 0x0C} | set(range(0x0E, 0x20)) \
        | set(range(0xD800, 0xE000)) | set(range(0xFDD0, 0xFDF0)) \
        | {plane << 16 | low for plane in range(17) for low in (0xFFFE, 0xFFFF)}
    bidi = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
    assert xmlsafe.xml_text(text) == "".join(c for c in text if ord(c) not in forbidden)
    assert xmlsafe.wire_text(text) == "".join(c for c in text
                                              if ord(c) not in forbidden | bidi)


@pytest.mark.parametrize("text", SAMPLES)
def test_is_wire_text_says_whether_the_scrub_changes_anything(text):
    assert xmlsafe.is_wire_text(text) == (xmlsafe.wire_text(text) == text)
    for other in SAMPLES:  # joined: clean only when both are
        assert xmlsafe.is_wire_text(f"{text}\n{other}") == (
            xmlsafe.wire_text(text) == text and xmlsafe.wire_text(other) == other)


def test_xml_safe_scrubs_each_field_only_when_one_needs_it():
    from wiredesk.wire.normalize import xml_safe
    from wiredesk.wire.types import Media, WireItem

    clean = WireItem(title="Quake", summary="tab\tand\nnewline", categories=["World"],
                     media=[Media(url="https://x.example/a.jpg", caption="Ελληνικά")])
    assert xml_safe(clean) is clean
    for text in SAMPLES:
        item = WireItem(title=text, summary="plain", body=f"<p>{text}</p>",
                        authors=[text], media=[Media(url="https://x.example/a.jpg",
                                                     caption=text)])
        safe = xml_safe(item)
        assert safe.title == xmlsafe.wire_text(text)
        assert safe.body == xmlsafe.wire_text(f"<p>{text}</p>") and safe.summary == "plain"
        assert safe.authors == [xmlsafe.wire_text(text)]
        assert safe.media[0].caption == xmlsafe.wire_text(text)


@pytest.mark.parametrize("text", [s for s in SAMPLES if "\ud800" not in s])
def test_repair_text_matches_ftfy(text):
    assert repair_text(text) == ftfy.fix_text(
        text, normalization="NFC", uncurl_quotes=False, unescape_html=False,
        fix_latin_ligatures=False, fix_character_width=False)


@pytest.mark.parametrize("text", [s for s in SAMPLES if "\ud800" not in s])
def test_html_to_text_matches_nh3(text):
    flat = html.unescape(nh3.clean(" ".join(text.split()), tags=set(),
                                   clean_content_tags=DROP_WITH_CONTENT))
    assert html_to_text(text) == " ".join(flat.split()).strip()


def test_letters_by_script_counts_every_letter_and_scripts_in_text_order():
    letters, scripts = _letters_by_script("ab Ελλη Рус 中 か 1!")
    assert letters == 2 + 4 + 3 + 1 + 1
    assert list(scripts.items()) == [("greek", 4), ("cyrillic", 3), ("han", 1), ("kana", 1)]


def _teaser_by_every_grapheme(lead: str, target: int = 140) -> str:
    # make_teaser as it was: every grapheme of the lead split out first.
    import regex

    from wiredesk.wire.teaser import teaser_of_graphemes
    text = " ".join((lead or "").split())
    return teaser_of_graphemes(text, regex.findall(r"\X", text), target)


@pytest.mark.parametrize("unit", [
    "word ", "e\u0301", "x", "\U0001f468\u200d\U0001f469\u200d\U0001f467 ", "हिन्दी ", "中文",
    "ไทย", "والهند، ", "a, ", "\r\n", "🇨🇱",
])
@pytest.mark.parametrize("count", [1, 27, 28, 35, 69, 70, 71, 139, 140, 141, 300])
def test_a_teaser_read_from_its_first_graphemes_is_the_teaser_of_all_of_them(unit, count):
    from wiredesk.wire.teaser import make_teaser
    for lead in (unit * count, "Lead: " + unit * count, unit * count + " tail words"):
        assert make_teaser(lead) == _teaser_by_every_grapheme(lead)
        assert make_teaser(lead, 10) == _teaser_by_every_grapheme(lead, 10)


def test_terms_and_folded_text_are_each_words_own_even_when_the_memory_empties(monkeypatch):
    from wiredesk.wire import searchterms
    from wiredesk.wire.searchterms import _singular, fold, folded_text, term, terms
    texts = ["Les élections, والهند! Élection élections", "As eleições eleição",
             "running runs RUNS Runner", "Zürich zurich 中文 हिन्दी", "", "a_b 3rd x2"] * 3
    for kept in (65536, 3, 0):  # the memory emptied as it fills, at each text even
        monkeypatch.setattr(searchterms, "_KNOWN_WORDS_KEPT", kept)
        for text in texts:
            for language in ("fr", "pt", "en", "ar", "", None, "zh"):
                found = searchterms._WORD.findall(text)
                assert terms(text, language) == [term(w, language) for w in found]
                assert terms(text, language, prefix="xx:") == [
                    "xx:" + term(w, language) for w in found]
                code = searchterms.language_code(language)
                assert folded_text(text, language) == " ".join(
                    fold(_singular(w.casefold(), code)) for w in found)


def test_ascii_text_is_split_into_the_same_words_as_any_text():
    import random

    from wiredesk.wire import searchterms
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(128)]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200)))
             for _ in range(2000)]
    texts += ["snake_case and x_1 _lead trail_ __", "3rd-party 2024/25 U.S. e-mail",
              "tab\there\nnew\x00nul\x7fdel", ""]
    for text in texts:
        assert text.isascii()
        assert searchterms._ASCII_WORD.findall(text) == searchterms._WORD.findall(text)

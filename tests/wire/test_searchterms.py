"""wire.searchterms: a word and the query word that should find it make the same term."""

import pytest

from wiredesk.wire.searchterms import (
    fold,
    folded_text,
    language_code,
    stemmer_name,
    term,
    terms,
    words,
)


@pytest.mark.parametrize(("indexed", "typed", "language"), [
    ("والهند", "الهند", "ar"),   # "and India": the conjunction and the article come off
    ("بالهند", "الهند", "ar"),   # "in India"
    ("للهند", "الهند", "ar"),    # "for India": lam and the article's elided alef
    ("وللهند", "الهند", "ar"),   # "and for India"
    ("فالهند", "الهند", "ar"),   # "so India"
    ("الهندية", "الهند", "ar"),  # Snowball's suffix
    ("أحمد", "احمد", "ar"),      # hamza on alef, typed or not
    ("elección", "elecciones", "es"),
    ("elección", "eleccion", "es"),  # typed without the accent
    ("élections", "election", "fr"),
    ("élection", "élections", "fr"),
    ("eleição", "eleições", "pt"),
    ("eleição", "eleicoes", "pt"),
    ("Wahl", "Wahlen", "de"),
    ("Wähler", "wahler", "de"),
    ("running", "runs", "en"),
    ("Zürich", "zurich", "zh"),  # no stemmer: folded only
])
def test_a_word_and_its_forms_share_a_term(indexed, typed, language):
    assert term(indexed, language) == term(typed, language)


@pytest.mark.parametrize(("one", "other", "language"), [
    ("elección", "electricidad", "es"),
    ("wahl", "wald", "de"),
    ("الهند", "هندسة", "ar"),  # "engineering" is not India
])
def test_different_words_stay_apart(one, other, language):
    assert term(one, language) != term(other, language)


def test_english_is_stemmed_as_before():
    assert terms("Central banks raised rates", "en") == ["central", "bank", "rais", "rate"]


def test_words_keep_combining_marks_and_spans():
    text = "हिन्दी समाचार, café"
    found = [(m.group(), m.span()) for m in words(text)]
    assert found == [("हिन्दी", (0, 6)), ("समाचार", (7, 13)), ("café", (15, 19))]


def test_fold_takes_off_diacritics_and_arabic_prefixes_only():
    assert fold("Éléctions") == "elections"
    assert fold("والهند") == "هند"
    assert fold("ولد") == "ولد"  # too short to be "and" + a word
    assert fold("हिन्दी") == "हिन्दी"  # Devanagari's vowel signs are letters, not accents


def test_folded_text_is_what_another_engine_stems():
    assert folded_text("Les élections, والهند!", "fr") == "les elections هند"
    assert folded_text("As eleições", "pt") == "as eleicao"


@pytest.mark.parametrize(("tag", "code", "stemmer"), [
    ("pt-BR", "pt", "portuguese"), ("es", "es", "spanish"), ("ar", "ar", "arabic"),
    ("nb", "no", "norwegian"), ("english", "en", "english"), ("zh-Hant", "", ""),
    ("", "", ""), (None, "", ""),
])
def test_language_codes(tag, code, stemmer):
    assert language_code(tag) == code
    assert stemmer_name(tag) == stemmer

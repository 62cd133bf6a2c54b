"""The words of a text as a search index holds them, in the text's language.

One function for both sides of a search: what an article's text is indexed as and what a
reader's query looks up must be made the same way, or "elecciones" never meets "elección".

- ``words``: the words of a text (letters and digits with their combining marks), with
  where each stands, so a highlighter can mark the original text.
- ``fold``: a word in the form every language shares: lower case, Latin, Greek and
  Cyrillic diacritics off (what SQLite's ``remove_diacritics 2`` does), Arabic letters
  written one way (hamza forms of alef, alef maqsura, taa marbuta, tatweel and short
  vowels), and Arabic's attached conjunctions, prepositions and article taken off
  (``والهند`` -> ``هند``, the light prefix rules of Larkey's light10), decided by the
  word's script, whatever the text's language.
- ``term``: the folded word stemmed by the Snowball stemmer of the text's language
  (``snowballstemmer``; PyStemmer's C version when installed), the word itself for a
  language without one.
- ``stemmer_name``: the Snowball stemmer of a BCP 47 tag, the same name as PostgreSQL's
  text search configuration of that language.

Pure: no Django, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

# Primary language subtag -> Snowball stemmer, which is also the name of PostgreSQL's text
# search configuration for it (PostgreSQL 15: SELECT cfgname FROM pg_ts_config).
STEMMERS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
# Other tags of the same stemmer.
_ALIASES = {"nb": "no", "nn": "no", "ms": "id"}

# Combining marks a word keeps (Devanagari's vowel signs are part of its words); the
# diacritics among them are taken off by ``fold``.
_MARKS = "".join(f"{chr(a)}-{chr(b)}" for a, b in (
    (0x0300, 0x036F), (0x0483, 0x0489), (0x0591, 0x05C7), (0x0610, 0x061A),
    (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED), (0x0900, 0x0903),
    (0x093A, 0x094F), (0x0951, 0x0957), (0x0962, 0x0963), (0x0981, 0x0983),
    (0x09BC, 0x09D7), (0x0B82, 0x0BCD), (0x0BD7, 0x0BD7), (0x0E31, 0x0E3A),
    (0x0E47, 0x0E4E), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x200C, 0x200D),
    (0x20D0, 0x20FF), (0xFE20, 0xFE2F)))
_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{_MARKS}])*")
# ``_WORD`` on text that is all ASCII, where its marks cannot occur and a letter or digit
# other than "_" is one of these: the same words, found in a third of the time.
_ASCII_WORD = re.compile(r"[0-9A-Za-z]+")
# Marks that are diacritics to fold away: Latin, Greek, Cyrillic accents; Arabic vowels.
_DIACRITICS = re.compile("[\u0300-\u036f\u064b-\u065f\u0670\u0640]")
_ARABIC_LETTERS = str.maketrans({"\u0649": "\u064a", "\u0629": "\u0647"})  # ى -> ي, ة -> ه
_ARABIC = re.compile("[\u0600-\u06ff]")
# Larkey's light10 prefixes (and "and for the"), longest first; what is left keeps at
# least two letters. "و" alone ("and") only comes off a word of more than three letters.
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "ولل", "فلل", "لل", "ال")
_ARABIC_CONJUNCTION = "و"
# Plural endings a language's Snowball stemmer leaves different from the singular's:
# Portuguese "eleições" and "eleição" stem to "eleiçõ" and "eleiçã" (also typed
# without accents).
_PLURALS = {"pt": (("ões", "ão"), ("oes", "ao"), ("ãos", "ão"))}


def words(text: str) -> Iterator[re.Match]:
    """Each word of ``text`` as a match: ``group()`` is the word, ``span()`` where it is."""
    return _WORD.finditer(text or "")


def _strip_arabic_prefixes(word: str) -> str:
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix):]
    if word.startswith(_ARABIC_CONJUNCTION) and len(word) > 3:
        return word[1:]
    return word


def _fold_letters(word: str) -> str:
    folded = _DIACRITICS.sub("", unicodedata.normalize("NFKD", word.casefold()))
    return unicodedata.normalize("NFC", folded).translate(_ARABIC_LETTERS)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """The form of ``word`` every language shares (see the module's docstring)."""
    folded = _fold_letters(word)
    return _strip_arabic_prefixes(folded) if _ARABIC.search(folded) else folded


_CODES = {name: code for code, name in reversed(STEMMERS.items())}


def language_code(tag: str | None) -> str:
    """The stemmer's own code for a BCP 47 tag (``pt-BR`` -> ``pt``) or a stemmer's name
    (``english`` -> ``en``); empty for a language no stemmer knows."""
    primary = (tag or "").split("-")[0].split("_")[0].lower()
    primary = _ALIASES.get(primary, _CODES.get(primary, primary))
    return primary if primary in STEMMERS else ""


def stemmer_name(tag: str | None) -> str:
    """The Snowball stemmer (and PostgreSQL configuration) of a tag; empty for none."""
    return STEMMERS.get(language_code(tag), "")


@cache
def _stemmer(name: str):
    import snowballstemmer

    return snowballstemmer.stemmer(name)


@lru_cache(maxsize=65536)
def _stem(word: str, code: str) -> str:
    # Stemmed before folding: the Snowball rules read accents (French "é", German "ä");
    # folded after, so the accents a reader leaves out do not matter.
    word = _singular(word.casefold(), code)
    return _fold_letters(_stemmer(STEMMERS[code]).stemWord(word.casefold()))


def _singular(word: str, code: str) -> str:
    for plural, singular in _PLURALS.get(code, ()):
        if word.endswith(plural):
            return word[: -len(plural)] + singular
    return word


@lru_cache(maxsize=65536)
def term(word: str, language: str | None) -> str:
    """What the index holds for ``word`` in a text in ``language`` (a BCP 47 tag)."""
    code = language_code(language)
    if not code:
        return fold(word)
    if _ARABIC.search(word):
        # Prefixes first: Snowball's Arabic stemmer leaves "والهند" whole.
        return _stem(fold(word), code)
    return _stem(word, code)


def terms(text: str, language: str | None, *, prefix: str = "") -> list[str]:
    """The index terms of ``text``, one per word, in order (phrases keep their positions),
    each after ``prefix`` (an index's language tag)."""
    return _each_word(text, ("term", language, prefix),
                      lambda word: prefix + term(word, language))


def folded_text(text: str, language: str | None = None) -> str:
    """``text`` as its folded words, in order: what the stemmer of another engine (a
    PostgreSQL text search configuration) reads, so the index and a query fold alike."""
    code = language_code(language)
    return " ".join(_each_word(text, ("folded", code),
                               lambda word: fold(_singular(word.casefold(), code))))


# Each word as ``terms`` or ``folded_text`` gives it, one dictionary by kind, language and
# prefix: a text's words are looked up in it (an article's ~600 words, most of them met
# before), where calling a two-argument cache for each word built and hashed a key.
# Emptied when full.
_KNOWN_WORDS_KEPT = 65536
_known_words: dict[tuple, dict[str, str]] = {}


def _each_word(text: str, key: tuple, make) -> list[str]:
    text = text or ""
    words = (_ASCII_WORD if text.isascii() else _WORD).findall(text)
    known = _known_words.get(key)
    if known is None or len(known) > _KNOWN_WORDS_KEPT:
        known = _known_words[key] = {}
    for word in set(words).difference(known):
        known[word] = make(word)
    return list(map(known.__getitem__, words))

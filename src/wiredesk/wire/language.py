"""The language an item is written in, as a BCP 47 tag.

``detect(headline, body_text, declared)`` reads the letters first: a script that only a
few languages use decides alone or narrows the choice (Arabic letters are Arabic unless
the text reads as Persian, Urdu or Pashto; Devanagari is Hindi unless Marathi or Nepali;
Hangul is Korean, kana Japanese, and so on), so an Arabic item is never labelled English
whatever its feed declares. Latin and the other shared scripts go to py3langid, whose
model ships in its wheel (no download at run time; chosen by ``benchmarks/language.py``),
restricted to the languages news is written in so that a headline is not taken for a
regional dialect (Extremaduran, Nigerian Pidgin, Luxembourgish).

What the feed declares is trusted when the text agrees with it, or is too short to
contradict it; a long text that plainly reads as another language wins. The answer keeps
the declared tag's region when the language agrees (``pt-BR``); otherwise it is the
detected primary language (``es``). Empty when nothing can be said: callers fall back to
the edition's language. Pure: no Django, no database.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["RTL_LANGUAGES", "detect", "direction", "normalize_tag", "primary"]

# Right-to-left languages, by primary subtag.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ug", "ckb", "sd", "ku"})

# The languages py3langid may answer (news is written in them): its model also knows
# dialects and tiny languages that steal short headlines from their big neighbours.
NEWS_LANGUAGES = frozenset({
    "af", "am", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
    "es", "et", "eu", "fa", "fi", "fr", "ga", "gu", "he", "hi", "hr", "hu", "hy", "id", "is",
    "it", "ja", "ka", "kk", "km", "kn", "ko", "lt", "lv", "mk", "ml", "mn", "mr", "ms", "mt",
    "my", "ne", "nl", "no", "pa", "pl", "ps", "pt", "ro", "ru", "si", "sk", "sl", "so", "sq",
    "sr", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "uz", "vi", "xh", "yo", "zh",
    "zu",
})

# Below this many letters a text cannot overrule what its feed declares.
MIN_LETTERS = 40
# The detector must be this sure (of its normalized probability) to overrule a
# declaration, or to answer at all when nothing was declared.
OVERRULE_CONFIDENCE = 0.9
ANSWER_CONFIDENCE = 0.9
# A body is read only this far: the language does not change after the first paragraphs.
READ_CHARS = 2000

# Unicode blocks of the scripts that decide or narrow the language.
_ABOVE_LATIN = re.compile("[^\x00-\u036f]+")
_SCRIPT_RANGES = (
    ("arabic", 0x0600, 0x06FF), ("arabic", 0x0750, 0x077F), ("arabic", 0x08A0, 0x08FF),
    ("arabic", 0xFB50, 0xFDFF), ("arabic", 0xFE70, 0xFEFF),
    ("hebrew", 0x0590, 0x05FF), ("greek", 0x0370, 0x03FF), ("cyrillic", 0x0400, 0x04FF),
    ("armenian", 0x0530, 0x058F), ("devanagari", 0x0900, 0x097F),
    ("bengali", 0x0980, 0x09FF), ("gurmukhi", 0x0A00, 0x0A7F), ("gujarati", 0x0A80, 0x0AFF),
    ("oriya", 0x0B00, 0x0B7F), ("tamil", 0x0B80, 0x0BFF), ("telugu", 0x0C00, 0x0C7F),
    ("kannada", 0x0C80, 0x0CFF), ("malayalam", 0x0D00, 0x0D7F), ("sinhala", 0x0D80, 0x0DFF),
    ("thai", 0x0E00, 0x0E7F), ("lao", 0x0E80, 0x0EFF), ("myanmar", 0x1000, 0x109F),
    ("georgian", 0x10A0, 0x10FF), ("hangul", 0x1100, 0x11FF), ("ethiopic", 0x1200, 0x137F),
    ("khmer", 0x1780, 0x17FF), ("kana", 0x3040, 0x30FF), ("han", 0x3400, 0x4DBF),
    ("han", 0x4E00, 0x9FFF), ("hangul", 0xAC00, 0xD7AF),
)
# Script -> the languages written in it (the first is the answer when the detector has
# no better one); scripts not listed (Latin, ...) go to the detector unrestricted.
_SCRIPT_LANGUAGES = {
    "arabic": ("ar", "fa", "ur", "ps"),
    "hebrew": ("he",),
    "greek": ("el",),
    "cyrillic": ("ru", "uk", "bg", "sr", "mk", "be", "kk", "mn"),
    "armenian": ("hy",),
    "devanagari": ("hi", "mr", "ne"),
    "bengali": ("bn",),
    "gurmukhi": ("pa",),
    "gujarati": ("gu",),
    "oriya": ("or",),
    "tamil": ("ta",),
    "telugu": ("te",),
    "kannada": ("kn",),
    "malayalam": ("ml",),
    "sinhala": ("si",),
    "thai": ("th",),
    "lao": ("lo",),
    "myanmar": ("my",),
    "georgian": ("ka",),
    "hangul": ("ko",),
    "ethiopic": ("am",),
    "khmer": ("km",),
    "kana": ("ja",),
    "han": ("zh", "ja"),
}

_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def normalize_tag(tag: str | None) -> str:
    """A language tag in its usual case (``pt-br`` -> ``pt-BR``, ``zh_hant`` ->
    ``zh-Hant``); empty when it is not one (``""``, ``"English"``, ``"x"``)."""
    tag = (tag or "").strip().replace("_", "-")
    if not _TAG.match(tag):
        return ""
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())        # region
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())        # script
        else:
            out.append(part.lower())
    return "-".join(out)


def primary(tag: str | None) -> str:
    """The primary language subtag: ``pt-BR`` -> ``pt``; empty for no tag."""
    return normalize_tag(tag).split("-")[0]


def direction(tag: str | None) -> str:
    """``rtl`` for a right-to-left language, else ``ltr``."""
    return "rtl" if primary(tag) in RTL_LANGUAGES else "ltr"


def _script_of(ch: str) -> str | None:
    code = ord(ch)
    if code < 0x0370:
        return None
    for name, low, high in _SCRIPT_RANGES:
        if low <= code <= high:
            return name
    return None


def _letters_by_script(text: str) -> tuple[int, dict[str, int]]:
    letters = sum(map(str.isalpha, text))
    scripts: dict[str, int] = {}
    # Only letters above Latin have a script here: look at those characters alone,
    # in text order (the first script seen wins a tie).
    for ch in "".join(_ABOVE_LATIN.findall(text)):
        if not ch.isalpha():
            continue
        script = _script_of(ch)
        if script is not None:
            scripts[script] = scripts.get(script, 0) + 1
    return letters, scripts


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE

    # py3langid's identifier, its features counted without a Python step per byte
    from wiredesk.wire.langid_walk import WalkingIdentifier
    identifier = WalkingIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted(NEWS_LANGUAGES))
    # set_languages leaves the feature table column-major (a fancy-indexed copy); every
    # item gathers rows of it, twice as fast from a row-major copy of the same numbers.
    import numpy
    identifier.nb_ptc = numpy.ascontiguousarray(identifier.nb_ptc)
    return identifier


def _ranked(text: str, among: tuple[str, ...] | None = None) -> list[tuple[str, float]]:
    ranked = _identifier().rank(text)
    if among is None:
        return ranked
    kept = [(lang, p) for lang, p in ranked if lang in among]
    total = sum(p for _, p in kept) or 1.0
    return [(lang, p / total) for lang, p in kept]


def detect(headline: str, body_text: str = "", declared: str | None = None) -> str:
    """The item's language as a BCP 47 tag (see the module's docstring)."""
    declared_tag = normalize_tag(declared)
    declared_primary = declared_tag.split("-")[0]
    text = f"{headline or ''}\n{(body_text or '')[:READ_CHARS]}"
    letters, scripts = _letters_by_script(text)
    if not letters:
        return declared_tag

    script = max(scripts, key=scripts.get) if scripts else None
    if script is not None and scripts[script] * 2 >= letters:
        candidates = _SCRIPT_LANGUAGES[script]
        if declared_primary in candidates:
            return declared_tag
        if script == "han" and "kana" in scripts:
            return "ja"
        if len(candidates) == 1:
            return candidates[0]
        # The script's main language unless the text plainly reads as another one of it.
        best, confidence = _ranked(text, candidates)[0]
        return best if confidence >= OVERRULE_CONFIDENCE else candidates[0]

    # Mostly Latin letters (or another script the detector reads unrestricted).
    ranked = _ranked(text)
    best, confidence = ranked[0]
    if declared_tag:
        if best == declared_primary or letters < MIN_LETTERS:
            return declared_tag
        if confidence < OVERRULE_CONFIDENCE:
            return declared_tag
        return best
    if confidence < ANSWER_CONFIDENCE:
        return ""
    return best

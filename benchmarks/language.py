"""Language detection: accuracy and speed of the candidate detectors on wire copy.

    python benchmarks/language.py --data ../shared/data [--english 300]

The texts: headlines and bodies written for this benchmark in es, fr, pt, de, ar, hi and
en (``language_samples``), English headlines and bodies from bbc_news and ag_news, German
from dpa's NewsML-G2 sample. Each candidate ships its model in its wheel (nothing is
downloaded at run time); ``py3langid-news`` is py3langid restricted to the
languages news is written in; ``wiredesk`` is the product's own ``wire.language.detect``
(script shortcuts, then py3langid-news; empty, "unknown", rather than a guess under 90 %),
and ``wiredesk-declared-en`` the same for a feed that declares English for every item.
Prints one line per candidate and text kind, and writes results/language.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from language_samples import BODIES, HEADLINES

RESULTS = Path(__file__).resolve().parent / "results"


def load_texts(data: Path, english: int) -> dict[str, list[tuple[str, str]]]:
    headlines = [(lang, text) for lang, texts in HEADLINES.items() for text in texts]
    bodies = [(lang, text) for lang, texts in BODIES.items() for text in texts]
    with open(data / "ag_news" / "test.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:english]
    headlines += [("en", row["title"]) for row in rows]
    bodies += [("en", row["description"]) for row in rows]
    bbc = sorted((data / "bbc_news" / "business").glob("*.txt"))[:english // 3]
    for path in bbc:
        lines = path.read_text(encoding="latin-1").splitlines()
        headlines.append(("en", lines[0]))
        bodies.append(("en", " ".join(lines[1:])[:1500]))
    dpa = data / "wire-formats" / "superdesk" / "newsml-g2" / "dpa.xml"
    if dpa.exists():
        text = re.sub(r"<[^>]+>", " ", dpa.read_text(encoding="utf-8").split("<inlineXML", 1)[-1])
        bodies.append(("de", " ".join(text.split())[:1500]))
    return {"headline": headlines, "body": bodies}


def candidates() -> dict:
    out = {}
    import py3langid
    out["py3langid"] = lambda text: py3langid.classify(text)[0]

    import langdetect
    langdetect.DetectorFactory.seed = 0

    def _langdetect(text):
        try:
            return langdetect.detect(text)
        except langdetect.LangDetectException:
            return "und"
    out["langdetect"] = _langdetect

    from lingua import LanguageDetectorBuilder
    lingua = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def _lingua(text):
        found = lingua.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else "und"
    out["lingua"] = _lingua

    from wiredesk.wire.language import _ranked, detect
    out["py3langid-news"] = lambda text: _ranked(text)[0][0]
    out["wiredesk"] = lambda text: detect(text, "")
    # A feed that declares English for everything: the text must still win when it can.
    out["wiredesk-declared-en"] = lambda text: detect(text, "", declared="en")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--english", type=int, default=300)
    args = parser.parse_args()
    texts = load_texts(args.data, args.english)
    results = []
    for name, fn in candidates().items():
        fn("warm up the model")
        for kind, items in texts.items():
            start = time.perf_counter()
            answers = [fn(text) for _, text in items]
            seconds = time.perf_counter() - start
            right = sum(a == lang for a, (lang, _) in zip(answers, items, strict=True))
            wrong_other = sum(a != lang for a, (lang, _) in zip(answers, items, strict=True)
                              if lang != "en")
            non_en = sum(1 for lang, _ in items if lang != "en")
            unknown = sum(1 for a in answers if a in ("", "und"))
            row = {"detector": name, "kind": kind, "items": len(items),
                   "accuracy": round(right / len(items), 4), "unknown": unknown,
                   "non_english_wrong": f"{wrong_other}/{non_en}",
                   "items_per_s": round(len(items) / seconds)}
            results.append(row)
            print(f"{name:11} {kind:8} n={len(items):4} accuracy={row['accuracy']:.3f} "
                  f"unknown={unknown:3} "
                  f"non-English wrong={row['non_english_wrong']:6} "
                  f"{row['items_per_s']:7}/s")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "language.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

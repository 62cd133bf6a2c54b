"""Tags (people, organisations, places) on ECB+: this tree's extractor vs another commit's.

    python benchmarks/tags.py --data ../shared/data/ecb_plus --out FILE [--ref COMMIT]
        [--results benchmarks/results/tags.json]

Both extractors read the same text (the product's ``wire.entities.extract``, called as
ingest calls it: headline = first sentence, body = the rest, source-URL lines dropped as in
benchmarks/stories.py). The reference is ``wire/entities.py`` at ``--ref`` (today's
extractor by default), loaded from git and run in the same process.

Scoring uses the entity mentions annotated in the ECB+ XML: ``HUMAN_PART_PER`` person,
``HUMAN_PART_ORG`` organisation, ``HUMAN_PART_GPE`` and ``LOC_*`` place. A mention is
*named* when it holds a capitalised word that is not a pronoun or determiner; its names are
its runs of capitalised words (``actress Tara Reid`` -> ``Tara Reid``; ``the Mediterranean
between Sicily and North Africa`` -> three places; a possessive ``'s`` ends a run; a lone
sentence-opening word counts only if the document capitalises it mid-sentence too). A tag
*matches* when its key (``entity_key``) equals the key of a named mention of the same
document. ECB+ annotates only the mentions about each document's event, so unmatched tags
are not all wrong: matched / tags is a lower bound on precision. Kind accuracy is over
matched tags (the mention's kind; a name annotated with two kinds in one document counts as
right for either). Recall: share of the distinct (document, named mention key) pairs that
are tags.

``--out`` writes one JSON line per article for this tree's extractor:
``{"doc_id": ..., "tags": [{"name": ..., "kind": ...}]}``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from stories import clean_text, load  # noqa: E402
from wiredesk.wire import entities  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE_COMMIT = "8d6450d"  # main before issue 17 item 2: today's extractor
KINDS = {"HUMAN_PART_PER": "person", "HUMAN_PART_ORG": "organisation",
         "HUMAN_PART_GPE": "place"}
_PRONOUNS = """i he she it we they you him her them us me his its our their my your the a an
this that these those who which what one"""
NOT_NAMES = frozenset(_PRONOUNS.split())
FOLDS = 5
ROUNDS = 3


def _kind_of(tag: str) -> str | None:
    if tag in KINDS:
        return KINDS[tag]
    if tag.startswith("LOC_"):
        return "place"
    return None


_CONNECTORS = frozenset({"of", "de", "del", "la", "le", "al", "bin", "van", "von", "der",
                         "da", "du", "for", "and", "&"})


def _mention_names(words: list[tuple[str, bool]], proper: set[str]) -> list[str]:
    """The names inside a mention: its runs of capitalised words (connectors inside a run).

    ``words``: (word, opens its sentence). A lone sentence-opening word is a name only if the
    document also capitalises it mid-sentence ("Police ..." vs "Crime boss ...").
    """
    names, run, lone_opener = [], [], False

    def close() -> None:
        while run and run[-1] in _CONNECTORS:
            run.pop()
        if run and not (len(run) == 1 and lone_opener and run[0] not in proper):
            names.append(" ".join(run))

    for word, opens in words:
        if word[:1].isupper() and word.lower() not in NOT_NAMES:
            if not run:
                lone_opener = opens
            run.append(word)
        elif run and word in _CONNECTORS:
            run.append(word)
        else:  # a lower-case word or a possessive ends the run
            close()
            run = []
    close()
    return names


def load_mentions(data: Path, doc_ids: set[str]) -> dict[str, dict[str, set[str]]]:
    """doc_id -> {mention key: kinds} for the named mentions of the wanted documents."""
    mentions: dict[str, dict[str, set[str]]] = {}
    with tarfile.open(data / "ecbplus_xml.tar.gz") as archive:
        for member in archive.getmembers():
            stem = Path(member.name).stem
            if not member.isfile() or not member.name.endswith(".xml") or stem not in doc_ids:
                continue
            root = ET.parse(archive.extractfile(member)).getroot()
            tokens = {t.get("t_id"): (t.text or "", t.get("number") == "0")
                      for t in root.iter("token")}
            proper = {text for text, opens in tokens.values()
                      if not opens and text[:1].isupper()}
            found = mentions.setdefault(stem, {})
            markables = root.find("Markables")
            for mention in (markables if markables is not None else []):
                kind = _kind_of(mention.tag)
                anchors = [a.get("t_id") for a in mention.iter("token_anchor")]
                if kind is None or not anchors:
                    continue
                for name in _mention_names([tokens.get(t, ("", False)) for t in anchors], proper):
                    key = entities.entity_key(name)
                    if key:
                        found.setdefault(key, set()).add(kind)
    return mentions


def load_reference(commit: str):
    source = subprocess.run(["git", "show", f"{commit}:src/wiredesk/wire/entities.py"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="wd-tags-ref-")) / "reference_entities.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("reference_entities", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["reference_entities"] = module
    spec.loader.exec_module(module)
    return module


def run(extract, docs: list[dict]) -> dict[str, list]:
    texts = [clean_text(d["text"]) for d in docs]
    return {d["doc_id"]: extract(headline, body) for d, (headline, body) in zip(docs, texts,
                                                                                strict=True)}


def speeds(systems: dict, docs: list[dict], rounds: int = ROUNDS) -> dict[str, float]:
    """Items/s of each extractor, best of ``rounds`` runs taken in turn (A, B, A, B, ...):
    the machine is shared and its speed drifts. Lazy data (a gazetteer) is loaded first,
    once per process, not per item."""
    texts = [clean_text(d["text"]) for d in docs]
    best: dict[str, float] = {}
    for extract in systems.values():
        extract(*texts[0])
    for _ in range(rounds):
        for label, extract in systems.items():
            started = time.perf_counter()
            for headline, body in texts:
                extract(headline, body)
            rate = len(texts) / (time.perf_counter() - started)
            best[label] = max(best.get(label, 0.0), rate)
    return best


def score(tags: dict[str, list], mentions: dict[str, dict[str, set[str]]],
          doc_ids: list[str]) -> dict:
    total = matched = right = 0
    wrong: Counter[str] = Counter()
    found_pairs = 0
    annotated_pairs = 0
    for doc_id in doc_ids:
        gold = mentions.get(doc_id, {})
        keys = set()
        for tag in tags[doc_id]:
            key = entities.entity_key(tag.name)
            keys.add(key)
            total += 1
            if key in gold:
                matched += 1
                if tag.kind in gold[key]:
                    right += 1
                else:
                    wrong[f"{tag.name} ({tag.kind}, annotated {'/'.join(sorted(gold[key]))})"] += 1
        annotated_pairs += len(gold)
        found_pairs += len(keys & set(gold))
    return {"docs": len(doc_ids), "tags": total, "matched": matched,
            "precision_lower_bound": round(matched / total, 3) if total else 0.0,
            "kind_accuracy_on_matched": round(right / matched, 3) if matched else 0.0,
            "recall_named_mentions": round(found_pairs / annotated_pairs, 3)
            if annotated_pairs else 0.0,
            "annotated_named_mentions": annotated_pairs,
            "wrong_kind_examples": [w for w, _ in wrong.most_common(30)]}


def by_topic_folds(docs: list[dict]) -> list[list[str]]:
    """Topics dealt round-robin into folds: the spread of the figures across topic groups."""
    topics = sorted({d["topic"] for d in docs})
    folds: list[list[str]] = [[] for _ in range(FOLDS)]
    for d in docs:
        folds[topics.index(d["topic"]) % FOLDS].append(d["doc_id"])
    return folds


def limit_cross_validation(docs: list[dict], mentions: dict, target: float = 0.5) -> dict:
    """The tag limit chosen on four topic folds, scored on the fifth (for each fold in turn).

    The limit (``entities.MAX_ENTITIES``) was tuned on this data: the largest limit whose
    lower-bound precision reaches ``target`` on the other folds is scored on the held-out one.
    """
    texts = {d["doc_id"]: clean_text(d["text"]) for d in docs}
    ranked = {doc_id: entities.extract(*text, limit=8) for doc_id, text in texts.items()}
    folds = by_topic_folds(docs)

    def figures(doc_ids: list[str], limit: int) -> dict:
        return score({d: ranked[d][:limit] for d in doc_ids}, mentions, doc_ids)

    held_out = []
    for i, fold in enumerate(folds):
        train = [d for j, other in enumerate(folds) if j != i for d in other]
        good = [k for k in range(1, 9) if figures(train, k)["precision_lower_bound"] >= target]
        limit = max(good) if good else 1
        result = figures(fold, limit)
        held_out.append({"fold": i, "limit_chosen": limit, "tags": result["tags"],
                         "matched": result["matched"],
                         "precision_lower_bound": result["precision_lower_bound"]})
    tags = sum(f["tags"] for f in held_out)
    matched = sum(f["matched"] for f in held_out)
    sweep = {k: {key: figures(list(texts), k)[key] for key in
                 ("tags", "matched", "precision_lower_bound", "kind_accuracy_on_matched",
                  "recall_named_mentions")} for k in range(1, 9)}
    return {"held_out_folds": held_out, "held_out_tags": tags, "held_out_matched": matched,
            "held_out_precision_lower_bound": round(matched / tags, 3) if tags else 0.0,
            "sweep_all_docs": sweep}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="tags per article (JSON lines)")
    parser.add_argument("--results", type=Path, default=RESULTS / "tags.json")
    parser.add_argument("--ref", default=REFERENCE_COMMIT)
    args = parser.parse_args()
    docs = load(args.data)
    doc_ids = [d["doc_id"] for d in docs]
    mentions = load_mentions(args.data, set(doc_ids))
    reference = load_reference(args.ref)
    systems = {f"reference ({args.ref})": reference.extract, "this tree": entities.extract}
    results = {"data": str(args.data), "docs": len(docs), "reference_commit": args.ref,
               "systems": {}}
    rates = speeds(systems, docs)
    for label, extract in systems.items():
        tags = run(extract, docs)
        figures = score(tags, mentions, doc_ids)
        figures["items_per_second"] = round(rates[label], 1)
        figures["folds_by_topic"] = [
            {k: v for k, v in score(tags, mentions, fold).items()
             if k != "wrong_kind_examples"} for fold in by_topic_folds(docs)]
        results["systems"][label] = figures
        if label == "this tree":
            with open(args.out, "w", encoding="utf-8") as handle:
                for doc_id in doc_ids:
                    handle.write(json.dumps({"doc_id": doc_id, "tags": [
                        {"name": t.name, "kind": t.kind} for t in tags[doc_id]]}) + "\n")
    results["limit_cross_validation"] = limit_cross_validation(docs, mentions)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for label, figures in results["systems"].items():
        print(f"{label}: tags {figures['tags']}, matched {figures['matched']}, "
              f"P>= {figures['precision_lower_bound']}, kind acc "
              f"{figures['kind_accuracy_on_matched']}, recall {figures['recall_named_mentions']}, "
              f"{figures['items_per_second']} items/s")
        for example in figures["wrong_kind_examples"]:
            print("   wrong kind:", example)
    cv = results["limit_cross_validation"]
    print(f"limit chosen on 4 topic folds, scored on the 5th: tags {cv['held_out_tags']}, "
          f"matched {cv['held_out_matched']}, P>= {cv['held_out_precision_lower_bound']}, "
          f"limits {[f['limit_chosen'] for f in cv['held_out_folds']]}")


if __name__ == "__main__":
    main()

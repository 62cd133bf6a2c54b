"""SEE ALSO on ECB+: other rules for the confidence floor, screened on the product's candidates.

    python benchmarks/related_rules.py --data ../shared/data/ecb_plus [--seeds 5]

A quick screen, not the benchmark (``benchmarks/related.py`` is): each arrival order is
clustered by the product (``InMemoryStories``), then every final story's SEE ALSO
candidates are made as ingest makes them (its lookup terms, ``story_candidates``) and each
rule below picks one or none from them. There is no diversity and no re-ranking on
arrival, so a rule scores about what ``related.py`` measures, not exactly (``main``: main
95f1859's rule; ``product``: this tree's, through ``clears_floor`` and ``is_same_event``).
Scored as ``related.py`` scores: a pick is right when its story's first article reports
the other event of the article's topic; precision@1 over the articles with a box, box
share over all articles; "own" and "other topic" split the wrong first picks (a second
account of the article's own event, or a story of another topic). Every setting is
in-sample: the screen only says what is worth measuring, with cross-validation, in
``related.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tests.wire.similarity_indexes import InMemoryStories  # noqa: E402

from stories import clean_text, load  # noqa: E402
from wiredesk.wire import similarity  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
LOOKUP = 30  # candidate stories per ranking, as InMemoryRelated looks them up
MAIN_FLOOR = 0.18  # main's floor (95f1859), on the plain similarity


def final_candidates(docs: list[dict], feats: list, seed: int) -> list[dict]:
    """Per final story: its articles' (topic, event) and its candidates with the first
    article's (topic, event) of each."""
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    stories = InMemoryStories()
    for index in order:
        stories.assign(feats[index], key=index)
    first: dict[int, int] = {}
    articles: dict[int, list[tuple]] = {}
    for index in order:
        story_id = stories.story_of(index)
        first.setdefault(story_id, index)
        articles.setdefault(story_id, []).append((docs[index]["topic"], docs[index]["subcorpus"]))
    rows = []
    for story_id, members in articles.items():
        story = stories.stories[story_id]
        hits: Counter[int] = Counter()
        for term in similarity.query_terms(story.centroid, similarity.RELATED_QUERY_TERMS):
            for other in stories.postings.get(term, ()):
                if other != story_id and other in first:
                    hits[other] += 1
        found = [stories.stories[s] for s, _ in
                 sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:LOOKUP]]
        cands = [{"story": c.story_id, "sim": c.similarity, "names": c.names,
                  "agreement": c.agreement,
                  "event": (docs[first[c.story_id]]["topic"], docs[first[c.story_id]]["subcorpus"])}
                 for c in similarity.story_candidates(story, found)]
        rows.append({"articles": members, "candidates": cands})
    return rows


def blended(c: dict, name_weight: float = similarity.NAME_WEIGHT,
            agreement_weight: float = similarity.AGREEMENT_WEIGHT) -> float:
    return c["sim"] - name_weight * c["names"] - agreement_weight * c["agreement"]


def pick(cands: list[dict], eligible, box=None, score=blended) -> dict | None:
    """The best eligible candidate by ``score``; none when ``box`` (on all candidates)
    says no box or nothing is eligible."""
    if box is not None and not box(cands):
        return None
    kept = [c for c in cands if eligible(c)]
    return max(kept, key=lambda c: (score(c), -c["story"])) if kept else None


def rules() -> dict[str, object]:
    """name -> rule(candidates) -> candidate or None."""
    floor = MAIN_FLOOR
    found: dict[str, object] = {
        f"main: floor {floor} on the plain similarity":
            lambda cs: pick(cs, lambda c: c["sim"] >= floor),
        "product: names in the floor, the same event never shown": lambda cs: pick(
            cs, lambda c: similarity.clears_floor(_candidate(c))
            and not similarity.is_same_event(_candidate(c))),
    }
    for f in (0.16, 0.20):
        found[f"floor {f} on the plain similarity"] = (
            lambda cs, f=f: pick(cs, lambda c: c["sim"] >= f))
    for f in (0.02, 0.06):
        found[f"floor {f} on the blended score"] = (
            lambda cs, f=f: pick(cs, lambda c: blended(c) >= f))
    for a in (0.05, 0.10):
        for f in (0.20, 0.22, 0.24):
            found[f"floor {f} on similarity - {a} x agreement"] = (
                lambda cs, a=a, f=f: pick(cs, lambda c: c["sim"] - a * c["agreement"] >= f))
    for low in (0.12, 0.14, 0.16):
        found[f"box when one clears {floor}, pick among those over {low}"] = (
            lambda cs, low=low: pick(cs, lambda c: c["sim"] >= low,
                                     box=lambda cs: any(c["sim"] >= floor for c in cs)))
    for low in (0.14, 0.16):
        found[f"the same, agreement scaled by similarity (low {low})"] = (
            lambda cs, low=low: pick(
                cs, lambda c: c["sim"] >= low,
                box=lambda cs: any(c["sim"] >= floor for c in cs),
                score=lambda c: c["sim"] * (1 - c["agreement"]) - 0.3 * c["names"]))
    for ratio in (1.0, 1.1, 1.2):
        found[f"veto: names over {ratio} x similarity with agreeing core names"] = (
            lambda cs, ratio=ratio: pick(cs, lambda c: c["sim"] >= floor and not (
                c["names"] > ratio * c["sim"] and c["agreement"] > 0)))
    for k in (0.1, 0.15, 0.2):
        for f in (0.18, 0.19, 0.20, 0.21):
            found[f"floor {f} on similarity + {k} x names"] = (
                lambda cs, k=k, f=f: pick(cs, lambda c: c["sim"] + k * c["names"] >= f))
    for margin in (0.02, 0.05):
        found[f"box only when the first leads the second by {margin}"] = (
            lambda cs, margin=margin: _with_margin(cs, floor, margin))
    return found


def _candidate(c: dict) -> similarity.RelatedCandidate:
    return similarity.RelatedCandidate(c["story"], c["sim"], names=c["names"],
                                       agreement=c["agreement"])


def _with_margin(cands: list[dict], floor: float, margin: float) -> dict | None:
    kept = sorted((c for c in cands if c["sim"] >= floor), key=lambda c: (-blended(c), c["story"]))
    if not kept or (len(kept) > 1 and blended(kept[0]) - blended(kept[1]) < margin):
        return None
    return kept[0]


def evaluate(runs: list[list[dict]], rule) -> dict:
    right = own = other = boxed = total = 0
    for stories in runs:
        for story in stories:
            total += len(story["articles"])
            chosen = rule(story["candidates"])
            if chosen is None:
                continue
            for topic, event in story["articles"]:
                boxed += 1
                if chosen["event"][0] != topic:
                    other += 1
                elif chosen["event"][1] == event:
                    own += 1
                else:
                    right += 1
    return {"precision_at_1": right / boxed if boxed else 0.0, "box_share": boxed / total,
            "own_event_share": own / boxed if boxed else 0.0,
            "other_topic_share": other / boxed if boxed else 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/ecb_plus"))
    parser.add_argument("--seeds", type=int, default=5, help="arrival orders to pool")
    parser.add_argument("--results", type=Path, default=RESULTS / "related_rules.json")
    args = parser.parse_args(argv)
    docs = load(args.data)
    feats = [similarity.features(*clean_text(d["text"]))[0] for d in docs]
    runs = [final_candidates(docs, feats, seed) for seed in range(args.seeds)]
    table = {name: evaluate(runs, rule) for name, rule in rules().items()}
    print(f"{'rule':<70} {'P@1':>6} {'box':>6} {'own':>6} {'other':>6}")
    for name, row in table.items():
        print(f"{name:<70} {row['precision_at_1']:6.3f} {row['box_share']:6.3f} "
              f"{row['own_event_share']:6.3f} {row['other_topic_share']:6.3f}")
    args.results.parent.mkdir(exist_ok=True)
    args.results.write_text(json.dumps({"seeds": args.seeds, "rules": table}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Story clustering on ECB+: the product's online clustering vs TF-IDF + agglomerative (oracle k).

    python benchmarks/stories.py --data ../shared/data/ecb_plus [--out FILE] [--cv 5]

Items arrive one by one in a seeded random order (ECB+ has no usable times); the number of
clusters is never given. The reference is scikit-learn's TF-IDF (sublinear, English stop
words, min_df=2) + average-linkage cosine agglomerative clustering told the true k.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.wire.similarity_indexes import InMemoryStories  # noqa: E402

from wiredesk.wire.similarity import StoryParams, features  # noqa: E402

# What --cv chooses from: the weight of a year among the names (1: a year is any name)
# with the split's name separation and the merge's name agreement; the other settings are
# the product's, chosen by earlier runs of --cv (BENCHMARKS.md). "release" is the release
# before the names' weight: none of the names' rules.
CV_YEAR_WEIGHTS = (1.0, 3.0, 6.0)
CV_SPLIT_MERGE = ((0.35, 0.8), (0.5, 0.6), (0.55, 0.6), (0.5, 0.7))
RELEASE_PARAMS = StoryParams(name_boost=1.0, content_floor=0.0, name_separation=0.0,
                             merge_names=0.0)
# The code before years weighed among the names (split 0.35, merge 0.8, a year any name).
NO_YEARS = StoryParams(year_weight=1.0, name_separation=0.35, merge_names=0.8)
NO_MERGE = StoryParams(year_weight=1.0, name_separation=0.35, merge_names=0.0)
NO_NAME_SPLIT = StoryParams(name_separation=0.0, merge_names=0.0)  # before the split on names

RESULTS = Path(__file__).resolve().parent / "results"


def load(data: Path) -> list[dict]:
    docs = []
    with open(data / "ecbplus_docs.jsonl", encoding="utf-8") as handle:
        for line in handle:
            docs.append(json.loads(line))
    return docs


def clean_text(text: str) -> tuple[str, str]:
    """Headline-less ECB+ text: the first sentence is the headline; URL lines are dropped.

    The URL line of many ecbplus docs carries slug words that would make the task easier
    than on real wire copy, so it is removed for both systems.
    """
    lines = [ln for ln in text.splitlines()
             if not ln.replace(" ", "").lower().startswith(("http://", "https://", "www."))]
    lines = [ln.replace("``", '"').replace("''", '"') for ln in lines]
    return (lines[0] if lines else ""), "\n".join(lines[1:])


def bcubed(gold: list[str], pred: list) -> tuple[float, float, float]:
    by_gold: dict[str, set[int]] = {}
    by_pred: dict[object, set[int]] = {}
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        by_gold.setdefault(g, set()).add(i)
        by_pred.setdefault(p, set()).add(i)
    precision = recall = 0.0
    for g, p in zip(gold, pred, strict=True):
        shared = len(by_gold[g] & by_pred[p])
        precision += shared / len(by_pred[p])
        recall += shared / len(by_gold[g])
    precision /= len(gold)
    recall /= len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def ari(gold: list[str], pred: list) -> float:
    def comb2(n: int) -> float:
        return n * (n - 1) / 2

    pairs = Counter(zip(gold, pred, strict=True))
    sum_ij = sum(comb2(n) for n in pairs.values())
    sum_a = sum(comb2(n) for n in Counter(gold).values())
    sum_b = sum(comb2(n) for n in Counter(pred).values())
    expected = sum_a * sum_b / comb2(len(gold))
    maximum = (sum_a + sum_b) / 2
    return (sum_ij - expected) / (maximum - expected) if maximum != expected else 1.0


def within_topic_f1(docs: list[dict], pred: list) -> float:
    """Mean B3-F1 over topics, each scored on its own docs: the two look-alike events."""
    scores = []
    for topic in sorted({d["topic"] for d in docs}):
        members = [i for i, d in enumerate(docs) if d["topic"] == topic]
        scores.append(bcubed([docs[i]["cluster_id"] for i in members],
                             [pred[i] for i in members])[2])
    return sum(scores) / len(scores)


def product_clustering(docs: list[dict], seed: int, params: StoryParams | None = None, *,
                       warm_idf: bool = False) -> dict:
    """Stream the docs in a seeded order through the product's online clustering.

    ``warm_idf``: document frequencies are first counted over all texts (no labels), as a
    running installation has them from its archive; otherwise they grow from nothing.
    """
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    stories = InMemoryStories(params)
    feats = _features(docs)
    if warm_idf:
        for f in feats:
            stories.frequencies.add(f.term_counts)
        stories.frequencies_frozen = True
    for index in order:
        stories.assign(feats[index], key=index)
    # A split may move items that arrived earlier: the answer is where each item ends up.
    return {d["doc_id"]: stories.story_of(i) for i, d in enumerate(docs)}


_FEATURES: dict[str, object] = {}


def _features(docs: list[dict]) -> list:
    for d in docs:
        if d["doc_id"] not in _FEATURES:
            _FEATURES[d["doc_id"]] = features(*clean_text(d["text"]))[0]
    return [_FEATURES[d["doc_id"]] for d in docs]


def mean_f1(docs: list[dict], params: StoryParams, seeds: int) -> float:
    gold = [d["cluster_id"] for d in docs]
    scores = []
    for seed in range(seeds):
        assigned = product_clustering(docs, seed, params)
        scores.append(bcubed(gold, [assigned[d["doc_id"]] for d in docs])[2])
    return sum(scores) / len(scores)


def cross_validate(docs: list[dict], folds: int, seeds: int) -> list[dict]:
    """Settings chosen on the other folds' topics, scored on the fold's own topics.

    Each fold holds every ``folds``-th topic; its articles are clustered on their own (the
    other topics are not there), as ECB+ topics no one here has would be.
    """
    topics = sorted({d["topic"] for d in docs})
    grid = [StoryParams(year_weight=y, name_separation=split, merge_names=merge)
            for y in CV_YEAR_WEIGHTS for split, merge in CV_SPLIT_MERGE]
    rows = []
    for fold in range(folds):
        held = set(topics[fold::folds])
        train = [d for d in docs if d["topic"] not in held]
        test = [d for d in docs if d["topic"] in held]
        scored = [(mean_f1(train, params, seeds), params) for params in grid]
        best_train, best = max(scored, key=lambda sp: sp[0])  # ties: the first in the grid
        row = {"fold": fold, "topics": sorted(held), "year_weight": best.year_weight,
               "name_separation": best.name_separation, "merge_names": best.merge_names,
               "train_f1": best_train,
               "train_f1_by_setting": {_setting(p): f for f, p in scored},
               "test_f1": mean_f1(test, best, seeds),
               "test_f1_no_years": mean_f1(test, NO_YEARS, seeds),
               "test_f1_default": mean_f1(test, StoryParams(), seeds)}
        print(f"fold {fold} topics {row['topics']}: chose {_setting(best)} "
              f"(train F1 {best_train:.4f}); held-out F1 {row['test_f1']:.4f}, previous "
              f"(no year weight) {row['test_f1_no_years']:.4f}, default "
              f"{row['test_f1_default']:.4f}", flush=True)
        rows.append(row)
    return rows


def _setting(params: StoryParams) -> str:
    return (f"year x{params.year_weight:g}, split {params.name_separation:g}, "
            f"merge {params.merge_names:g}")


def reference_clustering(docs: list[dict]) -> list[int]:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["\n".join(clean_text(d["text"])) for d in docs]
    k = len({d["cluster_id"] for d in docs})
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2).fit_transform(texts)
    model = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average")
    return list(model.fit_predict(matrix.toarray()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/ecb_plus"))
    parser.add_argument("--out", type=Path, help="write one JSON line per article")
    parser.add_argument("--seeds", type=int, default=5, help="arrival orders to average")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--cv", type=int, default=0,
                        help="instead: choose the settings by cross-validation over this many "
                             "folds of topics (writes results/stories_cv.json)")
    parser.add_argument("--cv-seeds", type=int, default=2)
    args = parser.parse_args(argv)
    docs = load(args.data)
    if args.cv:
        RESULTS.mkdir(exist_ok=True)
        rows = cross_validate(docs, args.cv, args.cv_seeds)
        (RESULTS / "stories_cv.json").write_text(json.dumps(rows, indent=2) + "\n")
        for key in ("test_f1", "test_f1_no_years", "test_f1_default"):
            print(f"mean {key}: {sum(row[key] for row in rows) / len(rows):.4f}")
        return 0
    gold = [d["cluster_id"] for d in docs]
    result = {"docs": len(docs), "gold_clusters": len(set(gold))}
    rows = []
    first = None
    for name, params, warm in (("product", None, False), ("product_warm_idf", None, True),
                               ("no_years", NO_YEARS, False),
                               ("no_merge", NO_MERGE, False),
                               ("no_name_split", NO_NAME_SPLIT, False),
                               ("names_unweighted", RELEASE_PARAMS, False)):
        runs = []
        started = time.perf_counter()
        for seed in range(args.seeds):
            assigned = product_clustering(docs, seed, params, warm_idf=warm)
            first = first or assigned
            pred = [assigned[d["doc_id"]] for d in docs]
            p, r, f = bcubed(gold, pred)
            runs.append({"seed": seed, "b3_precision": p, "b3_recall": r, "b3_f1": f,
                         "ari": ari(gold, pred), "clusters": len(set(pred)),
                         "within_topic_b3_f1": within_topic_f1(docs, pred)})
        mean = {key: sum(run[key] for run in runs) / len(runs)
                for key in ("b3_precision", "b3_recall", "b3_f1", "ari", "clusters",
                            "within_topic_b3_f1")}
        mean["b3_f1_min"] = min(run["b3_f1"] for run in runs)
        mean["b3_f1_max"] = max(run["b3_f1"] for run in runs)
        result[name] = mean
        result[name + "_runs"] = runs
        result[name + "_seconds_per_run"] = (time.perf_counter() - started) / args.seeds
        label = {"product": "", "product_warm_idf": ", IDF warm",
                 "no_years": ", years any name (split 0.35, merge 0.8)",
                 "no_merge": ", years any name, no fragment merging",
                 "no_name_split": ", no split on names or merging",
                 "names_unweighted": ", names unweighted, no floor, split or merging"}[name]
        rows.append((f"wiredesk online, k unknown{label} ({args.seeds} orders)", mean))
    result["ratio_f1_product_over_no_merge"] = (
        result["product"]["b3_f1"] / result["no_merge"]["b3_f1"])
    result["ratio_f1_product_over_no_years"] = (
        result["product"]["b3_f1"] / result["no_years"]["b3_f1"])
    if not args.no_reference:
        ref_pred = reference_clustering(docs)
        p, r, f = bcubed(gold, ref_pred)
        reference = {"b3_precision": p, "b3_recall": r, "b3_f1": f, "ari": ari(gold, ref_pred),
                     "clusters": len(set(ref_pred)),
                     "within_topic_b3_f1": within_topic_f1(docs, ref_pred)}
        result["reference_tfidf_agglomerative_oracle_k"] = reference
        result["ratio_f1_product_over_reference"] = result["product"]["b3_f1"] / f
        result["ratio_f1_product_warm_idf_over_reference"] = (
            result["product_warm_idf"]["b3_f1"] / f)
        rows.append(("TF-IDF + agglomerative, given k (reference)", reference))
    print(f"{'system':<52} {'B3-P':>6} {'B3-R':>6} {'B3-F1':>6} {'ARI':>6} {'k':>5} "
          f"{'topic-F1':>8}")
    for name, row in rows:
        print(f"{name:<52} {row['b3_precision']:6.3f} {row['b3_recall']:6.3f} "
              f"{row['b3_f1']:6.3f} {row['ari']:6.3f} {row['clusters']:5.0f} "
              f"{row['within_topic_b3_f1']:8.3f}")
    if "ratio_f1_product_over_reference" in result:
        print(f"ratio B3-F1 product / reference: {result['ratio_f1_product_over_reference']:.3f}"
              f" (IDF warm: {result['ratio_f1_product_warm_idf_over_reference']:.3f})")
    print(f"ratio B3-F1 product / no fragment merging: "
          f"{result['ratio_f1_product_over_no_merge']:.4f}")
    print(f"ratio B3-F1 product / years any name: "
          f"{result['ratio_f1_product_over_no_years']:.4f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stories.json").write_text(json.dumps(result, indent=2) + "\n")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            for d in docs:
                handle.write(json.dumps({"doc_id": d["doc_id"], "story": first[d["doc_id"]]})
                             + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

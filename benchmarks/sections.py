"""Section accuracy: the product's classifier vs TF-IDF + LinearSVC, seeded stratified 5-fold.

    python benchmarks/sections.py --data ../shared/data

bbc_news is deduplicated first (98 byte-identical pairs); ag_news uses test.csv alone.
Both systems see exactly the same folds.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wiredesk.wire.sections import SectionClassifier

RESULTS = Path(__file__).resolve().parent / "results"


def load_bbc(root: Path) -> tuple[list[str], list[str]]:
    texts, labels, seen = [], [], set()
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.txt")):
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
            texts.append(text)
            labels.append(folder.name)
    return texts, labels


def load_ag(path: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    names = {"1": "world", "2": "sport", "3": "business", "4": "tech"}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            body = html.unescape(row["description"].replace("#36;", "$").replace("#39;", "'")
                                 .replace("quot;", '"').replace("\\", " "))
            texts.append(f"{row['title']}\n{body}")
            labels.append(names[row["label"]])
    return texts, labels


def stratified_folds(labels: list[str], k: int = 5, seed: int = 0) -> list[int]:
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    fold = [0] * len(labels)
    rng = random.Random(seed)
    for label in sorted(by_label):
        members = by_label[label]
        rng.shuffle(members)
        for position, i in enumerate(members):
            fold[i] = position % k
    return fold


def cross_validate(texts, labels, folds, fit_predict) -> list[float]:
    scores = []
    for f in sorted(set(folds)):
        train = [i for i, x in enumerate(folds) if x != f]
        test = [i for i, x in enumerate(folds) if x == f]
        predicted = fit_predict([texts[i] for i in train], [labels[i] for i in train],
                                [texts[i] for i in test])
        scores.append(sum(p == labels[i] for p, i in zip(predicted, test, strict=True))
                      / len(test))
    return scores


def product(train_x, train_y, test_x):
    model = SectionClassifier.train(train_x, train_y)
    return [model.predict(t) for t in test_x]


def reference(train_x, train_y, test_x, ngrams=(1, 1)):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=ngrams)
    model = LinearSVC().fit(vectorizer.fit_transform(train_x), train_y)
    return list(model.predict(vectorizer.transform(test_x)))


def summarize(scores: list[float]) -> dict:
    mean = sum(scores) / len(scores)
    sd = (sum((s - mean) ** 2 for s in scores) / (len(scores) - 1)) ** 0.5
    return {"mean": mean, "sd": sd, "folds": scores}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args(argv)
    result = {}
    sets = [("bbc_news", load_bbc(args.data / "bbc_news"), (1, 1)),
            ("ag_news", load_ag(args.data / "ag_news" / "test.csv"), (1, 2))]
    print(f"{'data set':<10} {'docs':>6} {'wiredesk CNB':>14} {'TF-IDF+SVM':>12} {'ratio':>6}")
    for name, (texts, labels), ngrams in sets:
        folds = stratified_folds(labels)
        started = time.perf_counter()
        ours = summarize(cross_validate(texts, labels, folds, product))
        ours["seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        ref = summarize(cross_validate(texts, labels, folds,
                                       lambda a, b, c, n=ngrams: reference(a, b, c, n)))
        ref["seconds"] = time.perf_counter() - started
        result[name] = {"docs": len(texts), "wiredesk": ours,
                        "reference_tfidf_linear_svm": ref,
                        "ratio": ours["mean"] / ref["mean"]}
        print(f"{name:<10} {len(texts):>6} {ours['mean']:>8.3f}±{ours['sd']:.3f} "
              f"{ref['mean']:>7.3f}±{ref['sd']:.3f} {ours['mean'] / ref['mean']:>6.3f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sections.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

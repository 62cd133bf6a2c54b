"""Quality figures on the shared evaluation data, pinned from below (see BENCHMARKS.md).

The floors sit a little under the measured figures so noise does not flake them; they
fail when a change makes the product clearly worse. Skipped when the data is absent.
"""

import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

pytestmark = pytest.mark.shared_data


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared evaluation data not found at {path}")
    return path


def test_story_clustering_b3_f1_on_ecb_plus():
    import stories

    docs = stories.load(need(SHARED_DATA / "ecb_plus"))
    gold = [d["cluster_id"] for d in docs]
    scores = []
    for seed in range(3):
        assigned = stories.product_clustering(docs, seed=seed)
        scores.append(stories.bcubed(gold, [assigned[d["doc_id"]] for d in docs])[2])
    # Measured 0.905 over 20 arrival orders (0.874 before blended stories were split);
    # reference, told the number of clusters: 0.880.
    assert sum(scores) / len(scores) >= 0.89


def test_section_accuracy_on_bbc_news():
    import sections

    texts, labels = sections.load_bbc(need(SHARED_DATA / "bbc_news"))
    folds = sections.stratified_folds(labels)
    scores = sections.cross_validate(texts, labels, folds, sections.product)
    assert sum(scores) / len(scores) >= 0.965  # measured 0.975; reference SVM 0.980


def test_near_duplicate_precision_and_recall():
    from types import SimpleNamespace

    import near_duplicates

    need(SHARED_DATA / "bbc_news")
    need(SHARED_DATA / "ecb_plus")
    result = near_duplicates.evaluate(SimpleNamespace(data=SHARED_DATA, seed=0, perturbed=200))
    # Measured (600 perturbed): precision 0.993 at recall 0.965, ecb_plus pairs labelled by
    # their verbatim 8-word runs (0.837 counting republished copies as non-copies).
    assert result["wiredesk"]["recall"] >= 0.94
    assert result["wiredesk"]["precision"] >= 0.98
    assert result["wiredesk"]["accuracy_by_kind"]["ecb same story, own write-ups"] >= 0.995
    assert result["wiredesk"]["accuracy_by_kind"]["ecb same story, republished copy"] >= 0.95

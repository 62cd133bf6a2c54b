"""Over-merging on a corpus of one period: BBC News (2004-2005, 2,225 articles, 5 sections).

    python benchmarks/stories_bbc.py --data ../shared/data/bbc_news [--seeds 2]

BBC News has no event labels, only sections; its articles come from one year or two and
half of them name a year, as a week of wire copy names the current one. Streamed in a
seeded order through the product's clustering (no story window: every article may meet
every story), with the settings before years weighed among the names and with the
product's. A story mixing sections is certainly wrong: section-B³ precision and the
stories mixing sections are the figures; fewer stories means more joins and merges.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.wire.similarity_indexes import InMemoryStories  # noqa: E402

from wiredesk.wire import similarity  # noqa: E402
from wiredesk.wire.similarity import StoryParams  # noqa: E402

SETTINGS = {"years any name (split 0.35, merge 0.8)":
            StoryParams(year_weight=1.0, name_separation=0.35, merge_names=0.8),
            "product": StoryParams()}


def load(data: Path) -> list[tuple[str, str, str]]:
    docs = []
    for path in sorted(data.glob("*/*.txt")):
        headline, _, body = path.read_text(encoding="latin-1").partition("\n")
        docs.append((path.parent.name, headline, body))
    return docs


def run(feats: list, sections: list[str], params: StoryParams, seed: int) -> dict:
    order = list(range(len(feats)))
    random.Random(seed).shuffle(order)
    stories = InMemoryStories(params)
    for index in order:
        stories.assign(feats[index], key=index)
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(feats)):
        members[stories.story_of(index)].append(index)
    mixed = [m for m in members.values() if len({sections[i] for i in m}) > 1]
    precision = sum(Counter(sections[j] for j in members[stories.story_of(i)])[sections[i]]
                    / len(members[stories.story_of(i)]) for i in range(len(feats))) / len(feats)
    return {"stories": len(members), "mixed_stories": len(mixed),
            "mixed_items": sum(len(m) for m in mixed), "section_b3_precision": precision,
            "largest": max(len(m) for m in members.values())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/bbc_news"))
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args(argv)
    docs = load(args.data)
    feats = [similarity.features(headline, body)[0] for _, headline, body in docs]
    sections = [section for section, _, _ in docs]
    naming = sum(any(similarity.is_year(a) for a in f.anchors) for f in feats)
    print(f"{len(docs)} articles, {naming} naming a year")
    for name, params in SETTINGS.items():
        for seed in range(args.seeds):
            row = run(feats, sections, params, seed)
            print(f"{name:<40} order {seed}: {row['stories']} stories, {row['mixed_stories']} "
                  f"mixing sections ({row['mixed_items']} articles), section-B3-P "
                  f"{row['section_b3_precision']:.4f}, largest {row['largest']}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Story intelligence for stored articles: duplicates, stories, related links, sections.

``store`` adapts the pure similarity code to indexed tables, ``enrich`` is the step each
stored article goes through, ``stories`` keeps the story tables (joins, splits, each
story's representative article), ``sections`` trains and applies the section classifier, and
``editorial`` carries out kills, merges and splits.
"""

from wiredesk.newsroom.intelligence.editorial import (
    article_split,
    article_withdrawn,
    articles_merge,
)
from wiredesk.newsroom.intelligence.enrich import enrich_article
from wiredesk.newsroom.intelligence.sections import (
    PREDICTED,
    TRAINING_LIMIT,
    current_classifier,
    sections_train,
)
from wiredesk.newsroom.intelligence.store import (
    DbFrequencies,
    DbLineMemory,
    article_text,
    source_key,
)

__all__ = [
    "PREDICTED",
    "TRAINING_LIMIT",
    "DbFrequencies",
    "DbLineMemory",
    "article_split",
    "article_text",
    "article_withdrawn",
    "articles_merge",
    "current_classifier",
    "enrich_article",
    "sections_train",
    "source_key",
]

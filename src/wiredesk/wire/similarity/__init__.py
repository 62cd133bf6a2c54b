"""Story intelligence on plain text: near-duplicates, story clustering, related ranking.

Pure Python + numpy, no Django: the database side (``newsroom/intelligence/``) and the
benchmarks drive the same functions through small index interfaces (:class:`LineMemory`,
:class:`DocumentFrequencies`).

The modules, in the order an arriving item meets them:

* :mod:`.item_features`: lines of text -> :class:`Features` (word set, shingles, MinHash
  signature and its LSH band keys, term counts, anchors), source boilerplate dropped first.
* :mod:`.duplicates`: is the item a copy of one already seen (candidates by band key,
  then words *and* word sequences shared).
* :mod:`.stories`: TF-IDF vectors and single-pass clustering into stories, with blended
  look-alike events split apart again.
* :mod:`.related`: other stories ranked for "SEE ALSO".

Import the names from this package; the modules are its internal layout. The feature
module is not called ``features`` so that it never shadows the :func:`features` function
here.
"""

from wiredesk.wire.similarity.duplicates import (
    CANDIDATE_WORDS,
    COPY_SHINGLES,
    COPY_WORDS,
    containment,
    copy_score,
    estimated_containment,
    estimated_jaccard,
    is_near_duplicate,
    worth_comparing,
)
from wiredesk.wire.similarity.item_features import (
    BAND_ROWS,
    BOILERPLATE_MAX_LINE,
    BOILERPLATE_MIN_ITEMS,
    FURNITURE,
    MAX_ANCHORS,
    MAX_TEXT_CHARS,
    MIN_WORDS,
    NUM_BANDS,
    NUM_PERM,
    SHINGLE_WORDS,
    STOPWORDS,
    Features,
    LineMemory,
    band_keys,
    clean_lines,
    content_lines,
    features,
    line_key,
    minhash,
    shingle_hashes,
    signature_bytes,
    signature_from_bytes,
    stable_hash64,
    words,
)
from wiredesk.wire.similarity.related import RelatedCandidate, rank_related
from wiredesk.wire.similarity.stories import (
    CENTROID_TERMS,
    QUERY_TERMS,
    SPLIT_MIN_PART,
    SPLIT_MIN_SIZE,
    SPLIT_NEIGHBOURS,
    SPLIT_SEPARATION,
    SPLIT_WINDOW,
    VECTOR_TERMS,
    DocumentFrequencies,
    StoryParams,
    StoryState,
    add_to_centroid,
    anchor_agreement,
    best_story,
    cosine,
    query_terms,
    story_from_members,
    story_parts,
    story_score,
    tfidf_vector,
)

__all__ = [
    "BAND_ROWS",
    "BOILERPLATE_MAX_LINE",
    "BOILERPLATE_MIN_ITEMS",
    "CANDIDATE_WORDS",
    "CENTROID_TERMS",
    "COPY_SHINGLES",
    "COPY_WORDS",
    "FURNITURE",
    "MAX_ANCHORS",
    "MAX_TEXT_CHARS",
    "MIN_WORDS",
    "NUM_BANDS",
    "NUM_PERM",
    "QUERY_TERMS",
    "SHINGLE_WORDS",
    "SPLIT_MIN_PART",
    "SPLIT_MIN_SIZE",
    "SPLIT_NEIGHBOURS",
    "SPLIT_SEPARATION",
    "SPLIT_WINDOW",
    "STOPWORDS",
    "VECTOR_TERMS",
    "DocumentFrequencies",
    "Features",
    "LineMemory",
    "RelatedCandidate",
    "StoryParams",
    "StoryState",
    "add_to_centroid",
    "anchor_agreement",
    "band_keys",
    "best_story",
    "clean_lines",
    "containment",
    "content_lines",
    "copy_score",
    "cosine",
    "estimated_containment",
    "estimated_jaccard",
    "features",
    "is_near_duplicate",
    "line_key",
    "minhash",
    "query_terms",
    "rank_related",
    "shingle_hashes",
    "signature_bytes",
    "signature_from_bytes",
    "stable_hash64",
    "story_from_members",
    "story_parts",
    "story_score",
    "tfidf_vector",
    "words",
    "worth_comparing",
]

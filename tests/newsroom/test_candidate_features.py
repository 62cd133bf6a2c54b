"""The copy check's candidates: features as derived afresh, boilerplate read once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import distinct_body
from wiredesk.newsroom import services
from wiredesk.newsroom.intelligence import DbLineMemory, article_text, source_key
from wiredesk.newsroom.intelligence import candidates as candidates_module
from wiredesk.newsroom.intelligence.candidates import candidate_features
from wiredesk.newsroom.models import Article, SourceLine
from wiredesk.wire import similarity

pytestmark = pytest.mark.django_db

SIGN_OFF = "Reporting by the desk; editing by the night shift"


def _article(agency, n: int, *, sign_off: bool = True) -> Article:
    body = distinct_body(f"candidate {n}", paragraphs=5)
    if sign_off:
        body += f"<p>{SIGN_OFF}</p>"
    return Article.objects.create(agency=agency, identity=f"guid:c{n}", fingerprint=str(n),
                                  headline=f"Candidate story {n}", slug=f"c{n}",
                                  body_html=body, published_at=timezone.now())


def _fresh(article: Article) -> similarity.Features:
    feats, _keys = similarity.features(article.headline, article_text(article),
                                       source=source_key(article), memory=DbLineMemory())
    return feats


def _same(a: similarity.Features, b: similarity.Features) -> bool:
    return (list(a.signature) == list(b.signature) and a.shingles == b.shingles
            and a.word_set == b.word_set and a.term_counts == b.term_counts
            and a.anchors == b.anchors and a.word_count == b.word_count)


def test_candidates_features_match_fresh_ones_and_follow_their_inputs():
    candidates_module._cache.clear()
    afp, rtr = services.agency_ensure(code="AFP"), services.agency_ensure(code="RTR")
    others = [_article(afp, 1), _article(rtr, 2), _article(afp, 3, sign_off=False)]
    first = candidate_features(others)
    assert all(_same(f, _fresh(o)) for f, o in zip(first, others, strict=True))

    # The sign-off becomes AFP's boilerplate: its candidates lose that line, RTR's keep it.
    _lines, keys = similarity.content_lines("", SIGN_OFF)
    SourceLine.objects.bulk_create([
        SourceLine(source=source_key(others[0]), key=k,
                   items=similarity.BOILERPLATE_MIN_ITEMS) for k in keys])
    second = candidate_features(others)
    assert not _same(second[0], first[0])
    assert _same(second[1], first[1])
    assert all(_same(f, _fresh(o)) for f, o in zip(second, others, strict=True))

    # An edited copy is derived again, not taken from the cache.
    others[1].body_html = distinct_body("edited copy", paragraphs=5)
    others[1].save()
    third = candidate_features(others)
    assert not _same(third[1], second[1])
    assert _same(third[1], _fresh(others[1]))


def test_candidates_boilerplate_is_one_query_for_all_of_them():
    candidates_module._cache.clear()
    agencies = [services.agency_ensure(code=c) for c in ("AFP", "RTR", "ANI")]
    others = [_article(agencies[n % 3], n) for n in range(9)]
    with CaptureQueriesContext(connection) as captured:
        candidate_features(others)
    assert len(captured.captured_queries) == 1
    assert "newsroom_sourceline" in captured.captured_queries[0]["sql"]


def test_an_enriched_articles_own_features_serve_as_a_candidates():
    """Enriching an article keeps the features it derived; a copy arriving next meets it
    as a candidate without deriving them again from its HTML, and an edited copy or a
    line its source now repeats makes them derived afresh."""
    from wiredesk.newsroom.intelligence import enrich_article

    candidates_module._cache.clear()
    afp = services.agency_ensure(code="AFP")
    article = _article(afp, 7)
    enrich_article(article, created=True)
    kept = candidates_module._cache[article.pk].features
    assert _same(kept, _fresh(article))
    assert candidate_features([article])[0] is kept

    # The sign-off becomes AFP's boilerplate: derived again, without that line.
    _lines, keys = similarity.content_lines("", SIGN_OFF)
    SourceLine.objects.filter(source=source_key(article), key__in=keys).delete()
    SourceLine.objects.bulk_create([
        SourceLine(source=source_key(article), key=k,
                   items=similarity.BOILERPLATE_MIN_ITEMS) for k in keys])
    again = candidate_features([article])[0]
    assert again is not kept and _same(again, _fresh(article))

    article.body_html = distinct_body("edited candidate", paragraphs=5)
    article.save()
    edited = candidate_features([article])[0]
    assert edited is not again and _same(edited, _fresh(article))

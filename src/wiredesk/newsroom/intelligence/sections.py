"""The section classifier: trained on this installation's labelled articles, it names
a section for an article whose feed categories matched none."""

from __future__ import annotations

from wiredesk.newsroom.intelligence.store import article_text
from wiredesk.newsroom.models import Article, Section, SectionModel
from wiredesk.wire.sanitize import html_to_text
from wiredesk.wire.sections import SectionClassifier

PREDICTED = "section:predicted"
TRAINING_LIMIT = 20_000

_classifier_cache: dict[str, object] = {}


def current_classifier() -> SectionClassifier | None:
    latest = SectionModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    model_id = latest.first()
    if model_id is None:
        return None
    if _classifier_cache.get("id") != model_id:
        data = SectionModel.objects.values_list("data", flat=True).get(pk=model_id)
        _classifier_cache.update(id=model_id, model=SectionClassifier.from_bytes(data))
    return _classifier_cache["model"]  # type: ignore[return-value]


def predict_section(article: Article) -> None:
    classifier = current_classifier()
    if classifier is None:
        return
    slug = classifier.predict(f"{article.headline}\n{article_text(article)}")
    section = Section.objects.filter(slug=slug).first() if slug else None
    if section is not None:
        article.section = section
        article.flags = [*article.flags, PREDICTED]


def sections_train(*, limit: int = TRAINING_LIMIT, progress=None) -> SectionModel:
    """Train the section classifier on this installation's labelled articles.

    Labels come from feed categories (through the section rules) and from editors;
    sections the classifier itself guessed are never fed back as truth.
    """
    texts, labels = [], []
    rows = (Article.objects.filter(section__isnull=False)
            .exclude(status=Article.Status.KILLED)
            .order_by("-published_at").values_list("headline", "body_html", "section__slug",
                                                   "flags"))
    for headline, body_html, slug, flags in rows.iterator(chunk_size=500):
        if PREDICTED in (flags or []):
            continue
        texts.append(f"{headline}\n{html_to_text(body_html)}")
        labels.append(slug)
        if progress is not None and len(texts) % 1000 == 0:
            progress(len(texts))
        if len(texts) >= limit:
            break
    classifier = SectionClassifier.train(texts, labels)
    model = SectionModel.objects.create(labels=classifier.labels,
                                        trained_on=classifier.trained_on,
                                        data=classifier.to_bytes())
    # Older models are kept only as the previous one, for a quick look back.
    old = list(SectionModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[2:])
    if old:
        SectionModel.objects.filter(pk__in=old).delete()
    return model

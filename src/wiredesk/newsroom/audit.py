"""How the newsroom writes the audit log of an article (``core.audit``)."""

from __future__ import annotations

from wiredesk.core.audit import record
from wiredesk.newsroom.models import Article


def audit_edition(article: Article) -> str:
    """The edition an article's log entries name: its one edition, or none when several
    (or none) carry it; the audit page finds those through the article's placements.
    Read by the reverse name ``placements``: the editions sit above the newsroom."""
    slugs = list(article.placements.values_list("edition__slug", flat=True)[:2])
    return slugs[0] if len(slugs) == 1 else ""


def audit(actor, action: str, article: Article, **details) -> None:
    """One entry about ``article``; call it inside the transaction that made the change."""
    record(actor, action, article, edition=audit_edition(article), **details)

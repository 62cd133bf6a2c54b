"""The audit log: who did what to which article, edition or setting, and when.

Every editorial action records one ``AuditEntry`` through ``record`` in the transaction
that made the change, so the log and the change commit together or not at all. The actor
is a signed-in user, or a named process ("cli", "agency:AFP", "job:publish-scheduled")
when no person acted. Entries are never edited; they outlive the users and objects they
name (their labels are copied).
"""

from __future__ import annotations

from wiredesk.core.models import AuditEntry

__all__ = ["AuditEntry", "actor_label", "record"]


def actor_label(actor) -> str:
    """A user's name as the log keeps it, or the process's own name."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor[:200]
    return (actor.get_username() or f"user {actor.pk}")[:200]


def record(actor, action: str, target=None, *, edition=None, **details) -> AuditEntry:
    """Log one action. ``actor`` is a user, a process name or None (the system);
    ``target`` any model instance (its type, id and ``str`` are copied); ``edition`` an
    Edition or its slug; ``details`` anything JSON can hold (what changed, the reason)."""
    user = None if actor is None or isinstance(actor, str) else actor
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    entry = AuditEntry(
        actor=user, actor_label=actor_label(actor if user is not None or
                                            isinstance(actor, str) else None),
        action=action[:60], details=details,
        edition_slug=(edition if isinstance(edition, str)
                      else getattr(edition, "slug", "") or "")[:100],
    )
    if target is not None:
        entry.target_type = target._meta.model_name[:60]
        entry.target_id = str(target.pk)[:64]
        entry.target_label = str(target)[:500]
        if entry.target_type == "article":
            entry.article_id = target.pk
    entry.save()
    return entry

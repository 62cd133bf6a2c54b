"""What one ingest of a document or feed did, for the log, the CLI and the feed's record."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class IngestReport:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    not_modified: bool = False
    store_failures: int = 0  # items that could not be written (e.g. the database went away)
    errors: list[str] = field(default_factory=list)
    store_errors: list[str] = field(default_factory=list)  # the store failures (also in errors)
    article_ids: list[int] = field(default_factory=list)  # created or updated, in order
    # Drop folders and mailboxes: files still being written, or left for the next poll,
    # which then comes soon.
    waiting: int = 0

    @property
    def nothing_new(self) -> bool:
        """Nothing stored and nothing failed: a routine re-poll."""
        return not (self.created or self.updated or self.store_failures or self.errors)

    @property
    def seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped

    def summary(self) -> str:
        if self.not_modified:
            return f"{self.source}: not modified"
        text = (f"{self.source}: {self.created} new, {self.updated} updated, "
                f"{self.unchanged} unchanged")
        if self.skipped:
            text += f", {self.skipped} skipped"
        if self.store_failures:
            text += (f", {self.store_failures} of {self.seen + self.store_failures} item(s) "
                     f"failed to store (first: {self.store_errors[0]})")
        stored_errors = set(self.store_errors)
        others = [e for e in self.errors if e not in stored_errors]
        if others:
            text += f", {len(others)} error(s): {others[0]}"
        return text

"""Bytes to clean items: parse then normalize, one item's failure never stops the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wiredesk.wire.formats import parse_bytes
from wiredesk.wire.normalize import normalize
from wiredesk.wire.types import CleanItem


@dataclass(slots=True)
class PipelineResult:
    format: str
    title: str
    items: list[CleanItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def process(data: bytes, *, zone: str = "UTC", base_url: str = "", content_type: str = "",
            trust_guid: bool = True, now: datetime | None = None) -> PipelineResult:
    """Parse and normalize a document. Raises WireError only when nothing can be read."""
    parsed = parse_bytes(data, base_url=base_url, content_type=content_type)
    result = PipelineResult(format=parsed.format, title=parsed.title, warnings=parsed.warnings)
    for position, item in enumerate(parsed.items, start=1):
        try:
            clean = normalize(item, zone=zone, now=now, trust_guid=trust_guid)
        except Exception as exc:  # one hostile item must not sink the feed
            result.errors.append(f"item {position}: {type(exc).__name__}: {exc}")
            continue
        if not clean.headline and not clean.body_html:
            result.errors.append(f"item {position}: no headline and no body; skipped")
            continue
        result.items.append(clean)
    return result

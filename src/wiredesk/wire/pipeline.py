"""Bytes to clean items: parse then normalize, one item's failure never stops the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wiredesk.wire.formats import parse_bytes
from wiredesk.wire.identity import IdentityPlan, plan_identity
from wiredesk.wire.normalize import normalize
from wiredesk.wire.types import MAX_ITEMS_PER_DOCUMENT, CleanItem
from wiredesk.wire.xmlsafe import xml_text

MAX_ITEMS = MAX_ITEMS_PER_DOCUMENT


@dataclass(slots=True)
class PipelineResult:
    format: str
    title: str
    items: list[CleanItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    identity: IdentityPlan = field(default_factory=IdentityPlan)


def process(data: bytes, *, zone: str = "UTC", base_url: str = "", content_type: str = "",
            trust_guid: bool = True, now: datetime | None = None,
            guid_memory: dict[str, str] | None = None) -> PipelineResult:
    """Parse and normalize a document. Raises WireError only when nothing can be read.

    ``guid_memory`` is what the last fetch of the same feed remembered (see
    ``plan_identity``); the new memory is returned in ``result.identity.memory``.
    """
    parsed = parse_bytes(data, base_url=base_url, content_type=content_type)
    if len(parsed.items) > MAX_ITEMS:
        parsed.warnings.append(f"the document holds {len(parsed.items)} items; only the "
                               f"first {MAX_ITEMS} were read")
        del parsed.items[MAX_ITEMS:]
    plan = plan_identity([(i.guid, i.link) for i in parsed.items], previous=guid_memory,
                         trust_guid=trust_guid)
    result = PipelineResult(format=parsed.format, title=xml_text(parsed.title),
                            warnings=parsed.warnings, identity=plan)
    for position, item in enumerate(parsed.items, start=1):
        try:
            clean = normalize(item, zone=zone, now=now, trust_guid=plan.trust_guid,
                              trust_url=plan.trust_url)
        except Exception as exc:  # one hostile item must not sink the feed
            result.errors.append(f"item {position}: {type(exc).__name__}: {exc}")
            continue
        if not clean.headline and not clean.body_html:
            result.errors.append(f"item {position}: no headline and no body; skipped")
            continue
        result.items.append(clean)
    return result

"""What makes two arrivals "the same item".

Order of trust: the guid the source gave, then its canonical link, then a hash of
headline and body. Keys are prefixed so the three kinds can never collide.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track a click; they never name a different page.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref|ref_src|"
    r"cmpid|cmp|ito|icid|ocid|at_medium|at_campaign|s_cid|mbid|rss|feed|from)$",
    re.I,
)


# Cached: an item's link is folded four times on its way in (the feed's identity plan,
# the item's identity, its canonical link, whether to keep the link).
@lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """Fold the spellings of one URL: scheme, host case, tracking params, slashes."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    host = host.removesuffix(":80").removesuffix(":443")
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    query.sort()
    # Scheme folded to https: the same page is served on both.
    return urlunsplit(("https", host, path, urlencode(query), ""))


def content_hash(headline: str, body_text: str) -> str:
    normalized = " ".join(f"{headline}\n{body_text}".lower().split())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def identity_key(guid: str, link: str, headline: str, body_text: str,
                 *, trust_guid: bool = True, trust_url: bool = True) -> str:
    guid = (guid or "").strip()
    if guid and trust_guid:
        return "guid:" + _short(guid)
    url = canonical_url(link) if trust_url else ""
    if url:
        return "url:" + _short(url)
    return "hash:" + content_hash(headline, body_text)[:40]


def _short(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:40]


# --- feeds whose guids cannot be trusted ------------------------------------------------

MEMORY_LIMIT = 300  # url -> guid pairs remembered per feed between fetches


@dataclass(slots=True)
class IdentityPlan:
    """How this fetch's items are told apart, and why (shown to operators)."""

    trust_guid: bool = True
    trust_url: bool = True
    problem: str = ""
    memory: dict[str, str] = field(default_factory=dict)  # url hash -> guid hash, for next time


def plan_identity(pairs: list[tuple[str, str]], *, previous: dict[str, str] | None = None,
                  trust_guid: bool = True) -> IdentityPlan:
    """Decide from one fetch's (guid, link) pairs whether guids and links can be trusted.

    Guids are broken when they are missing, when several items share one guid, or when
    the same links come back under different guids than last fetch (a guid minted per
    request). Links are broken when several items share one. Then identity falls back
    to the canonical link, then to the content hash: the feed neither floods (a new
    article per fetch) nor collapses (every item into one article).
    """
    previous = previous or {}
    plan = IdentityPlan(trust_guid=trust_guid)
    guids = [g.strip() for g, _link in pairs]
    urls = [canonical_url(link) for _g, link in pairs]
    problems = []
    present = [g for g in guids if g]
    if len(pairs) >= 2 and len(set(present)) < len(present):
        plan.trust_guid = False
        problems.append(f"{len(present) - len(set(present))} item(s) repeat another item's guid")
    if pairs and not present:
        problems.append("items carry no guid")
    url_present = [u for u in urls if u]
    if len(url_present) >= 2 and len(set(url_present)) < len(url_present) * 0.5:
        plan.trust_url = False
        problems.append("most items share one link")
    memory: dict[str, str] = {}
    changed = overlap = 0
    for guid, url in zip(guids, urls, strict=True):
        if not (guid and url):
            continue
        key, value = _short(url)[:16], _short(guid)[:16]
        memory[key] = value
        if key in previous:
            overlap += 1
            changed += previous[key] != value
    if overlap >= 2 and changed * 2 >= overlap:
        plan.trust_guid = False
        problems.append(f"guids changed since the last fetch for {changed} of {overlap} links")
    # Keep the newest entries, bounded, so the next fetch can compare.
    merged = {**previous, **memory}
    plan.memory = dict(list(merged.items())[-MEMORY_LIMIT:])
    if not plan.trust_guid and trust_guid:
        problems.append("identity falls back to the canonical link, then the content hash")
    plan.problem = "; ".join(problems)
    return plan


def fingerprint(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]

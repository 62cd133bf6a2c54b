"""What makes two arrivals "the same item".

Order of trust: the guid the source gave, then its canonical link, then a hash of
headline and body. Keys are prefixed so the three kinds can never collide.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track a click; they never name a different page.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref|ref_src|"
    r"cmpid|cmp|ito|icid|ocid|at_medium|at_campaign|s_cid|mbid|rss|feed|from)$",
    re.I,
)


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
                 *, trust_guid: bool = True) -> str:
    guid = (guid or "").strip()
    if guid and trust_guid:
        return "guid:" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:40]
    url = canonical_url(link)
    if url:
        return "url:" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
    return "hash:" + content_hash(headline, body_text)[:40]


def fingerprint(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]

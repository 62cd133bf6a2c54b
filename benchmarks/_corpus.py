"""Agency RSS feeds of real, distinct news items, with a realistic share re-sent as copies.

Items are read in place from the shared data (bbc_news, ag_news, ecb_plus: each text once,
byte-identical BBC files counted once), shuffled with a seed and dealt to several agencies.
A share of them (``copy_rate``, 5-15% is what agencies do) is re-sent a little later by
another agency as a lightly edited copy: its own headline wording, dateline and credit,
the same body give or take its last paragraph. Feeds hold ``per_feed`` items each, in
time order, and are ingested in the order they would be polled.
"""

from __future__ import annotations

import csv
import html
import json
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

AGENCIES = [("AFP", "PARIS (AFP) -"), ("RTR", "LONDON, {day} (Reuters) -"),
            ("ANI", "New Delhi [India], {day} (ANI):"), ("APX", "WASHINGTON (AP) —"),
            ("RFE", "PRAGUE, {day} (RFE/RL) --"), ("XIN", "BEIJING, {day} (Xinhua) --")]
AG_LABELS = {"1": "World", "2": "Sport", "3": "Business", "4": "Technology"}
START = datetime(2025, 7, 1, tzinfo=UTC)
SPACING = timedelta(seconds=60)  # 1,440 new items a day across the agencies


@dataclass(frozen=True)
class Item:
    key: str  # guid
    headline: str
    paragraphs: tuple[str, ...]
    category: str
    agency: int
    published: datetime
    copy_of: str = ""


def read_texts(data: Path) -> list[tuple[str, list[str], str]]:
    """(headline, paragraphs, category) of every distinct item in the three sets."""
    out, seen = [], set()
    for path in sorted((data / "bbc_news").glob("*/*.txt")):
        raw = path.read_bytes().decode("utf-8", "replace")
        headline, _, body = raw.partition("\n")
        paragraphs = [" ".join(p.split()) for p in body.split("\n") if p.strip()]
        out.append((headline.strip(), paragraphs, path.parent.name.title()))
    with (data / "ag_news" / "test.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = _ag_text(row["description"]).replace("\\", " ")
            out.append((_ag_text(row["title"]).strip(), [" ".join(text.split())],
                        AG_LABELS[row["label"]]))
    with (data / "ecb_plus" / "ecbplus_docs.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            sentences = [s.strip() for s in json.loads(line)["text"].split("\n")
                         if s.strip() and not s.lstrip().startswith("http")]
            if len(sentences) < 2:
                continue
            body = [" ".join(sentences[i:i + 3]) for i in range(1, len(sentences), 3)]
            out.append((sentences[0][:120], body, "World"))
    distinct = []
    for headline, paragraphs, category in out:
        key = " ".join(paragraphs)[:400]
        if headline and paragraphs and key not in seen:
            seen.add(key)
            distinct.append((headline, paragraphs, category))
    return distinct


def _ag_text(text: str) -> str:
    """AG News keeps its source's escapes: #36; for $, #39; for ', quot; for "."""
    return html.unescape(text.replace("#36;", "$").replace("#39;", "'")
                         .replace("quot;", '"'))


REWORDINGS = [
    lambda h: h.replace(" says ", " said ").replace(" is ", " was ") if " says " in h
    or " is " in h else f"{h}, officials say",
    lambda h: f"UPDATED: {h}" if len(h) < 60 else h.rsplit(" ", 1)[0] + " - report",
    lambda h: f"{h} (corrected headline)" if len(h) < 40 else h.replace(" to ", " will "),
    lambda h: h.upper()[:1] + h[1:].lower() if h.istitle() else f"{h} - sources",
]


def _copy(original: Item, agency: int, rng: random.Random, number: int) -> Item:
    """Another agency's re-send: its headline wording, credit and timing; the body kept,
    the last paragraph dropped from long items, one sentence trimmed from the lead."""
    paragraphs = list(original.paragraphs)
    if len(paragraphs) > 4 and rng.random() < 0.5:
        paragraphs.pop()
    lead = paragraphs[0].split(". ")
    if len(lead) > 2:
        paragraphs[0] = ". ".join(lead[:-1]) + "."
    return replace(original, key=f"copy-{number}", agency=agency,
                   headline=rng.choice(REWORDINGS)(original.headline),
                   paragraphs=tuple(paragraphs), copy_of=original.key,
                   published=original.published + timedelta(minutes=rng.randint(3, 240)))


def items(data: Path, total: int, copy_rate: float, seed: int = 16) -> list[Item]:
    """``total`` items in publication order: distinct texts plus ``copy_rate`` copies."""
    rng = random.Random(seed)
    texts = read_texts(data)
    rng.shuffle(texts)
    copies = round(total * copy_rate)
    originals = [Item(key=f"item-{n}", headline=h, paragraphs=tuple(p), category=c,
                      agency=n % len(AGENCIES), published=START + n * SPACING)
                 for n, (h, p, c) in enumerate(texts[:total - copies])]
    if len(originals) < total - copies:
        raise SystemExit(f"only {len(texts)} distinct items in {data}")
    resent = []
    for number, original in enumerate(rng.sample(originals, copies)):
        agency = (original.agency + rng.randint(1, len(AGENCIES) - 1)) % len(AGENCIES)
        resent.append(_copy(original, agency, rng, number))
    return sorted(originals + resent, key=lambda i: (i.published, i.key))


def _rss_item(item: Item, number: int) -> str:
    code, dateline = AGENCIES[item.agency]
    day = item.published.strftime("%b %d").replace(" 0", " ")
    first = f"{dateline.format(day=day)} {item.paragraphs[0]}"
    body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in (first, *item.paragraphs[1:]))
    return (f"<item><title>{html.escape(item.headline, quote=False)}</title>"
            f'<guid isPermaLink="false">{code}-{item.key}</guid>'
            f"<link>https://{code.lower()}.example.org/news/{item.key}?utm_source=rss</link>"
            f"<category>{item.category}</category>"
            f"<pubDate>{item.published.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>"
            f'<media:content url="https://img.example.org/{code}/{number}.jpg" medium="image">'
            f"<media:credit>{code} photo {number % 13}</media:credit></media:content>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")


def feeds(corpus: list[Item], per_feed: int) -> list[tuple[str, bytes]]:
    """(agency code, RSS document) in polling order: each agency's next ``per_feed`` items,
    the agencies taking turns."""
    by_agency: dict[int, list[Item]] = {}
    for item in corpus:
        by_agency.setdefault(item.agency, []).append(item)
    documents, number = [], 0
    rounds = max(len(v) for v in by_agency.values())
    for start in range(0, rounds, per_feed):
        for agency in sorted(by_agency):
            chunk = by_agency[agency][start:start + per_feed]
            if not chunk:
                continue
            code = AGENCIES[agency][0]
            parts = []
            for item in chunk:
                parts.append(_rss_item(item, number))
                number += 1
            documents.append((code, (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                'xmlns:media="http://search.yahoo.com/mrss/"><channel>'
                f"<title>{code} wire</title><link>https://{code.lower()}.example.org/</link>"
                f"<description>{code} top news</description>{''.join(parts)}"
                "</channel></rss>").encode()))
    return documents

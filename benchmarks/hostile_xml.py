"""Hostile XML: peak memory of wiredesk's parse+normalize path per attack file, against a
parser that expands entities (the standard library's ElementTree) on the same bytes in
the same run. External-entity URLs are pointed at a closed loopback port first.

    .venv/bin/python benchmarks/hostile_xml.py
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET  # the entity-expanding reference, on purpose
from pathlib import Path

from wiredesk.wire.pipeline import process
from wiredesk.wire.types import WireError

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT.parent / "shared" / "data" / "hostile-xml" / "defusedxml"


def measure(function, data: bytes) -> tuple[str, int, float]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        function(data)
        outcome = "parsed"
    except WireError as exc:
        outcome = f"refused: {str(exc)[:60]}"
    except Exception as exc:
        outcome = f"{type(exc).__name__}: {str(exc)[:50]}"
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return outcome, peak, seconds


def main() -> int:
    if not HOSTILE.is_dir():
        print(f"no data at {HOSTILE}", file=sys.stderr)
        return 2
    from wiredesk.wire.formats import html_page

    # trafilatura loads its fallback extractors' data on first use (~29 MB, once per
    # process); that is not what a hostile file costs.
    for page in (b"<html><body><article><p>" + b"warm up trafilatura " * 20
                 + b"</p></article></body></html>", b"<html><head/><body>text</body></html>"):
        with contextlib.suppress(WireError):
            html_page.parse(page)
    rows = []
    print(f"{'file':<18} {'bytes':>7} {'ours peak KB':>12} {'ElementTree peak KB':>20}  ours")
    cases = []
    for path in sorted(HOSTILE.glob("*.xml")):
        data = path.read_bytes().replace(b"http://www.w3schools.com/xml/note.xml",
                                         b"http://127.0.0.1:9/note.xml")
        data = data.replace(b"file:///PATH/TO/xmltestdata/simple.xml", b"file:///dev/null")
        cases.append((path.name, data))
        if b"<!ENTITY" in data:
            # The same attack inside a feed, so a feed parser cannot reject it by its root.
            head, _, rest = data.partition(b"]>")
            cases.append((path.name.replace(".xml", "+rss"), head + b"]>\n"
                          b'<rss version="2.0"><channel><title>t</title><item><title>x</title>'
                          b"<description>" + rest.strip() + b"</description></item>"
                          b"</channel></rss>"))
    for name, data in cases:
        path = Path(name)
        ours, ours_peak, ours_s = measure(process, data)
        ref, ref_peak, ref_s = measure(lambda d: ET.fromstring(d), data)
        rows.append({"file": path.name, "bytes": len(data), "ours": ours,
                     "ours_peak_bytes": ours_peak, "ours_seconds": round(ours_s, 4),
                     "reference": ref, "reference_peak_bytes": ref_peak,
                     "reference_seconds": round(ref_s, 4),
                     "peak_ratio_to_reference": round(ours_peak / ref_peak, 3)
                     if ref_peak else None})
        print(f"{path.name:<18} {len(data):>7} {ours_peak / 1024:>12.0f} "
              f"{ref_peak / 1024:>20.0f}  {ours}")
    out = ROOT / "benchmarks" / "results" / "hostile_xml.json"
    out.write_text(json.dumps({"rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

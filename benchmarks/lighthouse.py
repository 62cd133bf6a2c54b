"""Lighthouse (mobile) on the demo's home page and one article page: the four category
scores, and what compression does to the bytes of each page.

Lighthouse comes from the npm registry, run with Debian's chromium (it never downloads a
browser)::

    mkdir -p /tmp/lh && (cd /tmp/lh && npm i -E lighthouse@12.2.3)
    .venv/bin/python benchmarks/lighthouse.py [--lighthouse /tmp/lh/node_modules/.bin/lighthouse]
        [--chrome /usr/bin/chromium] [--runs 3] [--name lighthouse]

Starts ``wiredesk demo --port <free port>`` on a fresh data directory, runs Lighthouse
``--runs`` times on ``/chile-sun/`` (or ``--edition``'s front) and on the first article
that page links (and any ``--path``), and writes
benchmarks/results/lighthouse.json: each run's scores (0-100) per category and page, the
lowest of them, and each page's size as sent for every coding a browser may ask for.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from _common import WIREDESK, env_for, free_port, wait_http, write_result

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CODINGS = ("identity", "gzip", "br", "zstd")


def lighthouse(tool: str, chrome: str, url: str, out: Path) -> dict:
    subprocess.run(
        [tool, url, "--chrome-flags=--headless --no-sandbox", "--output=json",
         f"--output-path={out}", "--quiet", f"--only-categories={','.join(CATEGORIES)}"],
        env={**os.environ, "CHROME_PATH": chrome}, check=True, timeout=300)
    report = json.loads(out.read_text())
    return {"scores": {name: round(report["categories"][name]["score"] * 100)
                       for name in CATEGORIES},
            "lighthouse": report["lighthouseVersion"],
            "form_factor": report["configSettings"]["formFactor"],
            "user_agent": report["environment"]["hostUserAgent"]}


def sizes(url: str) -> dict[str, int | None]:
    """Bytes of the page's body as sent, per Accept-Encoding (None: not in that coding)."""
    sent: dict[str, int | None] = {}
    for coding in CODINGS:
        request = urllib.request.Request(url, headers={"Accept-Encoding": coding})
        with urllib.request.urlopen(request, timeout=10) as response:
            used = response.headers.get("Content-Encoding", "identity")
            sent[coding] = len(response.read()) if used == coding else None
    return sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lighthouse", default="/tmp/lh/node_modules/.bin/lighthouse")
    parser.add_argument("--chrome", default="/usr/bin/chromium")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--name", default="lighthouse", help="results/NAME.json")
    parser.add_argument("--edition", default="chile-sun",
                        help="the demo edition whose home and first article are judged "
                             "(chile-hoy: the Spanish one)")
    parser.add_argument("--path", action="append", default=[], metavar="NAME=PATH",
                        help="another page of the demo to judge, e.g. "
                             "arabic=/chile-sun/news/12/... (repeatable)")
    parser.add_argument("--lang-article", default="", metavar="CODE",
                        help="also judge the front's first article in this language "
                             "(ar: the demo's Arabic item, right to left)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wd-bench-lighthouse-"))
    port = free_port()
    log = (work / "demo.log").open("w")
    demo = subprocess.Popen([WIREDESK, "demo", "--port", str(port)],
                            env=env_for(work / "data"), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        front = f"/{args.edition}/"
        wait_http(base + front, timeout=180)
        with urllib.request.urlopen(base + front, timeout=10) as response:
            home = response.read().decode()
        article = re.search(rf'href="(/{args.edition}/news/\d+/[\w-]+)"', home).group(1)
        pages = {"home": base + front, "article": base + article}
        if args.lang_article:
            found = re.search(rf'href="(/{args.edition}/news/\d+/[\w-]+)" lang="'
                              rf'{args.lang_article}"', home)
            if found is None:
                raise SystemExit(f"no {args.lang_article} article on {front}")
            pages[args.lang_article] = base + found.group(1)
        pages.update(dict(item.split("=", 1) for item in args.path))
        pages = {name: url if url.startswith("http") else base + url
                 for name, url in pages.items()}
        results: dict = {"runs": args.runs, "pages": {}}
        for name, url in pages.items():
            runs = [lighthouse(args.lighthouse, args.chrome, url, work / f"{name}-{i}.json")
                    for i in range(args.runs)]
            results["lighthouse"] = runs[0]["lighthouse"]
            results["form_factor"] = runs[0]["form_factor"]
            results["user_agent"] = runs[0]["user_agent"]
            results["pages"][name] = {
                "path": url[len(base):],
                "scores": [run["scores"] for run in runs],
                "lowest": {c: min(run["scores"][c] for run in runs) for c in CATEGORIES},
                "bytes_sent": sizes(url)}
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=30)
        log.close()
    path = write_result(args.name, results)
    print(f"Lighthouse {results['lighthouse']} ({results['form_factor']}), "
          f"lowest of {args.runs} runs:")
    for name, page in results["pages"].items():
        lowest = ", ".join(f"{c} {page['lowest'][c]}" for c in CATEGORIES)
        sent = ", ".join(f"{c} {page['bytes_sent'][c]}" for c in CODINGS)
        print(f"  {name} ({page['path']}): {lowest}; bytes sent: {sent}")
    print(f"written to {path}")


if __name__ == "__main__":
    main()

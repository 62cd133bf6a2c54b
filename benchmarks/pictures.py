"""Ingest with pictures against ingest without, and what the fetch-pictures job does.

Issue 15 asks for ingest throughput with pictures (each item with a 2 MB JPEG from a
loopback server) as a ratio to the same ingest without pictures. Ingest never fetches a
picture (it records the address; the fetch-pictures job fetches later), so both are
measured: the ingest ratio, and the job's pictures per second against a floor measured
in the same run (fetching the same bytes over the same loopback and Pillow decoding them
once and writing one 1600 px JPEG, with no checks and no other width).

Items: the first ``--items`` articles of ``../shared/data/bbc_news`` (headline and body;
read in place, never copied), as RSS 2.0 in documents of 50. With pictures, each item
names its own address on a loopback server that answers with a ~2 MB photo-like JPEG
(eight such pictures made here with Pillow: smooth light, shapes and grain; each
address's bytes made distinct by a trailer after the end-of-image marker, so none is
stored as another's copy). The machine's noise moves the ingest times by more than the
difference, so the queries each ingest sends are counted too (noise cannot move them).

    .venv/bin/python benchmarks/pictures.py [--items 120] [--rounds 2]

Each measurement runs in a fresh child process on a fresh SQLite data directory; the two
ingests alternate, and medians are reported.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
DATA = Path(os.environ.get("WIREDESK_SHARED_DATA", ROOT.parent / "shared" / "data"))
PER_DOCUMENT = 50
PICTURE_BYTES = 2 * 1024 * 1024
BASES = 8


def bbc_items(count: int) -> list[tuple[str, str]]:
    """(headline, body paragraphs) of the first ``count`` BBC articles, sections in turn."""
    folders = sorted(p for p in (DATA / "bbc_news").iterdir() if p.is_dir())
    if not folders:
        raise SystemExit(f"no BBC articles under {DATA / 'bbc_news'}")
    files = [sorted(folder.glob("*.txt")) for folder in folders]
    items = []
    for index in range(count):
        path = files[index % len(files)][index // len(files)]
        text = path.read_bytes().decode("utf-8", errors="replace")
        headline, _, body = text.strip().partition("\n")
        paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
        items.append((headline.strip(), paragraphs))
    return items


def documents(items, picture_base: str | None) -> list[bytes]:
    out = []
    for start in range(0, len(items), PER_DOCUMENT):
        parts = []
        for n, (headline, paragraphs) in enumerate(items[start:start + PER_DOCUMENT], start):
            picture = (f'<media:content url="{picture_base}/p/{n}.jpg" medium="image" '
                       f'type="image/jpeg"><media:credit>Bench Photos</media:credit>'
                       f"</media:content>" if picture_base else "")
            body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
            parts.append(f"<item><title>{escape(headline)}</title>"
                         f'<guid isPermaLink="false">bbc-{n}</guid>'
                         f"<link>https://news.example.org/{n}</link>"
                         f"<pubDate>Fri, 11 Jul 2025 {n % 24:02d}:{n % 60:02d}:00 GMT</pubDate>"
                         f"{picture}<content:encoded><![CDATA[{body}]]></content:encoded>"
                         "</item>")
        out.append(('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                    'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>BBC</title>'
                    "<link>https://news.example.org/</link><description>d</description>"
                    f"{''.join(parts)}</channel></rss>").encode())
    return out


def make_pictures() -> list[bytes]:
    from tests.pictureserver import jpeg_of_bytes

    return [jpeg_of_bytes(PICTURE_BYTES, seed) for seed in range(BASES)]


class Server:
    """/p/<n>.jpg: base picture n % 8 with an 8-byte trailer naming n."""

    def __init__(self, pictures: list[bytes]):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                number = int(self.path.rsplit("/", 1)[1].split(".")[0])
                body = pictures[number % len(pictures)] + number.to_bytes(8, "big")
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def child_run(mode: str, items: int, picture_base: str) -> dict:
    """In a child process: a fresh instance; ingest (and for ``fetch``, the job)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    import logging

    logging.disable(logging.WARNING)
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services
    from wiredesk.newsroom.models import Article, PictureAsset

    edition_save(name="Chile Sun", time_zone="Australia/Sydney")
    agency = services.agency_ensure(code="BBC", time_zone="UTC")
    docs = documents(bbc_items(items), picture_base if mode != "plain" else None)
    from django.db import connection

    queries = 0

    def counted(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(counted):
        for number, data in enumerate(docs):
            report = services.ingest_bytes(data, agency=agency, source=f"bench-{number}")
            assert not report.errors, report.errors[:3]
    ingest = time.perf_counter() - start
    assert Article.objects.count() == items
    result = {"mode": mode, "items": items, "ingest_seconds": round(ingest, 3),
              "ingest_queries_per_item": round(queries / items, 2)}
    if mode == "fetch":
        start = time.perf_counter()
        stored = 0
        while True:
            report = services.pictures_fetch_due(limit=10)
            if not report.done:
                break
            stored += report.stored
        result["fetch_seconds"] = round(time.perf_counter() - start, 3)
        result["pictures_stored"] = stored
        assert stored == items == PictureAsset.objects.count(), (stored, items)
        result["shown"] = Article.objects.exclude(image_renditions=[]).count()
        root = Path(os.environ["WIREDESK_DATA_DIR"]) / "media" / "pictures"
        result["stored_bytes"] = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    return result


def child(mode: str, items: int, picture_base: str) -> dict:
    env = dict(os.environ)
    env["WIREDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="wiredesk-bench-pictures-")
    env["WIREDESK_FETCH_ALLOW"] = "127.0.0.1"
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, __file__, "--child", mode, "--items", str(items),
                           "--picture-base", picture_base], env=env, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def floor(server: Server, count: int) -> float:
    """Seconds a picture at least costs: the same bytes over the same loopback, decoded
    once by Pillow (at reduced scale, as ours) and written as one 1600 px JPEG."""
    from PIL import Image

    start = time.perf_counter()
    for n in range(count):
        with urllib.request.urlopen(f"{server.url}/p/{n}.jpg") as response:
            data = response.read()
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (1600, 1600 * image.height // image.width))
        image = image.convert("RGB")
        image.thumbnail((1600, 1600))
        image.save(io.BytesIO(), "JPEG", quality=82)
    return (time.perf_counter() - start) / count


def renditions_alone(pictures: list[bytes], count: int) -> float:
    """Seconds ``wire.images.make_renditions`` takes a picture (every width, JPEG and
    WebP), bytes already in memory: the job's share spent re-encoding."""
    from wiredesk.wire.images import DEFAULT_WIDTHS, make_renditions

    start = time.perf_counter()
    for n in range(count):
        make_renditions(pictures[n % len(pictures)] + n.to_bytes(8, "big"),
                        max_pixels=40_000_000, widths=DEFAULT_WIDTHS)
    return (time.perf_counter() - start) / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", default="")
    parser.add_argument("--picture-base", default="")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_run(args.child, args.items, args.picture_base)))
        return 0
    pictures = make_pictures()
    server = Server(pictures)
    plain, pictured, queries = [], [], {}
    for _round in range(args.rounds):
        for mode, times in (("plain", plain), ("pictures", pictured)):
            run = child(mode, args.items, server.url)
            times.append(run["ingest_seconds"])
            queries[mode] = run["ingest_queries_per_item"]
    fetched = child("fetch", args.items, server.url)
    per_picture_floor = floor(server, min(args.items, 24))
    per_picture_renditions = renditions_alone(pictures, min(args.items, 24))
    plain_rate = args.items / statistics.median(plain)
    pictured_rate = args.items / statistics.median(pictured)
    job_rate = fetched["pictures_stored"] / fetched["fetch_seconds"]
    result = {
        "items": args.items, "rounds": args.rounds,
        "picture_bytes": statistics.mean(len(p) for p in pictures),
        "ingest_without_pictures_items_per_s": round(plain_rate, 2),
        "ingest_with_pictures_items_per_s": round(pictured_rate, 2),
        "ingest_ratio_with_to_without": round(pictured_rate / plain_rate, 3),
        "ingest_seconds_without": plain, "ingest_seconds_with": pictured,
        "ingest_queries_per_item_without": queries["plain"],
        "ingest_queries_per_item_with": queries["pictures"],
        "fetch_job_pictures_per_s": round(job_rate, 2),
        "fetch_job_mb_per_s": round(job_rate * statistics.mean(len(p) for p in pictures)
                                    / 1e6, 2),
        "floor_pictures_per_s": round(1 / per_picture_floor, 2),
        "fetch_job_ratio_to_floor": round(job_rate * per_picture_floor, 3),
        "renditions_alone_pictures_per_s": round(1 / per_picture_renditions, 2),
        "renditions_share_of_job": round(per_picture_renditions * job_rate, 3),
        "stored_bytes_per_picture": fetched["stored_bytes"] // fetched["pictures_stored"],
        "fetch_run": fetched,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pictures.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'figure':<52} {'value':>10}")
    for key in ("ingest_without_pictures_items_per_s", "ingest_with_pictures_items_per_s",
                "ingest_ratio_with_to_without", "ingest_queries_per_item_without",
                "ingest_queries_per_item_with", "fetch_job_pictures_per_s",
                "fetch_job_mb_per_s", "floor_pictures_per_s", "fetch_job_ratio_to_floor",
                "renditions_alone_pictures_per_s", "renditions_share_of_job",
                "stored_bytes_per_picture"):
        print(f"{key:<52} {result[key]:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

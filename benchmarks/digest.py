"""Build and send one edition's digest to N confirmed subscribers through a local SMTP sink.

Figures (all in one run, against references measured in the same run):
- our send rate (plan excluded, and plan included) in messages/s, as a ratio to a bare
  ``smtplib`` loop sending the same pre-built messages over one connection (the floor:
  our overhead is the ledger, the claims, the per-subscriber links and assembly);
- the build time of one digest (select the stories, render HTML and text), and the
  per-copy assembly time.

The sink is a minimal asyncio SMTP server in its own process (so it does not share the
sender's core), answering 250 to everything and counting messages.

    .venv/bin/python benchmarks/digest.py --subscribers 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# --- the sink ---------------------------------------------------------------------------

class _SinkProtocol(asyncio.Protocol):
    def __init__(self, counter):
        self.counter = counter
        self.buffer = bytearray()
        self.scanned = 0  # where the search for the end of DATA resumes
        self.in_data = False

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data):
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n", max(0, self.scanned - 4))
                if end < 0:
                    self.scanned = len(self.buffer)
                    return
                del self.buffer[:end + 5]
                self.scanned = 0
                self.in_data = False
                self.counter.value += 1  # one writer: this process
                self.transport.write(b"250 2.0.0 queued\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return
            verb = bytes(self.buffer[:4]).upper()
            del self.buffer[:line_end + 2]
            if verb == b"EHLO":
                self.transport.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 100000000\r\n")
            elif verb == b"DATA":
                self.in_data = True
                self.scanned = 0
                self.transport.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 bye\r\n")
                self.transport.close()
                return
            else:
                self.transport.write(b"250 OK\r\n")


def _run_sink(port, counter, ready):
    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _SinkProtocol(counter), "127.0.0.1", port)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the run ----------------------------------------------------------------------------

def setup_instance(stories: int):
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from django.core.management import call_command

    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services

    call_command("migrate", interactive=False, verbosity=0)
    for slug, position in (("world", 1), ("business", 2), ("sport", 3)):
        services.section_ensure(slug=slug, name=slug.title(), position=position)
    import random
    import string

    now = datetime.now(UTC)
    items = []
    rng = random.Random(20250711)

    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))

    for n in range(stories):
        category = ("World", "Business", "Sport")[n % 3]
        date = format_datetime(now - timedelta(minutes=20 + 30 * n))
        # Words of its own for every story: shared copy would make the stories
        # near-duplicates of one another, and a digest has one entry per story.
        body = "".join("<p>" + " ".join(word() for _ in range(40)).capitalize() + ".</p>"
                       for _ in range(4))
        items.append(f"<item><title>Benchmark story number {n} about the day</title>"
                     f"<guid isPermaLink=\"false\">bench-{n}</guid>"
                     f"<link>https://wire.example.org/bench-{n}</link>"
                     f"<category>{category}</category><pubDate>{date}</pubDate>"
                     f"<description><![CDATA[{body}]]></description></item>")
    feed = Path(os.environ["WIREDESK_DATA_DIR"]) / "bench.rss"
    feed.write_text('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                    "<title>bench</title><link>https://wire.example.org/</link>"
                    "<description>bench</description>" + "".join(items) + "</channel></rss>")
    services.ingest_source(str(feed), agency=services.agency_ensure(code="RFE"))
    return edition_save(name="Chile Sun", time_zone="Australia/Sydney",
                        hosts=["chilesun.example"])


def add_subscribers(edition, count: int) -> None:
    from django.utils import timezone

    from wiredesk.digest.models import Subscriber

    now = timezone.now()
    batch = []
    for n in range(count):
        batch.append(Subscriber(edition=edition, email=f"reader{n}@bench.example",
                                status=Subscriber.Status.CONFIRMED, confirmed_at=now))
        if len(batch) == 5000:
            Subscriber.objects.bulk_create(batch)
            batch = []
    Subscriber.objects.bulk_create(batch)


def build_times(edition, repeat: int = 20) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from wiredesk.digest.clock import reader_clock
    from wiredesk.digest.render import assemble_message, message_parts, render_digest
    from wiredesk.digest.selectors import digest_articles
    from wiredesk.editions.links import edition_base_url

    now = timezone.now()
    clock = reader_clock(zone="", edition=edition)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        articles = digest_articles(edition, start=now - timedelta(days=1), end=now)
        rendered = render_digest(edition=edition, articles=articles,
                                 base_url=edition_base_url(edition), clock=clock,
                                 issue_date=now.date(), since=now - timedelta(days=1))
        samples.append(time.perf_counter() - started)
    parts = message_parts(rendered, edition)
    started = time.perf_counter()
    copies = 2000
    for n in range(copies):
        data = assemble_message(parts, to=f"r{n}@bench.example", message_id=f"<{n}@b>",
                                date=now, unsubscribe_url=f"https://x.example/u/{n}",
                                preferences_url=f"https://x.example/p/{n}")
    assembly = (time.perf_counter() - started) / copies
    return {"build_ms_median": statistics.median(samples) * 1000,
            "stories": len(articles), "assembly_us_per_copy": assembly * 1e6,
            "message_bytes": len(data)}


def prebuilt_messages(edition, count: int) -> list[tuple[str, bytes]]:
    """The same messages our sender builds, made up front for the bare smtplib loop."""
    from datetime import timedelta

    from django.utils import timezone

    from wiredesk.digest.clock import reader_clock
    from wiredesk.digest.render import assemble_message, message_parts, render_digest
    from wiredesk.digest.selectors import digest_articles
    from wiredesk.editions.links import edition_base_url

    now = timezone.now()
    articles = digest_articles(edition, start=now - timedelta(days=1), end=now)
    parts = message_parts(render_digest(edition=edition, articles=articles,
                                        base_url=edition_base_url(edition),
                                        clock=reader_clock(zone="", edition=edition),
                                        issue_date=now.date()), edition)
    return [(f"reader{n}@bench.example",
             assemble_message(parts, to=f"reader{n}@bench.example", message_id=f"<{n}@b>",
                              date=now, unsubscribe_url=f"https://x.example/u/{'x' * 80}{n}",
                              preferences_url=f"https://x.example/p/{'x' * 80}{n}"))
            for n in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/digest.json"))
    args = parser.parse_args()

    port = free_port()
    counter = multiprocessing.Value("q", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=_run_sink, args=(port, counter, ready), daemon=True)
    sink.start()
    ready.wait(10)

    data_dir = tempfile.mkdtemp(prefix="wiredesk-bench-digest-")
    os.environ.update(WIREDESK_DATA_DIR=data_dir, EMAIL_URL=f"smtp://127.0.0.1:{port}",
                      WIREDESK_DIGEST_RATE_PER_SECOND="0", WIREDESK_DIGEST_RATE_PER_HOUR="0",
                      WIREDESK_BASE_URL="https://news.example", WIREDESK_LOG_LEVEL="WARNING",
                      WIREDESK_FROM_EMAIL="Desk <desk@news.example>",
                      WIREDESK_SECRET_KEY="benchmark-secret-key-0123456789-abcdefghij")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings

    from wiredesk.digest.models import Delivery
    from wiredesk.digest.sending import send_pending
    from wiredesk.digest.services import digest_plan

    n = args.subscribers
    print(f"setting up {n} confirmed subscribers, {args.stories} stories "
          f"(SQLite in {data_dir}) ...", file=sys.stderr)
    edition = setup_instance(args.stories)
    add_subscribers(edition, n)
    builds = build_times(edition)

    # Reference: a bare smtplib loop over one connection, messages built beforehand.
    import smtplib

    messages = prebuilt_messages(edition, n)
    counter.value = 0
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for recipient, data in messages:
            smtp.sendmail("desk@news.example", [recipient], data)
    bare_seconds = time.perf_counter() - started
    assert counter.value == n, counter.value
    del messages

    # Ours: plan the ledger, then send it (claims, build, pooled SMTP, ledger commits).
    counter.value = 0
    started = time.perf_counter()
    plan = digest_plan(force=True)
    plan_seconds = time.perf_counter() - started
    assert plan.planned == n, plan

    last = [0.0]

    def progress(report):
        now = time.perf_counter()
        if now - last[0] > 10:
            last[0] = now
            print(f"  {report.sent}/{n} sent", file=sys.stderr)

    started = time.perf_counter()
    report = send_pending(progress=progress)
    send_seconds = time.perf_counter() - started
    assert report.sent == n and counter.value == n, (report, counter.value)
    assert Delivery.objects.filter(state="sent").count() == n
    sink.terminate()

    bare_rate = n / bare_seconds
    send_rate = n / send_seconds
    total_rate = n / (send_seconds + plan_seconds)
    result = {
        "subscribers": n, "stories": builds["stories"], "database": "sqlite",
        "messages_per_connection": settings.WIREDESK_DIGEST_MESSAGES_PER_CONNECTION,
        "claim_batch": settings.WIREDESK_DIGEST_BATCH,
        "message_bytes": builds["message_bytes"],
        "bare_smtplib_msgs_per_s": round(bare_rate, 1),
        "wiredesk_send_msgs_per_s": round(send_rate, 1),
        "wiredesk_plan_and_send_msgs_per_s": round(total_rate, 1),
        "ratio_send_to_bare": round(send_rate / bare_rate, 3),
        "ratio_plan_and_send_to_bare": round(total_rate / bare_rate, 3),
        "plan_seconds": round(plan_seconds, 2), "send_seconds": round(send_seconds, 2),
        "bare_seconds": round(bare_seconds, 2),
        "digest_build_ms_median": round(builds["build_ms_median"], 2),
        "assembly_us_per_copy": round(builds["assembly_us_per_copy"], 1),
        "smtp_connections": report.connections,
    }
    rows = [
        ("bare smtplib loop, pre-built messages, 1 connection (reference)",
         f"{bare_rate:,.0f} msg/s", "1.00"),
        ("wiredesk send (claims, build, pooled SMTP, ledger)", f"{send_rate:,.0f} msg/s",
         f"{send_rate / bare_rate:.2f}"),
        ("wiredesk plan + send", f"{total_rate:,.0f} msg/s", f"{total_rate / bare_rate:.2f}"),
    ]
    print(f"\n{n:,} subscribers, {builds['stories']} stories, "
          f"{builds['message_bytes']:,} bytes a message\n")
    print(f"| {'what':<66} | {'rate':>14} | ratio |")
    print(f"|{'-' * 68}|{'-' * 16}|-------|")
    for what, rate, ratio in rows:
        print(f"| {what:<66} | {rate:>14} | {ratio:>5} |")
    print(f"\nbuild of one digest (select + render HTML and text): "
          f"{builds['build_ms_median']:.1f} ms median; assembly of one copy: "
          f"{builds['assembly_us_per_copy']:.0f} us; plan: {plan_seconds:.1f} s; "
          f"{report.connections} SMTP connections")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)
    import shutil

    shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

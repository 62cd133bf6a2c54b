"""Build and send one edition's digest to N confirmed subscribers through a local SMTP sink.

Figures (all in one run, against references measured in the same run):
- our send rate (plan excluded, and plan included) in messages/s, as a ratio to a bare
  ``smtplib`` loop sending the same pre-built messages over one connection (the floor:
  our overhead is the ledger, the claims, the per-subscriber links and assembly);
- the build time of one digest (select the stories, render HTML and text), and the
  per-copy assembly time.

The sink is a minimal asyncio SMTP server in its own process (so it does not share the
sender's core), answering 250 to everything and counting messages; one offers PIPELINING
(as Postfix, Exim and the big relays do), one does not. The reference and our two rows
are measured in alternating rounds, so they share the load of this shared machine.
Then 1 and N sender processes (``--parallel``, one connection each) send the whole ledger
afresh, alternated twice; with ``--relay HOST:PORT`` those go to a real relay (e.g. a local
Postfix that discards), with the bare loop over as many connections as their reference.

    .venv/bin/python benchmarks/digest.py --subscribers 100000
    .venv/bin/python benchmarks/digest.py --subscribers 4000 --parallel 4 --relay 127.0.0.1:2525
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
    def __init__(self, counter, pipelining):
        self.counter = counter
        self.pipelining = pipelining
        self.buffer = bytearray()
        self.scanned = 0  # where the search for the end of DATA resumes
        self.in_data = False

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data):
        # Replies to what arrived together go out in one write, as a real relay sends
        # pipelined replies (one write each would meet Nagle and the delayed ACK).
        replies: list[bytes] = []
        self._answer(data, replies)
        if replies and not self.transport.is_closing():
            self.transport.write(b"".join(replies))

    def _answer(self, data, replies):
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
                replies.append(b"250 2.0.0 queued\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return
            verb = bytes(self.buffer[:4]).upper()
            del self.buffer[:line_end + 2]
            if verb == b"EHLO":
                # Commands are read in order from the buffer, so pipelined ones work.
                replies.append(b"250-sink\r\n250-8BITMIME\r\n"
                               + (b"250-PIPELINING\r\n" if self.pipelining else b"")
                               + b"250 SIZE 100000000\r\n")
            elif verb == b"DATA":
                self.in_data = True
                self.scanned = 0
                replies.append(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"".join(replies) + b"221 bye\r\n")
                replies.clear()
                self.transport.close()
                return
            else:
                replies.append(b"250 OK\r\n")


def _run_sink(port, counter, ready, pipelining=True):
    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _SinkProtocol(counter, pipelining),
                                          "127.0.0.1", port)
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


def prebuilt_messages(edition, count: int, first: int = 0) -> list[tuple[str, bytes]]:
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
            for n in range(first, first + count)]


def reset_ledger() -> None:
    """Forget every send, so the same subscribers can be planned and sent again."""
    from wiredesk.digest.models import Delivery, Digest, Subscriber

    Delivery.objects.all().delete()
    Digest.objects.all().delete()
    Subscriber.objects.update(last_window_end=None, last_sent_at=None, next_due_at=None)


def _child_send(host: str, port: int, results) -> None:
    from django.db import connections

    from wiredesk.digest.sending import send_pending
    from wiredesk.digest.transport import SmtpTransport

    connections.close_all()  # never share the parent's connection across the fork
    report = send_pending(transport=SmtpTransport(host=host, port=port))
    results.put(report.sent)
    connections.close_all()


def parallel_send(host: str, port: int, senders: int, expected: int) -> float:
    """Plan afresh, then ``senders`` processes send the ledger at once, each on its own
    connection; the wall time from the first start to the last exit."""
    from django.db import connections

    from wiredesk.digest.services import digest_plan

    reset_ledger()
    assert digest_plan(force=True).planned == expected
    connections.close_all()
    return _in_processes(_child_send, [(host, port)] * senders, expected)


def _in_processes(target, arguments: list[tuple], expected: int) -> float:
    """Run ``target(*args, results)`` in a forked process for each of ``arguments`` at
    once; the wall time from the first start to the last exit. Each puts what it sent."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=target, args=(*args, results)) for args in arguments]
    started = time.perf_counter()
    for process in processes:
        process.start()
    sent = sum(results.get(timeout=3600) for _ in processes)
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    assert sent == expected, (sent, expected)
    return seconds


def _child_bare(host: str, port: int, messages, results) -> None:
    import smtplib

    with smtplib.SMTP(host, port) as smtp:
        for recipient, data in messages:
            smtp.sendmail("desk@news.example", [recipient], data)
    results.put(len(messages))


def parallel_bare(host: str, port: int, senders: int, messages) -> float:
    """The reference for the parallel rows: the bare smtplib loop split over ``senders``
    processes, one connection each, sending the same pre-built messages to the same relay."""
    shares = [messages[i::senders] for i in range(senders)]
    return _in_processes(_child_bare, [(host, port, share) for share in shares], len(messages))


def children_cpu() -> float:
    """CPU seconds of the finished child processes (the senders), user and system."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start_sink(pipelining: bool):
    port = free_port()
    counter = multiprocessing.Value("q", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=_run_sink, args=(port, counter, ready, pipelining),
                                   daemon=True)
    sink.start()
    ready.wait(10)
    return sink, port, counter


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4,
                        help="senders for the parallel row (0: skip it)")
    parser.add_argument("--relay", metavar="HOST:PORT",
                        help="send the parallel rows (and their bare reference) to this real "
                             "relay instead of the sink, e.g. a local Postfix that discards")
    parser.add_argument("--pg", metavar="URL",
                        help="run on PostgreSQL: a throw-away database wd_bench_digest on this "
                             "server (e.g. postgres://postgres@127.0.0.1:5432/postgres)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/digest.json"))
    args = parser.parse_args()

    # Two sinks: one offers PIPELINING (as Postfix, Exim and the big relays do), one not.
    sink, port, counter = start_sink(pipelining=True)
    plain_sink, plain_port, plain_counter = start_sink(pipelining=False)

    data_dir = tempfile.mkdtemp(prefix="wiredesk-bench-digest-")
    os.environ.update(WIREDESK_DATA_DIR=data_dir, EMAIL_URL=f"smtp://127.0.0.1:{port}",
                      WIREDESK_DIGEST_RATE_PER_SECOND="0", WIREDESK_DIGEST_RATE_PER_HOUR="0",
                      WIREDESK_BASE_URL="https://news.example", WIREDESK_LOG_LEVEL="WARNING",
                      WIREDESK_FROM_EMAIL="Desk <desk@news.example>",
                      WIREDESK_SECRET_KEY="benchmark-secret-key-0123456789-abcdefghij")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    if args.pg:
        import psycopg

        base = args.pg.rsplit("/", 1)[0]
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS wd_bench_digest")
            conn.execute("CREATE DATABASE wd_bench_digest")
        os.environ["DATABASE_URL"] = f"{base}/wd_bench_digest"
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

    # Ours: plan the ledger once, then send it in rounds that alternate with the
    # reference, so the figures share the machine's load as it comes and goes (it is
    # shared). Reference: a bare smtplib loop over one connection, each round's messages
    # built beforehand. Ours: send_pending (claims, build, SMTP, ledger commits) for the
    # same number of messages to a relay that offers PIPELINING, then to one that does
    # not; each call opens its own connections and renders the digest again.
    import smtplib

    from wiredesk.digest.transport import SmtpTransport

    started = time.perf_counter()
    plan = digest_plan(force=True)
    plan_seconds = time.perf_counter() - started
    assert plan.planned == n, plan
    per_row = n // 2
    chunk = max(1, min(1000, per_row // 5))
    seconds = {"bare": 0.0, "pipelined": 0.0, "plain": 0.0}
    done = {"bare": 0, "pipelined": 0, "plain": 0}
    counter.value = plain_counter.value = 0
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        while done["pipelined"] < per_row:
            size = min(chunk, per_row - done["pipelined"])
            messages = prebuilt_messages(edition, size, first=done["bare"])
            started = time.perf_counter()
            for recipient, data in messages:
                smtp.sendmail("desk@news.example", [recipient], data)
            seconds["bare"] += time.perf_counter() - started
            done["bare"] += size
            del messages
            for row, row_port in (("pipelined", port), ("plain", plain_port)):
                started = time.perf_counter()
                report = send_pending(max_messages=size, transport=SmtpTransport(
                    host="127.0.0.1", port=row_port,
                    per_connection=settings.WIREDESK_DIGEST_MESSAGES_PER_CONNECTION))
                seconds[row] += time.perf_counter() - started
                assert report.sent == size, report
                done[row] += size
            print(f"  {done['pipelined'] + done['plain']}/{2 * per_row} sent",
                  file=sys.stderr)
    assert counter.value == done["bare"] + done["pipelined"], counter.value
    assert plain_counter.value == done["plain"]
    assert Delivery.objects.filter(state="sent").count() == 2 * per_row
    bare_seconds, send_seconds, plain_seconds = (seconds[k] / done[k] * n
                                                 for k in ("bare", "pipelined", "plain"))
    plan_seconds_per_message = plan_seconds / n

    parallel: dict[int, float] = {}
    parallel_bare_seconds: dict[int, float] = {}
    parallel_cpu: dict[tuple[str, int], float] = {}  # the senders' own CPU seconds
    relay_host, relay_port = ("127.0.0.1", port)
    if args.relay:
        relay_host, _, relay_port_text = args.relay.rpartition(":")
        relay_port = int(relay_port_text)
    if args.parallel > 1:
        messages = prebuilt_messages(edition, n) if args.relay else None
        # Alternated twice, for the same reason as the rounds above; on a real relay the
        # bare loop over as many connections is measured beside each, as its reference.
        for senders in (1, args.parallel, 1, args.parallel):
            print(f"  {senders} sender(s) in parallel ...", file=sys.stderr)
            if messages is not None:
                before = children_cpu()
                parallel_bare_seconds[senders] = parallel_bare_seconds.get(senders, 0.0) + \
                    parallel_bare(relay_host, relay_port, senders, messages) / 2
                parallel_cpu[("bare", senders)] = parallel_cpu.get(("bare", senders), 0.0) + \
                    (children_cpu() - before) / 2
            before = children_cpu()
            parallel[senders] = parallel.get(senders, 0.0) + \
                parallel_send(relay_host, relay_port, senders, n) / 2
            parallel_cpu[("ours", senders)] = parallel_cpu.get(("ours", senders), 0.0) + \
                (children_cpu() - before) / 2
    sink.terminate()
    plain_sink.terminate()

    bare_rate = n / bare_seconds
    send_rate = n / send_seconds
    plain_rate = n / plain_seconds
    total_rate = 1 / (send_seconds / n + plan_seconds_per_message)
    result = {
        "subscribers": n, "stories": builds["stories"],
        "database": "postgresql" if args.pg else "sqlite",
        "messages_per_connection": settings.WIREDESK_DIGEST_MESSAGES_PER_CONNECTION,
        "claim_batch": settings.WIREDESK_DIGEST_BATCH,
        "message_bytes": builds["message_bytes"],
        "bare_smtplib_msgs_per_s": round(bare_rate, 1),
        "wiredesk_send_msgs_per_s": round(send_rate, 1),
        "wiredesk_send_no_pipelining_msgs_per_s": round(plain_rate, 1),
        "wiredesk_plan_and_send_msgs_per_s": round(total_rate, 1),
        "ratio_send_to_bare": round(send_rate / bare_rate, 3),
        "ratio_send_no_pipelining_to_bare": round(plain_rate / bare_rate, 3),
        "ratio_plan_and_send_to_bare": round(total_rate / bare_rate, 3),
        "plan_seconds": round(plan_seconds, 2),
        "messages_per_row": per_row, "rounds_of": chunk,
        "digest_build_ms_median": round(builds["build_ms_median"], 2),
        "assembly_us_per_copy": round(builds["assembly_us_per_copy"], 1),
        "cpus": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }
    rows = [
        ("bare smtplib loop, pre-built messages, 1 connection (reference)",
         f"{bare_rate:,.0f} msg/s", "1.00"),
        ("wiredesk send (claims, build, SMTP pipelined, ledger)", f"{send_rate:,.0f} msg/s",
         f"{send_rate / bare_rate:.2f}"),
        ("wiredesk send, relay without PIPELINING", f"{plain_rate:,.0f} msg/s",
         f"{plain_rate / bare_rate:.2f}"),
        ("wiredesk plan + send", f"{total_rate:,.0f} msg/s", f"{total_rate / bare_rate:.2f}"),
    ]
    if args.relay:
        result["relay"] = args.relay
    for senders, seconds in parallel.items():
        rate = n / seconds
        result[f"parallel_{senders}_senders_msgs_per_s"] = round(rate, 1)
        reference = bare_rate
        if senders in parallel_bare_seconds:
            reference = n / parallel_bare_seconds[senders]
            result[f"parallel_{senders}_bare_msgs_per_s"] = round(reference, 1)
            rows.append((f"bare smtplib, {senders} process(es) to {args.relay} (reference)",
                         f"{reference:,.0f} msg/s", "1.00"))
        rows.append((f"wiredesk send, {senders} sender process(es), one connection each",
                     f"{rate:,.0f} msg/s", f"{rate / reference:.2f}"))
    for (who, senders), cpu in parallel_cpu.items():
        result[f"parallel_{senders}_{who}_sender_cpu_us_per_msg"] = round(cpu / n * 1e6)
    if len(parallel) == 2:
        one, many = parallel.values()
        result["parallel_speedup"] = round(one / many, 2)
    if len(parallel_bare_seconds) == 2:
        one, many = parallel_bare_seconds.values()
        result["parallel_bare_speedup"] = round(one / many, 2)
    print(f"\n{n:,} subscribers, {builds['stories']} stories, "
          f"{builds['message_bytes']:,} bytes a message\n")
    print(f"| {'what':<66} | {'rate':>14} | ratio |")
    print(f"|{'-' * 68}|{'-' * 16}|-------|")
    for what, rate, ratio in rows:
        print(f"| {what:<66} | {rate:>14} | {ratio:>5} |")
    print(f"\nbuild of one digest (select + render HTML and text): "
          f"{builds['build_ms_median']:.1f} ms median; assembly of one copy: "
          f"{builds['assembly_us_per_copy']:.0f} us; plan: {plan_seconds:.1f} s; "
          f"rounds of {chunk} messages; load {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    if "parallel_speedup" in result:
        print(f"{args.parallel} senders vs 1: {result['parallel_speedup']:.2f}x")
    for (who, senders), cpu in sorted(parallel_cpu.items()):
        print(f"{who}, {senders} sender(s): {cpu / n * 1e6:,.0f} us of sender CPU a message")
    if "parallel_bare_speedup" in result:
        print(f"bare smtplib, {args.parallel} connections vs 1: "
              f"{result['parallel_bare_speedup']:.2f}x")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)
    import shutil

    shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

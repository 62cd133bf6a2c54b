"""Bounce processing throughput: reports per second read from a real IMAP mailbox, matched
to their deliveries and acted on, as a ratio to a bare ``email`` parse of the same messages.

A few thousand reports in a realistic mix of formats (mostly RFC 3464 DSNs from Postfix,
Gmail, Exchange, Exim and Sendmail; plain-text qmail, Exim and Gmail bounces; delays;
ARF complaints; some mail that is no report at all) for deliveries in the ledger, each
with its VERP return path, are put in a Dovecot mailbox (tests/mailbox_server.py). In
the same run:

- reference: ``email.message_from_bytes`` over the same bytes in memory;
- ``mailreports.parse_report`` over the same bytes in memory (the parser alone);
- ``bounces_fetch``: IMAP fetch, parse, match, store (SQLite), suppress, delete;
- context: reading the mailbox alone over IMAP (fetch only, nothing removed).

    .venv/bin/python benchmarks/bounces.py --messages 3000
"""

from __future__ import annotations

import argparse
import email
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from benchmarks._common import write_result  # noqa: E402

# (builder name, weight): what a list's bounce mailbox tends to hold.
MIX = [("postfix_hard", 18), ("gmail_dsn", 14), ("exchange_dsn", 12), ("exim_dsn", 8),
       ("sendmail_dsn", 4), ("postfix_delay", 8), ("exchange_mailbox_full", 4),
       ("qmail", 4), ("qmail_remote", 2), ("exim_plain", 4), ("exim_delay", 3),
       ("gmail_plain", 3), ("gmail_delay_plain", 2), ("sendmail_plain", 1),
       ("arf_yahoo", 4), ("arf_aol_redacted", 2), ("arf_microsoft_jmrp", 2),
       ("out_of_office", 3), ("spam", 2)]


def setup(n: int):
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.utils import timezone

    from wiredesk.digest.models import Delivery, Digest, Subscriber
    from wiredesk.editions.services import edition_save

    edition = edition_save(name="Bench Daily", time_zone="UTC")
    Subscriber.objects.bulk_create([
        Subscriber(edition=edition, email=f"reader{i}@bench.example", status="confirmed")
        for i in range(n)], batch_size=1000)
    digest = Digest.objects.create(edition=edition, issue_date=timezone.now().date())
    now = timezone.now()
    subscribers = list(Subscriber.objects.order_by("pk"))
    Delivery.objects.bulk_create([
        Delivery(digest=digest, subscriber=s, edition=edition, email=s.email, state="sent",
                 window_start=now, window_end=now, sent_at=now,
                 message_id=f"<digest.{digest.pk}.{s.pk}.{i:012x}@news.bench.example>")
        for i, s in enumerate(subscribers)], batch_size=1000)
    return list(Delivery.objects.order_by("pk"))


def build_messages(deliveries, seed: int = 21) -> tuple[list[bytes], dict[str, int]]:
    from tests import bounce_samples as samples

    from wiredesk.digest.bounces import return_path

    rng = random.Random(seed)
    names = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    messages, counts = [], {}
    for delivery in deliveries:
        name = rng.choices(names, weights)[0]
        counts[name] = counts.get(name, 0) + 1
        original = samples.Original(recipient=delivery.email, message_id=delivery.message_id,
                                    return_path=return_path(delivery.pk),
                                    sender="news@news.bench.example")
        messages.append(getattr(samples, name)(original))
    return messages, counts


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(function, messages, rounds: int) -> float:
    """The median seconds of ``rounds`` passes of ``function`` over every message."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for data in messages:
            function(data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3, help="in-memory passes (median)")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="wiredesk-bench-bounces-")
    os.environ.update(WIREDESK_DATA_DIR=data_dir, WIREDESK_LOG_LEVEL="WARNING",
                      WIREDESK_BOUNCE_ADDRESS="bounces@news.bench.example",
                      WIREDESK_SOFT_BOUNCE_LIMIT="3",
                      WIREDESK_SECRET_KEY="benchmark-secret-key-0123456789-abcdefghij")
    for name in ("DATABASE_URL", "REDIS_URL", "WIREDESK_BOUNCE_MAILBOX"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    import django

    django.setup()
    from tests.mailbox_server import MailboxServer

    from wiredesk import mailreports
    from wiredesk.digest.bounces import bounces_fetch
    from wiredesk.digest.models import BounceEvent, Suppression
    from wiredesk.inbox import Mailbox

    n = args.messages
    print(f"{n} deliveries and their reports (SQLite in {data_dir}) ...", file=sys.stderr)
    deliveries = setup(n)
    messages, mix = build_messages(deliveries)

    bare = timed(email.message_from_bytes, messages, args.rounds)
    parse = timed(lambda data: mailreports.parse_report(data, verp_local_part="bounces"),
                  messages, args.rounds)

    server = MailboxServer.start()
    try:
        user = "bench"
        for data in messages:
            server.add_message(data, user=user)
        url = server.url("imap", user=user)
        started = time.perf_counter()
        with Mailbox(url) as box:
            read = sum(1 for _ in box.messages())
        imap_only = time.perf_counter() - started
        assert read == n, read
        started = time.perf_counter()
        report = bounces_fetch(url=url, limit=n)
        fetch = time.perf_counter() - started
        left = len(server.messages(user=user))
    finally:
        server.stop()
    assert report.read == n and left == 0 and not report.failed, (report.summary(), left)
    kinds = {k: BounceEvent.objects.filter(kind=k).count()
             for k in ("hard", "soft", "complaint", "unmatched")}

    bare_rate, parse_rate, fetch_rate = rate(n, bare), rate(n, parse), rate(n, fetch)
    result = {
        "messages": n, "mean_message_bytes": round(sum(map(len, messages)) / n),
        "mix": mix, "database": "sqlite", "mailbox": "dovecot imap (loopback)",
        "bare_email_parse_msgs_per_s": round(bare_rate, 1),
        "parse_report_msgs_per_s": round(parse_rate, 1),
        "imap_read_only_msgs_per_s": round(rate(n, imap_only), 1),
        "fetch_msgs_per_s": round(fetch_rate, 1),
        "ratio_parse_report_to_bare_parse": round(parse_rate / bare_rate, 3),
        "ratio_fetch_to_bare_parse": round(fetch_rate / bare_rate, 4),
        "ratio_fetch_to_imap_read_only": round(fetch_rate / rate(n, imap_only), 3),
        "events": kinds, "suppressed": Suppression.objects.count(),
        "summary": report.summary(),
    }
    path = write_result("bounces", result)
    parse_ratio = result["ratio_parse_report_to_bare_parse"]
    fetch_ratio = result["ratio_fetch_to_bare_parse"]
    print(f"""
reports                          {n} ({result['mean_message_bytes']} bytes on average)
bare email parse (reference)     {bare_rate:10.1f} msg/s
parse_report                     {parse_rate:10.1f} msg/s   x{parse_ratio}
IMAP read alone (context)        {rate(n, imap_only):10.1f} msg/s
bounces fetch (IMAP, match, act) {fetch_rate:10.1f} msg/s   x{fetch_ratio}
{report.summary()}
written to {path}""")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

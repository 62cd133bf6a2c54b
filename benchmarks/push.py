"""Push throughput to partners, and the time from a kill to its delivery to every partner.

Figures, each against a reference measured in the same run:
- push throughput (deliveries/s) to ``--partners`` partners × ``--items`` new articles
  (planning from the change stream included, then signing, POSTing, recording each
  outcome and its ledger row), as a ratio to a bare ``urllib3`` loop POSTing the same
  bodies to the same receiver over one kept-alive connection (the floor: our overhead is
  the ledger, the claims, rendering, signing and the fetch rules' fresh, address-checked
  connection per push);
- the time from a kill (committed) to its arrival at every partner, median and p99, with
  the pusher running as the scheduler runs it (every ``--interval`` seconds, by default
  the ``push-partners`` job's period), as a ratio to that period.

The receiver is a minimal asyncio HTTP server in its own process (plain HTTP on loopback:
TLS would cost both sides the same), answering 200 to every POST.

    .venv/bin/python benchmarks/push.py                       # 10 partners × 10,000 items
    .venv/bin/python benchmarks/push.py --partners 10 --items 1000 --kills 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


# --- the receiver -----------------------------------------------------------------------

def _receiver(port_out, kills):
    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length, kill_key, partner = 0, "", ""
                lines = head.split(b"\r\n")
                partner = lines[0].split(b" ")[1].decode()
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"x-wiredesk-event" and value.strip() == b"kill":
                        kill_key = "kill"
                    elif name == b"idempotency-key":
                        key = value.strip().decode()
                if length:
                    await reader.readexactly(length)
                if kill_key:  # only these: anything more per request would cost both sides
                    kills.put((f"{partner} {key}", time.time()))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_out.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# --- the instance -----------------------------------------------------------------------

def make_articles(edition, count: int, first: int = 0) -> list[int]:
    """``count`` public articles in ``edition``, written in bulk, each with its row in the
    change stream (as ingest would leave them)."""
    from django.db import transaction
    from django.utils import timezone

    from wiredesk.editions.models import Placement
    from wiredesk.newsroom import services
    from wiredesk.newsroom.models import Article
    from wiredesk.publishing.models import Change

    agency = services.agency_ensure(code="RFE", name="Radio Free Europe")
    now = timezone.now()
    with transaction.atomic():
        articles = Article.objects.bulk_create([
            Article(agency=agency, identity=f"bench-{n}", fingerprint=f"{n:064x}",
                    headline=f"Benchmark story number {n}", slug=f"benchmark-{n}",
                    lead=f"The lead of story {n}, a sentence or two long as leads are.",
                    teaser=f"The lead of story {n}...",
                    body_html="<p>" + "Body text of a benchmark story. " * 30 + "</p>",
                    published_at=now) for n in range(first, first + count)])
        Placement.objects.bulk_create([Placement(edition=edition, article=a, published_at=now)
                                       for a in articles])
        Change.objects.bulk_create([Change(article_id=a.pk, edition_id=None, at=now, txid=0,
                                           version=1) for a in articles])
    return [a.pk for a in articles]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--interval", type=float, default=None,
                        help="seconds between pusher runs (default: the push-partners job's)")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="wiredesk-bench-push-")
    os.environ.update(WIREDESK_DATA_DIR=data_dir, WIREDESK_FETCH_ALLOW="127.0.0.1",
                      WIREDESK_PUSH_CONCURRENCY=str(args.partners),
                      WIREDESK_SECRET_KEY="benchmark-secret-key-0123456789-abcdefghijklmnop")
    for name in ("DATABASE_URL", "REDIS_URL", "WIREDESK_BROKER_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiredesk.settings")
    import django

    django.setup()
    import logging

    import urllib3
    from django.core.management import call_command

    from _common import percentile, write_result
    from wiredesk.core.taskqueue import PERIODIC
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services as newsroom
    from wiredesk.newsroom.models import Article
    from wiredesk.syndication import formats, signing
    from wiredesk.syndication.models import Delivery, Partner
    from wiredesk.syndication.sending import push_due
    from wiredesk.syndication.services import partner_add, plan_partner

    logging.getLogger("wiredesk").setLevel(logging.WARNING)
    interval = args.interval or next(p.every for p in PERIODIC if p.name == "push-partners")
    call_command("migrate", interactive=False, verbosity=0)
    edition = edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.example"])

    kills = multiprocessing.Queue()
    ports = multiprocessing.Queue()
    receiver = multiprocessing.Process(target=_receiver, args=(ports, kills), daemon=True)
    receiver.start()
    port = ports.get(timeout=30)
    base = f"http://127.0.0.1:{port}"
    partners = [partner_add(name=f"partner-{n}", url=f"{base}/p{n}", format="json",
                            secret=f"secret-{n}") for n in range(args.partners)]
    ids = make_articles(edition, args.items)
    total = args.items * args.partners
    print(f"{args.partners} partners × {args.items} items = {total} deliveries", flush=True)

    # Ours: plan (the change stream into deliveries) and push, every partner side by side.
    started = time.perf_counter()
    for partner in partners:
        plan_partner(partner)
    planned = time.perf_counter() - started
    report = push_due(concurrency=args.partners)
    ours = time.perf_counter() - started
    assert report.acked == total, report.summary()
    assert Delivery.objects.filter(state="acked").count() == total
    print(f"ours: {total / ours:.0f} deliveries/s ({ours:.1f}s, planning {planned:.1f}s)",
          flush=True)

    # The floor: the same bodies, signed, POSTed by a bare urllib3 loop (kept alive).
    articles = {a.pk: a for a in Article.objects.select_related("agency", "section")
                .prefetch_related("placements__edition").filter(pk__in=ids)}
    bodies = []
    for pk in ids:
        item = formats.ItemState(article_id=pk, version=1, action="publish", reason="",
                                 article=articles[pk], edition=None, key=f"{pk}-v1-publish")
        bodies.append(formats.render_for_partner(item, "json")[0])
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1)
    started = time.perf_counter()
    for n in range(args.partners):
        for pk, body in zip(ids, bodies, strict=True):
            answer = pool.request("POST", f"/p{n}", body=body, headers={
                "Content-Type": "application/json", "Idempotency-Key": f"{pk}-v1-publish",
                "X-Wiredesk-Signature": signing.sign(body, [f"secret-{n}"])})
            assert answer.status == 200
    floor = time.perf_counter() - started
    print(f"bare urllib3: {total / floor:.0f} posts/s ({floor:.1f}s)", flush=True)

    # Kill to every partner, with the pusher running as the scheduler runs it.
    stop = threading.Event()

    def pusher():
        from django.db import connections

        while not stop.is_set():
            push_due(concurrency=args.partners)
            stop.wait(interval)
        connections.close_all()

    thread = threading.Thread(target=pusher, daemon=True)
    thread.start()
    latencies = []
    stats: dict[str, float] = {}
    for n in range(args.kills):
        article = Article.objects.get(pk=ids[n])
        killed_at = time.time()
        newsroom.article_kill(article=article, reason="benchmark")
        keys = [f"/p{p} {article.pk}-v1-kill" for p in range(args.partners)]
        deadline = time.monotonic() + 10 * interval + 60
        while time.monotonic() < deadline:
            while not kills.empty():
                key, at = kills.get()
                stats[key] = at
            seen = [stats.get(k) for k in keys]
            if all(seen):
                latencies.append(max(seen) - killed_at)
                break
            time.sleep(0.01)
        else:
            raise RuntimeError(f"kill of {article.pk} not delivered to every partner")
        # Kills come at random moments of the scheduler's cycle.
        time.sleep((n * 0.37) % interval)
    stop.set()
    thread.join(60)
    receiver.terminate()
    median, p99 = statistics.median(latencies), percentile(latencies, 99)
    result = {
        "partners": args.partners, "items": args.items, "deliveries": total,
        "ours_seconds": round(ours, 2), "planning_seconds": round(planned, 2),
        "ours_per_second": round(total / ours, 1),
        "urllib3_seconds": round(floor, 2), "urllib3_per_second": round(total / floor, 1),
        "throughput_ratio_to_urllib3": round(floor / ours, 3),
        "push_only_per_second": round(total / (ours - planned), 1),
        "push_only_ratio_to_urllib3": round(floor / (ours - planned), 3),
        "kills": args.kills, "push_interval_seconds": interval,
        "kill_to_every_partner_median_s": round(median, 3),
        "kill_to_every_partner_p99_s": round(p99, 3),
        "kill_median_to_interval": round(median / interval, 3),
        "kill_p99_to_interval": round(p99 / interval, 3),
        "partners_in_db": Partner.objects.count(),
    }
    print(json.dumps(result, indent=2))
    print(write_result("push", result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The desk's pages at 10k and at 1M articles: queries per page, median and p95 time, and
the ratio of the 1M archive to the 10k one measured in the same run (issue 14, "Measured").

    WIREDESK_SHARED_DATA=../shared/data .venv/bin/python benchmarks/desk.py \
        [--sizes 10000,1000000] [--rounds 3] [--runs 3] [--data-dir DIR]
        [--database-url postgres://...] [--output desk]

One child process per size, each on its own database (SQLite in a temporary data
directory, or a PostgreSQL database `wd_bench_desk_<size>` on the --database-url server),
built with the same mix of editions, sections, agencies, stories, statuses and duplicates
at every size. With --data-dir the archives are kept and a later run measures them again
without building (another commit's code measured on the same archives: PYTHONPATH).
Headlines and text are real items read in place from ../shared/data
(BBC News, AG News, ECB+), about 10,500 distinct ones: the 10k archive holds each once,
the 1M archive each about a hundred times, as a long-running wire archive repeats itself.

Every page goes through Django's test client (the whole request: middleware, admin, the
templates) as a signed-in superuser, as an editor (staff with the article, audit, front
and schedule permissions only, on every edition) and as an edition editor (the role, on
the first edition). A page that answers 404 is not built yet: it is skipped
with a note. Adding a page is one line in PAGES.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import percentile, write_result  # noqa: E402

BENCH_DB = "wd_bench_desk"
ARTICLES = "/admin/newsroom/article/"

# (label, address): {edition} is an edition's id, {slug} its slug, {article} the newest
# article's id, {word} a word of many headlines. One line per page.
PAGES = [
    ("article list", ARTICLES),
    ("article list, one edition", ARTICLES + "?placements__edition__id__exact={edition}"),
    ("article list, held", ARTICLES + "?shown=held"),
    ("article list, search", ARTICLES + "?q={word}"),
    ("article change page", ARTICLES + "{article}/change/"),
    ("desk home", "/desk/"),
    ("audit log", "/desk/audit/"),
    ("front-page editor", "/desk/fronts/{slug}/"),
    ("schedule", "/desk/schedule/"),
]
SEARCH_WORD = "minister"

AGENCIES = [("AFP", "Agence France-Presse"), ("RFE", "RFE/RL"), ("ANI", "ANI"),
            ("XIN", "Xinhua"), ("WAM", "WAM"), ("APX", "AP")]
SECTIONS = ["world", "business", "politics", "sport", "technology", "entertainment",
            "science", "health"]
EDITIONS = [("Chile Sun", "chile-sun", "America/Santiago"),
            ("Euro Ledger", "euro-ledger", "Europe/Paris"),
            ("Asia Wire", "asia-wire", "Asia/Kolkata"),
            ("Gulf Daily", "gulf-daily", "Asia/Dubai")]
STORY_SIZE = 5
SPACING = timedelta(seconds=30)  # 1M articles: about a year of wire


# --- the corpus ------------------------------------------------------------------------


def corpus(data: Path) -> list[tuple[str, str]]:
    """(headline, text) of every item in BBC News, AG News and ECB+, read in place."""
    items = []
    for path in sorted((data / "bbc_news").glob("*/*.txt")):
        headline, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n")
        items.append((headline.strip(), " ".join(body.split())))
    with (data / "ag_news" / "test.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            items.append((row["title"].strip(), row["description"].replace("\\", " ").strip()))
    with (data / "ecb_plus" / "ecbplus_docs.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            text = " ".join(json.loads(line)["text"].split())
            first = text.split(". ")[0][:120]
            items.append((first, text))
    return [(h[:300], t) for h, t in items if h and t]


# --- building the archive ---------------------------------------------------------------


class Rows:
    """INSERT for one model with every column's default prepared once, so a row is only
    the values that vary (bulk_create would build a model instance per row)."""

    def __init__(self, model, explicit_ids: bool = False, **fixed):
        from django.db import connection

        now = datetime.now(UTC)
        # Without explicit ids the database numbers the rows (PostgreSQL refuses a NULL id).
        fields = [f for f in model._meta.concrete_fields
                  if explicit_ids or not f.primary_key]
        self.columns = [f.column for f in fields]
        self.index = {f.name: i for i, f in enumerate(fields)} | {
            f.attname: i for i, f in enumerate(fields)}
        defaults = []
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:  # the default, "" for text, None where there is none
                value = f.get_default()
            defaults.append(f.get_db_prep_save(value, connection) if value is not None
                            else None)
        for name, value in fixed.items():
            defaults[self.index[name]] = value
        self.defaults = defaults
        self.sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(self.columns)})"
                    f" VALUES ({', '.join(['%s'] * len(self.columns))})")
        self.pending: list[list] = []

    def add(self, **values) -> None:
        row = list(self.defaults)
        for name, value in values.items():
            row[self.index[name]] = value
        self.pending.append(row)

    def flush(self, cursor) -> None:
        if self.pending:
            cursor.executemany(self.sql, self.pending)
            self.pending = []


def build(start: int, stop: int, texts: list[tuple[str, str]], ids: dict, now: datetime,
          progress=True) -> None:
    from django.db import connection, transaction
    from django.utils.text import slugify

    from wiredesk.core.models import AuditEntry
    from wiredesk.editions.models import Placement
    from wiredesk.newsroom.models import Article, Story
    from wiredesk.search.backends import backend_for

    backend = backend_for(connection)
    articles = Rows(Article, explicit_ids=True, kind="wire", version=1, fingerprint="f")
    placements = Rows(Placement)
    stories = Rows(Story, explicit_ids=True)
    audit = Rows(AuditEntry)
    batch = 10_000
    agencies, sections, editions = ids["agencies"], ids["sections"], ids["editions"]
    for first in range(start, stop, batch):
        last = min(stop, first + batch)
        index_rows = []
        for n in range(first, last):
            pk = n + 1
            headline, text = texts[n % len(texts)]
            # Ids grow with time, as ingest makes them (the newest article last).
            published = now - SPACING * (stop - 1 - n)
            if n % STORY_SIZE == 0:
                stories.add(id=n // STORY_SIZE + 1, headline=headline, size=STORY_SIZE,
                            first_published_at=published, last_published_at=published,
                            section_id=sections[n % len(sections)], centroid="{}",
                            anchors="{}")
            status, embargo = "published", None
            if n % 100 == 3:
                status = "killed"
            elif n % 100 == 5:
                status = "held"
            elif n % 200 == 9:
                embargo = now + timedelta(hours=6)
            lead = text[:280]
            articles.add(
                id=pk, agency_id=agencies[n % len(agencies)], identity=f"bench-{n}",
                guid=f"urn:bench:{n}", canonical_url=f"https://wire.example/{n}",
                headline=headline, slug=(slugify(headline)[:100] or "item"), lead=lead,
                teaser=lead[:140], body_html=f"<p>{text[:900]}</p>",
                section_id=sections[(n // 3) % len(sections)], published_at=published,
                first_seen_at=published, modified_at=published, status=status,
                embargo_until=embargo, story_id=n // STORY_SIZE + 1,
                duplicate_of_id=pk - 1 if n % 20 == 7 else None,
                image_url=f"https://pictures.example/{n}.jpg" if n % 5 == 0 else "",
                signal="correction" if n % 97 == 0 else "")
            for k, extra in enumerate((True, n % 3 == 0, n % 7 == 0)):
                if extra:
                    placements.add(edition_id=editions[(n + k) % len(editions)],
                                   article_id=pk, placed_at=published, published_at=published)
            if n % 10 == 1:
                audit.add(at=published, actor_id=ids["superuser"], actor_label="bench-admin",
                          action=("article.edit", "article.hold", "front.feature")[n % 3],
                          target_type="article", target_id=str(pk), article_id=pk,
                          target_label=headline, details="{}",
                          edition_slug=EDITIONS[n % len(EDITIONS)][1])
            if status != "killed":
                index_rows.append((pk, headline, lead))
        with transaction.atomic(), connection.cursor() as cursor:
            stories.flush(cursor)
            articles.flush(cursor)
            placements.flush(cursor)
            audit.flush(cursor)
            backend.index(cursor, index_rows)
        if progress:
            print(f"\r  built {last:,}/{stop:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        # Ids given explicitly: the sequences start after them (PostgreSQL).
        for sql in connection.ops.sequence_reset_sql(no_style(), [Article, Story]):
            cursor.execute(sql)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def setup_site() -> dict:
    from django.contrib.auth.models import User

    from wiredesk.editions.models import Edition
    from wiredesk.newsroom.models import Agency, Section

    agencies = [Agency.objects.create(code=code, name=name).pk for code, name in AGENCIES]
    sections = [Section.objects.create(slug=slug, name=slug.title(), position=i).pk
                for i, slug in enumerate(SECTIONS)]
    editions = [Edition.objects.create(name=name, slug=slug, time_zone=zone).pk
                for name, slug, zone in EDITIONS]
    superuser = User.objects.create_superuser("bench-admin", "admin@example.org", "x")
    editor = User.objects.create_user("bench-editor", password="x", is_staff=True)
    return {"agencies": agencies, "sections": sections, "editions": editions,
            "superuser": superuser.pk, "editor": editor.pk}


# --- measuring ----------------------------------------------------------------------------


def measure(ids: dict, runs: int, roles: list[str]) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wiredesk.editions.models import Edition
    from wiredesk.newsroom.models import Article

    grant_permissions(ids["editor"])
    edition = Edition.objects.get(pk=ids["editions"][0])
    if "edition-editor" in roles:
        ids["edition-editor"] = edition_editor(edition.slug)
    values = {"edition": edition.pk, "slug": edition.slug, "word": SEARCH_WORD,
              # The newest article the first edition carries: every role may open it.
              "article": Article.objects.filter(placements__edition=edition)
              .order_by("-published_at", "-id").first().pk}
    out = {}
    for role in roles:
        client = Client(HTTP_HOST="localhost")  # loopback: always one of the site's hosts
        client.force_login(User.objects.get(pk=ids[role]))
        for label, pattern in PAGES:
            url = pattern.format(**values)
            response = client.get(url)  # warm: templates, caches
            if response.status_code == 404:
                out.setdefault(label, {})[role] = {"url": url, "skipped": "404: not built yet"}
                continue
            times, counts = [], set()
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                counts.add(len(captured))
            out.setdefault(label, {})[role] = {
                "url": url, "status": response.status_code, "queries": max(counts),
                "queries_vary": len(counts) > 1, "times_ms": [round(t, 2) for t in times]}
            print(f"  {role:9} {label:28} {response.status_code} q={max(counts):3}"
                  f" {statistics.median(times):9.1f} ms", file=sys.stderr, flush=True)
    return out


EDITOR_PERMS = {"add_article", "change_article", "view_article", "delete_article",
                "schedule_article", "view_auditentry", "curate_edition"}


def grant_permissions(editor_id: int) -> None:
    """The desk editor's permissions and the roles' groups' given again at each measure:
    an archive kept from an earlier run was made before a permission existed (its editor
    would be refused the front-page editor, its groups would lack what they hold now)."""
    from django.contrib.auth.models import Group, Permission, User

    from wiredesk.editions.roles import GROUP_PERMS

    User.objects.get(pk=editor_id).user_permissions.set(
        Permission.objects.filter(codename__in=EDITOR_PERMS))
    for name, perms in GROUP_PERMS.items():
        wanted = [Permission.objects.get(content_type__app_label=perm.split(".")[0],
                                         codename=perm.split(".")[1]) for perm in perms]
        Group.objects.get_or_create(name=name)[0].permissions.set(wanted)


def edition_editor(slug: str) -> int:
    """An editor of one edition through the roles (editions.roles), made once."""
    from django.contrib.auth.models import User

    from wiredesk.editions.roles import role_grant

    user, made = User.objects.get_or_create(username="bench-edition-editor",
                                            defaults={"is_staff": True})
    if made:
        role_grant(actor="benchmark", username=user.username, edition=slug)
    return user.pk


def run_child(size: int, runs: int, data: Path, roles: list[str]) -> dict:
    """Build (unless this database already holds the archive) and measure one size."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "wiredesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from wiredesk.newsroom.models import Article

    call_command("migrate", interactive=False, verbosity=0)
    texts = corpus(data)
    started = time.perf_counter()
    if Article.objects.exists():  # built by an earlier run (--data-dir): measured as is
        ids = site_ids()
        built = Article.objects.count()
        if built != size:
            raise SystemExit(f"this database holds {built:,} articles, not {size:,}")
        build_seconds = None
    else:
        ids = setup_site()
        build(0, size, texts, ids, datetime.now(UTC).replace(microsecond=0))
        build_seconds = round(time.perf_counter() - started, 1)
    print(f"{size:,} articles" + (f" built in {build_seconds:.0f}s" if build_seconds else "")
          + "; measuring", file=sys.stderr)
    return {"distinct_items": len(texts), "build_seconds": build_seconds,
            "pages": measure(ids, runs, roles)}


def site_ids() -> dict:
    from django.contrib.auth.models import User

    from wiredesk.editions.models import Edition
    from wiredesk.newsroom.models import Agency, Section

    return {"agencies": list(Agency.objects.order_by("pk").values_list("pk", flat=True)),
            "sections": list(Section.objects.order_by("pk").values_list("pk", flat=True)),
            "editions": list(Edition.objects.order_by("pk").values_list("pk", flat=True)),
            "superuser": User.objects.get(username="bench-admin").pk,
            "editor": User.objects.get(username="bench-editor").pk}


def ratios(report: dict) -> list[dict]:
    sizes = [str(s) for s in report["sizes"]]
    small, large = report["run"][sizes[0]], report["run"][sizes[-1]]
    rows = []
    for label, _ in PAGES:
        for role in report["roles"]:
            a = small["pages"].get(label, {}).get(role, {})
            b = large["pages"].get(label, {}).get(role, {})
            if "median_ms" not in a or "median_ms" not in b:
                rows.append({"page": label, "role": role, "skipped": a.get("skipped", "")})
                continue
            rows.append({"page": label, "role": role, "url": a["url"],
                         "queries_small": a["queries"], "queries_large": b["queries"],
                         "median_small_ms": round(a["median_ms"], 1),
                         "p95_small_ms": round(a["p95_ms"], 1),
                         "median_large_ms": round(b["median_ms"], 1),
                         "p95_large_ms": round(b["p95_ms"], 1),
                         "ratio": round(b["median_ms"] / a["median_ms"], 2)})
    return rows


def print_table(report: dict) -> None:
    small, large = report["sizes"][0], report["sizes"][-1]
    print(f"| page | user | queries {small:,} / {large:,} | median {small:,} (ms) |"
          f" p95 {small:,} | median {large:,} (ms) | p95 {large:,} | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row in report["ratios"]:
        if "skipped" in row:
            print(f"| {row['page']} | {row['role']} | skipped: {row['skipped']} |||||||")
            continue
        print(f"| {row['page']} | {row['role']} | {row['queries_small']} /"
              f" {row['queries_large']} | {row['median_small_ms']} | {row['p95_small_ms']} |"
              f" {row['median_large_ms']} | {row['p95_large_ms']} | **{row['ratio']}** |")


def merge(rounds: list[dict]) -> dict:
    """One size's rounds as one: every time together, then median and p95."""
    merged = {"distinct_items": rounds[0]["distinct_items"],
              "build_seconds": rounds[0]["build_seconds"], "rounds": len(rounds), "pages": {}}
    for one in rounds:
        for label, by_role in one["pages"].items():
            for role, row in by_role.items():
                into = merged["pages"].setdefault(label, {})
                if role not in into:
                    into[role] = {**row, "times_ms": list(row.get("times_ms", [])),
                                  "query_counts": [row["queries"]] if "queries" in row else []}
                elif "times_ms" in row:
                    into[role]["times_ms"] += row["times_ms"]
                    into[role]["query_counts"].append(row["queries"])
    for by_role in merged["pages"].values():
        for row in by_role.values():
            if row["times_ms"]:
                row["queries"] = max(row["query_counts"])
                row["queries_vary"] = row["queries_vary"] or len(set(row["query_counts"])) > 1
                row["median_ms"] = statistics.median(row["times_ms"])
                row["p95_ms"] = percentile(row["times_ms"], 95)
    return merged


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--runs", type=int, default=3, help="requests of each page a round")
    parser.add_argument("--rounds", type=int, default=3,
                        help="the sizes measured in turn this many times (the machine's "
                             "load drifts; each size gets its share of it)")
    parser.add_argument("--roles", default="superuser,editor,edition-editor",
                        help="editor: staff with the desk's permissions on every edition; "
                             "edition-editor: an editor of the first edition (roles)")
    parser.add_argument("--database-url", default="",
                        help="a PostgreSQL server: each size gets a database on it")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep each size's archive here (SQLite: <dir>/<size>/; "
                             "PostgreSQL: kept databases) and measure it again next time")
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("WIREDESK_SHARED_DATA", "../shared/data")))
    parser.add_argument("--output", default="desk", help="JSON name in results/")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    roles = args.roles.split(",")
    if args.child:
        print(json.dumps(run_child(args.child, args.runs, args.data.resolve(), roles)))
        return 0
    engine = "postgresql" if args.database_url else "sqlite"
    report = {"engine": engine, "sizes": sizes, "runs": args.runs, "rounds": args.rounds,
              "roles": roles, "command": " ".join(["benchmarks/desk.py", *sys.argv[1:]]),
              "run": {}}
    rounds: dict[int, list[dict]] = {size: [] for size in sizes}
    with tempfile.TemporaryDirectory(prefix="wd-bench-desk-") as scratch:
        for turn in range(args.rounds):
            for size in sizes:
                env = {k: v for k, v in os.environ.items()
                       if k not in ("DATABASE_URL", "REDIS_URL")}
                env.setdefault("WIREDESK_SECRET_KEY",
                               "benchmark-secret-key-0123456789-abcdefghijklmnop")
                data_dir = (args.data_dir or Path(scratch)) / str(size)
                data_dir.mkdir(parents=True, exist_ok=True)
                env["WIREDESK_DATA_DIR"] = str(data_dir)
                if args.database_url:
                    env["DATABASE_URL"] = postgres_database(
                        args.database_url, f"{BENCH_DB}_{size}",
                        keep=args.data_dir is not None or turn > 0)
                print(f"round {turn + 1}/{args.rounds}, {size:,} articles", file=sys.stderr)
                done = subprocess.run(
                    [sys.executable, __file__, "--child", str(size), "--runs", str(args.runs),
                     "--roles", args.roles, "--data", str(args.data.resolve())],
                    env=env, stdout=subprocess.PIPE, text=True)
                if done.returncode != 0:
                    print(f"the run at {size:,} failed", file=sys.stderr)
                    return 1
                rounds[size].append(json.loads(done.stdout.strip().splitlines()[-1]))
    for size in sizes:
        report["run"][str(size)] = merge(rounds[size])
    report["ratios"] = ratios(report)
    print_table(report)
    print(write_result(args.output, report), file=sys.stderr)
    return 0


def postgres_database(server_url: str, name: str, keep: bool) -> str:
    """The URL of database ``name`` on the server: made afresh, or kept when it exists."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                               (name,)).fetchone()
        if exists and not keep:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not keep:
            admin.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


if __name__ == "__main__":
    raise SystemExit(main())

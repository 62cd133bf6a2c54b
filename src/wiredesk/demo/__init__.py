"""``wiredesk demo``: an embedded instance with sample wire copy written for this project.

The sample feeds ship inside the package and go through the same path as any real
feed (feed add, then poll), so the demo exercises the real pipeline.
"""

from __future__ import annotations

from pathlib import Path

FEEDS_DIR = Path(__file__).resolve().parent / "feeds"

AGENCIES = [
    # code, name, zone for times given without one
    ("RFE", "Radio Free Europe wire (sample)", "Europe/Prague"),
    ("ANI", "Asian News International (sample)", "Asia/Kolkata"),
    ("XINHUA", "Xinhua-style state agency (sample)", "Asia/Shanghai"),
    ("SPORTSWIRE", "Sportswire photo agency (sample)", "America/New_York"),
    ("WAM", "Emirates wire (sample)", "Asia/Dubai"),
]
FEEDS = [("rfe.rss", "RFE"), ("ani.atom", "ANI"), ("xinhua.rss", "XINHUA"),
         ("imagn.atom", "SPORTSWIRE"),
         # The same event as an ANI item, sent again by a second agency: editions show
         # one article with "Also reported by".
         ("wam.rss", "WAM")]
SECTIONS = [
    ("world", "World", "world news,international,europe,asia,americas,africa,middle east", 10),
    ("politics", "Politics", "government,elections,diplomacy", 20),
    ("business", "Business", "economy,markets,finance,trade,companies", 30),
    ("sport", "Sport", "sports,football,cricket,tennis,athletics", 40),
]
EDITIONS = [
    {"name": "Chile Sun", "slug": "chile-sun", "time_zone": "Australia/Sydney",
     "hosts": ["chilesun.localhost"], "sections": None, "agencies": None,
     "tagline": "News from Chile and the world, around the clock"},
    {"name": "Euro Ledger", "slug": "euro-ledger", "time_zone": "Europe/Paris",
     "hosts": ["euroledger.localhost"], "sections": ["world", "business"],
     "agencies": None, "tagline": "World and business news for Europe"},
]


def build(*, host: str = "127.0.0.1", port: int = 8000, progress=print) -> list[str]:
    """Create or refresh the demo instance; return the URLs worth opening."""
    from django.core.management import call_command

    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom import services

    progress("Preparing the database...")
    call_command("migrate", interactive=False, verbosity=0)
    agencies = {code: services.agency_ensure(code=code, name=name, time_zone=zone)
                for code, name, zone in AGENCIES}
    for slug, name, aliases, position in SECTIONS:
        services.section_ensure(slug=slug, name=name, aliases=aliases, position=position)
    for spec in EDITIONS:
        edition_save(name=spec["name"], slug=spec["slug"], time_zone=spec["time_zone"],
                     hosts=spec["hosts"], sections=spec["sections"],
                     agencies=spec["agencies"], tagline=spec["tagline"])
    for position, (filename, code) in enumerate(FEEDS, start=1):
        feed = services.feed_add(source=str(FEEDS_DIR / filename), agency=agencies[code])
        report = services.feed_poll(feed, force=True)
        progress(f"[{position}/{len(FEEDS)}] {filename}: {report.summary().split(': ', 1)[1]}")
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host  # noqa: S104
    urls = [f"http://{shown}:{port}/"]
    for spec in EDITIONS:
        urls.append(f"http://{shown}:{port}/{spec['slug']}/")
        urls.append(f"http://{spec['hosts'][0]}:{port}/")
    urls.append(f"http://{shown}:{port}/admin/ (create a login with `wiredesk createsuperuser`)")
    return urls

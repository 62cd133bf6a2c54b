"""``wiredesk demo``: an embedded instance with sample wire copy written for this project.

The sample feeds ship inside the package and go through the same path as any real
feed (feed add, then poll), so the demo exercises the real pipeline. They are read
through ``dating.redate_feeds`` first: copies dated relative to now are written to
``$WIREDESK_DATA_DIR/demo-feeds/`` and those are the feeds the demo polls.

The sample items carry pictures as agencies send them (``media:content`` with caption
and credit, at agency-like addresses on a domain that never resolves). Nothing is
fetched: once the feeds are in, the demo hands the newsroom each picture's bytes from
``demo/pictures/`` (drawn for the project: ``draw_pictures``), as if fetched from that
address (``PICTURES``), and the renditions are made and shown as for any agency picture.

The demo's processes (web workers, the job scheduler) are told their own address
(``environment``), so every absolute link (pages, feeds, API, mail) carries the host and
port the demo serves on, and their mail goes to the demo mailbox (``mailbox``, read at
``/_mail/``). The address is also recorded in the data directory
(``datadir.write_demo_record``) for commands run by hand on it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

FEEDS_DIR = Path(__file__).resolve().parent / "feeds"
DATED_FEEDS = "demo-feeds"  # in the data directory
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
EVERY_ADDRESS = ("0.0.0.0", "::", "[::]", "")  # noqa: S104

AGENCIES = [
    # code, name, zone for times given without one
    ("RFE", "Radio Free Europe wire (sample)", "Europe/Prague"),
    ("ANI", "Asian News International (sample)", "Asia/Kolkata"),
    ("XINHUA", "Xinhua-style state agency (sample)", "Asia/Shanghai"),
    ("SPORTSWIRE", "Sportswire photo agency (sample)", "America/New_York"),
    ("WAM", "Emirates wire (sample)", "Asia/Dubai"),
    ("PRENSUR", "Prensur, servicio en español (muestra)", "America/Santiago"),
]
# The English sample's agencies: Chile Sun carries these, Chile Hoy the Spanish service.
ENGLISH_AGENCIES = ["RFE", "ANI", "XINHUA", "SPORTSWIRE", "WAM"]
FEEDS = [("rfe.rss", "RFE"), ("ani.atom", "ANI"), ("xinhua.rss", "XINHUA"),
         ("imagn.atom", "SPORTSWIRE"),
         # The same event as an ANI item, sent again by a second agency: editions show
         # one article with "Also reported by".
         # ... and one item in Arabic, shown right to left in the English editions.
         ("wam.rss", "WAM"),
         # Spanish copy about Chile and the region, for Chile Hoy.
         ("prensur.rss", "PRENSUR")]
# Their names read in each edition's language: newsroom/section_names.py marks them.
SECTIONS = [
    ("world", "World", "world news,international,europe,asia,americas,africa,middle east,"
     "mundo,internacional", 10),
    ("politics", "Politics", "government,elections,diplomacy,política,gobierno,elecciones", 20),
    ("business", "Business", "economy,markets,finance,trade,companies,economía,minería,"
     "mercados,negocios", 30),
    ("sport", "Sport", "sports,football,cricket,tennis,athletics,deportes,fútbol", 40),
    # Only the Spanish sample has these: a section shows in an edition once it has copy.
    ("culture", "Culture", "arts,cultura,artes,libros", 50),
    ("weather", "Weather", "tiempo,clima,meteorología", 60),
]
EDITIONS = [
    {"name": "Chile Sun", "slug": "chile-sun", "time_zone": "Australia/Sydney",
     "hosts": ["chilesun.localhost"], "sections": None, "agencies": ENGLISH_AGENCIES,
     "home_sections": [],
     "tagline": "News from Chile and the world, around the clock"},
    {"name": "Euro Ledger", "slug": "euro-ledger", "time_zone": "Europe/Paris",
     "hosts": ["euroledger.localhost"], "sections": ["world", "business"],
     # Business stories Chile Sun carries too name Euro Ledger's page as canonical.
     "agencies": None, "home_sections": ["business"],
     "tagline": "World and business news for Europe"},
    # The Spanish-language edition: its pages are <html lang="es">, dated in Santiago.
    {"name": "Chile Hoy", "slug": "chile-hoy", "time_zone": "America/Santiago",
     "hosts": ["chilehoy.localhost"], "sections": None, "agencies": ["PRENSUR"],
     "home_sections": [], "language": "es",
     "tagline": "Noticias de Chile y la región, a toda hora"},
]
# Each edition's own look (logos drawn for the project: demo/logos.py), its text pages
# and footer links, set through the same service as the admin and `wiredesk edition update`.
BRAND_DIR = Path(__file__).resolve().parent / "brand"
PICTURES_DIR = Path(__file__).resolve().parent / "pictures"
# The address each sample feed gives a picture -> the file in demo/pictures/ it stands for.
PHOTOS = "https://photos.wire.example"
PICTURES = {
    f"{PHOTOS}/rfe/2025/07/11/brussels-parliament.jpg": "parliament.jpg",
    f"{PHOTOS}/rfe/2025/07/11/naryn-valley-road.jpg": "mountains.jpg",
    f"{PHOTOS}/ani/2025/07/12/gulf-harbour-desalination.jpg": "harbour.jpg",
    f"{PHOTOS}/ani/2025/07/12/battery-recycling-plant.jpg": "industry.jpg",
    f"{PHOTOS}/sportswire/2025/07/12/pioneers-tide-arena.jpg": "arena.jpg",
    f"{PHOTOS}/xinhua/2025/07/12/diving-chengdu-synchro.jpg": "aquatics.jpg",
    f"{PHOTOS}/xinhua/2025/07/12/nev-export-terminal-yantai.jpg": "container-port.jpg",
    f"{PHOTOS}/xinhua/2025/07/11/heat-wave-washington-skyline.jpg": "skyline.jpg",
}
BRANDS = {
    "chile-sun": {
        "fields": {"brand_color": "#9c2a00", "accent_color": "#b4410e",
                   "text_color": "#2b1d12", "background_color": "#fffaf3",
                   "font_body": "serif", "font_headings": "humanist",
                   "sender_name": "Chile Sun newsroom"},
        "logo": "chile-sun.png", "logo_dark": "chile-sun-dark.png", "icon": "chile-sun.png",
        "pages": {
            "about": "<p>Chile Sun is a demonstration edition of wiredesk: agency copy from "
                     "around the world, published around the clock in Sydney time.</p>"
                     "<h2>Our sources</h2><p>Every story names the agency that sent it. "
                     "The sample agencies and their copy were written for this demo.</p>",
            "contact": "Write to the newsroom at news@chilesun.example.\n\n"
                       "Businesses and community groups can send us a news release with "
                       "the form linked at the foot of every page.",
            "terms": "The stories on this demo site are samples written for wiredesk. "
                     "Wire copy belongs to the agencies credited on each item.",
            "privacy": "The digest sign-up keeps your email address and the sections you "
                       "chose, and nothing else. Every digest has a link to leave.",
        },
        "footer": [("Feeds", "/chile-sun/feed.rss")],
    },
    "euro-ledger": {
        "fields": {"brand_color": "#0b3d91", "accent_color": "#1d4ed8",
                   "text_color": "#14213d", "background_color": "#f5f8fc",
                   "font_body": "sans", "font_headings": "transitional"},
        "logo": "euro-ledger.png", "icon": "euro-ledger.png",
        "pages": {
            "about": "Euro Ledger is a demonstration edition of wiredesk: world and "
                     "business news for readers in Europe, in Paris time.",
        },
        "footer": [],
    },
    "chile-hoy": {
        "fields": {"brand_color": "#0b3b8c", "accent_color": "#c8102e",
                   "text_color": "#1a1f2b", "background_color": "#fbfbf8",
                   "font_body": "sans", "font_headings": "humanist",
                   "sender_name": "Redacción Chile Hoy"},
        "logo": "chile-hoy.png", "icon": "chile-hoy.png",
        "pages": {
            "about": "<p>Chile Hoy es una edición de demostración de wiredesk: noticias de "
                     "Chile y la región en español, con la hora de Santiago.</p>"
                     "<h2>Nuestras fuentes</h2><p>Cada nota indica la agencia que la envió. "
                     "La agencia de muestra y sus cables se escribieron para esta "
                     "demostración; las personas citadas son ficticias.</p>",
            "contact": "Escríbanos a redaccion@chilehoy.example.\n\n"
                       "Empresas y organizaciones pueden enviarnos un comunicado de prensa "
                       "con el formulario enlazado al pie de cada página.",
            "privacy": "La suscripción al resumen diario guarda su correo electrónico y las "
                       "secciones que eligió, nada más. Cada envío trae un enlace para "
                       "darse de baja.",
        },
        "footer": [("Canales RSS", "/chile-hoy/feed.rss")],
    },
}


def base_url(host: str, port: int) -> str:
    """The demo's address as links should carry it: a loopback or every-address bind is
    read as ``localhost`` (what a browser on this machine opens)."""
    if host in LOOPBACK or host in EVERY_ADDRESS:
        shown = "localhost"
    elif ":" in host.strip("[]"):
        shown = f"[{host.strip('[]')}]"
    else:
        shown = host
    return f"http://{shown}:{port}"


def environment(*, host: str, port: int, allowed_hosts: str = "") -> dict[str, str]:
    """The variables the demo sets for itself and every process it starts, before Django
    reads its settings: its own address, its mailbox and, bound to every address, any
    host name (a browser on another machine or in a container reaches it by a name this
    machine cannot know). Its feeds name its own WebSub hub."""
    env = {"WIREDESK_BASE_URL": base_url(host, port), "WIREDESK_DEMO_MAILBOX": "1",
           "WIREDESK_WEBSUB_HUB": base_url(host, port) + "/websub/"}
    if host in EVERY_ADDRESS:
        env["WIREDESK_ALLOWED_HOSTS"] = ",".join(h for h in (allowed_hosts, "*") if h)
    return env


def dated_feeds(directory: Path, *, now: datetime) -> dict[str, Path]:
    """Write the sample feeds, dated relative to ``now``, into ``directory``."""
    from wiredesk.datadir import private_dir
    from wiredesk.demo.dating import redate_feeds

    texts = {name: (FEEDS_DIR / name).read_text(encoding="utf-8") for name, _code in FEEDS}
    private_dir(directory)
    paths = {}
    for name, text in redate_feeds(texts, now=now).items():
        path = directory / name
        temporary = directory / f".{name}.tmp"
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)  # a poll running meanwhile reads one copy or the other
        paths[name] = path
    return paths


def brand_edition(edition, brand: dict) -> None:
    from wiredesk.editions import services

    pictures = {kind: (BRAND_DIR / brand[kind]).read_bytes()
                for kind in ("logo", "logo_dark", "icon") if brand.get(kind)}
    services.edition_brand_set(edition, **pictures, **brand["fields"])
    for kind, body in brand["pages"].items():
        services.edition_page_set(edition, kind, body)
    services.edition_footer_set(edition, brand["footer"])


def provide_pictures() -> int:
    """Give the newsroom the bytes of every sample picture an article waits for, as the
    fetch job would from the agency (there is no network in the demo, and the addresses
    never resolve). Returns how many are stored."""
    from wiredesk.newsroom import services
    from wiredesk.newsroom.models import PictureSource

    waiting = PictureSource.objects.filter(url__in=list(PICTURES))
    shown = 0
    for url in waiting.values_list("url", flat=True):
        outcome = services.picture_provide(url, (PICTURES_DIR / PICTURES[url]).read_bytes())
        shown += outcome in ("stored", "reused")
    return shown


def build(*, host: str = "127.0.0.1", port: int = 8000, progress=print) -> list[str]:
    """Create or refresh the demo instance; return the URLs worth opening."""
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from wiredesk.datadir import write_demo_record
    from wiredesk.editions.services import edition_homes_set, edition_save
    from wiredesk.newsroom import services

    progress("Preparing the database...")
    call_command("migrate", interactive=False, verbosity=0)
    # Commands run by hand on this data directory link to this address (settings.py).
    write_demo_record(settings.DATA_DIR, {"base_url": base_url(host, port)})
    agencies = {code: services.agency_ensure(code=code, name=name, time_zone=zone)
                for code, name, zone in AGENCIES}
    for slug, name, aliases, position in SECTIONS:
        services.section_ensure(slug=slug, name=name, aliases=aliases, position=position)
    for spec in EDITIONS:
        edition = edition_save(name=spec["name"], slug=spec["slug"],
                               time_zone=spec["time_zone"], hosts=spec["hosts"],
                               sections=spec["sections"], agencies=spec["agencies"],
                               tagline=spec["tagline"], language=spec.get("language", "en"))
        brand_edition(edition, BRANDS[spec["slug"]])
        edition_homes_set(edition, sections=spec["home_sections"])
    # An article keeps the date it was first stored with: a data directory built before
    # keeps its sample's dates (start afresh with another --data-dir for new ones).
    sources = dated_feeds(settings.DATA_DIR / DATED_FEEDS, now=timezone.now())
    for position, (filename, code) in enumerate(FEEDS, start=1):
        feed = services.feed_add(source=str(sources[filename]), agency=agencies[code])
        report = services.feed_poll(feed, force=True)
        progress(f"[{position}/{len(FEEDS)}] {filename}: {report.summary().split(': ', 1)[1]}")
    stored = provide_pictures()
    progress(f"Sample pictures: {stored} of {len(PICTURES)} shown")
    site = base_url(host, port)
    urls = [f"{site}/"]
    for spec in EDITIONS:
        urls.append(f"{site}/{spec['slug']}/")
        urls.append(f"http://{spec['hosts'][0]}:{port}/")
    urls.append(f"{site}/admin/ (create a login with `wiredesk createsuperuser`)")
    return urls

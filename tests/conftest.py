"""Shared fixtures. The data directory is a fresh temporary one for every test run."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Before Django reads its settings: never touch a developer's real data directory.
os.environ["WIREDESK_DATA_DIR"] = tempfile.mkdtemp(prefix="wiredesk-test-")
os.environ.setdefault("WIREDESK_SECRET_KEY", "test-secret-key-not-for-production-0123456789")

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
# Evaluation data is read in place, never copied into the repository.
SHARED_DATA = Path(os.environ.get("WIREDESK_SHARED_DATA",
                                  Path(__file__).resolve().parents[2] / "shared" / "data"))


def pytest_sessionfinish(session, exitstatus):
    # By now the test database is dropped: counts still pending were counted in it, and the
    # interpreter's final flush would try to write them to the real database's tables.
    from wiredesk.core import metrics

    metrics.discard_pending()


@pytest.fixture(autouse=True, scope="session")
def _static_manifest():
    """Pages name static files by their hashed names, read from the manifest collectstatic
    writes (as `wiredesk serve` does at start): once, into this run's own data directory."""
    from wiredesk.core import staticfiles

    staticfiles.collect()


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Page-cache keys repeat across tests (ids and generations restart on rollback)."""
    from django.core.cache import caches

    for each in caches.all():  # pages, counters, default
        each.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_never_tag_names():
    """The never-tag names are kept per process; each test's agencies and editions are its own."""
    from wiredesk.newsroom.intelligence.enrich import forget_never_tag_names

    forget_never_tag_names()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


# What a process of a test's own must not inherit: it gets its own data directory (and
# so its own SQLite database, caches, broker and no mail relay) unless the test names others.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "WIREDESK_BROKER_URL", "WIREDESK_PAGE_CACHE_URL",
                 "WIREDESK_COUNTERS_URL", "EMAIL_URL", "WIREDESK_TEST_DB_NAME")


@dataclass(frozen=True)
class DataDir:
    """A fresh wiredesk data directory and the environment a process needs to use it."""

    path: Path
    env: dict[str, str]

    def env_with(self, **extra: object) -> dict[str, str]:
        """A copy of `env` with more variables, e.g. REDIS_URL or DATABASE_URL."""
        return {**self.env, **{key: str(value) for key, value in extra.items()}}


def make_data_dir(path: Path) -> DataDir:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["WIREDESK_DATA_DIR"] = str(path)
    return DataDir(path, env)


@pytest.fixture
def data_dir(tmp_path) -> DataDir:
    """The one way tests get a data directory for the processes they start."""
    return make_data_dir(tmp_path / "data")


def rss(items: str, *, title: str = "Test wire") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>{title}</title><link>https://wire.example.org/</link>
<description>test</description>{items}</channel></rss>""".encode()


def rss_item(guid: str, title: str, body: str = "", *, category: str = "World",
             date: str = "Fri, 11 Jul 2025 19:14:00 GMT", link: str = "") -> str:
    # Each title gets copy of its own: items sharing a body would be near-duplicates.
    body = body or (f"<p>{title} was reported on Friday by officials who spoke at length "
                    "about what happened and why it matters to the region.</p>"
                    + distinct_body(title, paragraphs=3))
    link = link or f"https://wire.example.org/{guid}"
    return (f"<item><title>{title}</title><guid isPermaLink=\"false\">{guid}</guid>"
            f"<link>{link}</link><category>{category}</category><pubDate>{date}</pubDate>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")


def distinct_body(seed: str, paragraphs: int = 4) -> str:
    """Copy of its own for a test item, made of words no other item uses: items sharing
    text are near-duplicates or one story, and editions show one article per group."""
    import random
    import string

    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))

    return "".join("<p>" + " ".join(word() for _ in range(18)).capitalize() + ".</p>"
                   for _ in range(paragraphs))


@pytest.fixture
def picture_server():
    """A picture agency's server on loopback (tests/pictureserver.py)."""
    from tests.pictureserver import PictureServer

    with PictureServer() as server:
        yield server


# A real IMAP and POP3 server (Dovecot), for the bounce mailbox and any mail taken in.
from tests.mailbox_server import mailbox_server, mailbox_user  # noqa: E402, F401

"""The `wiredesk` command, run as a user runs it: a real process on a fresh data dir."""

import subprocess

import pytest

from tests.conftest import rss, rss_item
from tests.e2e.processes import WIREDESK


@pytest.fixture
def run(data_dir):
    def _run(*args, ok=True):
        result = subprocess.run([WIREDESK, *args], capture_output=True, text=True,
                                env=data_dir.env, timeout=120)
        if ok:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    return _run


def test_feed_ingest_edition_flow(run, tmp_path):
    feed = tmp_path / "wire.rss"
    feed.write_bytes(rss(rss_item("g1", "One") + rss_item("g2", "Two", category="Sport")))
    out = run("feed", "add", str(feed), "--agency", "rfe", "--every", "15m").stdout
    assert "RFE" in out and "0:15:00" in out
    out = run("ingest", str(feed)).stdout
    assert "2 new" in out
    out = run("ingest", str(feed)).stdout
    assert "0 new, 0 updated, 2 unchanged" in out
    listing = run("feed", "list").stdout
    assert "RFE" in listing and "ok" in listing and str(feed) in listing
    out = run("edition", "add", "--name", "Chile Sun", "--timezone", "Australia/Sydney",
              "--host", "chilesun.example").stdout
    assert "chile-sun" in out and "2 articles placed" in out
    listing = run("edition", "list").stdout
    assert "chile-sun" in listing and "chilesun.example" in listing
    assert "no feed is due" in run("poll").stdout


def test_one_shot_ingest_with_agency_and_broken_feed_listed(run, tmp_path):
    good = tmp_path / "good.rss"
    good.write_bytes(rss(rss_item("g1", "One")))
    assert "1 new" in run("ingest", str(good), "--agency", "ANI").stdout
    bad = tmp_path / "bad.rss"
    bad.write_text("this is not a feed")
    run("feed", "add", str(bad), "--agency", "ANI")
    result = run("poll", ok=False)
    assert "not a feed" in result.stdout
    listing = run("feed", "list").stdout
    assert "error" in listing and "not a feed" in listing


@pytest.mark.parametrize("args, message", [
    (("feed", "add", "/no/such/file.rss", "--agency", "X"), "no such file"),
    (("feed", "add", "x.rss", "--agency", "X", "--every", "soon"), "not an interval"),
    (("edition", "add", "--name", "X", "--timezone", "Mars/Base"), "unknown time zone"),
    (("ingest", "/tmp/never-a-feed.rss"), "--agency"),
    (("edition", "add", "--name", "X", "--sections", "nope"), "unknown section"),
])
def test_bad_arguments_give_one_line_error(run, args, message):
    result = run(*args, ok=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_django_commands_pass_through(run):
    assert "[ ] 0001_initial" in run("showmigrations", "newsroom").stdout
    run("migrate")
    assert "[X] 0001_initial" in run("showmigrations", "newsroom").stdout

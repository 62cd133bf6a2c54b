"""The `wiredesk` command, run as a user runs it: a real process on a fresh data dir."""

import re
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
    (("edition", "add", "--name", "X", "--brand-color", "red"), "'red' is not a colour"),
    (("edition", "add", "--name", "X", "--text-color", "#eeeeee"),
     "text colour: the text colour #eeeeee on the background #ffffff has a contrast of 1.16:1"),
    (("edition", "add", "--name", "X", "--font-body", "comic"), "'comic' is not one of the fonts"),
    (("edition", "add", "--name", "X", "--logo", "/no/such/logo.png"), "cannot read the logo"),
    (("edition", "add", "--name", "X", "--page", "careers=x.html"), "unknown page 'careers'"),
    (("edition", "add", "--name", "X", "--footer-link", "Home=javascript:x"), "footer link"),
    (("edition", "add", "--name", "X", "--template-folder", "../up"), "one folder name"),
    (("edition", "update", "no-such-edition", "--brand-color", "#000"), "no edition"),
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


def test_edition_look_options_on_add_and_update(run, tmp_path):
    from tests.editions.brand_helpers import picture

    (tmp_path / "logo.png").write_bytes(picture(400, 100))
    (tmp_path / "icon.png").write_bytes(picture(256, 256))
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / "about.html").write_text("<p>We report.</p><script>x()</script>")
    run("edition", "add", "--name", "Chile Sun", "--host", "chilesun.example",
        "--brand-color", "#9c2a00", "--font-headings", "humanist", "--logo",
        str(tmp_path / "logo.png"), "--page", f"about={tmp_path / 'about.html'}",
        "--footer-link", "Feeds=/chile-sun/feed.rss", "--sender-address", "desk@chile.example")
    refused = run("edition", "update", "chile-sun", "--logo", str(tmp_path / "logo.svg"),
                  ok=False)
    assert refused.returncode == 2 and "SVG is not accepted as the logo" in refused.stderr
    out = run("edition", "update", "chile-sun", "--accent-color", "#1D4ED8", "--icon",
              str(tmp_path / "icon.png"), "--tagline", "Sun news").stdout
    assert "edition chile-sun: Chile Sun (UTC)" in out
    # What the edition's readers get, as files: its stylesheet, pages and pictures.
    site = tmp_path / "site"
    run("publish", "--static", str(site), "--edition", "chile-sun")
    home = (site / "chile-sun" / "index.html").read_text()
    [css] = re.findall(r'href="/chile-sun/(brand\.[0-9a-f]{12}\.css)"', home)
    sheet = (site / "chile-sun" / css).read_text()
    assert "--brand: #9c2a00;" in sheet and "--accent: #1d4ed8;" in sheet
    assert "--font-head: Seravek," in sheet
    assert "Sun news" in home and 'href="/chile-sun/feed.rss">Feeds<' in home
    [logo] = re.findall(r'<img class="logo" src="(/media/brand/[0-9a-f]{24}\.png)"', home)
    assert (site / logo.lstrip("/")).is_file()
    assert re.search(r'rel="apple-touch-icon" href="/media/brand/[0-9a-f]{24}-180\.png"', home)
    about = (site / "chile-sun" / "about").read_text()
    assert "<p>We report.</p>" in about and "<script>x()" not in about
    # Only what is given changes: the brand colour is still there, the tagline too.
    run("edition", "update", "chile-sun", "--no-logo", "--page", f"about={tmp_path / 'empty'}",
        ok=False)  # the page file does not exist: refused, nothing changed
    (tmp_path / "empty").write_text("")
    run("edition", "update", "chile-sun", "--no-logo", "--no-footer-links", "--page",
        f"about={tmp_path / 'empty'}")
    run("publish", "--static", str(site), "--edition", "chile-sun")
    home = (site / "chile-sun" / "index.html").read_text()
    assert '<img class="logo"' not in home and "Feeds<" not in home and "Sun news" in home
    assert not (site / "chile-sun" / "about").exists()
    [css] = re.findall(r'href="/chile-sun/(brand\.[0-9a-f]{12}\.css)"', home)
    assert "--brand: #9c2a00;" in (site / "chile-sun" / css).read_text()

"""Issue 23, item 15: static publishing trusts nothing in its own output folder.

``.published.json`` names the files the last run wrote, and the next run deletes those no
longer public. An entry ``../../victim.txt`` deleted a file outside the output folder, and a
non-numeric key crashed publishing. Every entry is now checked: a path must stay inside the
edition's folder, a key must be an article id; anything else is left alone and reported.
"""

import json

import pytest

from tests.conftest import rss, rss_item
from wiredesk import publish
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def out(tmp_path):
    services.section_ensure(slug="world", name="World")
    agency = services.agency_ensure(code="RFE")
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss("".join(rss_item(f"g{i}", f"Story {i}") for i in range(2))))
    services.ingest_source(str(feed), agency=agency)
    edition_save(name="Chile Sun", time_zone="UTC", hosts=["chilesun.example"])
    target = tmp_path / "site" / "out"
    publish.publish(target)
    return target


def tamper(out, articles=None, pages=None):
    manifest = out / "chile-sun" / publish.MANIFEST
    data = json.loads(manifest.read_text())
    data["articles"].update(articles or {})
    data["pages"].update(pages or {})
    manifest.write_text(json.dumps(data))


def test_entries_pointing_outside_the_folder_delete_nothing(out, tmp_path):
    victims = [tmp_path / "victim.txt", tmp_path / "site" / "victim2.txt",
               tmp_path / "victim3.txt"]
    for victim in victims:
        victim.write_text("keep me")
    tamper(out, articles={
        "900001": {"path": "../../victim.txt", "modified": "x", "story": None},
        "900002": {"path": "../victim2.txt", "modified": "x", "story": None},
        "900003": {"path": str(victims[2]), "modified": "x", "story": None},
    }, pages={"story/1/../../../../victim.txt": "/chile-sun/"})
    [report] = publish.publish(out)
    assert all(victim.read_text() == "keep me" for victim in victims)
    assert report.errors and "ignored 4" in report.errors[0]


@pytest.mark.parametrize("articles, pages", [
    ({"not-a-number": {"path": "news/x.html", "modified": "x", "story": None}}, {}),
    ({"12": "just a string"}, {}),
    ({"13": {"path": 7}}, {}),
    ({"14": {"path": "news/14/a.html", "story": "seven"}}, {}),
    ({}, {"story/abc/x.html": "/chile-sun/"}),
    ({}, {"tag/x.html": ["not", "a", "url"]}),
])
def test_malformed_entries_are_recorded_not_fatal(out, articles, pages):
    tamper(out, articles=articles, pages=pages)
    [report] = publish.publish(out)
    assert report.errors and publish.MANIFEST in report.errors[0]
    assert (out / "chile-sun" / "index.html").is_file()


def test_a_manifest_that_is_not_an_object_is_a_fresh_start(out):
    (out / "chile-sun" / publish.MANIFEST).write_text("[1, 2, 3]")
    [report] = publish.publish(out)
    assert report.errors == [] and report.rendered == 2

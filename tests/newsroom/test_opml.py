"""`wiredesk feed import FILE.opml` and `feed export --opml`: thousands of feeds in batches,
duplicates and bad URLs reported and skipped, the good ones imported, a faithful round trip."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wiredesk import cli
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Agency, Feed
from wiredesk.newsroom.services.opml import feeds_export_opml, feeds_import_opml
from wiredesk.wire import opml

pytestmark = pytest.mark.django_db


def document(outlines: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0" '
            f'xmlns:wiredesk="urn:wiredesk:opml:1"><head><title>t</title></head>'
            f"<body>{outlines}</body></opml>").encode()


def outline(url: str, **attrs: str) -> str:
    extra = "".join(f' wiredesk:{k}="{v}"' for k, v in attrs.items())
    return f'<outline type="rss" text="{url[-20:]}" xmlUrl="{url}"{extra}/>\n'


def test_thousands_of_feeds_with_duplicates_and_bad_urls(tmp_path, capsys):
    services.feed_add(source="https://wire7.example/feed/7.xml",
                      agency=services.agency_ensure(code="OLD"))
    good = [f"https://wire{i % 40}.example/feed/{i}.xml" for i in range(3000)]
    bad = ["ftp://files.example/feed.xml", "http://10.0.0.5/feed", "http://printer.local/feed",
           "https://host.example:70000/feed", "javascript:alert(1)"]
    body = "".join(outline(url) for url in good)
    body += outline("HTTPS://WIRE1.example:443/feed/1.xml#dup")  # a duplicate in the file
    body += "".join(outline(url) for url in bad)
    body += outline("https://wire0.example/feed/extra.xml", every="3s")
    # Categories are walked; the outlines inside are feeds like the others.
    body = f'<outline text="World"><outline text="Asia">{body}</outline></outline>'
    path = tmp_path / "feeds.opml"
    path.write_bytes(document(body))

    with CaptureQueriesContext(connection) as queries:
        assert cli.main(["feed", "import", str(path), "--agency", "WIRE"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == ("imported 2999 of 3007 feed(s): 2 duplicate(s) skipped "
                           "(1 in the file, 1 already stored), 6 refused")
    # Every outline left out is one line naming its place in the file and why.
    lines = [line for line in err.splitlines() if line.startswith(f"{path}: line ")]
    assert len(lines) == 2 + 6
    assert any("ftp://files.example/feed.xml: only http and https" in x for x in lines)
    assert any("10.0.0.5" in x and "private address" in x for x in lines)
    assert any("printer.local" in x and "local name" in x for x in lines)
    assert any("feed/extra.xml" in x and "under a minute" in x for x in lines)
    assert any("wire1.example" in x.lower() and "a duplicate of line" in x for x in lines)
    assert any("wire7.example/feed/7.xml: already a feed" in x for x in lines)
    assert "... 2999 of 2999 feed(s) written" in err
    assert Feed.objects.filter(agency__code="WIRE").count() == 2999
    # Written in batches (one transaction each), not one INSERT per feed.
    inserts = [q for q in queries.captured_queries
               if q["sql"].startswith('INSERT INTO "newsroom_feed"')]
    assert 1 <= len(inserts) <= 300  # SQLite splits a batch by its variable limit
    transactions = [q for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(transactions) <= 10  # 500 feeds a transaction (and an agency's own)
    feed = Feed.objects.get(source="https://wire5.example/feed/5.xml")
    assert (feed.transport, feed.poll_interval, feed.enabled) == (
        Feed.Transport.HTTP, timedelta(minutes=10), True)


def test_outline_agency_wins_and_without_any_the_outline_is_refused(capsys):
    data = document(outline("https://a.example/1", agency="ANI", agencyName="ANI Ltd",
                            every="5m", fullText="true", enabled="false")
                    + outline("https://a.example/2")
                    + outline("https://a.example/3", agency="far too long a code" * 3))
    report = feeds_import_opml(data)
    assert (report.imported, report.refused) == (1, 2)
    assert any("no agency" in p and "--agency" in p for p in report.problems)
    assert any("1 to 32 characters" in p for p in report.problems)
    feed = Feed.objects.get()
    assert (feed.agency.code, feed.agency.name, feed.poll_interval, feed.full_text,
            feed.enabled) == ("ANI", "ANI Ltd", timedelta(minutes=5), True, False)
    report = feeds_import_opml(data, agency=services.agency_ensure(code="DEF"))
    assert report.imported == 1 and report.already_stored == 1
    assert Feed.objects.get(source="https://a.example/2").agency.code == "DEF"


def test_exit_status_says_whether_anything_could_be_imported(tmp_path, capsys):
    bad = tmp_path / "bad.opml"
    bad.write_bytes(document(outline("ftp://a.example/x") + outline("http://192.168.1.1/y")))
    assert cli.main(["feed", "import", str(bad), "--agency", "X"]) == 1
    assert "imported 0 of 2 feed(s): 2 refused" in capsys.readouterr().out

    hostile = tmp_path / "hostile.opml"
    hostile.write_bytes(b'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "aaaa">]>'
                        b'<opml><body><outline xmlUrl="https://a.example/&a;"/></body></opml>')
    assert cli.main(["feed", "import", str(hostile), "--agency", "X"]) == 2
    assert "declares XML entities" in capsys.readouterr().err

    assert cli.main(["feed", "import", str(tmp_path / "missing.opml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert Feed.objects.count() == 0

    good = tmp_path / "good.opml"
    good.write_bytes(document(outline("https://a.example/feed")))
    assert cli.main(["feed", "import", str(good), "--agency", "X"]) == 0
    # Importing the same list again imports nothing, and that is no failure.
    assert cli.main(["feed", "import", str(good), "--agency", "X"]) == 0
    assert "1 duplicate(s) skipped (0 in the file, 1 already stored)" in \
        capsys.readouterr().out


def test_export_then_import_gives_the_same_feed_list(tmp_path, capsys):
    ani = services.agency_ensure(code="ANI", name="Asian News International")
    rfe = services.agency_ensure(code="RFE", name="Radio Free Europe")
    services.feed_add(source="https://ani.example/top.xml?a=1&b=2", agency=ani,
                      every=timedelta(minutes=5), title="ANI top & more", full_text=True)
    Feed.objects.filter(source__startswith="https://ani").update(
        site_url="https://ani.example/")
    off = services.feed_add(source="https://rfe.example/rss", agency=rfe,
                            every=timedelta(hours=2))
    Feed.objects.filter(pk=off.pk).update(enabled=False)
    drop = tmp_path / "drop"
    drop.mkdir()
    services.feed_add(source=str(drop), agency=rfe)  # a local folder: not exported

    target = tmp_path / "out.opml"
    assert cli.main(["feed", "export", "--opml", "--output", str(target)]) == 0
    assert "1 feed(s) not exported" in capsys.readouterr().err
    before = _feed_list()
    Feed.objects.all().delete()
    Agency.objects.all().delete()

    assert cli.main(["feed", "import", str(target)]) == 0
    assert "imported 2 of 2 feed(s)" in capsys.readouterr().out
    assert _feed_list() == [row for row in before if row[1] == Feed.Transport.HTTP]
    assert Agency.objects.get(code="ANI").name == "Asian News International"


def test_export_to_stdout_is_opml_grouped_by_agency(capsysbinary):
    services.feed_add(source="https://b.example/rss", agency=services.agency_ensure(code="B"))
    services.feed_add(source="https://a.example/rss", agency=services.agency_ensure(code="A"))
    assert cli.main(["feed", "export", "--opml"]) == 0
    written = capsysbinary.readouterr().out
    read = opml.read_opml(written)
    assert [(o.agency, o.categories) for o in read.outlines] == [("A", ("A",)), ("B", ("B",))]
    document_bytes, left_out = feeds_export_opml()
    assert left_out == 0 and b'type="rss"' in document_bytes


def _feed_list():
    return sorted((f.source, f.transport, f.agency.code, f.title, f.site_url, f.poll_interval,
                   f.full_text, f.enabled) for f in Feed.objects.select_related("agency"))

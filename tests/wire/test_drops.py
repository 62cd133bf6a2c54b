"""wire.drops on its own: when a file counts as complete, and the FTP client's caps against
a real server (pyftpdlib on loopback)."""

import pytest

from tests.ftp_server import FtpServer
from wiredesk.wire import drops, sources
from wiredesk.wire.fetch import FetchPolicy


def test_a_file_is_ready_once_it_kept_size_and_time_across_listings_settle_apart():
    a = drops.DropFile("a.xml", 10, "t1")
    ready, memory, waiting = drops.settled([a], {}, now=100.0, settle=30)
    assert (ready, waiting) == ([], 1) and memory == {"a.xml": [10, "t1", 100.0]}
    ready, memory, waiting = drops.settled([a], memory, now=120.0, settle=30)
    assert (ready, waiting) == ([], 1)  # unchanged, but not for long enough yet
    ready, memory, waiting = drops.settled([a], memory, now=130.0, settle=30)
    assert (ready, waiting) == ([a], 0)
    grown = drops.DropFile("a.xml", 11, "t2")
    ready, memory, _ = drops.settled([grown], memory, now=500.0, settle=30)
    assert ready == [] and memory["a.xml"] == [11, "t2", 500.0]
    # Names that say "still being written" never count, however long they stay.
    for name in ("b.xml.part", "b.tmp", ".b.xml", "~b.xml", "b.xml.filepart", "B.XML.PART"):
        entry = drops.DropFile(name, 1, "t")
        assert drops.settled([entry], {name: [1, "t", 0.0]}, now=1e9, settle=0)[0] == []


def test_the_ledger_key_changes_with_size_or_time():
    keys = {drops.DropFile("a", 1, "t").key, drops.DropFile("a", 2, "t").key,
            drops.DropFile("a", 1, "u").key, drops.DropFile("b", 1, "t").key}
    assert len(keys) == 4 and all(k.startswith("file:") and len(k) == 45 for k in keys)


def test_ftp_read_stops_at_the_cap_and_the_connection_goes_on(tmp_path):
    with FtpServer(tmp_path / "home") as server:
        (server.home / "big.xml").write_bytes(b"x" * 300_000)
        (server.home / "small.xml").write_bytes(b"<rss/>")
        address = sources.parse_source(server.url("/"))
        with drops.open_folder(address, timeout=10,
                               policy=FetchPolicy(["127.0.0.1"])) as folder:
            assert [(f.name, f.size) for f in sorted(folder.list(), key=lambda f: f.name)] \
                == [("big.xml", 300_000), ("small.xml", 6)]
            with pytest.raises(drops.FileRefused, match="over the 1000-byte limit"):
                folder.read("big.xml", max_bytes=1000)
            assert folder.read("small.xml", max_bytes=1000) == b"<rss/>"
            assert folder.move("small.xml", "done") == ""
            (server.home / "small.xml").write_bytes(b"<rss/>")
            assert folder.move("small.xml", "done") == ""  # a second one keeps both
            assert len(list((server.home / "done").iterdir())) == 2


def test_the_password_never_shows():
    source = "ftp://agency:s3cret%40x@ftp.example:2121/in?done=ok"
    assert sources.redact(source) == "ftp://agency:***@ftp.example:2121/in?done=ok"
    assert sources.redact("imaps://u%40x.example:pw@mail.example/INBOX") == \
        "imaps://u%40x.example:***@mail.example/INBOX"
    assert sources.redact("https://feeds.example/rss") == "https://feeds.example/rss"
    address = sources.parse_source(source)
    assert (address.user, address.password, address.port, address.path,
            address.option("done")) == ("agency", "s3cret@x", 2121, "/in", "ok")
    assert sources.parse_source("imap://u:p@mail.example").path == "INBOX"
    assert sources.parse_source("imaps://u:p@mail.example/Agency/Copy").port == 993

"""Hostile XML: no entity expanded, no file or network read, memory bounded."""

import contextlib
import socket
import threading
import tracemalloc

import pytest

from tests.conftest import SHARED_DATA
from wiredesk.wire.formats import parse_bytes
from wiredesk.wire.pipeline import process
from wiredesk.wire.types import WireError

HOSTILE = SHARED_DATA / "hostile-xml" / "defusedxml"
FORMATS = ["rss_atom", "newsml_g2", "nitf", "jsonfeed", "html_page"]
SECRET = "wiredesk-secret-marker-7f3a"
pytestmark = [pytest.mark.shared_data,
              pytest.mark.skipif(not HOSTILE.is_dir(), reason=f"{HOSTILE} is absent")]


@pytest.fixture
def listener():
    """A loopback port that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    hits = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join(1)
    server.close()


def hostile_documents(port: int, secret_file) -> dict[str, bytes]:
    docs = {}
    for path in sorted(HOSTILE.glob("*.xml")):
        data = path.read_bytes()
        data = data.replace(b"http://www.w3schools.com/xml/note.xml",
                            f"http://127.0.0.1:{port}/note.xml".encode())
        data = data.replace(b"file:///PATH/TO/xmltestdata/simple.xml",
                            secret_file.as_uri().encode())
        docs[path.name] = data
        # The same attack inside each format's own root element.
        if b"<!ENTITY" in data:
            head, _, _ = data.partition(b"]>")
            ref = b"&ee;" if b"ee SYSTEM" in data else (b"&a;" if b"quadratic" in path.name.encode()
                                                         else b"&c;")
            for root in (b'<rss version="2.0"><channel><title>t</title><item><title>%s</title>'
                         b"<description>%s</description></item></channel></rss>",
                         b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g">'
                         b"<contentMeta><headline>%s</headline></contentMeta></newsItem>",
                         b"<nitf><body><body.head><hedline><hl1>%s</hl1></hedline></body.head>"
                         b"<body.content><p>%s</p></body.content></body></nitf>"):
                body = root.replace(b"%s", ref)
                docs[f"{path.name}+{body[:6].decode()}"] = head + b"]>\n" + body
    return docs


def test_no_expansion_no_file_no_network_and_bounded_memory(tmp_path, listener):
    port, hits = listener
    secret_file = tmp_path / "secret.xml"
    secret_file.write_text(f"<x>{SECRET}</x>")
    docs = hostile_documents(port, secret_file)
    assert len(docs) >= 10
    # What the pipeline loads once per process (the language model, the gazetteer, the
    # stemmers) is loaded before counting: the bound is on what a document costs.
    process(b'<rss version="2.0"><channel><title>t</title><item><title>Warm up in Santiago'
            b'</title><description>Ministers met in Santiago on Monday to talk about copper.'
            b'</description><guid>w1</guid></item></channel></rss>')
    tracemalloc.start()
    try:
        for name, data in docs.items():
            for fmt in FORMATS:
                try:
                    result = parse_bytes(data, fmt=fmt)
                except WireError:
                    continue
                text = repr(result)
                assert SECRET not in text, (name, fmt)
                assert "1234567890" * 8 not in text, (name, fmt)  # nested entities expanded
                assert len(text) < 200_000, (name, fmt)
            with contextlib.suppress(WireError):
                process(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert hits == [], "a parser reached the network"
    # quadratic.xml alone is ~100 KB of entity text; expanded it would need hundreds of MB.
    assert peak < 30 * 1024 * 1024, f"peak traced memory {peak} bytes"


def test_entity_declarations_are_refused_with_a_readable_error():
    with pytest.raises(WireError, match="entit"):
        parse_bytes((HOSTILE / "xmlbomb.xml").read_bytes(), fmt="nitf")

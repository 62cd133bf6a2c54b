"""Property-based: parse+normalize never raise anything but WireError, whatever the bytes."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wiredesk.wire.datelines import parse_dateline
from wiredesk.wire.decode import decode_bytes
from wiredesk.wire.pipeline import process
from wiredesk.wire.sanitize import sanitize_html
from wiredesk.wire.types import WireError

PREFIXES = [b"", b"<?xml version='1.0'?>", b"<rss version='2.0'><channel><item><title>",
            b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>",
            b"<nitf><body><body.content><p>",
            b"<newsItem xmlns='http://iptc.org/std/nar/2006-10-01/' guid='g'><contentMeta>"
            b"<headline>",
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"title": "',
            b"<!DOCTYPE html><html><body><p>", b"\xef\xbb\xbf", b"\xff\xfe"]
SUFFIXES = [b"", b"</title></item></channel></rss>", b"</title></entry></feed>",
            b"</p></body.content></body></nitf>", b"</headline></contentMeta></newsItem>",
            b'"}]}', b"</p></body></html>"]

documents = st.builds(lambda p, body, s: p + body + s, st.sampled_from(PREFIXES),
                      st.binary(max_size=400), st.sampled_from(SUFFIXES))
texts = st.builds(lambda p, body, s: p + body.encode("utf-8", "surrogatepass") + s,
                  st.sampled_from(PREFIXES), st.text(max_size=200), st.sampled_from(SUFFIXES))


def _run(data: bytes) -> None:
    try:
        result = process(data)
    except WireError:
        return
    for item in result.items:
        assert "<script" not in item.body_html.lower()
        assert "<" not in item.headline or "&lt;" not in item.headline


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(data):
    _run(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_format_shaped_bytes_never_raise(data):
    _run(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_format_shaped_text_never_raises(data):
    _run(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.text(max_size=40))
def test_decoding_never_raises_and_never_loses_ascii(data, content_type):
    decoded = decode_bytes(data, content_type=content_type)
    if data.isascii() and b"\x00" not in data:  # NULs may be UTF-16/32 without a BOM
        assert decoded.text == data.decode("ascii")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_sanitizer_and_datelines_never_raise(text):
    assert "<script" not in sanitize_html(text).lower()
    dateline = parse_dateline(text)
    if dateline is not None:
        assert text.startswith(dateline.text.split(" ")[0]) or text.lstrip().startswith("(")

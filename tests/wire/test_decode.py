"""Bytes to text in the right order of trust; nothing dropped, mojibake repaired."""

import codecs

from tests.conftest import rss, rss_item
from wiredesk.wire.decode import decode_bytes
from wiredesk.wire.pipeline import process

TEXT = "Russia’s “fleet” — café, naïve, €5"


def test_bom_wins_over_everything():
    data = codecs.BOM_UTF8 + f'<?xml version="1.0" encoding="windows-1252"?><a>{TEXT}</a>'.encode()
    decoded = decode_bytes(data, content_type="text/xml; charset=iso-8859-1")
    assert decoded.source == "bom" and TEXT in decoded.text
    utf16 = codecs.BOM_UTF16_LE + f"<a>{TEXT}</a>".encode("utf-16-le")
    assert TEXT in decode_bytes(utf16).text


def test_utf16_without_bom_is_recognised():
    assert TEXT in decode_bytes(f'<?xml version="1.0"?><a>{TEXT}</a>'.encode("utf-16-le")).text


def test_windows_1252_declared_as_utf8_is_read_as_windows_1252():
    data = f'<?xml version="1.0" encoding="utf-8"?><a>{TEXT}</a>'.encode("cp1252")
    decoded = decode_bytes(data)
    assert TEXT in decoded.text
    assert decoded.source == "detected" or decoded.encoding == "cp1252"


def test_wrong_http_charset_is_overruled_by_valid_utf8():
    data = f'<?xml version="1.0" encoding="utf-8"?><a>{TEXT}</a>'.encode()
    decoded = decode_bytes(data, content_type="application/rss+xml; charset=ISO-8859-1")
    assert TEXT in decoded.text


def test_http_charset_beats_the_declaration_when_it_fits():
    data = '<?xml version="1.0" encoding="utf-8"?><a>Привет</a>'.encode("koi8-r")
    assert "Привет" in decode_bytes(data, content_type="text/xml; charset=koi8-r").text


def test_declaration_used_without_http_charset():
    data = '<?xml version="1.0" encoding="iso-8859-15"?><a>€ café</a>'.encode("iso-8859-15")
    assert "€ café" in decode_bytes(data).text


def test_feed_in_windows_1252_declared_utf8_keeps_every_character():
    data = rss(rss_item("d1", TEXT, f"<p>{TEXT} and the rest of a long first paragraph.</p>"))
    data = data.decode().encode("cp1252")
    item = process(data).items[0]
    assert item.headline == TEXT
    assert item.lead.startswith(TEXT)


def test_mojibake_is_repaired_and_quotes_stay_curly():
    broken = TEXT.encode("utf-8").decode("latin-1")  # UTF-8 read as Latin-1
    data = rss(rss_item("d2", broken, f"<p>{broken} and the rest of a long first paragraph.</p>"))
    item = process(data).items[0]
    assert item.headline == TEXT
    assert "Russia’s “fleet”" in item.body_html

from wiredesk.wire.identity import canonical_url, identity_key


def test_canonical_url_folds_spellings():
    a = canonical_url("http://www.Example.org/news/1/?utm_source=rss&b=2&a=1")
    b = canonical_url("https://example.org/news/1?a=1&b=2&fbclid=xyz")
    assert a == b == "https://example.org/news/1?a=1&b=2"


def test_canonical_url_rejects_non_http():
    assert canonical_url("javascript:alert(1)") == ""
    assert canonical_url("") == ""


def test_identity_prefers_guid_then_url_then_hash():
    assert identity_key("g1", "https://x.org/a", "H", "B").startswith("guid:")
    assert identity_key("", "https://x.org/a", "H", "B").startswith("url:")
    assert identity_key("", "", "H", "B").startswith("hash:")
    assert identity_key("g1", "https://x.org/a", "H", "B", trust_guid=False).startswith("url:")

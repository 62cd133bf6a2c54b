"""The gazetteer's index kept as a file: read back, it is the index made from the package;
a damaged or unwritable file costs the making, never an error."""

from __future__ import annotations

import pytest

from wiredesk.wire import gazetteer


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("WIREDESK_CACHE_DIR", str(tmp_path / "cache"))
    gazetteer._index.cache_clear()
    gazetteer.countries.cache_clear()
    yield tmp_path / "cache"
    gazetteer._index.cache_clear()
    gazetteer.countries.cache_clear()


def test_the_kept_index_is_the_made_one(fresh):
    made = gazetteer._index()
    files = list(fresh.glob("gazetteer-*.json"))
    assert len(files) == 1 and files[0] == gazetteer._cache_file()
    gazetteer._index.cache_clear()
    read = gazetteer._read_cached(files[0])
    assert read == made and list(read) == list(made)
    assert all(type(p) is gazetteer.Place for places in read.values() for p in places)
    assert gazetteer._index() == made
    assert gazetteer.lookup("Portland")[0].country == "US"
    assert gazetteer.place("Valparaíso").country == "CL"


def test_a_damaged_file_is_made_again(fresh):
    made = gazetteer._index()
    path = gazetteer._cache_file()
    for damage in (b"{not json", b'{"Paris": [["Paris", "FR"]]}', b"[1, 2]"):
        path.write_bytes(damage)
        gazetteer._index.cache_clear()
        assert gazetteer._index() == made
        assert gazetteer._read_cached(path) == made  # written again


def test_no_cache_directory_or_an_unwritable_one(monkeypatch, fresh, tmp_path):
    made = gazetteer._index()
    monkeypatch.setenv("WIREDESK_CACHE_DIR", "off")
    gazetteer._index.cache_clear()
    assert gazetteer._cache_file() is None and gazetteer._index() == made
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("WIREDESK_CACHE_DIR", str(blocker / "cache"))
    gazetteer._index.cache_clear()
    assert gazetteer._index() == made


def test_another_input_is_another_file(fresh, monkeypatch):
    first = gazetteer._cache_file()
    monkeypatch.setattr(gazetteer, "_FORMAT", gazetteer._FORMAT + 1)
    assert gazetteer._cache_file() != first

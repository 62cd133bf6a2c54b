import logging

from wiredesk.core.staticfiles import StaticStorage


def test_a_file_the_manifest_does_not_list_gets_its_plain_name_and_a_warning(tmp_path, caplog):
    """A process that never ran collectstatic still renders pages (no 500 on every page)."""
    storage = StaticStorage(location=tmp_path, base_url="/static/")
    with caplog.at_level(logging.WARNING, logger="wiredesk.core.staticfiles"):
        assert storage.url("wiredesk/not-collected.css") == "/static/wiredesk/not-collected.css"
        assert storage.url("wiredesk/not-collected.css") == "/static/wiredesk/not-collected.css"
    assert [r.getMessage() for r in caplog.records] == [
        "static file wiredesk/not-collected.css is not in the manifest: run `wiredesk "
        "collectstatic` (`wiredesk serve` runs it at start)"]


def test_a_collected_file_gets_its_hashed_name():
    from django.contrib.staticfiles.storage import staticfiles_storage

    assert staticfiles_storage.url("wiredesk/site.css").startswith("/static/wiredesk/site.")
    assert staticfiles_storage.url("wiredesk/site.css") != "/static/wiredesk/site.css"

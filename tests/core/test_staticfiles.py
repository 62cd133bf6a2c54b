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


def test_whitenoise_tells_hashed_files_apart_without_warning_the_operator(settings, tmp_path,
                                                                           caplog):
    """whitenoise probes cut names ("swagger-ui.css.map" -> "swagger-ui.map") at start: a
    miss there is expected, not a reason to ask the operator to run collectstatic."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.http import HttpResponse

    from wiredesk.core.staticfiles import StaticFilesMiddleware

    hashed = staticfiles_storage.url("wiredesk/site.css")
    with caplog.at_level(logging.WARNING, logger="wiredesk.core.staticfiles"):
        middleware = StaticFilesMiddleware(lambda request: HttpResponse())
        assert middleware.get_static_url("wiredesk/site.css") == hashed
        assert middleware.get_static_url("ninja/swagger-ui.map") is None
        assert middleware.immutable_file_test("", hashed)
        assert not middleware.immutable_file_test("", "/static/wiredesk/site.css")
    assert caplog.records == []

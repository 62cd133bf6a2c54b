"""Settings as tests see them. Settings read at start-up (the secret key kept in the data
directory, SQLite's WAL mode) are tested in fresh processes in
tests/e2e/test_settings_processes.py."""


def test_tests_never_use_the_real_data_directory():
    from django.conf import settings

    assert "wiredesk-test-" in str(settings.DATA_DIR)


def _settings_with(monkeypatch, **env):
    """The settings module as a fresh copy read with ``env`` (Django's own is untouched)."""
    import importlib.util

    import wiredesk.settings

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("wiredesk_settings_copy",
                                                  wiredesk.settings.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pictures_go_to_an_s3_bucket_through_django_storages(monkeypatch):
    import pytest

    pytest.importorskip("storages.backends.s3", reason="the [s3] extra is not installed")
    from storages.backends.s3 import S3Storage

    copy = _settings_with(monkeypatch, WIREDESK_MEDIA_STORAGE="s3",
                          WIREDESK_S3_BUCKET="news-media",
                          WIREDESK_S3_ENDPOINT_URL="http://127.0.0.1:9000",
                          WIREDESK_S3_CUSTOM_DOMAIN="media.chilesun.example",
                          WIREDESK_S3_PREFIX="/wd/", AWS_ACCESS_KEY_ID="k",
                          AWS_SECRET_ACCESS_KEY="s")
    default = copy.STORAGES["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    storage = S3Storage(**default["OPTIONS"])  # no request is made until a file is
    assert storage.bucket_name == "news-media" and storage.endpoint_url == "http://127.0.0.1:9000"
    assert storage.url("pictures/ab/x-320w-0123456789.jpg") == (
        "https://media.chilesun.example/wd/pictures/ab/x-320w-0123456789.jpg")
    assert storage.get_object_parameters("pictures/ab/x.jpg")["CacheControl"] == (
        "public, max-age=31536000, immutable")


def test_files_are_the_default_media_store_and_nothing_else_is_taken(monkeypatch):
    import pytest

    assert _settings_with(monkeypatch).STORAGES["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage")
    with pytest.raises(ValueError, match="WIREDESK_MEDIA_STORAGE"):
        _settings_with(monkeypatch, WIREDESK_MEDIA_STORAGE="ftp")


def test_the_bounce_address_and_mailbox_are_checked_at_start(monkeypatch):
    import pytest

    from wiredesk.inbox import MailboxError

    good = _settings_with(monkeypatch, WIREDESK_BOUNCE_ADDRESS="bounces@news.example",
                          WIREDESK_BOUNCE_MAILBOX="imaps://b%40x:pw@mail.example/INBOX")
    assert good.WIREDESK_BOUNCE_ADDRESS == "bounces@news.example"
    for bad in ("bounces", "bounces+x@news.example", "a@b@c", "Bounces <b@news.example>",
                "@news.example"):
        with pytest.raises(ValueError, match="WIREDESK_BOUNCE_ADDRESS"):
            _settings_with(monkeypatch, WIREDESK_BOUNCE_ADDRESS=bad,
                           WIREDESK_BOUNCE_MAILBOX="")
    with pytest.raises(MailboxError, match="scheme"):
        _settings_with(monkeypatch, WIREDESK_BOUNCE_ADDRESS="",
                       WIREDESK_BOUNCE_MAILBOX="http://mail.example/")


def test_prepared_statements_are_on_by_default_and_read_under_their_earlier_name(monkeypatch):
    monkeypatch.delenv("WIREDESK_PREPARED_STATEMENTS", raising=False)
    monkeypatch.delenv("WIREDESK_STAGE_PREPARED", raising=False)
    assert _settings_with(monkeypatch).WIREDESK_PREPARED_STATEMENTS is True
    assert _settings_with(monkeypatch, WIREDESK_STAGE_PREPARED="false"
                          ).WIREDESK_PREPARED_STATEMENTS is False
    assert _settings_with(monkeypatch, WIREDESK_STAGE_PREPARED="false",
                          WIREDESK_PREPARED_STATEMENTS="true").WIREDESK_PREPARED_STATEMENTS is True

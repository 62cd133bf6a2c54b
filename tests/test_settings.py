"""Settings as tests see them. Settings read at start-up (the secret key kept in the data
directory, SQLite's WAL mode) are tested in fresh processes in
tests/e2e/test_settings_processes.py."""


def test_tests_never_use_the_real_data_directory():
    from django.conf import settings

    assert "wiredesk-test-" in str(settings.DATA_DIR)

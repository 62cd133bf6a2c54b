import pytest
import trustme

from tests.syndication.receiver import Receiver


@pytest.fixture(scope="session")
def partner_ca():
    """One test CA for every partner's certificate, as a private CA would be."""
    return trustme.CA()


@pytest.fixture
def hook(tmp_path, settings, partner_ca):
    """A partner's HTTPS webhook on loopback, trusted through WIREDESK_PUSH_CA_BUNDLE."""
    with Receiver(secrets=["partner-secret"], tls_dir=tmp_path, ca=partner_ca) as receiver:
        settings.WIREDESK_PUSH_CA_BUNDLE = receiver.ca_bundle
        yield receiver


@pytest.fixture
def second_hook(tmp_path, partner_ca):
    folder = tmp_path / "second"
    folder.mkdir()
    with Receiver(secrets=["second-secret"], tls_dir=folder, ca=partner_ca) as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def _pushes_in_this_thread(request, settings):
    """Other threads cannot see a test's own transaction: partners are pushed one after
    the other here, except in tests that commit (``transactional_db``)."""
    if "transactional_db" not in request.fixturenames:
        settings.WIREDESK_PUSH_CONCURRENCY = 1

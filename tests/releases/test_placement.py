"""A news release goes into the editions chosen for it, and only those."""

import pytest

from tests.releases.conftest import form_data
from wiredesk.releases import services
from wiredesk.releases.models import Release

pytestmark = pytest.mark.django_db


def test_a_release_is_placed_only_in_its_chosen_editions(client, smtp, editions,
                                                         django_capture_on_commit_callbacks):
    from wiredesk.editions.services import edition_save
    from wiredesk.newsroom.models import Article

    _chile, euro = editions
    edition_save(name="Everything", time_zone="UTC")  # its rules would carry any item
    with django_capture_on_commit_callbacks(execute=True):  # the verification mail
        client.post("/euro-ledger/releases/submit", form_data(euro, category="business"))
    client.post(smtp.last("ana@rowing.example").link("verify"))
    release = services.release_approve(release=Release.objects.get(),
                                       actor=services.Actor(label="test"))
    assert release.article == Article.objects.get(kind=Article.Kind.PRESS_RELEASE)
    assert list(release.article.placements.values_list("edition__slug", flat=True)) == \
        ["euro-ledger"]

"""Agency picture addresses are fetched like feeds: the public Internet only.

A feed names its pictures, so an attacker who controls a feed (or a picture server a
feed names) must not get the fetch-pictures job to read the machine's own network, nor
to publish what it read there as a picture.
"""

import pytest

from tests import pictureserver as pics
from tests.security.attacker import Attacker
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article, PictureAsset, PictureSource
from wiredesk.newsroom.services.picture_sources import link_source

pytestmark = pytest.mark.django_db


def article_with_picture(url: str) -> Article:
    article = Article.objects.create(
        agency=services.agency_ensure(code="EVIL"), identity=f"i-{url}", fingerprint="f",
        headline="A story", published_at="2025-07-12T08:00:00Z", image_url=url)
    link_source(article, previous_url="")
    article.save()
    return article


def test_a_picture_at_an_inside_address_is_refused_without_a_request(attacker, default_policy):
    attacker.routes["/photo.jpg"] = Attacker.page(pics.jpeg((800, 600)), "image/jpeg")
    article = article_with_picture(f"{attacker.url}/photo.jpg")
    report = services.pictures_fetch_due()
    assert report.given_up == 1  # a refusal that would not change: not tried again
    source = PictureSource.objects.get()
    assert "refused to fetch" in source.last_error and "WIREDESK_FETCH_ALLOW" in source.last_error
    assert attacker.requests == [] and not PictureAsset.objects.exists()
    article.refresh_from_db()
    assert article.picture is None


@pytest.mark.parametrize("inside", ["127.0.0.1", "2130706433", "[::ffff:127.0.0.1]"])
def test_a_redirect_to_an_inside_address_is_refused_at_the_hop(attacker, settings, inside):
    # The operator trusts the agency's picture host by name; its answer redirects inside.
    settings.WIREDESK_FETCH_ALLOW = ["localhost"]
    attacker.routes["/photo.jpg"] = Attacker.redirect(
        f"http://{inside}:{attacker.port}/internal.jpg")
    attacker.routes["/internal.jpg"] = Attacker.page(pics.jpeg((800, 600)), "image/jpeg")
    article_with_picture(f"http://localhost:{attacker.port}/photo.jpg")
    assert services.pictures_fetch_due().given_up == 1
    assert attacker.paths() == ["/photo.jpg"]
    source = PictureSource.objects.get()
    assert "refused to fetch from" in source.last_error and "loopback" in source.last_error
    assert not PictureAsset.objects.exists()


def test_an_allowed_hosts_own_redirect_is_followed(attacker, settings):
    settings.WIREDESK_FETCH_ALLOW = ["localhost"]
    attacker.routes["/old.jpg"] = Attacker.redirect("/photo.jpg", 301)
    attacker.routes["/photo.jpg"] = Attacker.page(pics.jpeg((800, 600)), "text/plain")
    article = article_with_picture(f"http://localhost:{attacker.port}/old.jpg")
    assert services.pictures_fetch_due().stored == 1  # sniffed, whatever the type said
    article.refresh_from_db()
    assert article.picture is not None


def test_a_local_path_is_never_read_as_a_picture(settings, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(pics.jpeg((800, 600)))
    article = Article.objects.create(
        agency=services.agency_ensure(code="EVIL"), identity="i-local", fingerprint="f",
        headline="A story", published_at="2025-07-12T08:00:00Z", image_url=str(secret))
    link_source(article, previous_url="")
    article.save()
    assert services.pictures_fetch_due().given_up == 1
    assert "only http and https" in PictureSource.objects.get().last_error
    assert not PictureAsset.objects.exists()

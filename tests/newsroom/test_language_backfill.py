"""The migration that gave articles a language fills it in for those stored before."""

import importlib

import pytest
from django.apps import apps

from tests.conftest import rss, rss_item
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db

migration = importlib.import_module("wiredesk.newsroom.migrations.0017_article_language")


def test_backfill_detects_stored_articles(tmp_path):
    items = (rss_item("en", "Storm leaves thousands of homes without power across the north",
                      "<p>Engineers worked through the night to restore supplies after the "
                      "storm, and several rail lines remained closed on Tuesday.</p>")
             + rss_item("ar", "الحكومة تعلن عن خطة جديدة لدعم الاقتصاد"))
    path = tmp_path / "wire.rss"
    path.write_bytes(rss(items))
    services.ingest_source(str(path), agency=services.agency_ensure(code="BF", name="BF"))
    Article.objects.update(language="")  # as the rows were before the migration

    migration.backfill(apps, None)

    languages = dict(Article.objects.values_list("guid", "language"))
    assert languages == {"en": "en", "ar": "ar"}

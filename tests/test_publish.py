import json
import re

import pytest

from tests.conftest import rss, rss_item
from wiredesk import publish
from wiredesk.editions.services import edition_save
from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article

pytestmark = pytest.mark.django_db


def pages_in(folder):
    """The pages named as their addresses (no extension) under a folder, sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.suffix)


@pytest.fixture
def site(tmp_path):
    services.section_ensure(slug="world", name="World")
    agency = services.agency_ensure(code="RFE")
    feed = tmp_path / "a.rss"
    feed.write_bytes(rss("".join(rss_item(f"g{i}", f"Story {i}") for i in range(3))))
    services.ingest_source(str(feed), agency=agency)
    edition_save(name="Chile Sun", time_zone="Australia/Sydney", hosts=["chilesun.example"])
    return agency, feed


def test_publish_renders_every_public_page_then_only_what_changed(tmp_path, site):
    agency, feed = site
    out = tmp_path / "out"
    [first] = publish.publish(out)
    assert (first.rendered, first.unchanged, first.removed) == (3, 0, 0)
    root = out / "chile-sun"
    home = (root / "index.html").read_text()
    articles = {a.pk: a for a in Article.objects.all()}
    for article in articles.values():
        page = root / "news" / str(article.pk) / article.slug
        assert article.headline in page.read_text()
        assert f'href="/chile-sun/news/{article.pk}/{article.slug}"' in home
    assert (root / "section" / "world" / "index.html").is_file()
    assert (out / "static" / "wiredesk" / "site.css").is_file()
    # Pages name the static files by their hashed names, and those files are published.
    [css, brand_css] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', home)
    assert re.fullmatch(r"/static/wiredesk/site\.[0-9a-f]{12}\.css", css)
    assert re.fullmatch(r"/chile-sun/brand\.[0-9a-f]{12}\.css", brand_css)
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', home)
    assert len(icons) == 2
    for href in (css, brand_css, *icons):
        assert (out / href.lstrip("/")).is_file(), href
    assert (out / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"

    [again] = publish.publish(out)
    assert (again.rendered, again.unchanged, again.removed, again.pages) == (0, 3, 0, 0)

    killed = Article.objects.get(guid="g0")
    services.article_kill(article=killed, reason="legal")
    feed.write_bytes(rss(rss_item("g0", "Story 0") + rss_item("g1", "Story 1 corrected")
                         + rss_item("g2", "Story 2")))
    services.ingest_source(str(feed), agency=agency)
    [third] = publish.publish(out, edition_slug="chile-sun")
    assert (third.rendered, third.removed, third.unchanged) == (1, 1, 1)
    assert not (root / "news" / str(killed.pk) / killed.slug).exists()
    corrected = Article.objects.get(guid="g1")
    assert (root / "news" / str(corrected.pk) / corrected.slug).is_file()
    # A new headline never moves the article: the same file holds the new copy.
    assert corrected.slug == "story-1"
    assert "Story 1 corrected" in (root / "news" / str(corrected.pk) / "story-1").read_text()
    home = (root / "index.html").read_text()
    assert "Story 0" not in home and "Story 1 corrected" in home


def test_a_copy_with_the_earlier_html_names_is_renamed_by_the_next_run(tmp_path, site):
    """Before 2026-12-02 a page at /x was the file x.html: the next run writes every such
    page under its address and deletes the old files with their copies."""
    out = tmp_path / "out"
    publish.publish(out)
    root = out / "chile-sun"
    manifest = json.loads((root / publish.MANIFEST).read_text())
    for seen in manifest["articles"].values():
        for suffix in ("", ".gz", ".br"):
            (root / (seen["path"] + suffix)).rename(root / (seen["path"] + ".html" + suffix))
        seen["path"] += ".html"
    (root / publish.MANIFEST).write_text(json.dumps(manifest))
    old = sorted(root.rglob("*.html*"))
    assert any(p.parent.parent.name == "news" for p in old)

    [report] = publish.publish(out)
    assert report.rendered == 3 and not report.errors
    assert not [p for p in root.rglob("*.html*") if p.parent.parent.name == "news"]
    for article in Article.objects.all():
        page = root / "news" / str(article.pk) / article.slug
        assert article.headline in page.read_text()
        assert (root / "news" / str(article.pk) / f"{article.slug}.gz").is_file()


def test_publish_unknown_edition_is_an_error(tmp_path, site):
    with pytest.raises(publish.PublishError):
        publish.publish(tmp_path / "out", edition_slug="nope")


def test_publish_writes_the_story_tag_feed_and_sitemap_pages_articles_link_to(tmp_path):
    import feedparser

    from tests.story_texts import COURT, html
    from wiredesk.newsroom.models import Tag

    services.section_ensure(slug="world", name="World")
    agency = services.agency_ensure(code="RFE")
    feed = tmp_path / "court.rss"
    feed.write_bytes(rss(rss_item("court", "Former minister jailed for bribes", html(COURT))))
    services.ingest_source(str(feed), agency=agency)
    edition_save(name="Chile Sun", time_zone="Australia/Sydney", hosts=["chilesun.example"])
    court = Article.objects.get(guid="court")
    tag = Tag.objects.get(key="teodor-vasek")
    out = tmp_path / "out"
    [report] = publish.publish(out)
    root = out / "chile-sun"

    # Every link of the article page to a story, a tag or a feed finds its file.
    article_page = (root / "news" / str(court.pk) / court.slug).read_text()
    [story_file] = pages_in(root / "story" / str(court.story_id))
    assert f'href="/chile-sun/story/{court.story_id}/{story_file.name}"' in article_page
    assert court.headline in story_file.read_text()
    assert 'href="/chile-sun/tag/teodor-vasek/"' in article_page
    assert tag.name in (root / "tag" / "teodor-vasek" / "index.html").read_text()
    for folder in ("", "section/world/", f"story/{court.story_id}/", "tag/teodor-vasek/"):
        parsed = feedparser.parse((root / f"{folder}feed.rss").read_bytes())
        assert [e.title for e in parsed.entries] == [court.headline], folder
        assert (root / f"{folder}feed.atom").is_file() and (root / f"{folder}feed.json").is_file()
    assert "<sitemapindex" in (root / "sitemap.xml").read_text()
    assert f"/news/{court.pk}/" in (root / "sitemap-articles-1.xml").read_text()
    assert report.pages >= 20
    # The partner feeds too (NINJS and NewsML-G2).
    partner = json.loads((root / "feed.ninjs.json").read_text())
    assert [i["headlines"][0]["value"] for i in partner["items"]] == [court.headline]
    assert "<newsMessage" in (root / "feed.newsml.xml").read_text()

    # A kill takes the article's story and tag pages and feeds with it.
    services.article_kill(article=court, reason="legal")
    [after] = publish.publish(out)
    assert after.removed == 1
    assert not story_file.exists()
    assert not (root / "story" / str(court.story_id) / "feed.rss").exists()
    assert not (root / "tag" / "teodor-vasek" / "index.html").exists()
    assert feedparser.parse((root / "feed.rss").read_bytes()).entries == []
    assert f"/news/{court.pk}/" not in (root / "sitemap-articles-1.xml").read_text()
    assert [i["pubstatus"] for i in json.loads(
        (root / "feed.ninjs.json").read_text())["items"]] == ["canceled"]
    # Nothing changed: nothing is rendered again, and the manifest forgot the dead pages.
    [quiet] = publish.publish(out)
    assert (quiet.rendered, quiet.removed, quiet.pages) == (0, 0, 0)


def test_a_full_run_still_deletes_what_was_killed_since_the_last_run(tmp_path, site):
    out = tmp_path / "out"
    publish.publish(out)
    killed = Article.objects.get(guid="g0")
    page = out / "chile-sun" / "news" / str(killed.pk) / killed.slug
    assert page.is_file()
    services.article_kill(article=killed, reason="legal")
    [report] = publish.publish(out, full=True)
    assert (report.rendered, report.removed) == (2, 1)
    assert not page.exists()


def test_a_first_run_names_more_articles_than_the_database_takes_at_once(tmp_path, site,
                                                                         monkeypatch):
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's bound-parameter limit")
    agency, feed = site
    feed.write_bytes(rss("".join(rss_item(f"m{i}", f"Many {i}") for i in range(45))))
    services.ingest_source(str(feed), agency=agency)
    # As with SQLite's 32,766 parameters against a 100k-article archive, scaled down.
    connection.ensure_connection()
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 40)
    monkeypatch.setattr(publish, "LOOKUP_SLICE", 20)
    from wiredesk.editions import canonical

    monkeypatch.setattr(canonical, "LOOKUP_SLICE", 20)
    try:
        [report] = publish.publish(tmp_path / "out")
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32766)
    assert report.rendered == 48 and not report.errors
    stories = set(Article.objects.values_list("story_id", flat=True))
    assert all(pages_in(tmp_path / "out" / "chile-sun" / "story" / str(s)) for s in stories)


def test_the_static_copy_carries_the_pictures_its_pages_name(
        tmp_path, site, django_capture_on_commit_callbacks):
    import re

    from tests import pictureserver as pics
    from wiredesk.newsroom.services.picture_sources import link_source
    from wiredesk.newsroom.services.renditions import picture_store

    article = Article.objects.get(guid="g1")
    article.image_url = "https://img.example/p.jpg"
    link_source(article, previous_url="")
    article.save()
    picture_store(article.picture_source, pics.jpeg((800, 500)))
    out = tmp_path / "out"
    publish.publish(out)
    article.refresh_from_db()
    page = (out / "chile-sun" / "news" / str(article.pk) / article.slug).read_text()
    named = set(re.findall(r"/media/pictures/[^\" ,]+", page))
    assert len(named) == 6 and "img.example" not in page
    for url in named:
        assert (out / url.lstrip("/")).is_file(), url
    with django_capture_on_commit_callbacks(execute=True):
        services.article_kill(article=article, reason="legal")
    publish.publish(out)
    assert not any((out / "media" / "pictures").rglob("*.jpg"))


def test_publish_carries_the_editions_brand_and_a_new_look_renders_every_page(
        tmp_path, site, settings):
    from tests.editions.brand_helpers import picture
    from wiredesk.editions.models import Edition
    from wiredesk.editions.services import edition_brand_set, edition_page_set

    settings.MEDIA_ROOT = tmp_path / "media"
    chile = Edition.objects.get(slug="chile-sun")
    edition_brand_set(chile, brand_color="#0b3d91", logo=picture(), icon=picture(200, 200))
    edition_page_set(chile, "about", "Who we are.")
    out = tmp_path / "out"
    publish.publish(out)
    root = out / "chile-sun"
    home = (root / "index.html").read_text()
    for href in re.findall(r'(?:href|src)="(/(?:media|chile-sun)/[^"]+\.(?:css|png))"', home):
        assert (out / href.lstrip("/")).is_file(), href
    [brand_css] = re.findall(r'href="/chile-sun/(brand\.[0-9a-f]{12}\.css)"', home)
    assert "--brand: #0b3d91;" in (root / brand_css).read_text()
    assert "Who we are." in (root / "about").read_text()
    assert 'href="/chile-sun/about"' in home

    edition_brand_set(Edition.objects.get(slug="chile-sun"), brand_color="#9c2a00")
    [again] = publish.publish(out)
    assert again.rendered == 3  # every article names the new stylesheet
    article = pages_in(root / "news")[0].read_text()
    [renamed] = re.findall(r'href="/chile-sun/(brand\.[0-9a-f]{12}\.css)"', article)
    assert renamed != brand_css and "#9c2a00" in (root / renamed).read_text()
    # A new logo or footer is a new look as well, and a removed text page goes.
    edition_brand_set(Edition.objects.get(slug="chile-sun"), remove=["logo"])
    edition_page_set(chile, "about", "")
    [third] = publish.publish(out)
    assert third.rendered == 3
    assert "/media/brand/" not in (root / "index.html").read_text().split("<main", 1)[0] \
        .split("<header", 1)[1]
    assert not (root / "about").exists()
    [fourth] = publish.publish(out)
    assert (fourth.rendered, fourth.pages) == (0, 0)


def test_a_curated_front_is_published_again_with_no_article_changing(tmp_path, site):
    from wiredesk.editions import curation
    from wiredesk.editions.models import Edition

    out = tmp_path / "out"
    publish.publish(out)
    home = out / "chile-sun" / "index.html"
    oldest = Article.objects.order_by("published_at", "id").first()

    def lead() -> str:
        return home.read_text().split('class="teaser front-lead"')[1].split("</article>")[0]

    assert oldest.headline not in lead()
    edition = Edition.objects.get(slug="chile-sun")
    curation.front_feature(actor="cli", edition=edition, article=oldest, top=True)
    [again] = publish.publish(out)
    assert (again.rendered, again.unchanged) == (0, 3)
    assert again.pages > 0 and oldest.headline in lead()
    [idle] = publish.publish(out)
    assert idle.pages == 0  # nothing moved since: nothing rendered

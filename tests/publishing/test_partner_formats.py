"""NINJS and NewsML-G2 of one article in each state: usable, embargoed (withheld, with
the copy), held (withheld, without it), killed (canceled), corrected (signal); hostile
copy still well-formed; what wiredesk's reader and IPTC's read back."""

from __future__ import annotations

from datetime import UTC, timedelta

import jsonschema_rs
import NewsMLG2
import pytest
from django.utils import timezone

from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.publishing import newsml, ninjs
from wiredesk.wire.formats import newsml_g2

pytestmark = pytest.mark.django_db


def _both(article: Article):
    article = Article.objects.select_related("agency", "section").get(pk=article.pk)
    document = ninjs.article_document(article)
    validator = jsonschema_rs.validator_for(ninjs.schema(), validate_formats=True)
    assert not [e.message for e in validator.iter_errors(document)]
    data = newsml.article_document(article)
    assert newsml.check(data) == []
    assert NewsMLG2.NewsMLG2Document(data).get_item() is not None
    return document, newsml_g2.parse(data).items[0]


def test_an_embargoed_article_is_withheld_with_its_copy(site):
    article = Article.objects.get(headline="Fresh world story")
    until = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    Article.objects.filter(pk=article.pk).update(embargo_until=until)
    document, item = _both(article)
    assert document["pubstatus"] == "withheld"
    assert document["embargoed"] == until.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert document["headlines"][0]["value"] == "Fresh world story"
    assert item.status == "withheld" and item.embargo_until == until
    assert item.title == "Fresh world story"


def test_a_held_article_is_withheld_without_its_copy(site):
    article = services.article_hold(article=Article.objects.get(headline="Fresh world story"),
                                    reason="lawyers")
    document, item = _both(article)
    assert document["pubstatus"] == "withheld" and document["representationtype"] == "partial"
    assert "headlines" not in document and "bodies" not in document
    assert "lawyers" in document["ednote"]
    assert item.status == "withheld" and not item.title and not item.body


def test_a_killed_article_is_canceled(site):
    article = services.article_kill(article=Article.objects.get(headline="Sport story"),
                                    reason="legal")
    document, item = _both(article)
    assert document["pubstatus"] == "canceled" and "associations" not in document
    assert document["version"] == str(article.version)
    assert item.status == "canceled" and not item.body


def test_a_correction_carries_the_signal(site):
    article = Article.objects.get(headline="Fresh world story")
    Article.objects.filter(pk=article.pk).update(signal="correction", version=3)
    document, item = _both(article)
    assert {"role": "signal", "contenttype": "text/plain",
            "value": "http://cv.iptc.org/newscodes/signal/correction"} \
        in document["descriptions"]
    assert "Correction" in document["ednote"] and document["version"] == "3"
    assert item.signal == "correction" and item.version == 3


def test_the_urgency_goes_out_when_the_source_gave_it(site, tmp_path):
    g2 = (b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:urgent" '
          b'version="1" standard="NewsML-G2" standardversion="2.30"><itemMeta>'
          b'<itemClass qcode="ninat:text"/><provider literal="X"/>'
          b'<versionCreated>2025-07-12T10:00:00Z</versionCreated>'
          b'<pubStatus qcode="stat:usable"/></itemMeta><contentMeta><urgency>2</urgency>'
          b'<headline>Flash: quake hits coast</headline></contentMeta><contentSet>'
          b'<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/'
          b'xhtml"><body><p>A strong earthquake struck the coast.</p></body></html></inlineXML>'
          b'</contentSet></newsItem>')
    path = tmp_path / "flash.xml"
    path.write_bytes(g2)
    services.ingest_source(str(path), agency=services.agency_ensure(code="RFE"))
    # "Flash:" is the agency's prefix, not the headline; the urgency it gave wins over it.
    article = Article.objects.get(headline="quake hits coast")
    assert article.urgency == 2
    document, item = _both(article)
    assert document["urgency"] == 2 and item.urgency == 2
    plain, _item = _both(Article.objects.get(headline="Fresh world story"))
    assert "urgency" not in plain


def test_hostile_copy_stays_well_formed(site):
    article = Article.objects.get(headline="Old world story")
    Article.objects.filter(pk=article.pk).update(
        headline="Bad \x0b <headline> & \"quotes\"",
        body_html='<p>One&nbsp;two<br>three <b>bold <i>both</b></i></p><!-- c -->'
                  '<p onclick="x()">\x01after</p><p>ünïcödé — “quoted”</p><o:p>office</o:p>',
        dateline="(250711) -- WASHINGTON, July 11, 2025 (Xinhua)")
    document, item = _both(article)
    assert newsml.check(newsml.message_document([article])) == []
    assert "<headline>" in item.title.replace("&lt;", "<").replace("&gt;", ">")
    assert "ünïcödé — “quoted”" in item.body and "after" in item.body
    assert "office" in item.body
    assert document["located"] == "WASHINGTON"


def test_the_check_finds_what_is_wrong():
    good = (b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:1" version="1" '
            b'standard="NewsML-G2" standardversion="2.35"><itemMeta><itemClass qcode="ninat:text"/>'
            b'<provider literal="x"/><versionCreated>2025-01-01T00:00:00Z</versionCreated>'
            b'<pubStatus qcode="stat:usable"/></itemMeta></newsItem>')
    assert newsml.check(good) == []
    assert newsml.check(b"<newsItem")[0].startswith("not well-formed")
    assert "namespace" in newsml.check(b"<newsItem/>")[0]
    swapped = good.replace(b'<pubStatus qcode="stat:usable"/>', b"").replace(
        b"<itemClass", b'<pubStatus qcode="stat:usable"/><itemClass')
    assert any("order" in p for p in newsml.check(swapped))
    assert any("stat:gone" in p for p in newsml.check(good.replace(b"stat:usable",
                                                                    b"stat:gone")))
    assert any("QCode" in p for p in newsml.check(good.replace(b"ninat:text", b"nope:text")))
    assert any("time zone" in p for p in newsml.check(good.replace(b"00:00Z", b"00:00")))
    assert any("@guid" in p for p in newsml.check(good.replace(b'guid="urn:x:1" ', b"")))


def test_the_ninjs_schema_holds_the_standards_rules():
    """The schema file refuses what NINJS 2.1 refuses (so a pass means something)."""
    validator = jsonschema_rs.validator_for(ninjs.schema(), validate_formats=True)
    good = {"uri": "urn:newsml:example.org:20250712:1", "type": "text", "pubstatus": "usable",
            "versioncreated": "2025-07-12T10:00:00Z", "urgency": 3,
            "headlines": [{"role": "main", "value": "Headline"}],
            "associations": [{"name": "featureimage", "uri": "urn:x:pic", "type": "picture",
                              "renditions": [{"name": "r", "href": "https://x.example/a.jpg",
                                              "width": 10, "height": 10}]}]}
    assert validator.is_valid(good)
    for bad in ({"type": "text"},  # no uri
                {**good, "signal": "correction"},  # not a NINJS 2.1 property
                {**good, "pubstatus": "killed"}, {**good, "urgency": 0},
                {**good, "type": "article"}, {**good, "versioncreated": "yesterday"},
                {**good, "headlines": [{"role": "main"}]},
                {**good, "associations": [{"uri": "urn:x:pic"}]},  # no name
                {**good, "associations": [{"name": "a", "uri": "urn:x", "links": []}]},
                {**good, "renditions": [{"href": "https://x.example/"}]}):  # no name
        assert not validator.is_valid(bad), bad


def test_an_article_without_a_body_sends_its_lead(site):
    article = Article.objects.get(headline="Sport story")
    Article.objects.filter(pk=article.pk).update(body_html="", lead="Sport <news> & more.")
    document, item = _both(article)
    assert "bodies" not in document
    assert item.body == "<p>Sport &lt;news&gt; &amp; more.</p>"

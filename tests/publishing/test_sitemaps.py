"""Sitemaps validated against the sitemaps.org schema (written out here), and robots.txt."""

import pytest
from lxml import etree

from wiredesk.newsroom import services
from wiredesk.newsroom.models import Article
from wiredesk.publishing import sitemaps

pytestmark = pytest.mark.django_db

BASE = "http://chilesun.example:8000"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "n": "http://www.google.com/schemas/sitemap-news/0.9"}

# The sitemaps.org 0.9 schema (sitemap.xsd and siteindex.xsd), reduced to the parts we use.
SITEMAP_XSD = b"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9"
  xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" elementFormDefault="qualified">
  <xsd:element name="urlset"><xsd:complexType><xsd:sequence>
    <xsd:element name="url" minOccurs="0" maxOccurs="50000"><xsd:complexType><xsd:sequence>
      <xsd:element name="loc" type="tLoc"/>
      <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
      <xsd:element name="changefreq" type="tChangeFreq" minOccurs="0"/>
      <xsd:element name="priority" type="tPriority" minOccurs="0"/>
      <xsd:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xsd:sequence></xsd:complexType></xsd:element>
  </xsd:sequence></xsd:complexType></xsd:element>
  <xsd:element name="sitemapindex"><xsd:complexType><xsd:sequence>
    <xsd:element name="sitemap" maxOccurs="50000"><xsd:complexType><xsd:sequence>
      <xsd:element name="loc" type="tLoc"/>
      <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
    </xsd:sequence></xsd:complexType></xsd:element>
  </xsd:sequence></xsd:complexType></xsd:element>
  <xsd:simpleType name="tLoc"><xsd:restriction base="xsd:anyURI">
    <xsd:minLength value="12"/><xsd:maxLength value="2048"/></xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="tLastmod"><xsd:union>
    <xsd:simpleType><xsd:restriction base="xsd:date"/></xsd:simpleType>
    <xsd:simpleType><xsd:restriction base="xsd:dateTime"/></xsd:simpleType>
  </xsd:union></xsd:simpleType>
  <xsd:simpleType name="tChangeFreq"><xsd:restriction base="xsd:string">
    <xsd:enumeration value="always"/><xsd:enumeration value="hourly"/>
    <xsd:enumeration value="daily"/><xsd:enumeration value="weekly"/>
    <xsd:enumeration value="monthly"/><xsd:enumeration value="yearly"/>
    <xsd:enumeration value="never"/></xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="tPriority"><xsd:restriction base="xsd:decimal">
    <xsd:minInclusive value="0.0"/><xsd:maxInclusive value="1.0"/></xsd:restriction>
  </xsd:simpleType>
</xsd:schema>"""

SCHEMA = etree.XMLSchema(etree.fromstring(SITEMAP_XSD))


def fetch_valid(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    tree = etree.fromstring(response.content)
    SCHEMA.assertValid(tree)
    return tree


def test_index_and_article_sitemaps(client, site):
    index = fetch_valid(client, "/chile-sun/sitemap.xml")
    locs = index.xpath("//s:loc/text()", namespaces=NS)
    assert locs == [f"{BASE}/sitemap-sections.xml", f"{BASE}/sitemap-news.xml",
                    f"{BASE}/sitemap-articles-1.xml"]
    articles = fetch_valid(client, "/sitemap-articles-1.xml", HTTP_HOST="chilesun.example")
    urls = articles.xpath("//s:url/s:loc/text()", namespaces=NS)
    assert len(urls) == 4
    newest = Article.objects.get(headline="Newest world story")
    assert urls[0] == f"{BASE}/news/{newest.pk}/{newest.slug}"
    assert client.get("/chile-sun/sitemap-articles-2.xml").status_code == 404


def test_article_sitemaps_paginate(client, site, monkeypatch):
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 3)
    index = fetch_valid(client, "/chile-sun/sitemap.xml")
    assert len(index.xpath("//s:loc[contains(., 'sitemap-articles-')]", namespaces=NS)) == 2
    first = fetch_valid(client, "/chile-sun/sitemap-articles-1.xml")
    second = fetch_valid(client, "/chile-sun/sitemap-articles-2.xml")
    one = first.xpath("//s:loc/text()", namespaces=NS)
    two = second.xpath("//s:loc/text()", namespaces=NS)
    assert len(one) == 3 and len(two) == 1 and not set(one) & set(two)


def test_section_sitemap(client, site):
    tree = fetch_valid(client, "/chile-sun/sitemap-sections.xml")
    assert tree.xpath("//s:loc/text()", namespaces=NS) == [
        f"{BASE}/", f"{BASE}/section/world/", f"{BASE}/section/sport/"]
    plain = fetch_valid(client, "/plain-post/sitemap-sections.xml")
    assert plain.xpath("//s:loc/text()", namespaces=NS) == [
        "http://127.0.0.1:8000/plain-post/", "http://127.0.0.1:8000/plain-post/section/sport/"]


def test_news_sitemap_last_two_days_only(client, site):
    services.article_kill(article=Article.objects.get(headline="Sport story"), reason="x")
    tree = fetch_valid(client, "/chile-sun/sitemap-news.xml")
    titles = tree.xpath("//n:news/n:title/text()", namespaces=NS)
    assert titles == ["Newest world story", "Fresh world story"]  # not the 5-day-old one
    assert tree.xpath("//n:publication/n:name/text()", namespaces=NS)[0] == "Chile Sun"
    assert tree.xpath("//n:publication/n:language/text()", namespaces=NS)[0] == "en"
    date = tree.xpath("//n:publication_date/text()", namespaces=NS)[0]
    assert date.endswith("Z") and "T" in date


def test_robots_txt_per_host(client, site):
    on_host = client.get("/robots.txt", HTTP_HOST="chilesun.example").content.decode()
    assert f"Sitemap: {BASE}/sitemap.xml" in on_host
    assert f"Sitemap: {BASE}/sitemap-news.xml" in on_host
    assert "soldechile" not in on_host
    spanish = client.get("/robots.txt", HTTP_HOST="soldechile.example").content.decode()
    assert "Sitemap: http://soldechile.example:8000/sitemap.xml" in spanish
    anywhere = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/plain-post/sitemap.xml" in anywhere
    assert anywhere.startswith("User-agent: *")

"""The edition pages; mounted under /<edition-slug>/ and, on an edition's host, at /."""

from django.urls import path

from wiredesk.digest.urls import digest_patterns
from wiredesk.editions import views

edition_patterns = [
    path("", views.edition_home, name="home"),
    path("section/<slug:section_slug>/", views.section_page, name="section"),
    path("news/<int:article_id>/<slug:headline_slug>", views.article_page, name="article"),
    path("news/<int:article_id>/", views.article_page, name="article-short"),
    *digest_patterns,
    path("releases/submit", views.release_submit, name="release-submit"),
]

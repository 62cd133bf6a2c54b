"""The edition pages; mounted under /<edition-slug>/ and, on an edition's host, at /."""

from django.urls import path

from wiredesk.digest.urls import digest_patterns
from wiredesk.editions import views
from wiredesk.publishing.urls import publishing_patterns
from wiredesk.releases import views as release_views
from wiredesk.search.urls import search_patterns

edition_patterns = [
    path("", views.edition_home, name="home"),
    path("section/<slug:section_slug>/", views.section_page, name="section"),
    path("news/<int:article_id>/<slug:headline_slug>", views.article_page, name="article"),
    path("news/<int:article_id>/", views.article_page, name="article-short"),
    path("story/<int:story_id>/<slug:story_slug>", views.story_page, name="story"),
    path("story/<int:story_id>/", views.story_page, name="story-short"),
    path("tag/<slug:tag_key>/", views.tag_page, name="tag"),
    *digest_patterns,
    path("releases/submit", release_views.submit, name="release-submit"),
    path("releases/sent", release_views.sent, name="release-sent"),
    path("releases/verify/<str:token>", release_views.verify, name="release-verify"),
    path("releases/status/<str:token>", release_views.status, name="release-status"),
    *search_patterns,
    *publishing_patterns,
]

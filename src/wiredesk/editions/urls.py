"""The edition's own pages. wiredesk/urls.py mounts them, with every other app's edition
pages, under /<edition-slug>/ and, on an edition's host, at /."""

from django.urls import path

from wiredesk.editions import links, views

edition_patterns = [
    path("", views.edition_home, name="home"),
    path(links.SECTION_ROUTE, views.section_page, name="section"),
    path(links.ARTICLE_ROUTE, views.article_page, name="article"),
    path(links.ARTICLE_SHORT_ROUTE, views.article_page, name="article-short"),
    path(links.STORY_ROUTE, views.story_page, name="story"),
    path(links.STORY_FOLDER_ROUTE, views.story_page, name="story-short"),
    path(links.TAG_ROUTE, views.tag_page, name="tag"),
]

"""The edition's own pages. wiredesk/urls.py mounts them, with every other app's edition
pages, under /<edition-slug>/ and, on an edition's host, at /."""

from django.urls import path, re_path

from wiredesk.editions import links, views

edition_patterns = [
    path("", views.edition_home, name="home"),
    path(links.SECTION_ROUTE, views.section_page, name="section"),
    path(links.ARTICLE_ROUTE, views.article_page, name="article"),
    path(links.ARTICLE_SHORT_ROUTE, views.article_page, name="article-short"),
    path(links.STORY_ROUTE, views.story_page, name="story"),
    path(links.STORY_FOLDER_ROUTE, views.story_page, name="story-short"),
    path(links.TAG_ROUTE, views.tag_page, name="tag"),
    re_path(links.TEXT_PAGE_ROUTE, views.text_page, name="text-page"),
    path("brand.css", views.brand_stylesheet, name="brand-css"),
    re_path(r"^brand\.(?P<css_hash>[0-9a-f]{12})\.css$", views.brand_stylesheet,
            name="brand-css-hashed"),
]

# Logos and icons, once for the whole site (their names are their content's hash).
brand_media_patterns = [
    path("media/brand/<str:name>", views.brand_file, name="brand-file"),
]

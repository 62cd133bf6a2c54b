"""Feeds, sitemaps, robots.txt and the icon, mounted with the edition's own pages (by slug
and on its hosts); and the pictures' renditions, served once for the whole site."""

from django.urls import path

from wiredesk.publishing import feeds, icons, media, sitemaps

publishing_patterns = [
    path("feed.rss", feeds.rss_feed, name="feed-rss"),
    path("feed.atom", feeds.atom_feed, name="feed-atom"),
    path("feed.json", feeds.json_feed, name="feed-json"),
    path("feed.ninjs.json", feeds.ninjs_feed, name="feed-ninjs"),
    path("feed.newsml.xml", feeds.newsml_feed, name="feed-newsml"),
    path("section/<slug:section_slug>/feed.rss", feeds.rss_feed, name="section-feed-rss"),
    path("section/<slug:section_slug>/feed.atom", feeds.atom_feed, name="section-feed-atom"),
    path("section/<slug:section_slug>/feed.json", feeds.json_feed, name="section-feed-json"),
    path("story/<int:story_id>/feed.rss", feeds.rss_feed, name="story-feed-rss"),
    path("story/<int:story_id>/feed.atom", feeds.atom_feed, name="story-feed-atom"),
    path("story/<int:story_id>/feed.json", feeds.json_feed, name="story-feed-json"),
    path("tag/<slug:tag_key>/feed.rss", feeds.rss_feed, name="tag-feed-rss"),
    path("tag/<slug:tag_key>/feed.atom", feeds.atom_feed, name="tag-feed-atom"),
    path("tag/<slug:tag_key>/feed.json", feeds.json_feed, name="tag-feed-json"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-articles-<int:page>.xml", sitemaps.article_sitemap, name="sitemap-articles"),
    path("sitemap-sections.xml", sitemaps.section_sitemap, name="sitemap-sections"),
    path("sitemap-news.xml", sitemaps.news_sitemap, name="sitemap-news"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("favicon.ico", icons.favicon, name="favicon"),
]

# Where default_storage.url() puts a rendition with files under MEDIA_ROOT (MEDIA_URL).
picture_patterns = [
    path("media/pictures/<path:name>", media.picture_file, name="picture-file"),
]

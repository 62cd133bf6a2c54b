"""Digest pages, mounted inside every edition's URLs (host and /<slug>/)."""

from django.urls import path

from wiredesk.digest import archive, views
from wiredesk.editions import links

digest_patterns = [
    path("digest/subscribe", views.subscribe, name="digest-subscribe"),
    path("digest/confirm/<str:token>", views.confirm, name="digest-confirm"),
    path("digest/unsubscribe/<str:token>", views.unsubscribe, name="digest-unsubscribe"),
    path("digest/preferences/<str:token>", views.preferences, name="digest-preferences"),
    path("digest/preferences/<str:token>/export", views.export, name="digest-export"),
    path("digest/preferences/<str:token>/erase", views.erase, name="digest-erase"),
    path(links.DIGEST_ARCHIVE_ROUTE, archive.archive_index, name="digest-archive"),
    path(links.feed_path(links.DIGEST_ARCHIVE_ROUTE, "rss").lstrip("/"), archive.archive_feed,
         name="digest-archive-feed"),
    path(links.DIGEST_ISSUE_ROUTE, archive.archive_issue, name="digest-archive-issue"),
]

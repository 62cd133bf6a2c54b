"""The site, composed in one place: each app contributes its own pages, and every edition
page is mounted under /<edition-slug>/ here and, on an edition's host, at / (host_urls.py).

A request whose Host names an edition is routed by host_urls.py instead (see
editions/middleware.py); both lists are built from ``edition_pages`` below.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from wiredesk.desk.urls import desk_patterns
from wiredesk.digest.hooks import hook_patterns
from wiredesk.digest.urls import digest_patterns
from wiredesk.editions import views as edition_views
from wiredesk.editions.urls import brand_media_patterns, edition_patterns
from wiredesk.ops.views import wire_health
from wiredesk.publishing.icons import favicon
from wiredesk.publishing.sitemaps import robots_txt
from wiredesk.publishing.urls import picture_patterns, publishing_patterns
from wiredesk.releases.urls import media_patterns, release_patterns
from wiredesk.search.urls import search_patterns
from wiredesk.syndication.urls import websub_patterns

# Every page that belongs to one edition; URL names are reversed as "edition:<name>"
# (under /<slug>/) or "host:<name>" (on the edition's host).
edition_pages = [
    *edition_patterns,
    *digest_patterns,
    *release_patterns,
    *search_patterns,
    *publishing_patterns,
]

site_patterns = [
    # Before the admin's own catch-all; staff only, as every admin page.
    path("admin/wire-health/", admin.site.admin_view(wire_health), name="wire-health"),
    path("admin/", admin.site.urls),
    path("desk/", include((desk_patterns, "desk"))),  # staff only, each view
    path("api/", include("wiredesk.api.urls")),
    *websub_patterns,
    *media_patterns,
    *picture_patterns,
    *brand_media_patterns,
    *hook_patterns,  # mail providers' bounce and complaint webhooks
]
if settings.WIREDESK_DEMO_MAILBOX:
    # `wiredesk demo` only (`wiredesk serve` refuses the setting): the mail it kept.
    from wiredesk.demo.urls import mailbox_patterns

    site_patterns += mailbox_patterns

urlpatterns = [
    *site_patterns,
    path("", edition_views.edition_index, name="edition-index"),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    path("<slug:edition_slug>/", include((edition_pages, "edition"))),
]

handler404 = "wiredesk.editions.views.not_found"

"""URLs for a request whose Host names an edition: that edition lives at /, and every
edition stays reachable under /<slug>/ as on any other host."""

from django.urls import include, path

from wiredesk.urls import edition_pages, site_patterns

urlpatterns = [
    *site_patterns,
    path("", include((edition_pages, "host"))),
    path("<slug:edition_slug>/", include((edition_pages, "edition"))),
]

handler404 = "wiredesk.editions.views.not_found"

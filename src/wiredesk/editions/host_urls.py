"""URLs for a request whose Host names an edition: the edition lives at /."""

from django.contrib import admin
from django.urls import include, path

from wiredesk.editions.urls import edition_patterns
from wiredesk.releases.views import release_image

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("wiredesk.api.urls")),
    path("media/releases/<str:name>", release_image, name="release-image"),
    path("", include((edition_patterns, "host"))),
    path("<slug:edition_slug>/", include((edition_patterns, "edition"))),
]

handler404 = "wiredesk.editions.views.not_found"

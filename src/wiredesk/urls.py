from django.contrib import admin
from django.urls import include, path

from wiredesk.editions import views
from wiredesk.editions.urls import edition_patterns
from wiredesk.publishing.sitemaps import robots_txt
from wiredesk.releases.views import release_image

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("wiredesk.api.urls")),
    path("media/releases/<str:name>", release_image, name="release-image"),
    path("", views.edition_index, name="edition-index"),
    path("robots.txt", robots_txt, name="robots"),
    path("<slug:edition_slug>/", include((edition_patterns, "edition"))),
]

handler404 = "wiredesk.editions.views.not_found"

"""News-release pages, mounted inside every edition's URLs (host and /<slug>/), and the
release images, served once for the whole site."""

from django.urls import path

from wiredesk.releases import views

release_patterns = [
    path("releases/submit", views.submit, name="release-submit"),
    path("releases/sent", views.sent, name="release-sent"),
    path("releases/verify/<str:token>", views.verify, name="release-verify"),
    path("releases/status/<str:token>", views.status, name="release-status"),
]

media_patterns = [
    path("media/releases/<str:name>", views.release_image, name="release-image"),
]

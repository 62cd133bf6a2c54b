from django.urls import path

from wiredesk.syndication import views

websub_patterns = [
    path("websub/", views.hub, name="websub-hub"),
]

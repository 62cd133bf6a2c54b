from django.urls import path

from wiredesk.search import views

search_patterns = [
    path("search", views.search_page, name="search"),
]

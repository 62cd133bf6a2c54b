from django.urls import path, re_path

from wiredesk.api.app import api, not_found_json

urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found_json),
]

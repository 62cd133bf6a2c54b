"""Serve an edition on its own host names, and every edition under /<slug>/ anywhere."""

from __future__ import annotations

from django.conf import settings

from wiredesk.editions.selectors import edition_for_host


class EditionHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.host_edition = None
        try:
            host = request.get_host()
        except Exception:
            host = ""
        edition = edition_for_host(host) if host else None
        if edition is not None:
            request.host_edition = edition
            # Named in settings: the site is composed above editions, which must not import it.
            request.urlconf = settings.HOST_URLCONF
        return self.get_response(request)

"""Serve an edition on its own host names, and every edition under /<slug>/ on the
site's hosts; refuse every other host (editions/hosts.py)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponseBadRequest

from wiredesk.editions.hosts import any_host_allowed, is_site_host, matches_base_url
from wiredesk.editions.selectors import edition_for_host

logger = logging.getLogger(__name__)
_REPORTED_LIMIT = 1000


class EditionHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._reported: set[str] = set()
        self._base_url_told = False

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
        elif not (any_host_allowed() or is_site_host(host)):
            return self._refuse(host)
        elif not self._base_url_told and host and not matches_base_url(host):
            self._tell_base_url(host)
        return self.get_response(request)

    def _tell_base_url(self, host: str) -> None:
        # Links are never built from the Host header (editions/links.py), so a site
        # reached at another address than WIREDESK_BASE_URL hands out links that may lead
        # nowhere. Said once per process: every request would say the same.
        self._base_url_told = True
        shown = host[:200].encode("unicode_escape").decode("ascii")
        logger.warning("a request came for %s, but links in pages, feeds and mail use "
                       "WIREDESK_BASE_URL=%s: set it to the address readers use "
                       "(said once)", shown, settings.BASE_URL)

    def _refuse(self, host: str):
        # Once per host and process: a scanner's sweep must not flood the log, but an
        # operator who forgot a host name needs to see it.
        shown = host[:200].encode("unicode_escape").decode("ascii")
        if shown not in self._reported and len(self._reported) < _REPORTED_LIMIT:
            self._reported.add(shown)
            logger.warning("refused a request for unknown host %r: add it to an edition "
                           "(wiredesk edition add --host) or to WIREDESK_ALLOWED_HOSTS", shown)
        return HttpResponseBadRequest("Unknown host.\n", content_type="text/plain")

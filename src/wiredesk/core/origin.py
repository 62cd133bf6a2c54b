"""Public forms protected by where the post comes from, not by a token in the page.

The digest signup sits on every public page and the release form is linked from all of
them; those pages are the same bytes for every reader (cached, shared by a CDN, copied by
``publish --static``), so they can hold no visitor's CSRF token. A browser says where a
form post comes from: ``Origin`` on every cross-origin POST (and on same-origin ones in
current browsers), ``Sec-Fetch-Site`` besides. A post is taken when its Origin is this
site's own (the request's scheme and host, ``WIREDESK_BASE_URL``) or one the operator
trusts (``WIREDESK_CSRF_TRUSTED_ORIGINS``, e.g. where a static copy is served from), or,
without Origin, when ``Sec-Fetch-Site`` is absent, ``same-origin`` or ``none``. A forged
cross-site post from a browser carries one of them and is refused with 403; a client
without either (curl, a script) is no cross-site attack. The per-address rate limits of
each form stay as they were.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt

log = logging.getLogger("wiredesk.security")
TAKEN_FETCH_SITES = (None, "same-origin", "none")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def allowed_origins(request) -> set[str]:
    own = set()
    # A Host Django refuses: only the configured origins remain.
    with contextlib.suppress(Exception):
        own.add(f"{request.scheme}://{request.get_host()}".lower())
    own.add(_origin_of(settings.BASE_URL))
    own.update(_origin_of(o) for o in settings.CSRF_TRUSTED_ORIGINS)
    return own - {""}


def same_origin(request) -> bool:
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return origin.strip().lower() in allowed_origins(request)  # "null" never is
    return request.META.get("HTTP_SEC_FETCH_SITE") in TAKEN_FETCH_SITES


def same_origin_posts(view):
    """The view takes POSTs from its own site's pages only (see above), with no token."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST" and not same_origin(request):
            shown = request.META.get("HTTP_ORIGIN") or request.META.get(
                "HTTP_SEC_FETCH_SITE", "")
            log.warning("refused a cross-site post to %s from %s", request.path,
                        shown[:200].encode("unicode_escape").decode("ascii"))
            return HttpResponseForbidden(
                "Forbidden: this form takes posts from this site's own pages only "
                "(cross-site request refused).\n", content_type="text/plain")
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)

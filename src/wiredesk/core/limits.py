"""Request bodies past WIREDESK_MAX_REQUEST_BYTES are refused (413) from the declared
length, before anything reads them.

Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE, ..._NUMBER_FIELDS) but not files:
any POST in multipart form went to temporary files on disk, whatever its size, as soon as
something read ``request.POST`` — and the CSRF check does that on every page, before the
view refuses it. A body without a declared length is never read at all (Django reads at
most CONTENT_LENGTH bytes), so the header is the whole story.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from wiredesk.core.clients import client_ip

log = logging.getLogger(__name__)


def declared_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.WIREDESK_MAX_REQUEST_BYTES
        length = declared_length(request)
        if limit and length > limit:
            log.warning("request body refused: %d bytes over the %d-byte limit, %s %s from %s",
                        length, limit, request.method, request.path[:200], client_ip(request))
            message = f"request body too large: {length} bytes, at most {limit}"
            if request.path.startswith("/api/"):
                response = JsonResponse({"detail": message}, status=413)
            else:
                response = HttpResponse(message + "\n", status=413,
                                        content_type="text/plain; charset=utf-8")
            return response
        return self.get_response(request)

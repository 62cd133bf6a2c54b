"""The JSON API. Reads are public (rate-limited per address, more with a key); writes need
a key allowed to write, and go through the newsroom's services like every other writer.

This module makes the API object and its error handling, and mounts one router per area
from ``wiredesk.api.routers``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from wiredesk.api.routers import articles, changes, editions, search, write
from wiredesk.api.throttle import PerMinuteThrottle

log = logging.getLogger(__name__)


class WiredeskAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Operation ids are part of the published schema (client generators name their
        # methods after them), so they must not change when a view moves between modules.
        return "wiredesk_api_views_" + operation.view_func.__name__


api = WiredeskAPI(
    title="wiredesk API",
    version="1",
    description=("Editions, sections and articles of this wiredesk instance, and search. "
                 "Reads are public; send `X-API-Key` for a higher rate limit. Submitting "
                 "items and killing articles need a key with write access."),
    urls_namespace="api",
    throttle=[PerMinuteThrottle()],
)


def _error(request, message, status: int):
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return _error(request, exc.errors, 400)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, str(exc) or "not found", 404)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return _error(request, "request body too large", 413)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return _error(request, "an API key is needed: send it in the X-API-Key header", 401)


@api.exception_handler(Exception)
def _server_error(request, exc):
    # Logged with its traceback; the client still gets JSON, never an HTML error page.
    log.exception("API error on %s %s", request.method, request.path)
    return _error(request, "internal error; it has been logged", 500)


def not_found_json(request: HttpRequest, rest: str = ""):
    return JsonResponse({"detail": "no such API endpoint"}, status=404)


# The schema lists the paths in the order they are mounted.
api.add_router("", editions.router)
api.add_router("", articles.router)
api.add_router("", changes.router)
api.add_router("", search.router)
api.add_router("", write.router)

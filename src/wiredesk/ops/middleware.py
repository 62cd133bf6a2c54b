"""/healthz, /readyz and /metrics, answered before anything else runs.

They sit in front of sessions, CSRF and the edition host lookup so that they work on
every host name (edition hosts included, and probes that send a bare IP), and so that
/healthz touches neither the database nor any other service.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from wiredesk.ops import access, checks, prometheus

PATHS = ("/healthz", "/readyz", "/metrics")


def healthz(request) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def readyz(request) -> HttpResponse:
    results = checks.readiness()
    failed = sorted(name for name, result in results.items() if result != "ok")
    body = {"status": "unavailable" if failed else "ready"}
    # What failed, and its error (host names, ports, driver messages), only to the
    # networks that may read /metrics; a load balancer elsewhere needs the status alone.
    if access.metrics_allowed(request):
        body.update(failed=failed, checks=results)
    response = JsonResponse(body, status=503 if failed else 200)
    response["Cache-Control"] = "no-store"
    return response


def metrics_view(request) -> HttpResponse:
    if not access.metrics_allowed(request):
        return HttpResponse("metrics are not served to this address\n", status=403,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(prometheus.render(), content_type=prometheus.CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


VIEWS = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics_view}


class OperationsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = VIEWS.get(request.path_info.rstrip("/") or "/")
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        response = view(request)
        response["Cache-Control"] = "no-store"
        return response

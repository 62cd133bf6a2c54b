"""The floor: a WSGI app that returns a fixed 2 KB page, no Django."""

BODY = b"<!doctype html><title>x</title>" + b"x" * 2000


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]

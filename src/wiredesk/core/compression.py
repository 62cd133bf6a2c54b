"""Compressed responses: zstd, Brotli or gzip, whichever the client prefers.

django-http-compression compresses text types only (never a picture), makes ETags weak,
and adds a random-length ``X-Noise`` header against BREACH-style guessing. A response
that carries a CSRF token is left uncompressed all the same: public pages hold no secret
(no token, no session), but the release form, the digest preferences and the admin do,
and the bytes saved on those few pages are not worth the argument.
"""

from __future__ import annotations

from django.conf import settings
from django_http_compression.middleware import HttpCompressionMiddleware


class CompressionMiddleware(HttpCompressionMiddleware):
    def maybe_compress(self, request, response) -> None:
        # A page that used its CSRF token sends the csrftoken cookie with it (the CSRF
        # middleware, inside this one, sets it and clears get_token()'s mark).
        if settings.CSRF_COOKIE_NAME in response.cookies or request.META.get(
                "CSRF_COOKIE_NEEDS_UPDATE"):
            return
        super().maybe_compress(request, response)

"""The admin and the desk in the editor's own language.

Readers' pages speak their edition's language (editions.pages), whatever the browser
asks; the staff pages under /admin/ and /desk/ follow the signed-in editor's browser
(``Accept-Language``, among ``settings.LANGUAGES``), as Django's ``LocaleMiddleware``
would, so the admin's own shipped translations show. Nothing else is touched: a public
page cached for every reader must never vary with one reader's browser.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.cache import patch_vary_headers

STAFF_PREFIXES = ("/admin/", "/desk/")


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PREFIXES) or path in {"/admin", "/desk"}


class EditorLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_staff_path(request.path_info):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response

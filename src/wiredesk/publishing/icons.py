"""``/favicon.ico`` on every host the site answers, and under each ``/<edition-slug>/``.

Pages link the icon by its hashed static name (base.html); browsers and crawlers that ask
for ``/favicon.ico`` on their own get the same file here rather than a 404. An edition
with an icon of its own (editions/brand.py) answers with that one, on its hosts and
under its ``/<edition-slug>/``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from wiredesk.editions.brand import edition_ico
from wiredesk.editions.pages import resolve_edition

ICON = "wiredesk/favicon.ico"
ICON_MAX_AGE = 86400  # a day: the name never changes, so it cannot be immutable


@functools.cache
def _icon() -> bytes:
    return Path(finders.find(ICON)).read_bytes()


def favicon(request, edition_slug: str | None = None):
    if edition_slug is not None:
        edition, _base = resolve_edition(request, edition_slug)  # unknown: a 404
    else:
        edition = getattr(request, "host_edition", None)
    own = edition_ico(edition)  # the edition's own icon (its admin), else the shipped one
    response = HttpResponse(own.read_bytes() if own else _icon(),
                            content_type="image/vnd.microsoft.icon")
    patch_cache_control(response, public=True, max_age=ICON_MAX_AGE)
    return response

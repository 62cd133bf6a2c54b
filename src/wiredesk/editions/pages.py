"""How any app serves a page of one edition: find the edition, build the page's context.

wiredesk/urls.py mounts every edition page twice: under ``/<edition-slug>/`` on any host
and at ``/`` on the edition's own hosts. A view written for either place::

    @edition_page
    def my_page(request, token: str):
        thing = ...
        return render(request, "app/page.html", page_context(request, thing=thing))

``edition_page`` takes the ``edition_slug`` URL argument away from the view, resolves the
edition (404 when there is none), sets ``request.edition`` and ``request.edition_base``,
and runs the view in the edition's time zone, reading language (``edition_locale``) and
interface language (languages.py), so templates show times with
``{{ moment|edition_time }}`` (``{% load editions %}``) instead of each view formatting
them, ``{% translate %}`` speaks the edition's language, and with the edition's own
templates first (overrides.py). Put it closest to the function, under ``never_cache``,
``require_http_methods`` and the like, so those answer first, as they would for any view.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from wiredesk.editions import selectors
from wiredesk.editions.formatting import reading
from wiredesk.editions.languages import edition_language, edition_translation
from wiredesk.editions.links import edition_base_url, edition_path
from wiredesk.editions.models import Edition
from wiredesk.editions.overrides import edition_templates

# Set in request.META by ``wiredesk publish --static`` for the pages it renders to files.
# Not an HTTP_* key, so no request from outside can carry it.
STATIC_RENDER = "wiredesk.static_render"


def resolve_edition(request, edition_slug: str | None) -> tuple[Edition, str]:
    """The edition a request addresses and the prefix its links need.

    The prefix is ``""`` when the page is served on the edition's own host, else
    ``/<slug>``. Raises Http404 for an unknown slug, or a bare path on a host that is
    no edition's.
    """
    host_edition = getattr(request, "host_edition", None)
    if edition_slug is None:
        if host_edition is None:
            raise Http404("no edition on this host")
        return host_edition, ""
    edition = get_object_or_404(Edition, slug=edition_slug)
    if host_edition is not None and host_edition.pk == edition.pk:
        return edition, ""
    return edition, edition_path(edition)


@contextmanager
def edition_locale(edition):
    """The edition's zone and own language for what runs inside: its pages' times and
    numbers (editions.formatting) read them. Undone after: the thread serves other
    editions next."""
    with timezone.override(ZoneInfo(edition.time_zone)), reading(edition_language(edition)):
        yield


def edition_page(view):
    """Decorate a view of one edition's page: see the module's docstring."""

    @functools.wraps(view)
    def edition_view(request, *args, edition_slug: str | None = None, **kwargs):
        edition, base = resolve_edition(request, edition_slug)
        request.edition = edition
        request.edition_base = base
        # Once per request, and undone after it: the thread serves other editions next.
        with (edition_locale(edition), edition_templates(edition),
              edition_translation(edition) as language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", language)
        return response

    return edition_view


def used_query(request, **values) -> None:
    """Name the query parameters this page read, as its own links write them (``page=2``).

    The page cache stores a page asked for with a query only when every parameter is
    one of these with the same value, so ``?page=99999`` or ``?x=1`` is not stored."""
    request.wiredesk_used_query = {name: str(value) for name, value in values.items()
                                   if value not in (None, "")}


def page_context(request, **extra) -> dict:
    """The context every edition template expects (the edition, the link prefix ``base``,
    the sections for the masthead), plus the page's own values.

    ``live_base`` prefixes what only the running site can answer (search, the digest
    signup, the release form): ``base`` on the live site, the edition's absolute URL on
    a page written by ``publish --static``, which a plain file server hosts."""
    edition = request.edition
    live_base = (edition_base_url(edition) if request.META.get(STATIC_RENDER)
                 else request.edition_base)
    return {"edition": edition, "base": request.edition_base, "live_base": live_base,
            "sections": selectors.edition_sections(edition), **extra}

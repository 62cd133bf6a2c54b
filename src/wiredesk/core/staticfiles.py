"""Static files: content-hashed names, so browsers may keep them for good.

``collectstatic`` (``wiredesk serve`` and ``wiredesk publish --static`` run it) copies
every file to ``STATIC_ROOT`` twice, as ``site.css`` and as ``site.<hash>.css``, writes the
manifest that ``{% static %}`` reads, and a ``.gz`` copy of each beside it. whitenoise
serves the hashed names with ``Cache-Control: max-age=315360000, immutable`` (a changed
file gets a new name) and the plain ones with a short lifetime.

No ``.br`` copies: whitenoise writes them at Brotli's slowest setting, which made every
collectstatic (so every server start) take 13 s instead of under one on the admin's and
the API docs' scripts, to save a few hundred bytes on the site's own stylesheet.
"""

from __future__ import annotations

import logging

from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticStorage(CompressedManifestStaticFilesStorage):
    _unlisted: set[str] = set()

    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)

    def stored_name(self, name: str) -> str:
        """The hashed name; the plain one (and a warning) for a file the manifest does not
        list, so a process that never ran collectstatic (a WSGI server of the operator's
        own, a script) still renders every page rather than failing each with a 500."""
        try:
            return super().stored_name(name)
        except ValueError:
            if name not in self._unlisted:
                self._unlisted.add(name)
                logger.warning("static file %s is not in the manifest: run `wiredesk "
                               "collectstatic` (`wiredesk serve` runs it at start)", name)
            return name

    def listed_url(self, name: str) -> str | None:
        """The hashed file's URL when the manifest lists ``name``; None, silently, if not."""
        try:
            super().stored_name(name)
        except ValueError:
            return None
        return self.url(name)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """whitenoise, asking the manifest without the storage's warning.

    At start whitenoise tells hashed files from plain ones by cutting what looks like a
    hash out of each name and asking for that name's URL: the plain copy
    ``swagger-ui.css.map`` becomes ``swagger-ui.map``, which no page names. That probe is
    expected to miss, so a miss is no reason to tell the operator to run collectstatic
    (it printed three such warnings at every start)."""

    def get_static_url(self, name):
        from django.contrib.staticfiles.storage import staticfiles_storage

        if isinstance(staticfiles_storage, StaticStorage):
            return staticfiles_storage.listed_url(name)
        return super().get_static_url(name)


def collect() -> None:
    """Gather the static files into ``STATIC_ROOT`` (pages name them from its manifest)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)

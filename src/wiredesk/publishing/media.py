"""Agency pictures' local renditions, served from the media store for ever.

A rendition's name hashes its own bytes (``newsroom.services.renditions``), so what is
served under a name never changes: browsers and any CDN in front may keep it a year
without asking again (``immutable``). With files under ``MEDIA_ROOT`` (the default) this
view serves them; a bucket (``WIREDESK_MEDIA_STORAGE=s3``) serves its own, written with
the same Cache-Control.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

# Only the names the renditions service writes: nothing else under MEDIA_ROOT.
_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}-\d{1,5}w-[0-9a-f]{10}\.(jpg|webp)")
_TYPES = {"jpg": "image/jpeg", "webp": "image/webp"}


def picture_file(request, name: str):
    match = _NAME.fullmatch(name)
    if match is None:
        raise Http404("no such picture")
    try:
        handle = default_storage.open(f"pictures/{name}", "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("no such picture") from exc
    response = FileResponse(handle, content_type=_TYPES[match.group(1)])
    response["Cache-Control"] = settings.IMMUTABLE_CACHE_CONTROL
    response["Content-Security-Policy"] = "default-src 'none'"
    return response

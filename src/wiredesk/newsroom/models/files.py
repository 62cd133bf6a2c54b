"""The local files of a stored picture, as pages and feeds address them."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.storage import default_storage

JPEG = "image/jpeg"
WEBP = "image/webp"


@dataclass(frozen=True, slots=True)
class PictureFile:
    """One rendition: its address in the media store (a path under ``MEDIA_URL``, or the
    bucket's or CDN's own address), size, type and length in bytes."""

    url: str
    width: int
    height: int
    mime_type: str
    length: int


def picture_files(renditions: list[dict]) -> list[PictureFile]:
    """``PictureAsset.renditions`` (or an article's copy of them) as addresses."""
    return [PictureFile(url=default_storage.url(r["name"]), width=r["width"],
                        height=r["height"], mime_type=r["type"], length=r["bytes"])
            for r in renditions or []]


def largest_file(files: list[PictureFile], mime_type: str = JPEG) -> PictureFile | None:
    """The widest rendition of a type: what feeds, sharing cards and the API name."""
    return max((f for f in files if f.mime_type == mime_type), key=lambda f: f.width,
               default=None)

"""Editions and sections: what this instance publishes, and where."""

from __future__ import annotations

from django.http import Http404
from ninja import Router

from wiredesk.api import schemas
from wiredesk.api.routers.common import edition_param
from wiredesk.editions.links import edition_base_url
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Section

router = Router()


def _edition_out(edition: Edition) -> dict:
    return {
        "slug": edition.slug, "name": edition.name, "tagline": edition.tagline,
        "language": edition.language, "time_zone": edition.time_zone,
        "url": edition_base_url(edition) + "/",
        "hosts": [h.host for h in edition.hosts.all()],
        "sections": [{"slug": s.slug, "name": s.name} for s in edition.sections.all()],
        "agencies": [a.code for a in edition.agencies.all()],
    }


@router.get("/editions", response=list[schemas.EditionOut], tags=["editions"])
def list_editions(request):
    """Every edition with its hosts and routing rules."""
    return [_edition_out(e) for e in
            Edition.objects.prefetch_related("hosts", "sections", "agencies")]


@router.get("/editions/{slug}", response={200: schemas.EditionOut, 404: schemas.ErrorOut},
            tags=["editions"])
def get_edition(request, slug: str):
    edition = edition_param(slug)
    if edition is None:
        raise Http404("no edition named")
    return _edition_out(edition)


@router.get("/sections", response=list[schemas.SectionOut], tags=["editions"])
def list_sections(request):
    return [{"slug": s.slug, "name": s.name} for s in Section.objects.all()]

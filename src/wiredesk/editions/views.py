"""Public pages. Views resolve the edition, call selectors, render; nothing else."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render

from wiredesk.editions import selectors
from wiredesk.editions.formatting import edition_time
from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Article, Section, Tag

PAGE_SIZE = 20
MORE_INFORMATION = 8


def _edition(request, edition_slug: str | None) -> tuple[Edition, str]:
    """The edition for this request and the URL prefix its links need."""
    if edition_slug is None:
        edition = request.host_edition
        if edition is None:
            raise Http404("no edition on this host")
        return edition, ""
    edition = get_object_or_404(Edition, slug=edition_slug)
    if request.host_edition is not None and request.host_edition.pk == edition.pk:
        return edition, ""
    return edition, f"/{edition.slug}"


def _context(request, edition: Edition, base: str, **extra) -> dict:
    return {"edition": edition, "base": base,
            "sections": selectors.edition_sections(edition), **extra}


def edition_index(request):
    if request.host_edition is not None:
        return edition_home(request)
    editions = Edition.objects.all()
    return render(request, "wiredesk/edition_index.html", {"editions": editions})


def _teasers(articles, edition: Edition) -> list[dict]:
    return [{"article": a, "when": edition_time(a.published_at, edition.time_zone)}
            for a in articles]


def edition_home(request, edition_slug: str | None = None):
    edition, base = _edition(request, edition_slug)
    section = None
    section_slug = request.GET.get("section", "").strip()
    if section_slug:
        section = Section.objects.filter(slug=section_slug).first()
    page = Paginator(selectors.edition_articles(edition, section=section), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    return render(request, "wiredesk/edition_home.html", _context(
        request, edition, base, page_obj=page_obj, teasers=_teasers(page_obj, edition),
        current_section=section))


def section_page(request, section_slug: str, edition_slug: str | None = None):
    edition, base = _edition(request, edition_slug)
    section = get_object_or_404(Section, slug=section_slug)
    allowed = edition.sections.all()
    if allowed.exists() and not allowed.filter(pk=section.pk).exists():
        raise Http404("this edition has no such section")
    page = Paginator(selectors.edition_articles(edition, section=section), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    return render(request, "wiredesk/section.html", _context(
        request, edition, base, page_obj=page_obj, teasers=_teasers(page_obj, edition),
        current_section=section))


def article_page(request, article_id: int, headline_slug: str = "",
                 edition_slug: str | None = None):
    edition, base = _edition(request, edition_slug)
    article = selectors.article_in_edition(edition, article_id)
    if article is None:
        raise Http404("this edition carries no such article")
    if article.status == Article.Status.KILLED:
        response = render(request, "wiredesk/gone.html",
                          _context(request, edition, base, article=article), status=410)
        return response
    if not article.is_public:
        raise Http404("not published")
    if headline_slug != article.slug:
        return HttpResponsePermanentRedirect(f"{base}/news/{article.pk}/{article.slug}")
    related = selectors.see_also(article, edition)
    also_reported = selectors.also_reported_by(article, edition)
    latest = selectors.edition_articles(edition).exclude(pk=article.pk)[:MORE_INFORMATION]
    return render(request, "wiredesk/article.html", _context(
        request, edition, base, article=article, current_section=article.section,
        when=edition_time(article.published_at, edition.time_zone),
        updated=(edition_time(article.source_updated_at, edition.time_zone)
                 if article.version > 1 and article.source_updated_at else ""),
        blocks=selectors.body_with_see_also(article.body_html, related),
        also_reported=also_reported, tags=selectors.article_tags(article),
        more_information=_teasers(latest, edition)))


def tag_page(request, tag_key: str, edition_slug: str | None = None):
    """Articles of this edition that name one person, organisation or place."""
    edition, base = _edition(request, edition_slug)
    tag = get_object_or_404(Tag, key=tag_key)
    articles = selectors.edition_articles(edition, tag=tag)
    if not articles.exists():
        raise Http404("this edition carries nothing that names it")
    page_obj = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "wiredesk/tag.html", _context(
        request, edition, base, tag=tag, page_obj=page_obj,
        teasers=_teasers(page_obj, edition)))


def story_page(request, story_id: int, story_slug: str = "",
               edition_slug: str | None = None):
    """One story's coverage in this edition, over time."""
    from wiredesk.newsroom.models import Story

    edition, base = _edition(request, edition_slug)
    story = get_object_or_404(Story, pk=story_id)
    articles = selectors.story_coverage(edition, story)
    if not articles:
        raise Http404("this edition carries nothing of that story")
    slug = story.slug
    if story_slug != slug:
        return HttpResponsePermanentRedirect(f"{base}/story/{story.pk}/{slug}")
    return render(request, "wiredesk/story.html", _context(
        request, edition, base, story=story, headline=articles[0].headline,
        teasers=_teasers(articles, edition)))


def not_found(request, exception=None):
    return render(request, "wiredesk/404.html", {"message": str(exception or "")}, status=404)

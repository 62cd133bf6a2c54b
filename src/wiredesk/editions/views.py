"""Public pages. Views resolve the edition, call selectors, render; nothing else."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control

from wiredesk.editions import selectors
from wiredesk.editions.brand import brand_file_path, brand_of
from wiredesk.editions.formatting import headings_in_order
from wiredesk.editions.languages import edition_translation
from wiredesk.editions.links import article_path, story_path
from wiredesk.editions.models import Edition, EditionPage
from wiredesk.editions.overrides import edition_templates
from wiredesk.editions.pages import (
    edition_page,
    page_context,
    resolve_edition,
    used_query,
)
from wiredesk.newsroom.models import Article, Section, Story, StoryMerged, Tag

PAGE_SIZE = 20
MORE_INFORMATION = 8


def edition_index(request):
    if request.host_edition is not None:
        return edition_home(request)
    editions = Edition.objects.all()
    return render(request, "wiredesk/edition_index.html", {"editions": editions})


@edition_page
def edition_home(request):
    section = None
    section_slug = request.GET.get("section", "").strip()
    if section_slug:
        section = Section.objects.filter(slug=section_slug).first()
    front, page_obj = _front_page(request, section)
    used_query(request, section=section.slug if section else None, page=page_obj.number)
    return render(request, "wiredesk/edition_home.html", page_context(
        request, front=front, page_obj=page_obj, teasers=page_obj, current_section=section,
        nav_latest=section is None))


def _front_page(request, section: Section | None):
    """The front's lead and secondary stories (first page only) and its page of the rest:
    the rest is paginated without them, so no story is shown twice on any page."""
    front, rest = selectors.edition_front(request.edition, section=section)
    page_obj = Paginator(rest, PAGE_SIZE).get_page(request.GET.get("page"))
    return (front if page_obj.number == 1 else None), page_obj


@edition_page
def section_page(request, section_slug: str):
    edition = request.edition
    section = get_object_or_404(Section, slug=section_slug)
    allowed = edition.sections.all()
    if allowed.exists() and not allowed.filter(pk=section.pk).exists():
        raise Http404("this edition has no such section")
    front, page_obj = _front_page(request, section)
    used_query(request, page=page_obj.number)
    return render(request, "wiredesk/section.html", page_context(
        request, front=front, page_obj=page_obj, teasers=page_obj, current_section=section))


@edition_page
def article_page(request, article_id: int, headline_slug: str = ""):
    edition = request.edition
    article = selectors.article_in_edition(edition, article_id)
    if article is None:
        raise Http404("this edition carries no such article")
    if article.status == Article.Status.KILLED:
        return render(request, "wiredesk/gone.html", page_context(request, article=article),
                      status=410)
    if not article.is_public:
        raise Http404("not published")
    if headline_slug != article.slug:
        return HttpResponsePermanentRedirect(request.edition_base + article_path(article))
    return render_article(request, article)


def render_article(request, article: Article, **extra):
    """The article's page in ``request.edition`` (set by ``edition_page``): the one
    renderer of it, for readers and for the desk's preview of a draft (``extra``)."""
    edition = request.edition
    related = selectors.see_also(article, edition)
    also_reported = selectors.also_reported_by(article, edition)
    latest = selectors.edition_articles(edition).exclude(pk=article.pk)[:MORE_INFORMATION]
    return render(request, "wiredesk/article.html", page_context(
        request, article=article, current_section=article.section,
        blocks=selectors.body_with_see_also(headings_in_order(article.body_html), related),
        also_reported=also_reported, tags=selectors.article_tags(article),
        more_information=latest, **extra))


@edition_page
def tag_page(request, tag_key: str):
    """Articles of this edition that name one person, organisation or place."""
    tag = get_object_or_404(Tag, key=tag_key)
    articles = selectors.edition_articles(request.edition, tag=tag)
    if not articles.exists():
        raise Http404("this edition carries nothing that names it")
    page_obj = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    used_query(request, page=page_obj.number)
    return render(request, "wiredesk/tag.html", page_context(
        request, tag=tag, page_obj=page_obj, teasers=page_obj))


@edition_page
def story_page(request, story_id: int, story_slug: str = ""):
    """One story's coverage in this edition, over time."""
    story = Story.objects.select_related("representative").filter(pk=story_id).first()
    if story is None:
        # Merged into another story (a fragment of the same event): its address leads on.
        merged = StoryMerged.objects.select_related("story").filter(
            old_story_id=story_id).first()
        if merged is None:
            raise Http404("no such story")
        return HttpResponsePermanentRedirect(request.edition_base + story_path(merged.story))
    articles = selectors.story_coverage(request.edition, story)
    if not articles:
        raise Http404("this edition carries nothing of that story")
    if story_slug != story.slug:
        # The headline follows the story's representative article as the story grows:
        # an address with an older headline's slug still leads here.
        return HttpResponsePermanentRedirect(request.edition_base + story_path(story))
    return render(request, "wiredesk/story.html", page_context(
        request, story=story, headline=story.headline, summary=story.summary,
        teasers=articles))


@edition_page
def text_page(request, kind: str):
    """One of the edition's own pages: About, Contact, Terms, Privacy."""
    page = EditionPage.objects.filter(edition=request.edition, kind=kind).first()
    if page is None:
        raise Http404("this edition has no such page")
    used_query(request)
    return render(request, "wiredesk/text_page.html", page_context(
        request, page=page, body=headings_in_order(page.body_html)))


BRAND_CSS_MAX_AGE = 300  # the unversioned name, and an old version asked for
IMMUTABLE_MAX_AGE = 31_536_000  # a year: names that carry their content's hash
BRAND_FILE_TYPES = {".png": "image/png", ".ico": "image/vnd.microsoft.icon"}


@edition_page
def brand_stylesheet(request, css_hash: str | None = None):
    """The edition's colours and fonts (editions/branding.py). Pages link it by its hash,
    which is kept for good; any other name gets today's sheet for a few minutes."""
    brand = brand_of(request.edition)
    response = HttpResponse(brand.css, content_type="text/css; charset=utf-8")
    if css_hash == brand.css_hash:
        response["Cache-Control"] = f"public, max-age={IMMUTABLE_MAX_AGE}, immutable"
    else:
        patch_cache_control(response, public=True, max_age=BRAND_CSS_MAX_AGE)
    used_query(request)
    return response


def brand_file(request, name: str):
    """A stored logo or icon (re-encoded by brand_images.py, named by its content)."""
    path = brand_file_path(name)
    if path is None or not path.is_file():
        raise Http404("no such file")
    response = FileResponse(path.open("rb"), content_type=BRAND_FILE_TYPES[path.suffix])
    response["Cache-Control"] = f"public, max-age={IMMUTABLE_MAX_AGE}, immutable"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def _missing_page_edition(request) -> tuple[Edition, str] | None:
    """The edition a missing page was asked of: the one whose page raised the 404, the
    one named by the path's first folder, or the edition of the host."""
    if getattr(request, "edition", None) is not None:
        return request.edition, request.edition_base
    first = request.path.lstrip("/").split("/", 1)[0]
    if first and len(first) <= 64 and first.isascii():
        edition = Edition.objects.filter(slug=first).first()
        if edition is not None:
            return resolve_edition(request, edition.slug)
    host_edition = getattr(request, "host_edition", None)
    return (host_edition, "") if host_edition is not None else None


def not_found(request, exception=None):
    """404 in the look of the edition asked for (its masthead, footer, templates), or the
    site's own on a page that is no edition's."""
    found = _missing_page_edition(request)
    if found is None:
        return render(request, "wiredesk/404.html", {"message": str(exception or "")},
                      status=404)
    request.edition, request.edition_base = found
    with edition_templates(request.edition), edition_translation(request.edition):
        return render(request, "wiredesk/404.html", page_context(
            request, message=str(exception or ""), noindex=True), status=404)

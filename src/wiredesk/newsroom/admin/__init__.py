"""The newsroom in the admin, one module per seam; importing them registers each admin."""

from wiredesk.newsroom.admin import article_form, article_list, articles, pictures_stories, sources
from wiredesk.newsroom.admin.article_form import ArticleForm
from wiredesk.newsroom.admin.article_list import desk_flags, edition_scoped, shown_status
from wiredesk.newsroom.admin.articles import ArticleAdmin

__all__ = ["ArticleAdmin", "ArticleForm", "article_form", "article_list", "articles",
           "desk_flags", "edition_scoped", "pictures_stories", "shown_status", "sources"]

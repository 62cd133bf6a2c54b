"""What the desk keeps of its own articles beyond the article itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Manuscript(models.Model):
    """What the editor typed for one of the desk's own articles, as typed: the Markdown
    body, the standfirst, the tags, the editions ticked and the picture chosen. The
    article holds what readers get (the body as sanitized HTML); this is what the writing
    view shows again when the editor goes on with a draft."""

    article = models.OneToOneField("newsroom.Article", on_delete=models.CASCADE,
                                   related_name="manuscript")
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Markdown, as typed")
    tags = models.CharField(max_length=500, blank=True, help_text="Comma separated")
    editions = models.ManyToManyField(
        "editions.Edition", blank=True, related_name="+",
        help_text="The editions ticked; none: where the editions' rules want it")
    picture = models.ForeignKey("newsroom.PictureAsset", on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"manuscript of article {self.article_id}"

"""Tables behind story intelligence: stories and the indexes that keep per-item work flat.

Every lookup an arriving item makes is an indexed equality or range lookup (LSH band
keys, story terms, line keys, term frequencies): nothing scans the archive, and no
process holds the archive in memory.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wiredesk.wire.slugs import slug_for


class Story(models.Model):
    """Articles about the same event; it keeps growing while coverage keeps coming."""

    headline = models.CharField(max_length=500)
    first_published_at = models.DateTimeField()
    last_published_at = models.DateTimeField(db_index=True)
    size = models.PositiveIntegerField(default=0)
    section = models.ForeignKey("newsroom.Section", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    # Sum of member TF-IDF vectors, strongest terms only, and the names/numbers members share.
    centroid = models.JSONField(default=dict, blank=True)
    anchors = models.JSONField(default=dict, blank=True)
    # The member nearest the centroid: the headline (and so the address) and the summary
    # come from it, chosen again as the story grows (similarity.representative).
    representative = models.ForeignKey("newsroom.Article", on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_published_at", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.headline

    @property
    def summary(self) -> str:
        """The representative article's teaser: what the story is, in a sentence."""
        return self.representative.teaser if self.representative_id else ""

    @property
    def slug(self) -> str:
        """The last part of the story page's address, from its headline."""
        return slug_for(self.headline, fallback="story")


class ArticleSignature(models.Model):
    """An article's MinHash signature and TF-IDF vector, kept to compare later arrivals."""

    article = models.OneToOneField("newsroom.Article", on_delete=models.CASCADE,
                                   primary_key=True, related_name="signature")
    minhash = models.BinaryField(help_text="MinHash of the distinct words (see similarity.py)")
    word_set_size = models.PositiveIntegerField(default=0)
    vector = models.JSONField(default=dict, blank=True)
    anchors = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"signature of article {self.article_id}"


class LshBand(models.Model):
    key = models.BigIntegerField()
    article = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE,
                                related_name="lsh_bands")
    published_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "published_at"], name="lshband_key_time")]

    def __str__(self) -> str:
        return f"band {self.key} of {self.article_id}"


class StoryTerm(models.Model):
    """Inverted index: a story's strongest terms, to find candidate stories for an item."""

    term = models.CharField(max_length=40)
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="terms")
    last_published_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "story"], name="storyterm_unique")]
        # The story is in the index so that a look-up (a term's stories in a time window,
        # counted per story) reads the index alone, never the table: half its cost.
        indexes = [models.Index(fields=["term", "last_published_at", "story"],
                                name="storyterm_term_time_story")]

    def __str__(self) -> str:
        return f"{self.term} -> story {self.story_id}"


class TermFrequency(models.Model):
    """Document frequencies for IDF, maintained as items arrive. Term "" counts documents."""

    term = models.CharField(max_length=40, unique=True)
    documents = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term!r}: {self.documents}"


class SourceLine(models.Model):
    """How many items of one source carried a short line: its repeated lines are boilerplate."""

    source = models.CharField(max_length=64)
    key = models.BigIntegerField()
    items = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="sourceline_unique")]

    def __str__(self) -> str:
        return f"{self.source} line {self.key} x{self.items}"


class RelatedStory(models.Model):
    """Other stories related to an article by content, ranked at ingest (SEE ALSO)."""

    article = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE,
                                related_name="related_stories")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["article", "story"],
                                               name="relatedstory_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} -> story {self.story_id}"


class DuplicateVeto(models.Model):
    """An editor said these two are not copies of each other: never link them again."""

    article = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "other"],
                                               name="duplicateveto_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} is not a copy of {self.other_id}"


class SectionModel(models.Model):
    """A trained section classifier (see wire/sections.py); the newest one is used."""

    created_at = models.DateTimeField(auto_now_add=True)
    labels = models.JSONField(default=list)
    trained_on = models.PositiveIntegerField(default=0)
    data = models.BinaryField()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"section model {self.pk} ({self.trained_on} articles)"


class Tag(models.Model):
    """A person, organisation or place articles name (see wire/entities.py); one page each."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        PLACE = "place", _("Place")

    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = models.CharField(max_length=2, blank=True,
                               help_text="A known place's country (ISO 3166 code), from the "
                                         "gazetteer (wire/gazetteer.py)")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_in_sentence(self) -> str:
        """The kind as a word inside a sentence: "(person)", but German keeps "(Person)"."""
        return KIND_IN_SENTENCE[self.kind]


# Lowercasing the display name is wrong in languages whose nouns keep their capital (German).
KIND_IN_SENTENCE = {
    Tag.Kind.PERSON: pgettext_lazy("tag kind, inside a sentence", "person"),
    Tag.Kind.ORGANISATION: pgettext_lazy("tag kind, inside a sentence", "organisation"),
    Tag.Kind.PLACE: pgettext_lazy("tag kind, inside a sentence", "place"),
}


class ArticleTag(models.Model):
    article = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE,
                                related_name="article_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="article_tags")
    position = models.PositiveSmallIntegerField(default=0)  # most mentioned first

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["article", "tag"],
                                               name="articletag_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} names {self.tag_id}"


class StoryMerged(models.Model):
    """A story merged into another (a fragment of the same event): its address, which
    readers and search engines may hold, leads to the story that took its members."""

    old_story_id = models.BigIntegerField(primary_key=True)
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name_plural = "stories merged"

    def __str__(self) -> str:
        return f"story {self.old_story_id} merged into story {self.story_id}"


class EnrichmentDue(models.Model):
    """A stored article waiting for story intelligence (``WIREDESK_INTELLIGENCE=deferred``).

    One row per article, in the order the articles were stored (``id``); the intelligence
    stage takes them in that order, one writer at a time, so its decisions are those the
    step would have made at each arrival."""

    article = models.OneToOneField("newsroom.Article", on_delete=models.CASCADE,
                                   related_name="+")
    # Never enriched yet (stored as new): the step's "created" path.
    first = models.BooleanField(default=True)
    stored_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "enrichments due"

    def __str__(self) -> str:
        return f"article {self.article_id} due since {self.stored_at:%Y-%m-%d %H:%M:%S}"

"""Agencies, feeds, articles and their revisions: the newsroom's record."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from wiredesk.newsroom.models.files import PictureFile, largest_file, picture_files
from wiredesk.newsroom.section_names import section_label
from wiredesk.wire.slugs import slug_for
from wiredesk.wire.types import Picture


def _folded(text: str) -> str:
    """Letters and digits only, case folded: "Xinhua" and "XINHUA." are one name."""
    return "".join(c for c in text.casefold() if c.isalnum())


class Agency(models.Model):
    code = models.CharField(max_length=32, unique=True,
                            help_text="Short code shown on pages, e.g. RFE")
    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64, default="UTC",
        help_text="Zone used for feed times given without one (never silently UTC).")
    trust_guids = models.BooleanField(
        default=True, help_text="Turn off for feeds whose guids are unreliable.")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class Section(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    aliases = models.TextField(
        blank=True,
        help_text="Feed categories that belong to this section, comma separated.")
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name a public page shows: translated when it is a known default name."""
        return section_label(self.name)

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split(",") if a.strip()]


class Feed(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "never polled"
        OK = "ok", "ok"
        NOT_MODIFIED = "not_modified", "not modified"
        ERROR = "error", "error"

    class Transport(models.TextChoices):
        """How the feed's copy comes in (read from its source; see ``wire.sources``)."""

        HTTP = "http", "web feed (HTTP, HTTPS)"
        FILE = "file", "local file"
        FOLDER = "folder", "local drop folder"
        FTP = "ftp", "FTP drop folder (FTP, FTPS)"
        SFTP = "sftp", "SFTP drop folder"
        IMAP = "imap", "mailbox (IMAP, IMAPS)"

    source = models.CharField(max_length=1000, unique=True,
                              help_text="URL or local path (a drop folder's or mailbox's "
                                        "address may hold its password: never shown)")
    transport = models.CharField(max_length=10, choices=Transport.choices,
                                 default=Transport.HTTP, editable=False)
    site_url = models.URLField(max_length=1000, blank=True,
                               help_text="The feed's web site (OPML htmlUrl)")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="feeds")
    format = models.CharField(max_length=32, blank=True, help_text="Detected from content")
    title = models.CharField(max_length=300, blank=True)
    poll_interval = models.DurationField(default=timedelta(minutes=10))
    enabled = models.BooleanField(default=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    full_text = models.BooleanField(
        default=False, help_text="Fetch each new item's web page for the full text "
                                 "(for feeds that carry only a summary).")
    guids_trusted = models.BooleanField(
        default=True, help_text="Cleared automatically when the feed's guids prove broken "
                                "(repeated, missing or changing every fetch).")
    identity_note = models.TextField(blank=True, help_text="Why guids are not trusted")
    guid_memory = models.JSONField(default=dict, blank=True, editable=False,
                                   help_text="link -> guid hashes seen on the last fetches")
    intake_state = models.JSONField(
        default=dict, blank=True, editable=False,
        help_text="drop folders: the files seen at the last listing; mailboxes: the "
                  "UIDVALIDITY and last UID taken")
    items_seen = models.PositiveIntegerField(default=0)
    items_created = models.PositiveIntegerField(default=0)
    items_updated = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source"]

    def __str__(self) -> str:
        return self.title or self.shown_source

    @property
    def shown_source(self) -> str:
        """The source without its password: what lists, logs and reports show."""
        from wiredesk.wire.sources import redact

        return redact(self.source)


class Article(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "published"
        HELD = "held", "held by an editor"
        KILLED = "killed", "killed"
        # The desk's own article being written: placed in its editions (so it can be
        # previewed there) but never public until it is released (``article_release``).
        DRAFT = "draft", "draft, never published"

    class Kind(models.TextChoices):
        WIRE = "wire", "wire copy"
        PRESS_RELEASE = "press_release", "press release"
        DESK = "desk", "the desk's own article"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="articles")
    feed = models.ForeignKey(Feed, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="articles")
    identity = models.CharField(max_length=80, help_text="guid, canonical URL or content hash key")
    guid = models.CharField(max_length=500, blank=True)
    canonical_url = models.URLField(max_length=1000, blank=True)
    fingerprint = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WIRE)
    headline = models.CharField(max_length=500)
    slug = models.SlugField(max_length=120, allow_unicode=False)
    # What the copy is written in (BCP 47, ``wire.language.detect``), detected again with
    # each new version; empty when unknown: the edition's language stands in then.
    language = models.CharField(max_length=20, blank=True, default="")
    lead = models.TextField(blank=True)
    teaser = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitized HTML")
    byline = models.CharField(max_length=300, blank=True)
    dateline = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=300, blank=True)
    # The picture the article is shown with (see wire.pictures): the agency's address,
    # kept for reference; pages show the local renditions below, never this address.
    image_url = models.URLField(max_length=1000, blank=True)
    image_caption = models.TextField(blank=True)
    image_credit = models.CharField(max_length=300, blank=True)
    image_alt = models.TextField(blank=True, help_text="From the agency's alt text or the "
                                                      "caption, never the headline")
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    image_type = models.CharField(max_length=100, blank=True, help_text="e.g. image/jpeg")
    image_length = models.PositiveBigIntegerField(null=True, blank=True,
                                                  help_text="Bytes, when the agency said")
    image_rights = models.TextField(blank=True, help_text="Copyright notice and usage terms")
    picture_guid = models.CharField(
        max_length=500, blank=True,
        help_text="The agency's picture item shown with this text; empty when the picture "
                  "came with the text itself")
    # Where the picture is fetched from (once per address), and the local renditions the
    # article shows once it is stored: copied from its PictureAsset so that no page needs
    # a join. Empty until then: the article is shown without a picture meanwhile.
    picture_source = models.ForeignKey("newsroom.PictureSource", on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="articles")
    image_renditions = models.JSONField(default=list, blank=True, editable=False)
    categories = models.JSONField(default=list, blank=True)
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="articles")
    published_at = models.DateTimeField(db_index=True, help_text="UTC")
    source_updated_at = models.DateTimeField(null=True, blank=True, help_text="UTC")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PUBLISHED,
                              db_index=True)
    status_reason = models.TextField(blank=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    signal = models.CharField(max_length=40, blank=True,
                              help_text="The source's signal for this version, e.g. correction")
    # The latest correction, kept through later updates: the page's correction note.
    corrected_at = models.DateTimeField(null=True, blank=True,
                                        help_text="UTC: when the agency last corrected it")
    correction_note = models.TextField(blank=True,
                                       help_text="The agency's words about the correction")
    urgency = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The source's editorial urgency: 1 (most urgent) "
                                         "to 9, when it says")
    flags = models.JSONField(default=list, blank=True)
    # Story intelligence: see newsroom/intelligence/.
    story = models.ForeignKey("Story", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="articles")
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="duplicates",
                                     help_text="The canonical copy editions show instead")
    intel_locked = models.BooleanField(
        default=False, help_text="An editor merged or split this article: never re-decided")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    # The desk's hand (newsroom.services.desk_edits). Once the desk has edited the copy,
    # the agency's later versions wait as a pending revision instead of replacing it.
    desk_edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    desk_edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                       null=True, blank=True, editable=False,
                                       related_name="+")
    pending_revision = models.ForeignKey(
        "Revision", on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+", help_text="The agency's version sent since the desk's edit")
    # Optimistic locking: every change, desk or agency, bumps it; a form carries the one
    # it was drawn from and a save with an older one is refused.
    # Editable only so the admin's form can carry it (hidden); saves ignore what is posted.
    edit_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "identity"], name="article_identity_unique"),
        ]
        # One status's articles newest first, walked in the order the desk's list shows
        # them (published_at DESC, id DESC: the index read backwards). With the time
        # descending in the index, the id would run the other way, and SQLite preferred
        # walking every article by time (an edition editor's held list: 3 s at 1M).
        indexes = [models.Index(fields=["status", "published_at", "id"],
                                name="article_status_time"),
                   # A picture item names the text it belongs to by the agency's guid.
                   models.Index(fields=["agency", "guid"], name="article_agency_guid"),
                   # Wire health reads the last days' arrivals (ops.wire_health).
                   models.Index(fields=["first_seen_at"], name="article_first_seen")]
        # Asked with the article as obj: an edition editor holds them (and change_article,
        # add_article) on the articles of their own editions only (editions.roles).
        permissions = [("schedule_article", "Can schedule publishing and unpublishing"),
                       ("kill_article", "Can kill, hold and release articles")]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slug_for(self.headline)
        super().save(*args, **kwargs)

    def picture_files(self) -> list[PictureFile]:
        """The local renditions, narrowest first (empty until the picture is stored)."""
        return picture_files(self.image_renditions)

    @property
    def picture(self) -> Picture | None:
        """The picture as every output writes it: the widest local JPEG, with its own
        size, type and length; None until the picture is stored. The agency's address is
        only ``source_url``, for reference."""
        shown = largest_file(self.picture_files())
        if shown is None:
            return None
        return Picture(url=shown.url, caption=self.image_caption, credit=self.image_credit,
                       alt=self.image_alt, width=shown.width, height=shown.height,
                       rights=self.image_rights, mime_type=shown.mime_type,
                       length=shown.length, source_url=self.image_url)

    @property
    def byline_shown(self) -> str:
        """The byline, unless it only names the agency: feeds often put their own name in
        the author field, and pages credit the agency already ("ANI ... By ANI")."""
        if _folded(self.byline) in {_folded(self.agency.code), _folded(self.agency.name)}:
            return ""
        return self.byline

    @property
    def is_public(self) -> bool:
        if self.status != self.Status.PUBLISHED:
            return False
        return self.embargo_until is None or self.embargo_until <= timezone.now()


class Revision(models.Model):
    """One state of an article's copy on record: who wrote it, when, what it changed.

    Kept whenever a copy is replaced (the agency's earlier version when a new one
    arrives) and whenever the desk changes the copy (the copy before its first edit,
    then each edit, take, merge or restore); an agency version that arrives after a desk
    edit is kept here, pending, instead of replacing the desk's copy. Each holds the
    whole copy (``COPY_FIELDS``), so any of them can be restored.
    """

    class Source(models.TextChoices):
        AGENCY = "agency", "agency"
        DESK = "desk", "desk"
        RESTORE = "restore", "restore"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(help_text="The agency's version of the copy")
    headline = models.CharField(max_length=500)
    lead = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    byline = models.CharField(max_length=300, blank=True)
    fingerprint = models.CharField(max_length=64)
    signal = models.CharField(max_length=40, blank=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Who and what (older rows: the agency's earlier versions, these fields blank).
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.AGENCY)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+")
    author_label = models.CharField(max_length=150, blank=True,
                                    help_text='"ana", or "agency:AFP"')
    changed_fields = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    edit_version = models.PositiveIntegerField(null=True, blank=True,
                                               help_text="The article's, after this change")
    # The rest of the copy, so a revision restores all of it (None: not recorded).
    teaser = models.TextField(blank=True)
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    tags = models.JSONField(null=True, blank=True, help_text="Tag keys, in order")
    image_caption = models.TextField(blank=True)
    image_credit = models.CharField(max_length=300, blank=True)
    image_alt = models.TextField(blank=True)

    class Meta:
        ordering = ["-version", "-id"]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"


class Tombstone(models.Model):
    """What is left of a deleted (or withdrawn-before-stored) item: the next poll must not
    bring it back."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="tombstones")
    identity = models.CharField(max_length=80)
    canonical_url = models.URLField(max_length=1000, blank=True)
    headline = models.CharField(max_length=500, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "identity"], name="tombstone_unique"),
        ]
        indexes = [models.Index(fields=["agency", "canonical_url"])]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.headline or self.identity}"

"""Editions (the sites a publisher runs) and the placement of articles in them."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from wiredesk.editions import branding
from wiredesk.newsroom.models import Agency, Article, Section
from wiredesk.wire.sanitize import sanitize_html

TEMPLATE_FOLDER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# A page body with any of these tags is HTML; anything else is plain text.
_MARKUP = re.compile(r"</?(?:p|h[1-6]|ul|ol|li|a|em|strong|b|i|br|blockquote|div|table|hr)\b",
                     re.I)


def validate_colour(value: str) -> None:
    try:
        branding.parse_colour(value)
    except branding.BrandValueError as exc:
        raise ValidationError(str(exc)) from exc


def validate_template_folder(value: str) -> None:
    if value and not TEMPLATE_FOLDER.match(value):
        raise ValidationError("a template folder is one folder name of lower-case letters, "
                              "digits, - and _ (it lives in the data directory's "
                              "edition-templates/)")


def validate_footer_url(value: str) -> None:
    if not re.match(r"^(https?://[^\s/]+[^\s]*|mailto:[^\s]+|/(?!/)[^\s]*)$", value or ""):
        raise ValidationError("a footer link is an http(s):// or mailto: address, or a path "
                              "on this site beginning with /")


def validate_zone(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {value!r}") from exc


class Edition(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_zone])
    tagline = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=16, default="en")
    sections = models.ManyToManyField(Section, blank=True, related_name="editions",
                                      help_text="Empty: carries every section")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="editions",
                                      help_text="Empty: carries every agency")
    position = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    # The canonical policy (editions/canonical.py): this edition's page is the one URL of
    # the articles of these sections or agencies that it carries, unless the desk chose.
    home_of_sections = models.ManyToManyField(
        Section, blank=True, related_name="home_editions",
        help_text="Canonical home of these sections' articles (when it carries them)")
    home_of_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="home_editions",
        help_text="Canonical home of these agencies' articles (when it carries them and "
                  "no section home does)")

    # Branding (editions/branding.py checks the values; brand.css is made from them).
    brand_color = models.CharField(
        "brand colour", max_length=7, blank=True, validators=[validate_colour],
        help_text="The masthead's name and rule, e.g. #0b3d91. Empty: the text colour")
    accent_color = models.CharField(
        "accent colour", max_length=7, blank=True, validators=[validate_colour],
        help_text="Links and buttons. Empty: #a4161a")
    text_color = models.CharField("text colour", max_length=7, blank=True,
                                  validators=[validate_colour], help_text="Empty: #1b1b1b")
    background_color = models.CharField("background colour", max_length=7, blank=True,
                                        validators=[validate_colour],
                                        help_text="Empty: #ffffff")
    font_body = models.CharField("body font", max_length=16, choices=branding.FONT_CHOICES,
                                 default=branding.DEFAULT_FONT)
    font_headings = models.CharField("headings font", max_length=16,
                                     choices=branding.FONT_CHOICES,
                                     default=branding.DEFAULT_FONT)
    # Stored re-encoded under MEDIA_ROOT/brand/ (editions/brand_images.py).
    logo = models.CharField(max_length=64, blank=True, editable=False)
    logo_width = models.PositiveIntegerField(default=0, editable=False)
    logo_height = models.PositiveIntegerField(default=0, editable=False)
    logo_dark = models.CharField(max_length=64, blank=True, editable=False)
    logo_dark_width = models.PositiveIntegerField(default=0, editable=False)
    logo_dark_height = models.PositiveIntegerField(default=0, editable=False)
    logo_replaces_name = models.BooleanField(
        default=False, help_text="The logo spells the edition's name: show it instead of "
                                 "the name in text (it becomes the logo's alt text)")
    icon = models.CharField(max_length=64, blank=True, editable=False)
    # Mail
    sender_name = models.CharField(max_length=200, blank=True,
                                   help_text="The From name of its mail. Empty: its name")
    sender_address = models.EmailField(
        blank=True, help_text="The From address of its mail (digest, news releases). "
                              "Empty: WIREDESK_FROM_EMAIL's address")
    reply_to = models.EmailField(
        "reply-to address", blank=True,
        help_text="Where replies to its mail go (digest, confirmations, news-release mail). "
                  "Empty: the From address")
    postal_address = models.TextField(
        blank=True, max_length=500,
        help_text="The publisher's postal address, at the foot of every digest and "
                  "confirmation (anti-spam laws such as CAN-SPAM ask for one)")
    template_folder = models.CharField(
        max_length=64, blank=True, validators=[validate_template_folder],
        help_text="Templates in WIREDESK_DATA_DIR/edition-templates/<this folder>/ replace "
                  "the shipped ones for this edition only (see the README)")

    class Meta:
        ordering = ["position", "name"]
        # Asked with the edition as obj: an edition editor holds it for their own editions
        # only (editions.roles.EditionRoleBackend), a desk editor for all.
        permissions = [("curate_edition", "Can curate the edition's fronts")]

    def __str__(self) -> str:
        return self.name

    @property
    def colours(self) -> branding.Colours:
        return branding.Colours(brand=self.brand_color, accent=self.accent_color,
                                text=self.text_color, background=self.background_color)

    @property
    def mail_name(self) -> str:
        return self.sender_name.strip() or self.name

    def clean(self) -> None:
        super().clean()
        problems = branding.contrast_problems(self.colours)
        if problems:
            raise ValidationError({f"{key}_color": message for key, message in problems.items()})


class EditionHost(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(max_length=253, unique=True, help_text="e.g. chilesun.example")

    class Meta:
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host

    def save(self, *args, **kwargs):
        self.host = self.host.strip().lower().rstrip(".")
        super().save(*args, **kwargs)


class Placement(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="placements")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="placements")
    placed_at = models.DateTimeField(default=timezone.now)
    # Denormalized from the article so an edition's pages need one indexed range scan.
    published_at = models.DateTimeField()
    pinned = models.BooleanField(default=False)
    # The desk's choice of the article's canonical page (editions/canonical.py): at most
    # one placement of an article has it.
    canonical = models.BooleanField(
        default=False, help_text="The desk's choice: this edition's page is the article's "
                                 "one canonical URL")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "article"], name="placement_unique"),
            models.UniqueConstraint(fields=["article"], condition=models.Q(canonical=True),
                                    name="placement_one_canonical"),
        ]
        indexes = [models.Index(fields=["edition", "-published_at"])]

    def __str__(self) -> str:
        return f"{self.article_id} in {self.edition_id}"


class EditionPage(models.Model):
    """One of an edition's own text pages (About, Contact, ...), at ``<edition>/<kind>``."""

    class Kind(models.TextChoices):
        ABOUT = "about", "About"
        CONTACT = "contact", "Contact"
        TERMS = "terms", "Terms"
        PRIVACY = "privacy", "Privacy"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="pages")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True,
                             help_text="Empty: the kind's name (About, Contact, ...)")
    body_html = models.TextField(
        "body", help_text="HTML (kept to what article copy may hold: paragraphs, headings, "
                          "lists, links, emphasis) or plain text, a blank line between "
                          "paragraphs")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["edition", "kind"]
        constraints = [models.UniqueConstraint(fields=["edition", "kind"],
                                               name="edition_page_unique")]

    def __str__(self) -> str:
        return f"{self.edition}: {self.heading}"

    def save(self, *args, **kwargs):
        # Whatever way it was written (admin, CLI, shell), only sanitized markup is kept.
        self.body_html = page_body_html(self.body_html)
        super().save(*args, **kwargs)

    @property
    def heading(self) -> str:
        return self.title.strip() or self.Kind(self.kind).label


def page_body_html(text: str) -> str:
    """An editor's page body through the wire's sanitizer; plain text becomes paragraphs."""
    from django.utils.html import escape, linebreaks

    text = (text or "").strip()
    if not _MARKUP.search(text):
        text = linebreaks(escape(text))
    return sanitize_html(text)


class FooterLink(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="footer_links")
    label = models.CharField(max_length=80)
    url = models.CharField(max_length=500, validators=[validate_footer_url],
                           help_text="https://..., mailto:... or a path on this site (/...)")
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class EditionRole(models.Model):
    """A user's role in one edition: what makes an "edition editor" of it. The desk
    permissions they hold there are answered by ``editions.roles.EditionRoleBackend``;
    desk editors (all editions) and administrators (superusers) need no row."""

    class Role(models.TextChoices):
        EDITOR = "editor", "editor"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="edition_roles")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EDITOR)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["edition__position", "edition__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "edition", "role"],
                                               name="edition_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role} of {self.edition})"


class FrontSlot(models.Model):
    """The desk's choice on one front page (an edition's home, or one of its sections' when
    ``section`` is set): the top story, a featured story in the secondary row, or a story
    pinned at the head of the latest list until ``expires_at``. A slot whose article is not
    public in that front is skipped and the automatic choice fills the gap
    (``selectors.edition_front``); writes go through ``editions.curation``."""

    class Kind(models.TextChoices):
        TOP = "top", "Top story"
        FEATURED = "featured", "Featured"
        PINNED = "pinned", "Pinned"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="front_slots")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="front_slots",
                                help_text="Empty: the edition's home page")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="front_slots")
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["edition", "section", "kind", "position", "pk"]
        # A NULL section (the home page) is never equal to another in a unique index, so
        # the home's rules and the sections' are written apart.
        constraints = [
            models.UniqueConstraint(fields=["edition"],
                                    condition=models.Q(kind="top", section__isnull=True),
                                    name="front_one_top_home"),
            models.UniqueConstraint(fields=["edition", "section"],
                                    condition=models.Q(kind="top", section__isnull=False),
                                    name="front_one_top_section"),
            models.UniqueConstraint(fields=["edition", "article"],
                                    condition=models.Q(section__isnull=True),
                                    name="front_article_once_home"),
            models.UniqueConstraint(fields=["edition", "section", "article"],
                                    condition=models.Q(section__isnull=False),
                                    name="front_article_once_section"),
        ]
        indexes = [models.Index(fields=["expires_at"], name="front_slot_expiry")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.article_id} on {self.edition_id}"

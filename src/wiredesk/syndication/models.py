"""Partners, the deliveries owed to them, the ledger of every attempt, and WebSub
subscriptions.

A delivery is one state of one article (its version and what happened to it: published,
updated, killed, withdrawn) owed to one partner, with a key unique per partner: the
``Idempotency-Key`` every attempt carries, so a partner can apply it exactly once however
often it arrives. It moves ``pending -> sending -> acked | dead | superseded``; ``sending``
rows carry the claim token and time of the worker that holds them (``sending.py``).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from wiredesk.editions.models import Edition


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Partner(models.Model):
    class Format(models.TextChoices):
        NINJS = "ninjs", "IPTC NINJS (JSON)"
        NEWSML = "newsml", "IPTC NewsML-G2 (XML)"
        JSON = "json", "wiredesk JSON (the API's article shape)"

    class Transport(models.TextChoices):
        WEBHOOK = "webhook", "HTTPS webhook"
        FTP = "ftp", "FTP or FTPS drop folder"
        SFTP = "sftp", "SFTP drop folder"
        EMAIL = "email", "email"

    name = models.CharField(max_length=100, unique=True)
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="partners",
                                help_text="Only this edition's articles; empty: every article")
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.JSON)
    transport = models.CharField(max_length=10, choices=Transport.choices,
                                 default=Transport.WEBHOOK)
    url = models.CharField(max_length=1000, help_text="https://… (webhook), "
                                                      "ftp(s)://user:password@host/folder, "
                                                      "sftp://user:password@host/folder?"
                                                      "hostkey=SHA256:…, or mailto:address")
    secret = models.CharField(max_length=200, default=new_secret,
                              help_text="Signs every webhook body (HMAC-SHA256)")
    previous_secret = models.CharField(max_length=200, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="Until then bodies are signed with the previous secret too")
    active = models.BooleanField(default=True)
    timeout = models.FloatField(null=True, blank=True,
                                help_text="Seconds for one delivery; empty: WIREDESK_PUSH_TIMEOUT")
    # Where in the change stream (publishing.changes) this partner's deliveries were made up to.
    cursor_txid = models.BigIntegerField(default=0, editable=False)
    cursor_id = models.BigIntegerField(default=0, editable=False)
    cursor_epoch = models.CharField(max_length=16, blank=True, editable=False)
    cursor_prunes = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_acked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def signing_secrets(self, now=None) -> list[str]:
        """The current secret, and the previous one while its grace lasts."""
        now = now or timezone.now()
        found = [self.secret]
        if (self.previous_secret and self.previous_secret_until
                and self.previous_secret_until > now):
            found.append(self.previous_secret)
        return found


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "being sent"
        ACKED = "acked", "acknowledged"
        DEAD = "dead", "dead letter"
        SUPERSEDED = "superseded", "superseded by a newer state"

    class Action(models.TextChoices):
        PUBLISH = "publish", "publish"
        UPDATE = "update", "update"
        KILL = "kill", "kill"
        UNPUBLISH = "unpublish", "unpublish"

    # Lower goes first: kills and withdrawals, then corrections, then everything else.
    PRIORITY_WITHDRAWAL = 0
    PRIORITY_CORRECTION = 1
    PRIORITY_NORMAL = 2

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="deliveries")
    # A number, not a key: a kill of a deleted article is still owed.
    article_id = models.BigIntegerField()
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=20, blank=True,
                              help_text="Why the article is not public (killed, held, ...)")
    key = models.CharField(max_length=120, help_text="The Idempotency-Key of every attempt")
    priority = models.PositiveSmallIntegerField(default=PRIORITY_NORMAL)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the delivery was made or last resent: its age for the dead-letter rule.
    started_at = models.DateTimeField(default=timezone.now)
    acked_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="delivery_key_unique"),
        ]
        indexes = [
            models.Index(fields=["partner", "state", "priority", "id"], name="delivery_queue"),
            models.Index(fields=["state", "claimed_at"], name="delivery_claims"),
            models.Index(fields=["partner", "article_id"], name="delivery_article"),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.key}"


class Attempt(models.Model):
    """One try of a delivery, as it went: the ledger an operator reads."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="ledger")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    acked = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]
        indexes = [models.Index(fields=["partner", "-at"], name="attempt_partner")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"


class Subscription(models.Model):
    """A WebSub subscriber of one of this site's feeds, when wiredesk is its own hub."""

    class State(models.TextChoices):
        PENDING = "pending", "waiting for intent verification"
        ACTIVE = "active", "active"
        GONE = "gone", "unsubscribed or expired"

    topic = models.CharField(max_length=1000)
    callback = models.CharField(max_length=1000)
    secret = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # What the subscriber asked for last and is waiting to have verified.
    pending_mode = models.CharField(max_length=12, blank=True)
    lease_seconds = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "callback"], name="subscription_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.callback} <- {self.topic}"


class PendingTopic(models.Model):
    """A feed that changed and whose hub is still to hear of it (our own hub: whose
    subscribers are still to get it)."""

    topic = models.CharField(max_length=1000, unique=True)
    since = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.topic


class HubState(models.Model):
    """The one bookkeeping row of WebSub pings: where in the change stream they got to."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    cursor_txid = models.BigIntegerField(default=0)
    cursor_id = models.BigIntegerField(default=0)
    cursor_epoch = models.CharField(max_length=16, blank=True)
    cursor_prunes = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return "websub"

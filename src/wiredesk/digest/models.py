"""Digest subscribers, the digests of each day, and the ledger of deliveries.

The ledger row (digest, subscriber) is unique: it is what makes a send exactly-once.
A delivery moves ``pending -> sending -> sent | failed | skipped``; ``sending`` rows
carry the claim token and time of the sender that holds them (see sending.py).
"""

from __future__ import annotations

import secrets
from datetime import time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wiredesk.editions.models import Edition
from wiredesk.newsroom.models import Section

DEFAULT_DELIVERY_TIME = time(6, 0)


def _link_key() -> str:
    return secrets.token_urlsafe(12)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        BOUNCING = "bouncing", _("bouncing")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="subscribers")
    email = models.CharField(max_length=254, help_text="Normalized (lower case)")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    sections = models.ManyToManyField(Section, blank=True, related_name="+",
                                      help_text="Empty: every section of the edition")
    delivery_time = models.TimeField(default=DEFAULT_DELIVERY_TIME)
    time_zone = models.CharField(max_length=64, blank=True,
                                 help_text="Empty: the edition's time zone")
    paused = models.BooleanField(default=False)
    # Rotated to void every link ever mailed (erase; re-subscribe after unsubscribing).
    link_key = models.CharField(max_length=32, default=_link_key)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmations_sent = models.PositiveIntegerField(default=0)
    signup_ip = models.GenericIPAddressField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                       help_text="UTC time of the next digest slot")
    last_window_end = models.DateTimeField(null=True, blank=True,
                                           help_text="The previous digest covered up to here")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    bounce_count = models.PositiveIntegerField(default=0)
    last_bounce_at = models.DateTimeField(null=True, blank=True)
    last_bounce_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["edition", "email"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "email"], name="subscriber_unique"),
        ]
        indexes = [models.Index(fields=["status", "next_due_at"]),
                   # A bounce or complaint names an address, in every edition at once.
                   models.Index(fields=["email"], name="subscriber_email")]

    def __str__(self) -> str:
        return f"{self.email} ({self.edition_id}, {self.status})"

    @property
    def zone(self) -> str:
        return self.time_zone or self.edition.time_zone


class Digest(models.Model):
    """One edition's digest for one local calendar day (subscribers' own zones)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="digests")
    issue_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issue_date", "edition"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "issue_date"], name="digest_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.edition} {self.issue_date:%d %b %Y}"


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "claimed by a sender"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"
        SKIPPED = "skipped", "skipped (nothing new)"

    # Every index of a delivery is written again by each claim and each "sent" fold (both
    # change its indexed state), so none is kept twice: the digest's and the edition's
    # are the first columns of ``delivery_unique`` and of (edition, state).
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries",
                               db_index=False)
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="deliveries")
    # Denormalized so status counts and claims need no join.
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    email = models.CharField(max_length=254)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    window_start = models.DateTimeField(help_text="Stories published after this...")
    window_end = models.DateTimeField(help_text="...up to this (the slot)")
    message_id = models.CharField(max_length=200)  # unique: delivery_message_id
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    resent_after_crash = models.BooleanField(
        default=False, help_text="The sender died while this message was in flight")
    sent_at = models.DateTimeField(null=True, blank=True)
    smtp_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["digest", "subscriber"], name="delivery_unique"),
            # A constraint, not unique=True: on PostgreSQL that would add a second index
            # for LIKE queries, which nothing asks.
            models.UniqueConstraint(fields=["message_id"], name="delivery_message_id"),
        ]
        indexes = [
            models.Index(fields=["edition", "state"]),
            models.Index(fields=["sent_at"]),
            models.Index(fields=["claim_token"], name="delivery_claim_token"),
            # The claim's order: the lowest pending ids, found without reading (and
            # sorting) every pending row. Only pending rows are in it, so a claim or a
            # "sent" fold, which take rows out of pending, never writes to it.
            models.Index(fields=["id"], condition=models.Q(state="pending"),
                         name="delivery_pending"),
            # The recovery's question (whose claims are stale); no index on all states
            # beside these, so the planner never reads every pending row for a claim.
            models.Index(fields=["claimed_at"], condition=models.Q(state="sending"),
                         name="delivery_sending"),
        ]

    def __str__(self) -> str:
        return f"{self.digest} -> {self.email} ({self.state})"


class SentRecord(models.Model):
    """The durable "sent" of one delivery, written the moment the relay accepted it.

    One narrow row, inserted once per message: cheap for the database (one index, no
    update of the delivery's indexed state). Authoritative while its delivery is still
    ``sending`` under the same claim token; the batch's end (``sent_records.note_sent``)
    folds the records into their deliveries (``sent``) and subscribers and deletes them.
    A sender that dies in between leaves them to the recovery, which does the same.
    No foreign key: a constraint check per insert would cost as much as the row."""

    delivery = models.OneToOneField(Delivery, primary_key=True, on_delete=models.DO_NOTHING,
                                    db_constraint=False, related_name="sent_record")
    claim_token = models.CharField(max_length=32)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} sent at {self.sent_at:%Y-%m-%d %H:%M:%S}"


class ArchiveIssue(models.Model):
    """One day's edition-wide digest as the public archive shows it.

    The issue of day D is what a reader with the edition's defaults gets that morning:
    every section, the stories published after 06:00 the day before up to 06:00 on D,
    both in the edition's zone, chosen by the digest's own rules
    (``selectors.digest_articles``). It is stored once, when the planner first runs
    after that slot (a snapshot of what went out, not recomputed later), as the ids of
    its stories in order; an article killed or held since is left out when shown.
    A day with nothing new is stored empty and never shown, as it was never sent.
    Nothing about any reader is kept here.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE,
                                related_name="archive_issues")
    issue_date = models.DateField(help_text="The day in the edition's zone")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    article_ids = models.JSONField(default=list, help_text="The stories, in digest order")
    story_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issue_date", "edition"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "issue_date"],
                                    name="archive_issue_unique"),
        ]
        indexes = [models.Index(fields=["edition", "story_count", "issue_date"])]

    def __str__(self) -> str:
        return f"{self.edition} archive {self.issue_date:%d %b %Y}"


class Suppression(models.Model):
    """An address no digest goes to: it bounced for good, its owner complained, or an
    operator said so. One row per address, for every edition (the reputation at stake
    is the sending domain's). A complaint also unsubscribes; confirming a new sign-up
    lifts a bounce's or complaint's suppression (the address has just proved it receives
    mail, and its owner asked for it), never an operator's."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard-bounce", "hard bounce"
        COMPLAINT = "complaint", "spam complaint"
        SOFT_BOUNCES = "soft-bounces", "soft bounces over the limit"
        MANUAL = "manual", "added by an operator"

    email = models.CharField(max_length=254, unique=True, help_text="Normalized (lower case)")
    reason = models.CharField(max_length=16, choices=Reason.choices, db_index=True)
    detail = models.CharField(max_length=500, blank=True,
                              help_text="The status and diagnostic that decided it")
    source = models.CharField(max_length=16, blank=True,
                              help_text="mailbox, ses, postmark, sendgrid, mailgun, admin, cli")
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"


class BounceEvent(models.Model):
    """Each bounce, delay or complaint report received, matched to its delivery or not.

    ``fingerprint`` makes processing idempotent: the same mail read twice (a crash
    before the mailbox committed its deletion) or the same webhook posted twice is
    stored once. Reports nobody could match, and mail that is no report at all, are
    kept as ``unmatched`` with an excerpt, so an operator sees what arrives there.
    """

    class Kind(models.TextChoices):
        HARD = "hard", "hard bounce"
        SOFT = "soft", "soft bounce or delay"
        COMPLAINT = "complaint", "complaint"
        UNMATCHED = "unmatched", "unmatched or not a report"

    kind = models.CharField(max_length=16, choices=Kind.choices, db_index=True)
    source = models.CharField(max_length=16, help_text="mailbox, ses, postmark, sendgrid, "
                                                      "mailgun")
    format = models.CharField(max_length=16, blank=True,
                              help_text="Which MTA or provider wrote it")
    email = models.CharField(max_length=254, blank=True, db_index=True)
    status = models.CharField(max_length=16, blank=True, help_text="e.g. 5.1.1")
    diagnostic = models.CharField(max_length=500, blank=True)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="bounce_events")
    matched_by = models.CharField(max_length=16, blank=True,
                                  help_text="return-path, message-id or address")
    fingerprint = models.CharField(max_length=200, unique=True)
    report_from = models.CharField(max_length=200, blank=True)
    report_subject = models.CharField(max_length=200, blank=True)
    excerpt = models.TextField(blank=True, help_text="The start of an unmatched message")
    error = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["email", "kind", "received_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.email or '?'} ({self.source})"


class WebhookNonce(models.Model):
    """A signed webhook request already taken (Mailgun's token, SendGrid's signature):
    the same request posted again is refused. Pruned after a day."""

    provider = models.CharField(max_length=16)
    value = models.CharField(max_length=200)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "value"],
                                               name="webhook_nonce_unique")]

    def __str__(self) -> str:
        return f"{self.provider} {self.value[:16]}"

"""Mailbox feeds (``imap://``, ``imaps://``): each new message taken once, its copy stored
through ``ingest_bytes`` like a feed's, the message recorded in the ``Intake`` ledger.

Messages are taken in UID order. The feed remembers the mailbox's UIDVALIDITY and the
last UID it is done with; a message whose items could not be written (the database went
away) stops the run there, so it and the ones after it are taken at the next poll. When
the server renumbers the mailbox (a new UIDVALIDITY) every message is new again by UID:
the ledger is keyed by UIDVALIDITY and UID, and the copy itself by the same identity
rules as any feed (the Message-ID is the body item's guid), so nothing is stored twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import DatabaseError

from wiredesk.newsroom.models import Feed, Intake
from wiredesk.newsroom.services.documents import ingest_bytes
from wiredesk.newsroom.services.intake import Taken, already_taken, merge, record
from wiredesk.newsroom.services.reports import IngestReport
from wiredesk.wire import fetch as wire_fetch
from wiredesk.wire import mail, sources
from wiredesk.wire.types import WireError

log = logging.getLogger("wiredesk.newsroom.services")

MAX_MESSAGES_PER_POLL = 100


def own_addresses(address: sources.SourceAddress) -> set[str]:
    """Addresses whose mail is ours coming back: what wiredesk sends from, and the
    mailbox's own address (a message it sent itself)."""
    from wiredesk.mail import sender_address

    found = {sender_address().lower()}
    if "@" in address.user:
        found.add(address.user.lower())
    return found


def mailbox_poll(feed: Feed, address: sources.SourceAddress, *,
                 now: datetime) -> IngestReport:
    from django.conf import settings

    report = IngestReport(source=feed.shown_source)
    state = dict(feed.intake_state or {})
    allowed = [a for a in address.option("from").split(",") if a.strip()]
    own = own_addresses(address)
    with mail.open_mailbox(address, timeout=settings.WIREDESK_FETCH_TIMEOUT,
                           policy=wire_fetch.FetchPolicy(settings.WIREDESK_FETCH_ALLOW)
                           ) as mailbox:
        if state.get("uidvalidity") != mailbox.uidvalidity:
            state = {"uidvalidity": mailbox.uidvalidity, "last_uid": 0}
        # The same dict as the feed's: what is done stays done if the connection drops
        # below (the feed is saved either way).
        feed.intake_state = state
        refs = mailbox.new_messages(int(state.get("last_uid", 0)))
        keys = {ref.uid: f"imap:{mailbox.uidvalidity}:{ref.uid}" for ref in refs}
        taken = already_taken(feed, list(keys.values()))
        report.waiting = max(len(refs) - MAX_MESSAGES_PER_POLL, 0)
        for position, ref in enumerate(refs[:MAX_MESSAGES_PER_POLL]):
            if keys[ref.uid] not in taken:
                if not _take(feed, mailbox, ref, keys[ref.uid], report, allowed=allowed,
                             own=own):
                    report.waiting += min(len(refs), MAX_MESSAGES_PER_POLL) - position
                    break
                mailbox.mark_seen(ref.uid)
            state["last_uid"] = ref.uid
    return report


def _take(feed: Feed, mailbox: mail.Mailbox, ref: mail.MessageRef, key: str,
          report: IngestReport, *, allowed: list[str], own: set[str]) -> bool:
    """Take one message; False when its items could not be written (taken again later)."""
    from django.conf import settings

    limit = settings.WIREDESK_MAIL_MAX_BYTES
    if ref.size > limit:
        label = f"message {ref.uid} ({mailbox.subject(ref.uid)[:80] or 'no subject'})"
        _skip(feed, key, label, ref.size, report,
              f"{ref.size} bytes, over the {limit}-byte limit for one message", error=True)
        return True
    raw = mailbox.read(ref.uid)
    try:
        copy = mail.read_message(raw, max_attachment_bytes=settings.WIREDESK_FETCH_MAX_BYTES,
                                 own_addresses=own, allowed_senders=allowed)
    except Exception as exc:  # a message built to break the parser must not block the rest
        log.exception("mailbox %s: %s broke the mail parser", feed.shown_source, label)
        record(feed, Taken(key, label, ref.size, Intake.Outcome.FAILED,
                           f"cannot be read: {type(exc).__name__}: {exc}"[:1000]))
        report.errors.append(f"{label}: cannot be read: {type(exc).__name__}")
        return True
    label = f"message {ref.uid} ({copy.subject[:80] or 'no subject'})"
    if copy.skip:
        _skip(feed, key, label, ref.size, report, copy.skip, error=False)
        return True
    notes = [*copy.notes, *copy.problems]  # what the ledger says was left out
    errors = list(copy.problems)  # what the operator should hear about
    stored: list[str] = []
    articles = 0
    for name, document in copy.documents:
        where = label if name == "body" else f"{label} {name}"
        try:
            part = ingest_bytes(document, agency=feed.agency,
                                source=f"{feed.shown_source}#{ref.uid}", feed=feed)
        except DatabaseError:
            raise  # the database went away: the poll fails, the message is taken again
        except Exception as exc:  # WireError, or a parser beaten by hostile bytes
            problem = f"{name}: {' '.join(str(exc).split())[:500]}"
            if not isinstance(exc, WireError):
                problem = f"{name}: {type(exc).__name__}: {' '.join(str(exc).split())[:500]}"
                log.exception("mailbox %s: %s %s broke the parser", feed.shown_source,
                              label, name)
            errors.append(problem)
            notes.append(problem)
            continue
        merge(report, part, where)
        if part.store_failures:
            return False
        articles += len(part.article_ids)
        stored.append(f"{name}: {part.summary().removeprefix(f'{part.source}: ')}")
    report.errors.extend(f"{label}: {problem}" for problem in errors)
    outcome = Intake.Outcome.STORED if stored else Intake.Outcome.FAILED
    record(feed, Taken(key, label, ref.size, outcome, "; ".join(stored + notes), articles))
    return True


def _skip(feed: Feed, key: str, label: str, size: int, report: IngestReport, why: str, *,
          error: bool) -> None:
    """Recorded and left alone. Spam and loops are routine (the ledger says why); a
    message too large to read is the operator's business, so it is an error too."""
    record(feed, Taken(key, label, size, Intake.Outcome.SKIPPED, why))
    if error:
        report.errors.append(f"{label}: {why}")
    log.info("mailbox %s: %s skipped: %s", feed.shown_source, label, why,
             extra={"event": "intake_skipped", "feed_id": feed.pk})

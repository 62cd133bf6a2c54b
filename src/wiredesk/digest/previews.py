"""A digest as one reader gets it, for the editors: previewed in the admin, or sent as a
test copy through the normal sending path without being recorded as a delivery.

The preview is rendered by the sender's own functions (``render_digest``, ``message_parts``,
``assemble_message``) on the reader's clock and sections, so what an editor sees is what
that reader's copy holds. For an issue the reader was sent, the window is their delivery's;
for another day, what their slot that day would have covered; with no issue chosen, what
their next digest holds now.

A test copy carries inert personal links (a token no reader has), a subject marked
``[Test]`` and a Message-ID of its own: it must never unsubscribe anyone, and the ledger
never sees it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from wiredesk import mail
from wiredesk.digest import tokens
from wiredesk.digest.clock import reader_clock
from wiredesk.digest.models import DEFAULT_DELIVERY_TIME, Delivery, Digest, Subscriber
from wiredesk.digest.render import (
    MessageParts,
    assemble_message,
    message_parts,
    personalize,
    render_digest,
)
from wiredesk.digest.schedule import local_date, slot_on
from wiredesk.digest.selectors import digest_articles
from wiredesk.digest.transport import SendResult, TransportUnavailable, open_transport
from wiredesk.editions.links import edition_base_url
from wiredesk.editions.models import Edition
from wiredesk.editions.selectors import edition_articles
from wiredesk.errors import WiredeskError

log = logging.getLogger(__name__)

# Not a signed token: the pages answer "invalid link" to it.
TEST_TOKEN = "test-copy"  # noqa: S105


class PreviewError(WiredeskError):
    pass


@dataclass
class Preview:
    edition: Edition
    subscriber: Subscriber | None
    digest: Digest | None
    zone: str
    window_start: datetime
    window_end: datetime
    issue_date: date
    note: str
    parts: MessageParts
    unsubscribe_url: str
    preferences_url: str

    @property
    def subject(self) -> str:
        return self.parts.rendered.subject

    @property
    def story_count(self) -> int:
        return self.parts.rendered.story_count

    @property
    def html(self) -> str:
        return personalize(self.parts.rendered.html, self.unsubscribe_url,
                           self.preferences_url)

    @property
    def text(self) -> str:
        return personalize(self.parts.rendered.text, self.unsubscribe_url,
                           self.preferences_url)


def _window(*, edition: Edition, subscriber: Subscriber | None, digest: Digest | None,
            now: datetime) -> tuple[datetime, datetime, date, str]:
    zone = subscriber.zone if subscriber else edition.time_zone
    if digest is not None:
        delivery = (Delivery.objects.filter(digest=digest, subscriber=subscriber).first()
                    if subscriber else None)
        if delivery is not None:
            return (delivery.window_start, delivery.window_end, digest.issue_date,
                    f"as delivered ({delivery.get_state_display()})")
        at = subscriber.delivery_time if subscriber else DEFAULT_DELIVERY_TIME
        end = slot_on(digest.issue_date, at, zone)
        return (end - timedelta(days=1), end, digest.issue_date,
                "not sent to this reader: the day their slot would have covered")
    start = (subscriber.last_window_end if subscriber and subscriber.last_window_end
             else now - timedelta(days=1))
    return start, now, local_date(now, zone), "the next digest, as it stands now"


def digest_preview(*, edition: Edition, subscriber: Subscriber | None = None,
                   digest: Digest | None = None, now: datetime | None = None) -> Preview:
    """The digest ``subscriber`` (or a reader with the edition's defaults) gets: the
    issue ``digest`` or, without one, their next. Raises PreviewError when the edition
    carries nothing to show."""
    now = now or timezone.now()
    if subscriber is not None and subscriber.edition_id != edition.pk:
        raise PreviewError(f"{subscriber.email} does not subscribe to {edition.name}")
    if digest is not None and digest.edition_id != edition.pk:
        raise PreviewError(f"that issue is not {edition.name}'s")
    section_ids = (sorted(s.pk for s in subscriber.sections.all()) if subscriber else [])
    start, end, issue_date, note = _window(edition=edition, subscriber=subscriber,
                                           digest=digest, now=now)
    articles = digest_articles(edition, start=start, end=end, section_ids=section_ids)
    if not articles and digest is None:
        # Nothing new: show the latest stories so the layout can still be judged.
        latest = edition_articles(edition)
        if section_ids:
            latest = latest.filter(section_id__in=section_ids)
        newest = latest.first()
        if newest is not None:
            end = newest.published_at
            start = end - timedelta(days=1)
            articles = digest_articles(edition, start=start, end=end, section_ids=section_ids)
            note = "nothing new for this reader: the latest stories instead"
    if not articles:
        raise PreviewError(f"no stories for this reader in {edition.name} between "
                           f"{start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC")
    base_url = edition_base_url(edition)
    clock = reader_clock(zone=subscriber.time_zone if subscriber else "", edition=edition)
    rendered = render_digest(edition=edition, articles=articles, base_url=base_url,
                             clock=clock, issue_date=issue_date, since=start)
    if subscriber is not None:
        unsubscribe, preferences = (
            f"{base_url}/digest/{purpose}/{tokens.make_token(subscriber, purpose)}"
            for purpose in (tokens.UNSUBSCRIBE, tokens.PREFERENCES))
    else:
        unsubscribe, preferences = (f"{base_url}/digest/{purpose}/{TEST_TOKEN}"
                                    for purpose in (tokens.UNSUBSCRIBE, tokens.PREFERENCES))
    return Preview(edition=edition, subscriber=subscriber, digest=digest, zone=clock.zone,
                   window_start=start, window_end=end, issue_date=issue_date, note=note,
                   parts=message_parts(rendered, edition), unsubscribe_url=unsubscribe,
                   preferences_url=preferences)


def marked_copy(preview: Preview, *, to: str, now: datetime | None = None) -> bytes:
    """The test copy's bytes: the preview's message with inert links and ``[Test]``."""
    now = now or timezone.now()
    base_url = edition_base_url(preview.edition)
    parts = preview.parts
    marked = MessageParts(
        rendered=parts.rendered, from_header=parts.from_header,
        subject_header="[Test] " + parts.subject_header, list_id=parts.list_id,
        envelope_from=parts.envelope_from, reply_to=parts.reply_to)
    domain = parts.envelope_from.rpartition("@")[2] or "localhost"
    return assemble_message(
        marked, to=to, date=now,
        message_id=f"<digest-test.{secrets.token_hex(8)}@{domain}>",
        unsubscribe_url=f"{base_url}/digest/{tokens.UNSUBSCRIBE}/{TEST_TOKEN}",
        preferences_url=f"{base_url}/digest/{tokens.PREFERENCES}/{TEST_TOKEN}")


def digest_test_send(*, preview: Preview, to: str, sent_by: str = "",
                     transport=None) -> SendResult:
    """Send ``preview`` to ``to`` as a test copy, the way the sender sends a digest (same
    transport, DKIM signature, envelope sender); nothing is recorded in the ledger."""
    to = mail.edition_address(to)
    if not to:
        raise PreviewError("not one plain email address")
    data = marked_copy(preview, to=to)
    transport = transport or open_transport()
    try:
        with transport:
            result = transport.send(preview.parts.envelope_from or mail.sender_address(),
                                    to, data)
    except TransportUnavailable as exc:
        result = SendResult(False, None, False, str(exc))
    log.info("test copy of %s's digest (as %s) to %s by %s: %s", preview.edition.slug,
             preview.subscriber.email if preview.subscriber else "a default reader", to,
             sent_by or "?", "sent" if result.ok else result.error)
    return result

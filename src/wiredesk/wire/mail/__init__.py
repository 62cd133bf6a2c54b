"""Copy that comes by email: a mailbox read over IMAP, and a message made into documents.

:class:`Mailbox` reaches out like ``fetch`` does, and only where the :class:`FetchPolicy`
lets it (the server's name resolved once, every address checked, the connection made to
the checked address; TLS still checks the certificate against the name). It never
deletes or moves mail: messages are told apart by the mailbox's UIDVALIDITY and their
UID, and the caller keeps which were taken; each one taken is also flagged ``\\Seen``
for the people who read the same mailbox.

:func:`read_message` is pure. It decides whether a message is agency copy at all (not
an automatic reply, a delivery report, our own mail coming back, mail the server marked
as spam, or mail from a sender the mailbox does not take copy from), then what the copy
is: each attachment in a format the pipeline reads (NewsML-G2, NITF, RSS, Atom, JSON
Feed), or, when there is none, the message itself, made into a one-item JSON Feed whose
headline is the subject, whose body is the HTML or text part and whose guid is the
Message-ID, so that the same rules of identity apply as to any feed.
"""

from wiredesk.wire.mail.imap import Mailbox, MailboxError, MessageRef, open_mailbox
from wiredesk.wire.mail.messages import (
    MailCopy,
    body_document,
    read_message,
    sender_allowed,
    why_not_copy,
)

__all__ = ["MailCopy", "Mailbox", "MailboxError", "MessageRef", "body_document",
           "open_mailbox", "read_message", "sender_allowed", "why_not_copy"]

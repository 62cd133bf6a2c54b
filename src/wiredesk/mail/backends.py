"""Django's SMTP backend, with each message DKIM-signed as it leaves (``mail.dkim``).

``EMAIL_URL=smtp://...`` selects it, so every mail Django sends for wiredesk (digest
confirmations, news-release mail) is signed by its From domain's key like the digest
itself, which the digest's own transport signs.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address

from wiredesk.mail import dkim


class SigningEmailBackend(EmailBackend):
    def _send(self, email_message):
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in email_message.recipients()]
        data = dkim.sign(email_message.message().as_bytes(linesep="\r\n"))
        try:
            self.connection.sendmail(from_email, recipients, data)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

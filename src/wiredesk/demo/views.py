"""The demo mailbox's pages: ``/_mail/`` lists what the instance sent, newest first;
``/_mail/<id>/`` shows one message, its text part and its HTML part.

Demo only: urls.py mounts them only when ``WIREDESK_DEMO_MAILBOX`` is on (set by
``wiredesk demo``, refused by ``wiredesk serve``), and every view answers 404 without it.

A message's HTML is mail, not one of the site's pages: it may carry inline styles, and
whatever it holds must not run as the site. So it is served on its own URL with a policy
of its own (a CSP sandbox: no script, no forms, no plugins, an origin of its own; only
pictures and inline styles load) and shown in a sandboxed frame on the message page,
whose policy allows frames from the site and nothing else. Its links open in the whole
window, as a mail reader would open them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin

from wiredesk.core.headers import content_security_policy
from wiredesk.demo import mailbox

FRAME_SANDBOX = ("allow-popups allow-popups-to-escape-sandbox "
                 "allow-top-navigation-by-user-activation")
HTML_PART_POLICY = "; ".join((
    f"sandbox {FRAME_SANDBOX}",
    "default-src 'none'",
    "img-src data: https: http:",
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
))
# Links in the framed message open in the window, not in the frame (the site's pages
# refuse to be framed).
LINKS_TO_WINDOW = '<base target="_top">'


def _mailbox_on() -> None:
    if not settings.WIREDESK_DEMO_MAILBOX:
        raise Http404("no mailbox")


@never_cache
def mailbox_index(request):
    _mailbox_on()
    return render(request, "wiredesk/demo/mailbox.html",
                  {"letters": mailbox.letters(), "directory": mailbox.mailbox_dir()})


def _letter_or_404(message_id: str) -> mailbox.Letter:
    _mailbox_on()
    found = mailbox.letter(message_id)
    if found is None:
        raise Http404("no such message")
    return found


@never_cache
def mailbox_message(request, message_id: str):
    letter = _letter_or_404(message_id)
    response = render(request, "wiredesk/demo/message.html",
                      {"letter": letter, "sandbox": FRAME_SANDBOX})
    response["Content-Security-Policy"] = content_security_policy(
        inline_styles=False, https=settings.WIREDESK_HTTPS, frames="'self'")
    return response


@never_cache
@xframe_options_sameorigin
def mailbox_message_html(request, message_id: str):
    letter = _letter_or_404(message_id)
    if not letter.html:
        raise Http404("no HTML part")
    response = HttpResponse(LINKS_TO_WINDOW + letter.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = HTML_PART_POLICY
    return response

"""Security headers on every HTML page: Content-Security-Policy and Permissions-Policy.

Pages are built to need nothing inline: no inline script (JSON-LD is a data block, not
script, and CSP leaves it alone), no style attributes, every script and stylesheet from
the site itself. So a payload that ever got past the sanitizer still could not run, load
a script from elsewhere, post a form off-site or frame the page. Pictures may come from
agencies' hosts (https, and http on a site not served over https).

The admin and the API's docs page (Swagger UI) set styles inline, so they get the same
policy with inline styles allowed; their scripts are still the site's own only.
"""

from __future__ import annotations

from django.conf import settings

RELAXED_STYLE_PREFIXES = ("/admin/", "/api/docs")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def content_security_policy(*, inline_styles: bool, https: bool, frames: str = "'none'") -> str:
    images = "'self' data: https:" if https else "'self' data: https: http:"
    styles = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {styles}",
        f"img-src {images}",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' https:",
        "object-src 'none'",
        f"frame-src {frames}",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        https = settings.WIREDESK_HTTPS
        self._strict = content_security_policy(inline_styles=False, https=https)
        self._relaxed = content_security_policy(inline_styles=True, https=https)

    def __call__(self, request):
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(RELAXED_STYLE_PREFIXES)
            response["Content-Security-Policy"] = self._relaxed if relaxed else self._strict
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# A mail's HTML shown inside an operator page (the admin's digest preview): served on its
# own URL under a CSP sandbox (no script, no forms, an origin of its own; only pictures
# and inline styles load) and framed only by the site's own pages, in a frame with the
# same sandbox. Its links open in the whole window, as a mail reader would open them.
MAIL_FRAME_SANDBOX = ("allow-popups allow-popups-to-escape-sandbox "
                      "allow-top-navigation-by-user-activation")
MAIL_PART_POLICY = "; ".join((
    f"sandbox {MAIL_FRAME_SANDBOX}",
    "default-src 'none'",
    "img-src data: https: http:",
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
))

"""Email addresses from a public form: hostile until proven a single, sane address."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from wiredesk.errors import WiredeskError

MAX_ADDRESS_LENGTH = 254  # RFC 5321 path limit, less the angle brackets
_validate = EmailValidator()
# Names that never reach a mailbox on the Internet (RFC 2606, RFC 6761), which a
# sign-up could only use to make the mail server talk to itself or its own network.
_LOCAL_DOMAINS = ("localhost", "local", "internal", "invalid", "localdomain", "home.arpa")


class AddressError(WiredeskError, ValueError):
    pass


def normalize_address(raw: str) -> str:
    """The address in lower case, or AddressError.

    Control characters (CR/LF header injection like ``a@b.c\\r\\nBcc: x@y``), commas,
    display names and anything over 254 characters are refused outright, never trimmed
    into something that might pass.
    """
    if not isinstance(raw, str):
        raise AddressError(_("no address given"))
    address = raw.strip()
    if not address:
        raise AddressError(_("no address given"))
    if len(address) > MAX_ADDRESS_LENGTH:
        raise AddressError(_("that address is too long"))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in address) or any(
            ch in address for ch in ",;<>\"() "):
        raise AddressError(_("that is not a single email address"))
    try:
        _validate(address)
    except ValidationError as exc:
        raise AddressError(_("that is not a valid email address")) from exc
    local, _at, domain = address.rpartition("@")
    if len(local) > 64:
        raise AddressError(_("that address is too long"))
    domain = domain.lower().rstrip(".")
    if domain.startswith("[") or "." not in domain or domain.rsplit(".", 1)[1].isdigit():
        # An address literal (a@[127.0.0.1]), a bare name (a@localhost) or an IP written
        # as a domain: mail to them goes to a machine, not to a reader's mailbox.
        raise AddressError(_("that address has no Internet mail domain"))
    if any(domain == name or domain.endswith("." + name) for name in _LOCAL_DOMAINS):
        raise AddressError(_("that address has no Internet mail domain"))
    return f"{local}@{domain}".lower()

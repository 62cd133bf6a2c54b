"""DKIM helpers for tests: what DNS would answer for a key, a signature's tags."""

from __future__ import annotations

import re

from wiredesk.mail import dkim


def dns_of(*keys: dkim.SigningKey):
    """dkimpy's dnsfunc answering the TXT records these keys' DNS records would be."""
    records = {f"{k.record_name}.".encode(): k.dns_record().encode() for k in keys}

    def txt(name: bytes, timeout: int = 5) -> bytes | None:
        return records.get(name)
    return txt


def signature_tags(data: bytes) -> dict[str, str]:
    header = re.search(rb"^DKIM-Signature:(.*?)\r\n(?![ \t])", data, re.S | re.M).group(1)
    return {k.strip(): "".join(v.split()) for k, _, v in
            (p.partition("=") for p in header.decode().split(";"))}

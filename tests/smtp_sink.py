"""A real SMTP server for tests (aiosmtpd on a free port), scriptable to misbehave.

    sink.fail_next(3, "451 4.3.0 Try again later")   # the next 3 messages get a 4xx
    sink.reject("gone@example.org", "550 5.1.1 No such user")  # at RCPT, every time
    sink.drop_next(1)                                 # close the connection mid-DATA
    sink.delay = 0.2                                  # slow relay: wait before the 250

A message counts as delivered only if the client is still connected when the relay
answers, as a real relay would (the client saw no "250", so it is not its to keep).
"""

from __future__ import annotations

import asyncio
import email
import logging
import re
import socket
import threading
from collections import deque
from dataclasses import dataclass
from email import policy

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per SMTP command otherwise


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    session_id: int

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)

    # As a mail client shows the message.
    @property
    def sender(self) -> str:
        return self.mail_from

    @property
    def recipients(self) -> list[str]:
        return self.rcpt_tos

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    def link(self, kind: str) -> str:
        """The path of the first link to /<...>/<kind>/ in the plain-text body."""
        match = re.search(r"https?://[^/\s]+(/\S*/" + re.escape(kind) + r"/\S+)", self.body)
        assert match, f"no {kind} link in:\n{self.body}"
        return match.group(1)


class SinkHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.received: list[Received] = []
            self.scripted: deque[str] = deque()
            self.rejected: dict[str, str] = {}
            self.drops = 0
            self.delay = 0.0
            self.connections = 0
            self.attempts = 0
            self.pipelining = False  # offer PIPELINING (RFC 2920) in the EHLO reply

    # scripting
    def fail_next(self, times: int, reply: str = "451 4.3.0 Try again later") -> None:
        with self.lock:
            self.scripted.extend([reply] * times)

    def reject(self, address: str, reply: str = "550 5.1.1 No such user") -> None:
        with self.lock:
            self.rejected[address.lower()] = reply

    def drop_next(self, times: int = 1) -> None:
        with self.lock:
            self.drops += times

    # aiosmtpd hooks
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
            pipelining = self.pipelining
        session.host_name = hostname
        if pipelining:  # aiosmtpd reads commands in order, so it can take them pipelined
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            reply = self.rejected.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            delay = self.delay
        if delay:
            await asyncio.sleep(delay)
        with self.lock:
            if self.drops:
                self.drops -= 1
                server.transport.close()
                return "421 closing"
            if self.scripted:
                return self.scripted.popleft()
        transport = server.transport
        if transport is None or transport.is_closing():
            return "421 client gone"  # nobody to hear the 250: not delivered
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          bytes(envelope.content), id(session)))
        return "250 OK queued"

    # reading
    @property
    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.rcpt_tos]

    def last(self, address: str) -> Received:
        found = self.to(address)
        assert found, f"no mail to {address}; got {[m.rcpt_tos for m in self.messages]}"
        return found[-1]

    def count_by_recipient(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.lock:
            for r in self.received:
                for rcpt in r.rcpt_tos:
                    counts[rcpt] = counts.get(rcpt, 0) + 1
        return counts


class SmtpSink:
    def __init__(self):
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __getattr__(self, name):
        return getattr(self.handler, name)

    def __setattr__(self, name, value):
        if name in ("delay", "pipelining"):
            setattr(self.handler, name, value)
        else:
            super().__setattr__(name, value)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

"""A real SMTP server on this machine for the e-mail tests (aiosmtpd): it takes messages over a socket as any
server would, keeps each with its envelope, and can refuse the first few with a transient error (451)."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass
from email import policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    def part(self, mime: str) -> str:
        found = self.message.get_body(preferencelist=(mime.split("/")[1],))
        assert found is not None and found.get_content_type() == mime, f"no {mime} part"
        return found.get_content()


class Capture:
    def __init__(self, refuse_first: int = 0):
        self.received: list[Received] = []
        self.refuse_first = refuse_first
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.refuse_first:
            return "451 4.3.0 Temporary failure, try again later"
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """`with SmtpServer() as server:` ... `server.received`; `server.port` to point Django at."""

    def __init__(self, refuse_first: int = 0):
        self.capture = Capture(refuse_first)
        self.port = free_port()
        self.controller = Controller(self.capture, hostname="127.0.0.1", port=self.port)

    @property
    def received(self) -> list[Received]:
        return self.capture.received

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

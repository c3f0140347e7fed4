"""A real SMTP server (aiosmtpd) on a free loopback port for the e-mail tests, keeping what it
receives; a recipient starting with ``nobody@`` is refused (550), as a real server would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.server_process import free_port

__all__ = ["Inbox", "smtp_inbox"]


class Inbox:
    """aiosmtpd handler keeping what it received."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            {
                "to": list(envelope.rcpt_tos),
                "data": envelope.original_content,
                "tls": server.transport.get_extra_info("ssl_object") is not None,
            }
        )
        return "250 OK queued"


@contextmanager
def smtp_inbox(**options: Any) -> Iterator[tuple[Inbox, int]]:
    """The server (``options`` go to aiosmtpd's ``Controller``: TLS, authentication) while
    the block runs; its inbox and port."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()

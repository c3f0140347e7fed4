"""E-mail through a real SMTP server (aiosmtpd) on 127.0.0.1: plain, STARTTLS and implicit TLS
with login, text and HTML parts, a Chinese subject encoded per RFC 2047, and failures that are
retried (connection refused) or not (bad password, refused recipient)."""

from __future__ import annotations

import datetime as dt
import email
import logging
import socket
import ssl
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from alerts.notify import deliver_due
from archive import Archive, open_archive
from archive.models import OutboxMessage
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
PASSWORD = "s3cret-PassW0rd"
SUBJECT = "【舆情预警·严重】电梯坠落事故"


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


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == b"yuqing"
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted through SSL_CERT_FILE."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _tls_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "a.db") as opened:
        yield opened


def settings_for(port: int, address: str = "spk@example.cn", **mail: Any) -> Settings:
    return Settings.model_validate(
        {
            "notifiers": [
                {
                    "name": "mail",
                    "type": "email",
                    "host": "127.0.0.1",
                    "port": port,
                    "sender": "yuqing@example.cn",
                    **mail,
                }
            ],
            "recipients": [{"name": "spokesperson", "email": address, "notifiers": ["mail"]}],
        }
    )


def queue(archive: Archive, key: str = "alert:1:critical") -> None:
    archive.ledger.enqueue(
        OutboxMessage(
            dedup_key=f"{key}:spokesperson:mail",
            channel="mail",
            recipient="spokesperson",
            subject=SUBJECT,
            body="事件：电梯坠落事故\n依据：\n  · 现场视频 https://news.example.cn/a/1",
            created_at=T0,
            next_attempt_at=T0,
        )
    )


def _check_message(received: dict[str, Any]) -> None:
    raw = received["data"]
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0].lower()  # the subject is RFC 2047-encoded
    parsed = email.message_from_bytes(raw, policy=default_policy)
    assert parsed["Subject"] == SUBJECT
    assert parsed["X-Yuqing-Key"] == "alert:1:critical:spokesperson:mail"
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert text is not None and "电梯坠落事故" in text.get_content()
    assert html is not None
    assert '<a href="https://news.example.cn/a/1">' in html.get_content()


def test_plain_smtp_text_and_html_with_a_chinese_subject(archive: Archive) -> None:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        queue(archive)
        assert deliver_due(archive, settings_for(port), SimulatedClock(T0)).sent == 1
    finally:
        controller.stop()
    [received] = inbox.messages
    assert received["to"] == ["spk@example.cn"] and not received["tls"]
    _check_message(received)


def test_starttls_with_login_and_no_password_in_logs(
    archive: Archive,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    caplog.set_level(logging.DEBUG)
    inbox, port = Inbox(), _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=_tls_context(certificate),
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    controller.start()
    try:
        settings = settings_for(port, starttls=True, username="yuqing", password=PASSWORD)
        queue(archive)
        assert deliver_due(archive, settings, SimulatedClock(T0)).sent == 1
        # A wrong password is a 535 answer: permanent, not retried, and never stored or logged.
        wrong = settings_for(port, starttls=True, username="yuqing", password="wrong-" + PASSWORD)
        queue(archive, "alert:2:critical")
        assert deliver_due(archive, wrong, SimulatedClock(T0)).gave_up == 1
    finally:
        controller.stop()
    [received] = inbox.messages
    assert received["tls"]
    _check_message(received)
    [failed] = archive.ledger.list_messages(status="failed")
    assert "535" in failed.last_error and PASSWORD not in failed.last_error
    assert PASSWORD not in caplog.text


def test_implicit_tls(
    archive: Archive, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    inbox, port = Inbox(), _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=_tls_context(certificate),
        server_hostname="127.0.0.1",
    )
    controller.start()
    try:
        queue(archive)
        assert deliver_due(archive, settings_for(port, ssl=True), SimulatedClock(T0)).sent == 1
    finally:
        controller.stop()
    assert inbox.messages and inbox.messages[0]["tls"]


def test_refused_recipient_is_permanent_and_a_down_server_is_retried(archive: Archive) -> None:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        queue(archive)
        report = deliver_due(
            archive, settings_for(port, address="nobody@example.cn"), SimulatedClock(T0)
        )
        assert report.gave_up == 1
    finally:
        controller.stop()
    queue(archive, "alert:2:critical")
    report = deliver_due(archive, settings_for(port), SimulatedClock(T0))  # nothing listens now
    assert report.retrying == 1
    assert inbox.messages == []

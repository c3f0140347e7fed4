"""Outbox delivery behaviour over a real HTTP receiver on 127.0.0.1: which failures are retried,
grouping of bursts, a receiver down for a while, and the report to administrators."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from alerts.notify import deliver_due
from archive import Archive, open_archive
from archive.models import OutboxMessage
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


class Receiver(ThreadingHTTPServer):
    """Records every POST; answers ``status`` (with ``headers``) while ``down``, else 200."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.down = False
        self.status = 503
        self.headers: dict[str, str] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def delivered(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["status"] == 200]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length).decode("utf-8"))
        status = self.server.status if self.server.down else 200
        with self.server.lock:
            self.server.requests.append(
                {"key": self.headers["Idempotency-Key"], "body": body, "status": status}
            )
        self.send_response(status)
        for name, value in (self.server.headers if self.server.down else {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "a.db") as opened:
        yield opened


def make_settings(receiver: Receiver, tmp_path: Path, **outbox: Any) -> Settings:
    return Settings.model_validate(
        {
            "notifiers": [
                {"name": "hook", "type": "webhook", "url": receiver.url()},
                {"name": "log", "type": "file", "path": str(tmp_path / "admin.jsonl")},
            ],
            "recipients": [
                {"name": "spokesperson", "notifiers": ["hook"]},
                {"name": "duty", "notifiers": ["hook"]},
                {"name": "admin", "role": "duty", "notifiers": ["hook", "log"]},
            ],
            "outbox": {"admins": ["admin"], **outbox},
        }
    )


def queue(archive: Archive, key: str, recipient: str = "spokesperson", at: datetime = T0) -> None:
    assert archive.ledger.enqueue(
        OutboxMessage(
            dedup_key=f"{key}:{recipient}:hook",
            channel="hook",
            recipient=recipient,
            subject=f"【舆情预警】{key}",
            body=f"事件：{key}",
            created_at=at,
            next_attempt_at=at,
        )
    )


@pytest.mark.parametrize(
    ("status", "headers", "expected", "wait"),
    [
        (404, {}, "failed", None),  # a wrong address: retrying cannot help
        (400, {}, "failed", None),
        (503, {}, "pending", timedelta(minutes=1)),
        (500, {}, "pending", timedelta(minutes=1)),
        (429, {"Retry-After": "600"}, "pending", timedelta(minutes=10)),
        (408, {}, "pending", timedelta(minutes=1)),
    ],
)
def test_retry_only_what_retrying_can_fix(
    archive: Archive,
    receiver: Receiver,
    tmp_path: Path,
    status: int,
    headers: dict[str, str],
    expected: str,
    wait: timedelta | None,
) -> None:
    receiver.down, receiver.status, receiver.headers = True, status, headers
    queue(archive, "alert:1:warning")
    deliver_due(archive, make_settings(receiver, tmp_path), SimulatedClock(T0))
    [message] = [m for m in archive.ledger.list_messages() if m.dedup_key.startswith("alert:")]
    assert message.status == expected and f"HTTP {status}" in message.last_error
    if wait is not None:
        assert message.next_attempt_at == T0 + wait


def test_a_timeout_is_retried(archive: Archive, tmp_path: Path) -> None:
    import socket

    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    try:
        settings = Settings.model_validate(
            {
                "notifiers": [
                    {
                        "name": "hook",
                        "type": "webhook",
                        "url": f"http://127.0.0.1:{silent.getsockname()[1]}/",
                    }
                ],
                "recipients": [{"name": "spokesperson", "notifiers": ["hook"]}],
            }
        )
        import alerts.notifiers as notifiers

        old, notifiers.TIMEOUT = notifiers.TIMEOUT, 0.5
        try:
            queue(archive, "alert:1:warning")
            report = deliver_due(archive, settings, SimulatedClock(T0))
        finally:
            notifiers.TIMEOUT = old
    finally:
        silent.close()
    assert report.retrying == 1
    assert "timed out" in archive.ledger.list_messages()[0].last_error


def test_a_burst_for_one_recipient_is_one_message(
    archive: Archive, receiver: Receiver, tmp_path: Path
) -> None:
    for n in range(50):
        queue(archive, f"alert:{n}:warning")
    queue(archive, "alert:0:warning", recipient="duty")
    report = deliver_due(
        archive, make_settings(receiver, tmp_path, group_max=50), SimulatedClock(T0)
    )
    assert (report.sent, report.sends) == (51, 2)
    bodies = {r["body"]["recipient"]: r["body"] for r in receiver.requests}
    assert bodies["spokesperson"]["subject"].startswith("【50条舆情通知】")
    assert all(f"alert:{n}:warning" in bodies["spokesperson"]["body"] for n in range(50))
    assert bodies["duty"]["subject"] == "【舆情预警】alert:0:warning"
    # Every member is confirmed: nothing is sent again.
    assert deliver_due(archive, make_settings(receiver, tmp_path), SimulatedClock(T0)).sent == 0
    assert len(receiver.requests) == 2


def test_group_wait_holds_a_new_burst_for_its_stragglers(
    archive: Archive, receiver: Receiver, tmp_path: Path
) -> None:
    settings = make_settings(receiver, tmp_path, group_wait="30s")
    clock = SimulatedClock(T0)
    queue(archive, "alert:1:warning", at=T0)
    assert deliver_due(archive, settings, clock).sent == 0  # held
    clock.advance(20)
    queue(archive, "alert:2:warning", at=clock.now())
    assert deliver_due(archive, settings, clock).sent == 0
    clock.advance(10)
    report = deliver_due(archive, settings, clock)
    assert (report.sent, report.sends) == (2, 1)
    assert len(receiver.requests) == 1


def test_receiver_down_for_a_while_everything_arrives_once(
    archive: Archive, receiver: Receiver, tmp_path: Path
) -> None:
    """Forty messages to four people while the receiver answers 503 for 20 minutes."""
    settings = make_settings(receiver, tmp_path, group_max=3)
    clock = SimulatedClock(T0)
    receiver.down = True
    keys = set()
    for minute in range(40):
        recipient = ("spokesperson", "duty")[minute % 2]
        queue(archive, f"alert:{minute}:warning", recipient=recipient, at=clock.now())
        keys.add(f"alert:{minute}:warning:{recipient}:hook")
        deliver_due(archive, settings, clock)
        clock.advance(30)
        if minute == 39:
            receiver.down = False
    for _ in range(120):  # two more simulated hours of passes every minute
        deliver_due(archive, settings, clock)
        clock.advance(60)
    messages = {m.dedup_key: m for m in archive.ledger.list_messages(limit=1000)}
    assert all(messages[key].status == "sent" for key in keys)
    arrived = [r["body"] for r in receiver.delivered()]
    member_keys = [key for body in arrived for key in _members(body, keys)]
    assert sorted(member_keys) == sorted(keys)  # each once, none lost
    # The administrator heard about it by the other channel, once for the day.
    admin_log = (tmp_path / "admin.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(admin_log) == 1
    assert "通知渠道 hook 持续发送失败" in json.loads(admin_log[0])["subject"]


def _members(body: dict[str, Any], keys: set[str]) -> list[str]:
    """The member keys a delivered (possibly combined) message stands for."""
    if body["dedup_key"] in keys:
        return [body["dedup_key"]]
    # A combined message lists its members' subjects "1. 【舆情预警】alert:N:warning".
    found = []
    for line in body["body"].splitlines():
        for prefix in ("事件：",):
            if line.startswith(prefix):
                found.append(f"{line[len(prefix) :]}:{body['recipient']}:hook")
    return found


def test_no_admins_no_report_and_a_healthy_channel_is_not_reported(
    archive: Archive, receiver: Receiver, tmp_path: Path
) -> None:
    settings = make_settings(receiver, tmp_path)
    queue(archive, "alert:1:warning")
    report = deliver_due(archive, settings, SimulatedClock(T0))
    assert (report.sent, report.admin_reports) == (1, 0)
    receiver.down = True
    queue(archive, "alert:2:warning")
    report = deliver_due(archive, settings, SimulatedClock(T0))
    assert (report.retrying, report.admin_reports) == (1, 0)  # one failure is not "keeps failing"

"""Outbox delivery over real loopback servers: file, webhook, robots and a minimal SMTP server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from alerts.notifiers import NOTIFIERS, build_notifier
from alerts.notify import MAX_ATTEMPTS, deliver_due, retry_delay
from archive import Archive, open_archive
from archive.models import OutboxMessage
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings, parse_notifier

T0 = datetime(2026, 7, 20, 9, 0, tzinfo=SHANGHAI)
PASSWORD = "s3cret-PassW0rd"
TOKEN = "tok3n-abcdef123456"


# ---- a recording HTTP receiver ---------------------------------------------------------
class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0
        self.answer: dict[str, Any] = {"ok": True}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length).decode("utf-8"))
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "body": body}
        )
        status = 500 if self.server.fail_next > 0 else 200
        self.server.fail_next = max(0, self.server.fail_next - 1)
        answer = json.dumps(self.server.answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.shutdown()
    server.server_close()


# ---- helpers -----------------------------------------------------------------------------
@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "a.db") as opened:
        yield opened


def settings_with(
    notifiers: list[dict[str, Any]],
    email_address: str | None = "spk@example.cn",
    phone: str | None = None,
) -> Settings:
    return Settings.model_validate(
        {
            "notifiers": notifiers,
            "recipients": [
                {
                    "name": "spokesperson",
                    "email": email_address,
                    "phone": phone,
                    "notifiers": [n["name"] for n in notifiers],
                }
            ],
        }
    )


def queue(archive: Archive, channel: str, key: str = "alert:1:critical", at: datetime = T0) -> bool:
    return archive.ledger.enqueue(
        OutboxMessage(
            dedup_key=f"{key}:spokesperson:{channel}",
            channel=channel,
            recipient="spokesperson",
            subject="【舆情预警·严重】电梯坠落事故",
            body="规则：major-accident\n事件：电梯坠落事故\n级别：严重",
            created_at=at,
            next_attempt_at=at,
        )
    )


# ---- tests -------------------------------------------------------------------------------
def test_retry_schedule_doubles_and_is_capped() -> None:
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(delays) == timedelta(hours=1)


def test_file_notifier_appends_json_lines_once(tmp_path: Path, archive: Archive) -> None:
    out = tmp_path / "notices" / "sent.jsonl"
    settings = settings_with([{"name": "log", "type": "file", "path": str(out)}])
    assert queue(archive, "log")
    assert not queue(archive, "log")  # same dedup key: not queued twice
    clock = SimulatedClock(T0)
    report = deliver_due(archive, settings, clock)
    assert report.sent == 1
    assert deliver_due(archive, settings, clock).attempted == 0
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(lines) == 1 and lines[0]["subject"] == "【舆情预警·严重】电梯坠落事故"
    sent = archive.ledger.list_messages(status="sent")
    assert len(sent) == 1 and sent[0].sent_at == clock.now() and sent[0].attempts == 1


def test_webhook_retries_with_backoff_then_succeeds_once(
    archive: Archive, receiver: Receiver
) -> None:
    settings = settings_with([{"name": "hook", "type": "webhook", "url": receiver.url()}])
    queue(archive, "hook")
    receiver.fail_next = 2
    clock = SimulatedClock(T0)
    assert deliver_due(archive, settings, clock).retrying == 1
    pending = archive.ledger.list_messages(status="pending")[0]
    assert pending.attempts == 1 and "500" in pending.last_error
    assert pending.next_attempt_at == clock.now() + timedelta(minutes=1)
    assert deliver_due(archive, settings, clock).attempted == 0  # not yet due
    clock.advance(60)
    assert deliver_due(archive, settings, clock).retrying == 1
    assert archive.ledger.list_messages()[0].next_attempt_at == clock.now() + timedelta(minutes=2)
    clock.advance(120)
    assert deliver_due(archive, settings, clock).sent == 1
    clock.advance(3600)
    assert deliver_due(archive, settings, clock).attempted == 0
    assert len(receiver.requests) == 3
    last = receiver.requests[-1]
    assert last["headers"]["Idempotency-Key"] == "alert:1:critical:spokesperson:hook"
    assert last["body"]["subject"] == "【舆情预警·严重】电梯坠落事故"
    message = archive.ledger.list_messages()[0]
    assert (message.status, message.attempts) == ("sent", 3)


def test_gives_up_after_max_attempts(archive: Archive, receiver: Receiver) -> None:
    settings = settings_with([{"name": "hook", "type": "webhook", "url": receiver.url()}])
    queue(archive, "hook")
    receiver.fail_next = 1000
    clock = SimulatedClock(T0)
    gave_up = 0
    for _ in range(MAX_ATTEMPTS + 3):
        gave_up += deliver_due(archive, settings, clock).gave_up
        clock.advance(3600)
    message = archive.ledger.list_messages()[0]
    assert (message.status, message.attempts, gave_up) == ("failed", MAX_ATTEMPTS, 1)
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_permanent_failures_give_up_at_once(archive: Archive, tmp_path: Path) -> None:
    settings = settings_with(
        [
            {
                "name": "mail",
                "type": "email",
                "host": "127.0.0.1",
                "port": 9,
                "sender": "yuqing@example.cn",
            }
        ],
        email_address=None,
    )
    queue(archive, "mail")
    queue(archive, "nowhere")
    report = deliver_due(archive, settings, SimulatedClock(T0))
    assert report.gave_up == 2
    errors = " | ".join(m.last_error for m in archive.ledger.list_messages(status="failed"))
    assert "has no e-mail address" in errors and "no notifier named 'nowhere'" in errors


def test_secret_webhook_url_is_redacted(archive: Archive, caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:9/robot/send?access_token={TOKEN}"
    settings = settings_with([{"name": "hook", "type": "webhook", "url": url}])
    caplog.set_level(logging.DEBUG)
    notifier = build_notifier(settings.notifiers[0])
    assert notifier.redact(f"failed for {url}") == "failed for ***"
    queue(archive, "hook")
    assert deliver_due(archive, settings, SimulatedClock(T0)).retrying == 1
    assert TOKEN not in archive.ledger.list_messages()[0].last_error
    assert TOKEN not in caplog.text


def test_dingtalk_markdown_and_signature(archive: Archive, receiver: Receiver) -> None:
    secret = "SECdingtalk0123456789"
    settings = settings_with(
        [
            {
                "name": "ding",
                "type": "dingtalk",
                "url": receiver.url(f"/robot/send?access_token={TOKEN}"),
                "secret": secret,
            }
        ],
        phone="13800000000",
    )
    receiver.answer = {"errcode": 0, "errmsg": "ok"}
    queue(archive, "ding")
    assert deliver_due(archive, settings, SimulatedClock(T0)).sent == 1
    request = receiver.requests[0]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request["path"]).query))
    expected = base64.b64encode(
        hmac.new(
            secret.encode(), f"{query['timestamp']}\n{secret}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert query["access_token"] == TOKEN and query["sign"] == expected
    body = request["body"]
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "【舆情预警·严重】电梯坠落事故"
    assert body["at"]["atMobiles"] == ["13800000000"]

    # A rejected signature is a configuration problem: given up at once, not retried.
    receiver.answer = {"errcode": 310000, "errmsg": "sign not match"}
    queue(archive, "ding", key="alert:2:critical")
    assert deliver_due(archive, settings, SimulatedClock(T0)).gave_up == 1
    assert "310000" in archive.ledger.list_messages(status="failed")[0].last_error
    # "Sending too fast" is retried later.
    receiver.answer = {"errcode": 130101, "errmsg": "send too fast"}
    queue(archive, "ding", key="alert:3:critical")
    assert deliver_due(archive, settings, SimulatedClock(T0)).retrying == 1
    assert "130101" in archive.ledger.list_messages(status="pending")[0].last_error


def test_wecom_and_feishu_payload_shapes(archive: Archive, receiver: Receiver) -> None:
    assert {"file", "email", "webhook", "dingtalk", "wecom", "feishu"} <= set(NOTIFIERS)
    settings = settings_with(
        [
            {"name": "wx", "type": "wecom", "url": receiver.url("/wx")},
            {"name": "fs", "type": "feishu", "url": receiver.url("/fs"), "secret": "feishu-secret"},
        ]
    )
    receiver.answer = {"errcode": 0, "code": 0}
    queue(archive, "wx")
    queue(archive, "fs")
    assert deliver_due(archive, settings, SimulatedClock(T0)).sent == 2
    bodies = {r["path"]: r["body"] for r in receiver.requests}
    assert bodies["/wx"]["msgtype"] == "markdown"
    assert "电梯坠落事故" in bodies["/wx"]["markdown"]["content"]
    feishu = bodies["/fs"]
    key = f"{feishu['timestamp']}\nfeishu-secret".encode()
    assert feishu["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert feishu["msg_type"] == "text"


def test_notifier_settings_never_print_secrets() -> None:
    config = parse_notifier(
        {"name": "m", "type": "email", "host": "h", "sender": "s", "password": PASSWORD}
    )
    assert PASSWORD not in repr(config) and PASSWORD not in str(config.model_dump())

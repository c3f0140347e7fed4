"""The exact requests the DingTalk, WeCom and Feishu robots receive, checked on a real HTTP
receiver on 127.0.0.1 that verifies each signature the way the robot's server does.

- DingTalk custom robot, 加签: ``sign = urlencode(base64(HmacSHA256(key=secret,
  msg=timestamp + "\\n" + secret)))``, timestamp in milliseconds, both in the query string;
  the server rejects a timestamp more than an hour off.
- Feishu custom bot, 签名校验: ``sign = base64(HmacSHA256(key=timestamp + "\\n" + secret,
  msg=""))``, timestamp in seconds, both in the JSON body.
- WeCom group robot: no signature; the ``key`` in the URL is the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import datetime
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
DING_SECRET = "SEC0123456789abcdefDING"
FEISHU_SECRET = "feishu-secret-0123456789"
TOKEN = "ding-token-abcdef123456"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
SUBJECT = "【舆情预警·严重】电梯坠落事故"
BODY = "规则：major-accident\n事件：电梯坠落事故\n级别：严重"


class RobotServer(ThreadingHTTPServer):
    """Answers like the robots: 200 with a code; a bad signature gets the robot's error."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RobotHandler)
        self.requests: list[dict[str, Any]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


def _ding_ok(query: dict[str, str]) -> bool:
    timestamp = query.get("timestamp", "")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600_000:
        return False
    digest = hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256)
    # parse_qsl already undid the URL encoding.
    return hmac.compare_digest(query.get("sign", ""), base64.b64encode(digest.digest()).decode())


def _feishu_ok(body: dict[str, Any]) -> bool:
    timestamp = str(body.get("timestamp", ""))
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 3600:
        return False
    key = f"{timestamp}\n{FEISHU_SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    return hmac.compare_digest(str(body.get("sign", "")), expected)


class _RobotHandler(BaseHTTPRequestHandler):
    server: RobotServer

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        split = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(split.query))
        body = json.loads(raw.decode("utf-8"))
        self.server.requests.append(
            {"path": split.path, "query": query, "body": body, "headers": dict(self.headers)}
        )
        if split.path == "/robot/send":
            ok = query.get("access_token") == TOKEN and _ding_ok(query)
            answer = (
                {"errcode": 0, "errmsg": "ok"}
                if ok
                else {"errcode": 310000, "errmsg": "sign not match"}
            )
        elif split.path == "/cgi-bin/webhook/send":
            ok = query.get("key") == WECOM_KEY
            answer = (
                {"errcode": 0, "errmsg": "ok"}
                if ok
                else {"errcode": 93000, "errmsg": "invalid webhook url"}
            )
        else:
            ok = _feishu_ok(body)
            answer = (
                {"code": 0, "msg": "success", "data": {}}
                if ok
                else {"code": 19021, "msg": "sign match fail"}
            )
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[RobotServer]:
    robots = RobotServer()
    yield robots
    robots.shutdown()
    robots.server_close()


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "a.db") as opened:
        yield opened


def settings_for(
    server: RobotServer, ding_secret: str = DING_SECRET, feishu_secret: str = FEISHU_SECRET
) -> Settings:
    return Settings.model_validate(
        {
            "notifiers": [
                {
                    "name": "ding",
                    "type": "dingtalk",
                    "url": server.url(f"/robot/send?access_token={TOKEN}"),
                    "secret": ding_secret,
                },
                {
                    "name": "wx",
                    "type": "wecom",
                    "url": server.url(f"/cgi-bin/webhook/send?key={WECOM_KEY}"),
                },
                {
                    "name": "fs",
                    "type": "feishu",
                    "url": server.url("/open-apis/bot/v2/hook/abc-123"),
                    "secret": feishu_secret,
                },
            ],
            "recipients": [
                {"name": "spokesperson", "phone": "13800000000", "notifiers": ["ding", "wx", "fs"]}
            ],
        }
    )


def queue_all(archive: Archive, key: str = "alert:1:critical") -> None:
    for channel in ("ding", "wx", "fs"):
        archive.ledger.enqueue(
            OutboxMessage(
                dedup_key=f"{key}:spokesperson:{channel}",
                channel=channel,
                recipient="spokesperson",
                subject=SUBJECT,
                body=BODY,
                created_at=T0,
                next_attempt_at=T0,
            )
        )


def test_exact_payloads_and_signatures_are_accepted(archive: Archive, server: RobotServer) -> None:
    queue_all(archive)
    report = deliver_due(archive, settings_for(server), SimulatedClock(T0))
    assert (report.sent, report.gave_up, report.retrying) == (3, 0, 0)
    by_path = {r["path"]: r for r in server.requests}
    markdown = (
        "### 【舆情预警·严重】电梯坠落事故\n\n"
        "规则：major-accident\n\n事件：电梯坠落事故\n\n级别：严重"
    )

    ding = by_path["/robot/send"]
    assert set(ding["query"]) == {"access_token", "timestamp", "sign"}
    assert len(ding["query"]["timestamp"]) == 13  # milliseconds
    assert ding["body"] == {
        "msgtype": "markdown",
        "markdown": {"title": SUBJECT, "text": markdown + "\n\n@13800000000"},
        "at": {"atMobiles": ["13800000000"], "isAtAll": False},
    }
    assert ding["headers"]["Content-Type"] == "application/json; charset=utf-8"

    wecom = by_path["/cgi-bin/webhook/send"]
    assert wecom["query"] == {"key": WECOM_KEY}
    assert wecom["body"] == {"msgtype": "markdown", "markdown": {"content": markdown}}

    feishu = by_path["/open-apis/bot/v2/hook/abc-123"]
    assert feishu["query"] == {}
    assert set(feishu["body"]) == {"msg_type", "content", "timestamp", "sign"}
    assert feishu["body"]["msg_type"] == "text"
    assert feishu["body"]["content"] == {"text": f"{SUBJECT}\n{BODY}"}
    assert len(feishu["body"]["timestamp"]) == 10  # seconds

    channels = {"/robot/send": "ding", "/cgi-bin/webhook/send": "wx"}
    for request in server.requests:  # the idempotency key travels with every request
        channel = channels.get(request["path"], "fs")
        key = f"alert:1:critical:spokesperson:{channel}"
        assert request["headers"]["Idempotency-Key"] == key


def test_a_wrong_secret_is_refused_by_the_robot_and_not_retried(
    archive: Archive, server: RobotServer
) -> None:
    queue_all(archive)
    settings = settings_for(server, ding_secret="SECwrong", feishu_secret="wrong")
    report = deliver_due(archive, settings, SimulatedClock(T0))
    assert (report.sent, report.gave_up) == (1, 2)  # WeCom has no signature
    errors = sorted(m.last_error for m in archive.ledger.list_messages(status="failed"))
    assert "DingTalk answered code 310000" in errors[0]
    assert "Feishu answered code 19021" in errors[1]
    assert all("SECwrong" not in e and TOKEN not in e for e in errors)

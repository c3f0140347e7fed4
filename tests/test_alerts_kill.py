"""``kill -9`` of a real ``yuqing alert`` subprocess in the middle of delivering the outbox.

The receiver on 127.0.0.1 kills the sender itself at chosen moments — while a request is in
flight (received, not yet answered) and just after answering one (answered, perhaps not yet
recorded as sent) — and once more at a seeded random time. After each kill the test notes
which messages the archive had confirmed as sent; the sender is restarted until the outbox is
empty. Then:

- nothing is lost: every queued message reached the receiver with a 200 answer;
- nothing confirmed is sent again: no message confirmed before a kill arrives after it;
- the only repeats are the few in flight at a kill (at most one per kill).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.models import OutboxMessage

pytestmark = pytest.mark.slow

MESSAGES = 40


class KillingReceiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, int]] = []  # (key, status) in arrival order
        self.pid: int | None = None
        self.kill_in_flight_at: set[int] = set()  # request numbers (1-based, over all runs)
        self.kill_after_answer_at: set[int] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def kill(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


class _Handler(BaseHTTPRequestHandler):
    server: KillingReceiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        key = self.headers["Idempotency-Key"]
        with self.server.lock:
            number = len(self.server.received) + 1
            in_flight = number in self.server.kill_in_flight_at
            self.server.received.append((key, 0 if in_flight else 200))
        if in_flight:
            self.server.kill()  # the sender dies before it hears the answer
            return
        time.sleep(0.02)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
        self.wfile.flush()
        if number in self.server.kill_after_answer_at:
            self.server.kill()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[KillingReceiver]:
    server = KillingReceiver()
    yield server
    server.shutdown()
    server.server_close()


def sent_keys(db: Path) -> set[str]:
    with open_archive(db, readonly=True) as archive:
        return {m.dedup_key for m in archive.ledger.list_messages("sent", limit=10_000)}


def test_kill_9_during_delivery_loses_nothing_and_repeats_nothing_confirmed(
    tmp_path: Path, receiver: KillingReceiver
) -> None:
    config = tmp_path / "yuqing.yaml"
    config.write_text(
        json.dumps(
            {
                "archive": {"path": "a.db"},
                "notifiers": [
                    {
                        "name": "hook",
                        "type": "webhook",
                        "url": f"http://127.0.0.1:{receiver.server_address[1]}/",
                    }
                ],
                "recipients": [{"name": "duty", "notifiers": ["hook"]}],
                "outbox": {"group_max": 1},  # one request per message: many kill points
            }
        ),
        encoding="utf-8",
    )
    db = tmp_path / "a.db"
    now = datetime.now(UTC)
    with open_archive(db) as archive:
        for n in range(MESSAGES):
            archive.ledger.enqueue(
                OutboxMessage(
                    dedup_key=f"alert:{n}:warning:duty:hook",
                    channel="hook",
                    recipient="duty",
                    subject=f"【舆情预警】第{n}条",
                    body="事件：测试",
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    receiver.kill_in_flight_at = {5, 22}
    receiver.kill_after_answer_at = {14}
    rng = random.Random(20261202)
    random_kill_done = False
    confirmed_at_kill: list[tuple[int, set[str]]] = []
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for _ in range(12):
        process = subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "-c", str(config), "alert"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        receiver.pid = process.pid
        if not random_kill_done and len(receiver.received) > 25:
            random_kill_done = True
            # Wait for the first request of this run, then kill at a random moment.
            deadline = time.monotonic() + 60
            start = len(receiver.received)
            while len(receiver.received) == start and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.2))
            receiver.kill()
        output = process.communicate(timeout=120)[0].decode("utf-8", "replace")
        if process.returncode == -signal.SIGKILL:
            with receiver.lock:
                arrived = len(receiver.received)
            confirmed_at_kill.append((arrived, sent_keys(db)))
            continue
        assert process.returncode == 0, output
        if len(sent_keys(db)) == MESSAGES:
            break
    expected = {f"alert:{n}:warning:duty:hook" for n in range(MESSAGES)}
    assert sent_keys(db) == expected
    assert len(confirmed_at_kill) >= 3, "every planned kill should have hit a running sender"

    answered = [key for key, status in receiver.received if status == 200]
    assert set(answered) == expected  # nothing lost
    for arrived, confirmed in confirmed_at_kill:
        later = {key for key, _ in receiver.received[arrived:]}
        assert not later & confirmed, "a message confirmed as sent was sent again"
    repeats = len(receiver.received) - len(expected)
    assert repeats <= len(confirmed_at_kill)

"""The one alert process of a scale-out deployment (issue 20): ``yuqing run`` with ``redis:``
elects a leader through a Redis lease (yuqing/leader.py). Two real processes run; only the
leader evaluates and delivers; ``kill -9`` of the leader hands the work to the other, and no
alert is raised twice and no notification sent twice across the takeover."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from archive import open_archive
from archive.models import Event
from core.settings_redis import RedisSettings
from tests.support.alert_data import HOT
from tests.support.redis_server import RedisServer
from tests.support.runner_process import start_runner
from yuqing.leader import Leadership

TIMEOUT = 180.0  # two Python processes starting on a loaded machine
KEY = "lead:alert:leader"


def write_config(tmp_path: Path, server: RedisServer) -> Path:
    config = {
        "archive": {"backend": "sqlite", "path": str(tmp_path / "archive.db")},
        "redis": {"url": server.url, "prefix": "lead", "worker_timeout": 3},
        "rules": HOT,
        "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")}],
        "recipients": [{"name": "duty", "role": "duty", "notifiers": ["log"]}],
        "runner": {"tick": "1s"},
    }
    open_archive(tmp_path / "archive.db").close()
    path = tmp_path / "yuqing.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def hot_event(eid: str) -> Event:
    now = datetime.now(UTC)
    return Event(
        id=eid,
        title=f"江州某小区电梯困人事件{eid}",
        first_seen=now - timedelta(minutes=30),
        last_seen=now,
        mention_count=5,
        heat=5.0,
        topics=["特种设备"],
        region="江州市",
    )


def sent(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "sent.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def wait_for(what: str, condition: Callable[[], bool], logs: list[Path]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tails = "\n---\n".join(log.read_text(errors="replace")[-2000:] for log in logs)
    pytest.fail(f"{what} did not happen within {TIMEOUT:.0f} s:\n{tails}")


def alerted(tmp_path: Path, events: set[str]) -> bool:
    """Every event alerted and nothing left to send."""
    with open_archive(tmp_path / "archive.db", readonly=True) as archive:
        alerts = archive.ledger.list_alerts(limit=1000)
        pending = archive.stats()["pending_messages"]
    subjects = {a.subject.removeprefix("event:") for a in alerts}
    return events <= subjects and pending == 0 and len(sent(tmp_path)) > 0


def test_kill_dash_nine_of_the_leader_hands_over_without_sending_twice(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    config = write_config(tmp_path, redis_server)
    client = redis.Redis.from_url(redis_server.url)
    logs = [tmp_path / f"run{i}.log" for i in range(2)]
    runners = {}
    for log in logs:
        process = start_runner(config, log)
        runners[process.pid] = process
    try:

        def leader_pid() -> int | None:
            holder = client.get(KEY)
            return int(holder.decode().split(":")[1]) if holder else None

        wait_for("a leader elected", lambda: leader_pid() in runners, logs)
        first = leader_pid()
        assert first is not None
        with open_archive(tmp_path / "archive.db") as archive:
            for eid in ("e1", "e2"):
                archive.upsert_event(hot_event(eid))
        wait_for("the first events alerted", lambda: alerted(tmp_path, {"e1", "e2"}), logs)
        before = len(sent(tmp_path))

        runners[first].send_signal(signal.SIGKILL)
        runners[first].wait(30)
        with open_archive(tmp_path / "archive.db") as archive:
            for eid in ("e3", "e4"):
                archive.upsert_event(hot_event(eid))
        wait_for("the standby takes over", lambda: leader_pid() not in (None, first), logs)
        wait_for("the later events alerted", lambda: alerted(tmp_path, {"e3", "e4"}), logs)
        second = leader_pid()
    finally:
        for process in runners.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = {pid: process.wait(60) for pid, process in runners.items()}

    assert second in runners and second != first
    assert codes[second] == 0, logs
    messages = sent(tmp_path)
    assert len(messages) > before  # the new leader delivered what came after the kill
    keys = Counter(m["dedup_key"] for m in messages)
    assert [k for k, n in keys.items() if n > 1] == [], "a notification was sent twice"
    with open_archive(tmp_path / "archive.db", readonly=True) as archive:
        alerts = archive.ledger.list_alerts(limit=1000)
        outbox = archive.ledger.list_messages(limit=1000)
    pairs = Counter((a.rule, a.subject) for a in alerts)
    assert sorted(s for _, s in pairs) == ["event:e1", "event:e2", "event:e3", "event:e4"]
    assert all(n == 1 for n in pairs.values()), "an alert was raised twice"
    assert set(keys) == {m.dedup_key for m in outbox}  # every queued message was sent once
    standby_log = next(log for log, pid in zip(logs, runners, strict=True) if pid == second)
    assert "standby" in standby_log.read_text(errors="replace")


def test_the_lease_is_renewed_by_its_holder_and_taken_when_it_stops(
    redis_server: RedisServer,
) -> None:
    settings = RedisSettings(url=redis_server.url, prefix="unit")
    one, other = Leadership(settings, ttl=1.5), Leadership(settings, ttl=1.5)
    stop = threading.Event()
    assert one.acquire(stop)
    assert not other.try_take()
    time.sleep(2.5)  # longer than the lease: the holder's thread kept it
    assert one.held()
    assert not other.try_take()
    one.release()  # a clean stop hands it over at once
    assert other.try_take() and other.held()
    assert not one.try_take()
    other.release()


def test_a_holder_that_cannot_renew_stops_acting_before_its_key_expires(
    redis_server: RedisServer,
) -> None:
    """Redis gone: the holder counts itself leader only for 0.8 × the lease from its last
    renewal, so by the time another process can take the key it has stopped."""
    settings = RedisSettings(url=redis_server.url, prefix="unit")
    now = [100.0]
    holder = Leadership(settings, ttl=10, clock=lambda: now[0])
    assert holder.try_take() and holder.held()
    redis_server.stop()
    now[0] += 7.9
    assert holder.try_take()  # an outage: still leader within its trust
    assert holder.held()
    now[0] += 0.2
    assert not holder.held()

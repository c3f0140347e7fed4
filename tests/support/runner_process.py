"""``yuqing run`` as a child process for the crash, restart and schedule tests, and what the
archive must hold after any number of kills and restarts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from archive.base import Archive

__all__ = ["check_obligations_and_outbox", "start_runner"]


def start_runner(config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "-c", str(config), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def check_obligations_and_outbox(archive: Archive, config: dict[str, Any]) -> None:
    """No obligation opened twice, none an alert's rule opens lost, no message queued twice."""
    rules = {rule["name"]: rule for rule in config["rules"]}
    obligations = archive.ledger.list_obligations()
    keys = [(o.kind, o.subject) for o in obligations]
    assert len(keys) == len(set(keys)), "an obligation was opened twice"
    by_alert: dict[int | None, set[str]] = {}
    for ob in obligations:
        by_alert.setdefault(ob.alert_id, set()).add(ob.kind)
    for alert in archive.ledger.list_alerts(limit=10_000):
        opens = set(rules[alert.rule].get("opens", []))
        # A press conference inhibits the 48-hour response for the same event.
        missing = opens - by_alert.get(alert.id, set()) - {"response"}
        assert not missing, f"alert {alert.rule}/{alert.subject} lost obligations {missing}"
    messages = archive.ledger.list_messages(limit=100_000)
    dedup = [m.dedup_key for m in messages]
    assert len(dedup) == len(set(dedup))
    assert messages, "opened obligations should queue notifications"

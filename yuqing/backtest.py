"""Backtest: archived mentions through a rule set in simulated time, beside what really happened.

A press office tunes its rules here, not in production. The archive is only read: the
mentions of the window are copied, step by step in the order they were fetched, into a
scratch archive, where the runner (``yuqing.runner``) ticks its ``analyze`` and ``alert``
stages under a ``SimulatedClock`` — no crawling, no briefings, no configuration reload and
no delivery:

1. *warm-up*: mentions fetched in the ``warmup`` (default 7 days, what the new-term and spike
   rules look back over) before ``since`` are copied and analysed first, and the alert cursor
   is moved past them, so baselines exist but nothing from before the window is judged;
2. every ``step`` (default 10 minutes) of the window: the mentions fetched in that step are
   copied with their original ids and times and the runner ticks: the NLP stage analyses them
   (events, heat, severity as they were at that moment, not as they are today), events are
   re-scored on the runner's schedule, and ``alerts.stage.evaluate`` runs the rule set;
3. what each evaluation raised is recorded with the simulated time it was raised at: new alerts,
   level raises, obligations opened (with due time) and the messages that would have gone out.

Nothing is delivered. The report sets this beside what the archive's own audit log says the
current rules raised in the same window.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.stage import STAGE
from archive import open_archive
from archive.base import Archive
from archive.models import Mention
from core.clock import SimulatedClock, local
from core.settings import RuleSettings, Settings
from yuqing.runner import Runner, TickReport

# The runner's stages a backtest ticks: the rest crawl, reload, build briefings or deliver.
BACKTEST_STAGES = ("analyze", "alert")
SCAN = 2000
# How far fetch times may run out of write order (one crawl round writes in the order pages
# come back; a round is minutes): a day is far more than that.
WINDOW_SLACK = timedelta(days=1)


@dataclass
class Raised:
    """One alert or obligation and the (simulated) time it was raised."""

    at: datetime
    what: str  # "alert", "raise" or "obligation"
    rule: str  # rule name, or the obligation kind
    subject: str
    title: str
    level: str = ""
    due_at: datetime | None = None
    provisional: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": local(self.at).isoformat(),
            "what": self.what,
            "rule": self.rule,
            "subject": self.subject,
            "title": self.title,
            "level": self.level,
            "due_at": local(self.due_at).isoformat() if self.due_at else None,
            "provisional": self.provisional,
        }


@dataclass
class BacktestResult:
    since: datetime
    until: datetime
    step: timedelta
    mentions: int = 0
    steps: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)
    raised: list[Raised] = field(default_factory=list)  # by the tested rules
    actual: list[Raised] = field(default_factory=list)  # by the current rules, from the audit

    def alerts(self, actual: bool = False) -> list[Raised]:
        return [r for r in (self.actual if actual else self.raised) if r.what == "alert"]

    def obligations(self, actual: bool = False) -> list[Raised]:
        return [r for r in (self.actual if actual else self.raised) if r.what == "obligation"]


def _window(archive: Archive, start: datetime, end: datetime) -> list[Mention]:
    """Mentions fetched in [start, end), in fetch order.

    The change log is in write order, and mentions are written as they are fetched (a
    re-crawl writes the mention again with its new fetch time), so fetch times grow with the
    position up to the disorder of one crawl round. The read starts at the position found by
    bisection ``WINDOW_SLACK`` before ``start`` and stops at the first mention fetched
    ``WINDOW_SLACK`` after ``end``: a window of a day in a year-long archive of a million
    mentions reads a few thousand rows instead of all of them.
    """
    found = []
    position = _position_before(archive, start - WINDOW_SLACK)
    while True:
        rows = archive.mentions_since(position, SCAN)
        if not rows:
            break
        position = rows[-1][0]
        found += [m for _, m in rows if start <= m.fetched_at < end]
        if rows[-1][1].fetched_at >= end + WINDOW_SLACK:
            break
    found.sort(key=lambda m: (m.fetched_at, m.id))
    return found


def _position_before(archive: Archive, when: datetime) -> int:
    """A change position after which every mention was fetched at ``when`` or later."""
    low, high = 0, archive.latest_position()
    # Invariant: the mention at ``low`` (if any) was fetched before ``when``; every mention
    # at a position above ``high`` was fetched at ``when`` or later.
    while low < high:
        middle = (low + high + 1) // 2
        rows = archive.mentions_since(middle - 1, 1)
        if rows and rows[0][1].fetched_at < when:
            low = rows[0][0]
        else:
            high = middle - 1
    return low


def run_backtest(
    source: Archive,
    settings: Settings,
    rules: list[RuleSettings],
    since: datetime,
    until: datetime,
    step: timedelta = timedelta(minutes=10),
    warmup: timedelta = timedelta(days=7),
    workdir: Path | None = None,
) -> BacktestResult:
    if until <= since:
        raise ValueError("--until must be after --since")
    if step <= timedelta(0):
        raise ValueError("the step must be positive")
    result = BacktestResult(since, until, step)
    tested = settings.model_copy(update={"rules": rules, "rules_file": None, "silences": []})
    early = _window(source, since - warmup, since)
    window = _window(source, since, until)
    result.mentions = len(window)
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        _simulate(Path(scratch) / "backtest.db", tested, early, window, result)
    result.actual = actual_record(source, since, until)
    return result


def _simulate(
    path: Path,
    tested: Settings,
    early: list[Mention],
    window: list[Mention],
    result: BacktestResult,
) -> None:
    since, until, step = result.since, result.until, result.step
    with open_archive(path) as sandbox:
        clock = SimulatedClock(since)
        runner = Runner(tested, sandbox, clock, stages=("analyze",))
        # Warm-up: analysed and events scored as of ``since`` (the runner's first tick
        # re-scores them), then the alert stage starts after them.
        if early:
            sandbox.upsert_mentions(early)
        _note_failures(runner.tick(), result)
        sandbox.ledger.set_cursor(STAGE, sandbox.latest_position())
        runner.stages = frozenset(BACKTEST_STAGES)
        seen_alerts: dict[tuple[str, str], str] = {}
        seen_obligations: set[tuple[str, str]] = set()
        index, now = 0, since
        while now < until:
            now = min(now + step, until)
            clock.set(now)
            batch = []
            while index < len(window) and window[index].fetched_at < now:
                batch.append(window[index])
                index += 1
            if batch:
                sandbox.upsert_mentions(batch)
            report = runner.tick()
            result.errors += report.alert_errors
            _note_failures(report, result)
            result.steps += 1
            _record(sandbox, now, seen_alerts, seen_obligations, result)
        result.messages = int(sandbox.stats().get("outbox", 0))


def _note_failures(report: TickReport, result: BacktestResult) -> None:
    """A stage that failed in the runner (it logs and goes on) is reported with the result."""
    result.errors += report.crawl_errors


def _record(
    sandbox: Archive,
    now: datetime,
    seen_alerts: dict[tuple[str, str], str],
    seen_obligations: set[tuple[str, str]],
    result: BacktestResult,
) -> None:
    for alert in sandbox.ledger.list_alerts(limit=1_000_000):
        key = (alert.rule, alert.subject)
        before = seen_alerts.get(key)
        if before is None or before != alert.level:
            what = "alert" if before is None else "raise"
            result.raised.append(
                Raised(now, what, alert.rule, alert.subject, alert.title, alert.level)
            )
            seen_alerts[key] = alert.level
    for ob in sandbox.ledger.list_obligations(limit=1_000_000):
        if (ob.kind, ob.subject) not in seen_obligations:
            seen_obligations.add((ob.kind, ob.subject))
            result.raised.append(
                Raised(
                    now,
                    "obligation",
                    ob.kind,
                    ob.subject,
                    ob.title,
                    due_at=ob.due_at,
                    provisional=ob.provisional,
                )
            )


def actual_record(archive: Archive, since: datetime, until: datetime) -> list[Raised]:
    """What the current rules raised in the window, from the audit log of the real archive."""
    alerts = {a.id: a for a in archive.ledger.list_alerts(limit=1_000_000)}
    obligations = {o.id: o for o in archive.ledger.list_obligations(limit=1_000_000)}
    out = []
    for entry in archive.ledger.list_audit(limit=1_000_000):
        if not since <= entry.at < until:
            continue
        details = entry.details
        if entry.action == "alert.fired":
            alert = alerts.get(int(entry.object_id)) if entry.object_id.isdigit() else None
            out.append(
                Raised(
                    entry.at,
                    "alert",
                    str(details.get("rule", "")),
                    str(details.get("subject", "")),
                    alert.title if alert else "",
                    str(details.get("level", "")),
                )
            )
        elif entry.action in ("obligation.opened", "obligation.added"):
            ob = obligations.get(int(entry.object_id)) if entry.object_id.isdigit() else None
            out.append(
                Raised(
                    entry.at,
                    "obligation",
                    str(details.get("kind", "")),
                    str(details.get("subject", "")),
                    ob.title if ob else "",
                    due_at=ob.due_at if ob else None,
                    provisional=bool(ob.provisional) if ob else False,
                )
            )
    out.sort(key=lambda r: r.at)
    return out

"""The runner: crawl each source on its schedule, analyse new mentions, evaluate rules, deliver.

One pass is a ``tick``. Every stage reads from and writes to the archive and keeps its own
durable cursor, so the runner can be killed at any moment (even ``kill -9``) and a restart
picks up where each stage stopped. ``run`` loops until a stop is requested (SIGINT/SIGTERM)
and finishes the current stage before returning.

This is the one place the pipeline is driven. ``yuqing run`` ticks it on the real clock;
``yuqing replay`` and the demo tick it on a ``SimulatedClock``; the backtest
(``yuqing.backtest``) ticks only its ``analyze`` and ``alert`` stages on a simulated clock,
without delivery, in a scratch archive.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType
from typing import TextIO

from archive.base import Archive
from core.clock import Clock, local
from core.settings import Settings, SourceSettings
from yuqing.reload import ConfigWatcher, audit_reload

log = logging.getLogger(__name__)

EVENT_REFRESH = timedelta(minutes=15)  # of the runner's clock; heat half-lives are hours
STATUS_EVERY = 5.0  # seconds between status lines when the output is not a terminal
# The stages of a tick, in order. "deliver" sends what is due right after "alert" evaluates the
# rules, in the same step: a failed evaluation holds delivery to the next pass.
STAGES = ("config", "crawl", "analyze", "reports", "alert", "deliver")


@dataclass
class TickReport:
    at: datetime
    crawled: list[str] = field(default_factory=list)
    new_mentions: int = 0
    # Crawl errors, and any stage that failed ("<stage> stage failed: ...").
    crawl_errors: list[str] = field(default_factory=list)
    analyzed: int = 0
    alerts_new: int = 0
    obligations_opened: int = 0
    messages_sent: int = 0
    # What the rule evaluation reported (a rule that failed, a rejected rule file).
    alert_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Sections of yuqing.yaml reloaded at the start of this tick.
    reloaded: list[str] = field(default_factory=list)


@dataclass
class RunTotals:
    ticks: int = 0
    new_mentions: int = 0
    analyzed: int = 0
    alerts_new: int = 0
    obligations_opened: int = 0
    messages_sent: int = 0

    def add(self, report: TickReport) -> None:
        self.ticks += 1
        self.new_mentions += report.new_mentions
        self.analyzed += report.analyzed
        self.alerts_new += report.alerts_new
        self.obligations_opened += report.obligations_opened
        self.messages_sent += report.messages_sent


class Runner:
    def __init__(
        self,
        settings: Settings,
        archive: Archive,
        clock: Clock,
        stages: Collection[str] = STAGES,
        lease: Callable[[], bool] | None = None,
    ) -> None:
        unknown = sorted(set(stages) - set(STAGES))
        if unknown:
            raise ValueError(f"unknown runner stages {unknown}; expected some of {STAGES}")
        self.settings = settings
        self.archive = archive
        self.clock = clock
        self.stages = frozenset(stages)
        # Scale-out (yuqing.leader): rules are evaluated and messages delivered only while
        # this process holds the alert lease; the loop ends when it is lost.
        self.lease = lease
        self.stop_event = threading.Event()
        self.totals = RunTotals()
        self._engine: object | None = None
        self._last_refresh: datetime | None = None
        self.watcher = ConfigWatcher(settings)

    # ---- configuration -------------------------------------------------------------------
    def reload_config(self, report: TickReport) -> None:
        """Apply edits of yuqing.yaml made since the last tick (``yuqing.reload``)."""
        outcome = self.watcher.check()
        for problem in outcome.problems:
            log.error("%s", problem)
            report.crawl_errors.append(problem)
        if outcome.settings is None:
            return
        self.settings = outcome.settings
        if "sources" in outcome.changed:
            self.close()  # the crawl engine holds the sources it was built with
        audit_reload(self.archive, outcome, self.clock.now(), self.watcher.path)
        report.reloaded = outcome.changed
        log.warning("configuration reloaded: %s", ", ".join(outcome.changed))

    # ---- stages ------------------------------------------------------------------------
    def due_sources(self, now: datetime) -> list[SourceSettings]:
        """Enabled sources whose interval has passed since their last run (by this clock)."""
        due = []
        for source in self.settings.sources:
            if not source.enabled:
                continue
            state = self.archive.ledger.get_source_state(source.name)
            if state.last_run_at is None or now - state.last_run_at >= source.interval:
                due.append(source)
        return due

    def crawl(self, sources: list[SourceSettings], report: TickReport) -> None:
        if not sources:
            return
        from crawlers.engine import CrawlEngine

        if self._engine is None:
            self._engine = CrawlEngine(self.settings, self.archive, self.clock)
        assert isinstance(self._engine, CrawlEngine)
        for crawl in self._engine.crawl(sources):
            report.crawled.append(crawl.source)
            report.new_mentions += crawl.new
            report.crawl_errors.extend(f"{crawl.source}: {e}" for e in crawl.errors)

    def analyze(self, report: TickReport) -> None:
        from nlp.stage import analyze_new, refresh_events

        result = analyze_new(self.archive, self.settings, self.clock)
        report.analyzed += result.processed
        # Events are only updated when a mention touches them; quiet stories must still
        # cool down on the dashboard and in the rules, so re-score them now and then.
        now = self.clock.now()
        if self._last_refresh is None or now - self._last_refresh >= EVENT_REFRESH:
            refresh_events(self.archive, self.settings, self.clock)
            self._last_refresh = now

    def leading(self) -> bool:
        return self.lease is None or self.lease()

    def alert(self, report: TickReport) -> None:
        from alerts.notify import deliver_due
        from alerts.stage import evaluate

        if not self.leading():
            report.alert_errors.append("not the leader: rules not evaluated")
            return
        result = evaluate(self.archive, self.settings, self.clock)
        report.alerts_new += result.alerts_new
        report.obligations_opened += result.obligations_opened
        report.alert_errors += result.errors
        if "deliver" not in self.stages or not self.leading():
            return
        delivery = deliver_due(self.archive, self.settings, self.clock)
        report.messages_sent += delivery.sent

    def briefings(self) -> None:
        """Scheduled briefings (reports.schedule): built once per period, then queued."""
        if self.settings.reports:
            from reports.schedule import run_schedules

            run_schedules(self.archive, self.settings, self.clock)

    def tick(self) -> TickReport:
        started = time.monotonic()
        now = self.clock.now()
        report = TickReport(at=now)
        self.archive.ledger.record_pipeline_time(now)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("config", lambda: self.reload_config(report)),
            ("crawl", lambda: self.crawl(self.due_sources(now), report)),
            ("analyze", lambda: self.analyze(report)),
            ("reports", self.briefings),
            ("alert", lambda: self.alert(report)),
        ]
        for name, step in steps:
            if name not in self.stages:
                continue
            if self.stop_event.is_set():
                break
            try:
                step()
            except Exception as exc:  # one failing stage must not stop the others
                log.exception("%s stage failed", name)
                report.crawl_errors.append(f"{name} stage failed: {exc}")
        report.seconds = time.monotonic() - started
        self.totals.add(report)
        return report

    # ---- loop --------------------------------------------------------------------------
    def run(
        self,
        until: datetime | None = None,
        status: TextIO | None = sys.stderr,
        on_tick: Callable[[TickReport], None] | None = None,
    ) -> RunTotals:
        """Tick until stopped (or until the clock passes ``until``), printing a status line."""
        interval = self.settings.runner.tick.total_seconds()
        last_status = 0.0
        try:
            while not self.stop_event.is_set() and self.leading():
                report = self.tick()
                if on_tick is not None:
                    on_tick(report)
                finished = until is not None and self.clock.now() >= until
                # A terminal gets a live line every pass; a log gets one line per
                # STATUS_EVERY real seconds (and the last), not one per pass.
                if status is not None and (
                    status.isatty() or finished or time.monotonic() - last_status >= STATUS_EVERY
                ):
                    self._print_status(report, status)
                    last_status = time.monotonic()
                if finished:
                    break
                self.clock.sleep(interval, self.stop_event)
        finally:
            if status is not None and status.isatty():
                status.write("\n")
            self.close()
        return self.totals

    def _print_status(self, report: TickReport, out: TextIO) -> None:
        stats = self.archive.stats()
        line = (
            f"{local(report.at):%Y-%m-%d %H:%M} 提及 {stats['mentions']} (+{report.new_mentions})"
            # Mentions with an analysis, out of all: a count of analysis runs would also count
            # a post analysed again when its reposts grow, and read larger than the mentions.
            f" 已分析 {stats['analyses']}/{stats['mentions']} 事件 {stats['events']}"
            f" 预警 {stats['alerts']}"
            f" 待办 {stats['open_obligations']} 待发 {stats['pending_messages']}"
        )
        if report.reloaded:
            line += " 配置已重新加载"
        if report.crawl_errors:
            line += f" 错误 {len(report.crawl_errors)}"
        if out.isatty():
            out.write("\r" + line.ljust(100))
        else:
            out.write(line + "\n")
        out.flush()
        for error in report.crawl_errors:
            log.warning("%s", error)

    def request_stop(self, _signum: int | None = None, _frame: FrameType | None = None) -> None:
        self.stop_event.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)

    def close(self) -> None:
        engine = self._engine
        self._engine = None
        if engine is not None:
            close = getattr(engine, "close", None)
            if callable(close):
                close()

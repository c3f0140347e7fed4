"""The analyse stage: mentions after the ``analyze`` cursor → analyses and events → cursor.

Each batch's touched events get their propagation figures (``nlp.propagation_stage``) before
they are written. Order of writes per batch: analyses, then events, then the cursor. A crash
anywhere before the cursor moves only makes the next run redo the batch, whose results land
under the same keys (analysis per mention id, event per event id), and a mention keeps the
event it was given, so the redo changes nothing. The same mentions in the same order give the same
analyses and events on every run: nothing here is random, and time comes from ``clock``
and from the mentions' own timestamps, never from the wall clock (``seconds`` in the
report is the only measured duration, and it is not stored).
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from archive.base import Archive
from archive.models import Event, Mention
from core.clock import Clock
from core.settings import Settings
from nlp import propagation_stage
from nlp.analyzer import Analyzer

log = logging.getLogger(__name__)

CURSOR = "analyze"

# One analyzer per open archive object, so the runner's ticks reuse its in-memory state.
# Weak keys: closing and dropping an archive drops its analyzer.
_ANALYZERS: weakref.WeakKeyDictionary[Archive, Analyzer] = weakref.WeakKeyDictionary()


@dataclass
class AnalyzeReport:
    processed: int = 0
    relevant: int = 0
    events_created: int = 0
    events_updated: int = 0
    seconds: float = 0.0


def analyzer_for(archive: Archive, settings: Settings) -> Analyzer:
    """The archive's analyzer, rebuilt when the NLP settings changed."""
    analyzer = _ANALYZERS.get(archive)
    if analyzer is None or analyzer.settings != settings.nlp:
        if settings.nlp.domain_dictionary is not None:
            from core.text.segment import ensure_loaded

            ensure_loaded(settings.nlp.domain_dictionary)
        analyzer = Analyzer(archive, settings.nlp)
        _ANALYZERS[archive] = analyzer
    return analyzer


def forget(archive: Archive) -> None:
    """Drop the archive's in-memory state; the next run rebuilds it from the archive."""
    _ANALYZERS.pop(archive, None)
    propagation_stage.forget(archive)


def analyze_new(
    archive: Archive,
    settings: Settings,
    clock: Clock,
    limit: int | None = None,
    before_batch: Callable[[Analyzer, list[tuple[int, Mention]]], None] | None = None,
) -> AnalyzeReport:
    """Analyse the mentions that arrived or changed since the last run (at most ``limit``).

    ``before_batch`` sees each batch's rows (position, mention) before they are analysed (an
    analysis worker puts the texts its helpers prepared into the analyzer's cache then,
    without reading the batch a second time)."""
    started = time.perf_counter()
    report = AnalyzeReport()
    analyzer = analyzer_for(archive, settings)
    cascades = propagation_stage.tracker_for(archive)
    batch_size = settings.nlp.batch_size
    while limit is None or report.processed < limit:
        size = batch_size if limit is None else min(batch_size, limit - report.processed)
        position = archive.ledger.get_cursor(CURSOR)
        rows = archive.mentions_since(position, size)
        if not rows:
            break
        if before_batch is not None:
            before_batch(analyzer, rows)
        mentions = [mention for _, mention in rows]
        try:
            now = clock.now()
            outcome = analyzer.process(mentions, now)
            cascades.update(mentions, outcome.analyses, outcome.events, now)
            archive.upsert_analyses(outcome.analyses)
            for event in outcome.events:
                archive.upsert_event(event)
            archive.ledger.set_cursor(CURSOR, rows[-1][0])
        except BaseException:
            # The in-memory state may now be ahead of the archive: rebuild it next time.
            forget(archive)
            raise
        analyzer.committed(outcome)
        cascades.retain(analyzer.store)
        report.processed += len(mentions)
        report.relevant += outcome.relevant
        report.events_created += outcome.created
        report.events_updated += outcome.updated
        log.debug(
            "analysed %d mentions up to position %d: %d relevant, %d events",
            len(mentions),
            rows[-1][0],
            outcome.relevant,
            len(outcome.events),
        )
    report.seconds = time.perf_counter() - started
    return report


def refresh_events(archive: Archive, settings: Settings, clock: Clock) -> list[Event]:
    """Recompute heat, burst and status of the active events as of ``clock.now()``.

    ``analyze_new`` updates an event only when a mention touches it, so a story that went
    quiet keeps the heat it had then. Call this periodically (every few minutes) so the
    dashboard's hot list and the alert rules see events cool down. Returns what was stored.
    """
    analyzer = analyzer_for(archive, settings)
    events = analyzer.refresh(clock.now())
    propagation_stage.tracker_for(archive).carry(events)
    for event in events:
        archive.upsert_event(event)
    return events

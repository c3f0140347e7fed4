"""Copy an archive into another (SQLite into Elasticsearch) and verify the copy.

The copy walks the source in change-position order and stores its checkpoint (the last
position copied) as a stage cursor in the target, so an interrupted copy resumes where it
stopped; every write is an idempotent upsert, so the batch in flight at the interruption is
simply written again. Mentions carry their analyses; events follow at the end.

The response ledger (alerts, obligations, outbox, audit) is not copied record by record: its
integer ids are referenced across tables. The Elasticsearch backend keeps the ledger in the
SQLite file ``archive.path``; point that at the source file and the ledger moves as it is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archive.base import Archive
from archive.search import FACET_FIELDS, SearchRequest

BATCH = 1000
EVENT_LIMIT = 1_000_000


def checkpoint_name(source_path: Path) -> str:
    return f"copy:{source_path.resolve()}"


@dataclass
class CopyReport:
    mentions: int = 0
    analyses: int = 0
    events: int = 0
    resumed_from: int = 0


def copy_archive(
    source: Archive,
    target: Archive,
    checkpoint: str,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
    stop_after: int | None = None,
) -> CopyReport:
    """Copy ``source`` into ``target``, resuming from the checkpoint stored in ``target``.

    ``progress(done, total)`` is called after each batch; ``stop_after`` stops after that
    many mentions (to test resuming).
    """
    report = CopyReport(resumed_from=target.ledger.get_cursor(checkpoint))
    position = report.resumed_from
    total = source.count_mentions()
    done = target.count_mentions() if position else 0  # an estimate when resuming
    while rows := source.mentions_since(position, batch):
        mentions = [m for _, m in rows]
        target.upsert_mentions(mentions)
        analyses = source.get_analyses([m.id for m in mentions])
        if analyses:
            report.analyses += target.upsert_analyses(analyses.values())
        position = rows[-1][0]
        target.ledger.set_cursor(checkpoint, position)
        report.mentions += len(rows)
        done += len(rows)
        if progress is not None:
            progress(min(done, total), total)
        if stop_after is not None and report.mentions >= stop_after:
            return report
    for event in source.list_events(limit=EVENT_LIMIT):
        target.upsert_event(event)
        report.events += 1
    return report


@dataclass
class VerifyReport:
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    sampled: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_copy(
    source: Archive, target: Archive, samples: int = 200, seed: int = 0
) -> VerifyReport:
    """Compare counts, facets and a random sample of mentions and analyses."""
    report = VerifyReport()
    source_stats, target_stats = source.stats(), target.stats()
    for name in ("mentions", "analyses", "events"):
        pair = (int(source_stats.get(name, 0)), int(target_stats.get(name, 0)))
        report.counts[name] = pair
        if pair[0] != pair[1]:
            report.problems.append(f"{name}: {pair[0]} in the source, {pair[1]} in the copy")
    fields = list(FACET_FIELDS)
    facets = (source.facets(SearchRequest(), fields), target.facets(SearchRequest(), fields))
    for name in fields:
        left = {f.value: f.count for f in facets[0][name]}
        right = {f.value: f.count for f in facets[1][name]}
        if left != right:
            report.problems.append(f"facet {name} differs: {left} against {right}")
    ids = _sample_ids(source, samples, random.Random(seed))
    report.sampled = len(ids)
    copied = {m.id: m for m in target.get_mentions(ids)}
    original = {m.id: m for m in source.get_mentions(ids)}
    source_analyses, target_analyses = source.get_analyses(ids), target.get_analyses(ids)
    for mention_id in ids:
        if copied.get(mention_id) != original.get(mention_id):
            report.problems.append(f"mention {mention_id} differs or is missing in the copy")
        elif source_analyses.get(mention_id) != target_analyses.get(mention_id):
            report.problems.append(f"the analysis of mention {mention_id} differs")
    return report


def _sample_ids(source: Archive, samples: int, rng: random.Random) -> list[str]:
    latest = source.latest_position()
    ids: list[str] = []
    for _ in range(samples * 2):
        if len(ids) >= samples or latest == 0:
            break
        found = source.mentions_since(rng.randrange(latest), 1)
        if found and found[0][1].id not in ids:
            ids.append(found[0][1].id)
    return ids

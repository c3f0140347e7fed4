"""Time to build each briefing on a large archive, and the share of factual sentences with a
valid citation (must be 100 %).

    python benchmarks/report_bench.py [--mentions 1000000] [--db PATH]

The archive is benchmarks/archive_generate.py's (deterministic, resumable with --db: a
second run reuses it). Its mentions carry analyses naming 400 story events; the events and
one obligation per story (opened at its start, due 24 hours later) are written here so the
briefings have events and 处置情况 to report. Each report is built
``--repeats`` times on the same open archive (the first build also loads the in-memory
facet columns, reported apart as the warm-up). Aims: 日报 under 10 s, 周报 under 30 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from archive import open_archive
from archive.base import Archive
from archive.models import Event, Obligation
from archive.search import SearchRequest
from benchmarks.archive_corpus import END, MentionGenerator
from benchmarks.archive_generate import Progress, generate, sidecar_path
from reports.build import build_report
from reports.citations import check
from reports.docx_render import render_docx
from reports.markdown import render_markdown

GENERATOR_VERSION = 1
SEED = 20261116
BATCH = 2_000


def fill_events(store: Archive, seed: int) -> None:
    """Events of the generator's stories and one obligation each (idempotent upserts)."""
    generator = MentionGenerator(seed, None)
    rng = random.Random(f"{seed}:report-bench")
    for index, story in enumerate(generator.stories):
        first = story.peak - timedelta(hours=story.spread_hours)
        last = story.peak + timedelta(hours=story.spread_hours)
        store.upsert_event(
            Event(
                id=story.event_id,
                title=f"{story.region}{story.product}质量问题",
                first_seen=first,
                last_seen=last,
                mention_count=100,
                heat=round(1000 / (index + 1), 2),
                status=rng.choice(["emerging", "growing", "peak", "declining"]),
                topics=[story.topic],
                region=story.region,
            )
        )
        due = first + timedelta(hours=24)
        store.ledger.open_obligation(
            Obligation(
                kind="clarification" if index % 3 == 0 else "response",
                subject=story.event_id,
                title=f"回应：{story.region}{story.product}质量问题",
                opened_at=first,
                due_at=due,
                event_id=story.event_id,
            )
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="keep/reuse the archive here")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    db = args.db or Path(tempfile.mkdtemp(prefix="yuqing-report-bench-")) / "archive.db"
    progress = Progress.load(sidecar_path(db)) or Progress(
        GENERATOR_VERSION, SEED, BATCH, "builtin"
    )
    started = time.perf_counter()
    generate(db, args.mentions, MentionGenerator(SEED, None), progress, False, sys.stderr)
    took = time.perf_counter() - started
    print(f"[generate] {progress.mentions_done:,} mentions in {took:.0f} s", file=sys.stderr)
    figures: dict[str, float | int] = {"mentions": progress.mentions_done}
    with open_archive(db) as store:
        fill_events(store, SEED)
        t0 = time.perf_counter()
        store.histogram(SearchRequest(query=""))
        figures["warmup_columns_s"] = round(time.perf_counter() - t0, 2)
        day = (END - timedelta(days=1)).date()
        now = END + timedelta(hours=9)
        sentences = valid = 0
        top = store.list_events(active_since=END - timedelta(days=7), limit=1)
        cases: list[tuple[str, date | None, str | None]] = [
            ("daily", day, None), ("weekly", day, None),
            ("event", None, top[0].id if top else None),
        ]  # fmt: skip
        for kind, when, event_id in cases:
            if kind == "event" and event_id is None:
                continue
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                pack = build_report(store, kind, now, day=when, event_id=event_id)
                times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            render_markdown(pack)
            render_docx(pack, db.parent / f"bench-{kind}.docx")
            figures[f"{kind}_render_docx_s"] = round(time.perf_counter() - t0, 2)
            result = check(store, pack)
            sentences += result.factual
            valid += result.valid
            figures[f"{kind}_build_s"] = round(min(times), 2)
            figures[f"{kind}_volume"] = pack["figures"]["volume"]["value"]
            figures[f"{kind}_factual_sentences"] = result.factual
            print(f"{kind:7} build {min(times):6.2f} s (best of {args.repeats}), docx "
                  f"{figures[f'{kind}_render_docx_s']:5.2f} s, volume "
                  f"{figures[f'{kind}_volume']:,}, factual sentences {result.factual}, "
                  f"cited validly {result.valid}")  # fmt: skip
        figures["cited_share_pct"] = round(100 * valid / sentences, 2) if sentences else 100.0
    print(f"factual sentences with a valid citation: {figures['cited_share_pct']} %")
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if valid == sentences else 1


if __name__ == "__main__":
    sys.exit(main())

"""Where an analysis worker's CPU goes (issue 20): the analyse stage over the scale benchmark's
replay in one process, alone and with every text's per-text parts prepared beforehand.

    PYTHONPATH=. nice -n 19 .venv/bin/python benchmarks/analysis_split_bench.py \
        [--copies 3] [--batch 200] [--mode lone|prepared|both] [--profile N]

- ``lone``: the whole stage (``nlp.stage.analyze_new``) as one worker runs it, CPU seconds
  (``time.process_time``) after the models are loaded (as ``AnalyzeWorker.warm_up`` does);
- ``prepared``: the same stage after every text's ``TextParts`` (each part a helper can
  prepare, ``yuqing.analyze_worker.PREPARED``) were computed into the analyzer's text cache
  (not counted): the ordered part, i.e. the leaseholder's CPU with a perfect helper. Lone
  over prepared is Amdahl's ceiling for one leaseholder and any number of helpers;
- each mode runs in a process of its own (caches of one would flatter the other) and
  prints a digest of every analysis and event it wrote: the same digest before and after a
  change means the results did not move (``--copies 3 --batch 200`` and ``--batch 50``);
- ``--profile N``: cProfile of the stage, its N largest functions by cumulative and by own
  time (``--dump FILE`` with one ``--mode``: the raw profile for ``pstats``).

The replay is ``tests/support/demo_mentions.py``'s with ``distinct`` texts, as
``benchmarks/scale_bench.py --distinct`` analyses it. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import open_archive
from core.clock import SimulatedClock
from core.settings import ArchiveSettings, NlpSettings, Settings
from nlp.stage import analyze_new, analyzer_for
from tests.support.demo_mentions import demo_mentions
from yuqing.analyze_worker import PREPARED

REPO = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 12, 31, tzinfo=UTC)  # as benchmarks/scale_bench.py's workers


def digest(archive: Any, ids: list[str]) -> str:
    """One hash of every analysis and event the stage wrote (their reprs, sorted by id)."""
    analyses = archive.get_analyses(ids)
    events = archive.list_events(limit=100_000)
    text = repr(sorted((k, repr(v)) for k, v in analyses.items()))
    text += repr(sorted((e.id, repr(e)) for e in events))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run(
    mode: str, copies: int, batch: int, profile: int, dump: str | None = None
) -> dict[str, Any]:
    mentions = demo_mentions(copies, distinct=True)
    folder = Path(tempfile.mkdtemp(prefix="analysis-split-"))
    settings = Settings(
        archive=ArchiveSettings(path=folder / "archive.db"), nlp=NlpSettings(batch_size=batch)
    )
    with open_archive(settings.archive) as archive:
        archive.upsert_mentions(mentions)
        analyzer = analyzer_for(archive, settings)
        started = time.process_time()
        # The models and the segmenter loaded on a text outside the replay (not counted).
        warm = replace(mentions[0], text="预热一下模型和分词", title="")
        for name in PREPARED:
            getattr(analyzer._text(warm), name)
        analyzer.rumors.warm_up(warm)
        analyzer._texts.clear()
        loading = time.process_time() - started
        preparing = 0.0
        if mode == "prepared":
            started = time.process_time()
            for mention in mentions:
                parts = analyzer._text(mention)
                for name in PREPARED:
                    getattr(parts, name)
            preparing = time.process_time() - started
        profiler = cProfile.Profile() if profile else None
        started = time.process_time()
        if profiler is not None:
            profiler.enable()
        analyze_new(archive, settings, SimulatedClock(AS_OF))
        if profiler is not None:
            profiler.disable()
        stage = time.process_time() - started
        result = {
            "mode": mode,
            "mentions": len(mentions),
            "batch": batch,
            "cpu_loading_s": round(loading, 2),
            "cpu_preparing_s": round(preparing, 2),
            "cpu_stage_s": round(stage, 2),
            "digest": digest(archive, [m.id for m in mentions]),
        }
    if profiler is not None and dump is not None:
        profiler.dump_stats(dump)
    if profiler is not None:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(profile)
            print(out.getvalue(), file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--mode", choices=("lone", "prepared", "both"), default="both")
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--dump", help="with --mode and --profile: the raw profile to this file")
    args = parser.parse_args()
    if args.mode != "both":
        print(json.dumps(run(args.mode, args.copies, args.batch, args.profile, args.dump)))
        return
    results = []
    for mode in ("lone", "prepared"):
        command = [sys.executable, __file__, "--mode", mode, "--copies", str(args.copies)]
        command += ["--batch", str(args.batch), "--profile", str(args.profile)]
        out = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
        if args.profile:
            print(out.stderr, file=sys.stderr)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    lone, prepared = results
    print(f"lone: {lone['cpu_stage_s']} s, ordered (prepared): {prepared['cpu_stage_s']} s")
    print(f"ceiling: {lone['cpu_stage_s'] / prepared['cpu_stage_s']:.2f}x")
    print(f"digests: {lone['digest']} {prepared['digest']}")
    print(json.dumps({"lone": lone, "prepared": prepared}))


if __name__ == "__main__":
    main()

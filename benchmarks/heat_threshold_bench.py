"""Which ``min_heat`` makes a ``threshold`` rule fire for the stories that grow big, and how soon.

    .venv/bin/python benchmarks/heat_threshold_bench.py [--hot-share 0.25] [--within 6]

Replays every CED development post with its responses (../shared/datasets/ced) as one event,
as ``benchmarks/nlp_events_bench.py`` does, and computes its heat (``nlp.heat.heat_at``, each
mention weighted as the stage weights it) every 15 minutes over its first ``--within`` hours.
An event is *hot* when its final number of responses is in the top ``--hot-share`` of the
posts. For each candidate threshold (the quantiles of the events' peak heat) a rule "fire
when heat ≥ threshold" is scored: precision and recall of firing within ``--within`` hours
against hot, F1, and the median hours from the post to the firing for the hot events it
catches. Prints the table and the threshold with the best F1; the last line is one JSON
object with the figures.

Caveat: CED holds Weibo posts reported as possible rumours, most of them widely shared, and
only Weibo (so the spread factor is 1). An agency's events mix news, posts and official
notices; the figure sets the order of magnitude of ``min_heat``, a site tunes it further.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.heat import ced_activities, heat_at
from nlp.rumor.ced import from_record, read_jsonl
from nlp.training.evaluation import CED, DatasetMissing, dataset_path

STEP = timedelta(minutes=15)


def replay(within: timedelta) -> list[tuple[list[float], int]]:
    """Per post: its heat at each step of ``within``, and its final number of responses."""
    events: list[tuple[list[float], int]] = []
    for _, record, _ in read_jsonl(dataset_path(CED)):
        if record is None:
            continue
        item = from_record(record)
        if item.posted_at is None:
            continue
        activities = ced_activities(item, item.responses)
        steps = int(within / STEP)
        heats = [heat_at(activities, item.posted_at + STEP * (k + 1)) for k in range(steps)]
        events.append((heats, len(item.responses)))
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hot-share", type=float, default=0.25)
    parser.add_argument("--within", type=float, default=6.0, help="hours")
    args = parser.parse_args()
    try:
        events = replay(timedelta(hours=args.within))
    except DatasetMissing as exc:
        sys.exit(str(exc))
    finals = sorted(final for _, final in events)
    cut = finals[int(len(finals) * (1 - args.hot_share))]
    hot = [final >= cut for _, final in events]
    peaks = sorted(max(heats) for heats, _ in events)
    print(
        f"{len(events)} CED posts; hot = final responses ≥ {cut} ({sum(hot)} posts); "
        f"heat every 15 min for {args.within:g} h"
    )
    print("threshold  precision  recall  F1     median hours to fire (hot)")
    rows = []
    for q in [x / 20 for x in range(4, 20)]:
        threshold = round(peaks[int(len(peaks) * q)], 1)
        fired = [
            next((k for k, h in enumerate(heats) if h >= threshold), None) for heats, _ in events
        ]
        tp = sum(1 for f, h in zip(fired, hot, strict=True) if f is not None and h)
        fp = sum(1 for f, h in zip(fired, hot, strict=True) if f is not None and not h)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / sum(hot)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        delays = [
            (f + 1) * STEP / timedelta(hours=1)
            for f, h in zip(fired, hot, strict=True)
            if f is not None and h
        ]
        median = statistics.median(delays) if delays else float("nan")
        rows.append(
            {
                "threshold": threshold,
                "precision": round(precision, 3),
                "recall": round(recall, 3),
                "f1": round(f1, 3),
                "median_hours": median,
            }
        )
        print(f"{threshold:>9.1f}  {precision:9.3f}  {recall:6.3f}  {f1:.3f}  {median:.2f}")
    best = max(rows, key=lambda r: r["f1"])
    print(f"best F1 {best['f1']:.3f} at min_heat {best['threshold']:g}")
    print(json.dumps({"hot_cut": cut, "best": best, "rows": rows}))


if __name__ == "__main__":
    main()

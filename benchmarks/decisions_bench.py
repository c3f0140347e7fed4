"""Decisions benchmark: does the pipeline tell the press office to do the right things?

Each scenario (a corpus file with ``<name>.expected.yaml`` beside it) is replayed end to end by
``python -m yuqing.cli demo --corpus FILE --headless --workdir DIR`` in a subprocess — real
HTTP sites, Scrapy spiders, analysis, rules, obligations and outbox — and the run's archive is
scored against the expected decisions (``yuqing.demo.scoring``): obligations (recall,
precision, forbidden kinds, fulfilled on time), rumour accuracy, event B-cubed F1 and alert
fatigue, each printed beside its aim (fatigue counts deliveries — what a recipient's phone
receives, a delivery pass's messages combined — with the outbox rows beside them); and
routing (属地化): the share of events assigned to the unit the expected file names for their
story (``yuqing.demo.unit_scoring``).

    python benchmarks/decisions_bench.py                      # the demo and scenarios/*.jsonl
    python benchmarks/decisions_bench.py scenarios/baisha_gas.jsonl --json
    python benchmarks/decisions_bench.py --reuse DIR          # score runs already in DIR/<name>
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from archive import open_archive  # noqa: E402
from yuqing.demo.expected import expected_path_for, load_expected  # noqa: E402
from yuqing.demo.run_data import read_run  # noqa: E402
from yuqing.demo.scoring import AIMS, score_run  # noqa: E402
from yuqing.demo.unit_scoring import demo_tree, score_units  # noqa: E402

DEFAULT_SCENARIOS = [
    REPO / "yuqing" / "demo" / "corpus.jsonl",
    *sorted((REPO / "scenarios").glob("*.jsonl")),
]
RUN_TIMEOUT = 1800  # seconds; a loaded 2-core machine needs ~4 minutes per scenario


def scenario_name(corpus: Path) -> str:
    return "demo" if corpus.parent.name == "demo" else corpus.stem


def run_scenario(corpus: Path, workdir: Path) -> float:
    """Replay ``corpus`` through ``yuqing demo`` into ``workdir``; wall seconds taken."""
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "yuqing.cli",
            "demo",
            "--headless",
            "--json",
            "--corpus",
            str(corpus),
            "--workdir",
            str(workdir),
        ],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=REPO,
    )
    if result.returncode != 0:
        raise RuntimeError(f"yuqing demo --corpus {corpus} failed:\n{result.stderr[-3000:]}")
    return time.monotonic() - started


def score_scenario(corpus: Path, workdir: Path) -> dict[str, Any]:
    expected = load_expected(expected_path_for(corpus))
    with open_archive(workdir / "yuqing.db", readonly=True) as archive:
        run = read_run(archive, expected)
        units = score_units(archive, expected, demo_tree(workdir))
    return score_run(expected, run) | {"units": units}


def _fig(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _unit_lines(units: dict[str, Any]) -> list[str]:
    """Routing: events (and their member mentions) assigned to the expected unit, and each
    event routed elsewhere."""
    lines = [
        f"{'events routed to the right unit':<44}"
        f"{units['right']:>4}/{units['events']:<2} {_fig(units['accuracy'])}",
        f"{'  ... weighted by member mentions':<44}{_fig(units['mention_weighted']):>10}",
    ]
    for row in units["rows"]:
        if not row["right"]:
            lines.append(
                f"  misrouted {row['event']} ({row['story']}, {row['mentions']} mentions):"
                f" {row['routed']}, expected {row['expected']}"
            )
    return lines


def render(name: str, scores: dict[str, Any]) -> str:
    ob, ru, ev = scores["obligations"], scores["rumours"], scores["events"]
    official = ru["official_or_debunk_over_half"]
    lines = [
        f"== {name}: {scores['items_collected']}/{scores['items']} items collected ==",
        f"{'figure':<44}{'value':>10}  aim",
        f"{'obligation recall':<44}{_fig(ob['recall']):>10}  = {AIMS['obligation_recall']}",
        f"{'obligation precision':<44}{_fig(ob['precision']):>10}"
        f"  >= {AIMS['obligation_precision']}",
        f"{'forbidden obligations opened':<44}{len(ob['forbidden']):>10}  = 0",
        f"{'expected fulfilled on time':<44}"
        f"{ob['on_time_met']:>4}/{ob['on_time_expected']:<2} {_fig(ob['on_time_share'])}"
        f"  >= {AIMS['fulfilled_on_time']}",
        f"{'  ... closed by the expected item':<44}{ob['on_time_by_expected_item']:>10}",
        f"{'  ... closed on time where none expected':<44}{ob['unearned_on_time']:>10}",
        f"{'rumour accuracy (labelled items)':<44}"
        f"{ru['scored']:>4} {_fig(ru['accuracy']):>5}  >= {AIMS['rumour_accuracy']}",
        f"{'  rumours caught':<44}{ru['rumours_caught']:>4}/{ru['rumours']:<5}",
        f"{'non-rumours scoring >= 0.5':<44}{ru['non_rumours_over_half']:>10}",
        f"{'official or debunk posts >= 0.5':<44}{len(official):>10}  = 0",
        f"{'event B-cubed F1 (P / R)':<44}{_fig(ev['bcubed_f1']):>10}  >= {AIMS['bcubed_f1']}"
        f"   ({_fig(ev['bcubed_precision'])} / {_fig(ev['bcubed_recall'])})",
        f"{'story items in an event':<44}{_fig(ev['story_items_in_event']):>10}",
        f"{'noise items in an event':<44}{ev['noise_items_in_event']:>10}",
        f"{'max notifications / recipient / story / h':<44}"
        f"{scores['max_notifications_per_recipient_story_hour']:>10}  <= 1 (escalations excepted)",
        f"{'  ... outbox rows (file sink lines) / h':<44}"
        f"{scores['max_queued_per_recipient_story_hour']:>10}",
        *_unit_lines(scores["units"]),
        "",
        "obligations per (story, kind): expected / opened, recall, precision",
    ]
    for row in ob["rows"]:
        mark = " (allowed)" if row["allowed"] else ""
        lines.append(
            f"  {row['story']:<20}{row['kind']:<24}{row['expected']:>3} /{row['opened']:>3}"
            f"  R {_fig(row['recall']):>5}  P {_fig(row['precision']):>5}{mark}"
        )
    if ob["forbidden"]:
        lines.append("forbidden opened: " + ", ".join(ob["forbidden"]))
    if ru["wrong"]:
        lines.append("rumour misjudged: " + ", ".join(ru["wrong"]))
    if official:
        lines.append("official/debunk >= 0.5: " + ", ".join(official))
    lines.append(
        "per story: items in event / items (events), alerts, outbox rows, escalations,"
        " deliveries, max deliveries/h (rows/h)"
    )
    for story, row in sorted(scores["fatigue"].items()):
        ev_row = ev["stories"].get(story, {})
        placed = f"{ev_row['in_event']}/{ev_row['items']} ({ev_row['events']})" if ev_row else "–"
        lines.append(
            f"  {story:<20}{placed:>14}  alerts {row['alerts']:>3}  notes {row['notifications']:>4}"
            f"  esc {row['escalations']:>3}  sent {row['deliveries']:>4}"
            f"  max/h {row['max_per_recipient_hour']:>2} ({row['max_queued_per_recipient_hour']})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, help="scenario files (default: all)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--workdir", type=Path, help="keep the runs here (default: a temp dir)")
    parser.add_argument("--reuse", type=Path, help="score existing runs in DIR/<name>; no replay")
    args = parser.parse_args(argv)
    corpora = [p.resolve() for p in args.corpora] or DEFAULT_SCENARIOS
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="yuqing-decisions-") as temp:
        base = args.reuse or args.workdir or Path(temp)
        for corpus in corpora:
            name = scenario_name(corpus)
            workdir = base / name
            seconds = None if args.reuse else run_scenario(corpus, workdir)
            scores = score_scenario(corpus, workdir)
            scores["seconds"] = None if seconds is None else round(seconds, 1)
            results[name] = scores
            if not args.json:
                print(render(name, scores), flush=True)
                print(flush=True)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

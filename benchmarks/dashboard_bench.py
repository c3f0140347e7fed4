"""Dashboard benchmark: each page's first render time over a large archive, cold and warm.

    python benchmarks/dashboard_bench.py [--db /tmp/bench1m/archive.db] [--workdir DIR]
                                         [--keep] [--warm-runs 3]

The archive (by default the 1M-mention one that ``benchmarks/archive_bench.py --db
/tmp/bench1m/archive.db --keep`` builds) is never written: it is copied with SQLite's online
backup from a read-only connection into ``--workdir``. The copy gets what the archive
benchmark does not generate and the pages show, written through the ``Archive`` interface:
the 400 story events with heat, lifecycle, severity and rumour scores, an alert per hot
event, obligations, source states, audit entries and the pipeline time (the archive's last
publication time, so "the last 24 hours" hold data). ``--keep`` reuses an enriched copy.

Each page is rendered by Streamlit's ``AppTest`` (the real page scripts, in this process):

- cold: every cached read cleared (``st.cache_data`` and the long-lived filter options)
  before the page's first render; the archive handle stays open, as in a running dashboard
  (a new handle's own first-query cost is printed separately), and the operating system's
  file cache is not dropped (other work shares this machine);
- warm: the same page rendered again within the cache TTL, median of ``--warm-runs``.

Besides each page as it first opens, three views people change to often are timed the same
way (the overview and hotspots over 30 days, a word searched over 30 days).

Prints a table, then one JSON line with every figure. Aim (issue 7): warm < 1 s, cold < 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from archive import open_archive  # noqa: E402
from archive.base import Archive  # noqa: E402
from archive.models import Alert, AuditEntry, Event, Obligation, Reason, SourceState  # noqa: E402
from archive.search import SearchFilters, SearchRequest  # noqa: E402
from benchmarks.archive_corpus import END  # noqa: E402
from benchmarks.archive_vocabulary import SOURCES  # noqa: E402
from core.text.segment import ensure_loaded  # noqa: E402
from dashboard import data as dashboard_data  # noqa: E402

DEFAULT_DB = Path("/tmp/bench1m/archive.db")
DEFAULT_WORKDIR = Path("/tmp/dashboard_bench")
APP = REPO / "dashboard" / "app.py"
STORIES = 400  # benchmarks.archive_corpus makes events evt-0000 … evt-0399
HOUR = timedelta(hours=1)
TARGET_WARM = 1.0
TARGET_COLD = 3.0
# (name shown, page script, query parameters)
PAGES: list[tuple[str, str | None, dict[str, str]]] = [
    ("总览 overview", None, {}),
    ("热点 hotspots", "views/hotspots.py", {}),
    ("事件详情 event", "views/event.py", {}),
    ("处置 obligations", "views/obligations.py", {}),
    ("检索 search", "views/search.py", {}),
    ("信息源 sources", "views/sources.py", {}),
    ("规则 rules", "views/rules.py", {}),
]


def _overview_30_days(at: AppTest) -> None:
    at.radio(key="overview_range").set_value("近30天（按天）")


def _hotspots_30_days(at: AppTest) -> None:
    at.radio(key="hotspots_range").set_value("近30天（按天）")


def _search_word_30_days(at: AppTest) -> None:
    at.text_input(key="search_query").set_value("电梯")
    at.selectbox(key="search_range").set_value("最近30天")
    next(b for b in at.button if b.label == "检索").click()


# Other views people open often: (name shown, page script, what the user changes first).
VARIANTS: list[tuple[str, str, Callable[[AppTest], None]]] = [
    ("总览 30天", "views/overview.py", _overview_30_days),
    ("热点 30天", "views/hotspots.py", _hotspots_30_days),
    ("检索 电梯 30天", "views/search.py", _search_word_30_days),
]

RULES_YAML = """\
rules:
  - {name: hot-events, type: threshold, min_heat: 50}
  - {name: major-accidents, type: severity, min_grade: 较大, level: critical,
     opens: [authoritative_release, press_conference]}
  - {name: rumours, type: rumor, min_probability: 0.7, opens: [clarification]}
  - {name: lift-watch, type: watch_list, terms: [电梯]}
"""


def copy_archive(source: Path, target: Path) -> float:
    """Copy ``source`` into ``target`` without writing to ``source`` (online backup)."""
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=65536)
    finally:
        dst.close()
        src.close()
    return time.perf_counter() - started


def _newest(archive: Archive) -> datetime:
    hits = archive.search(SearchRequest(limit=1)).hits
    return hits[0].mention.published_at if hits else END


def enrich(archive: Archive) -> dict[str, int]:
    """Events, alerts, obligations, source states and audit entries for the pages to show."""
    now = _newest(archive)
    made = {"events": 0, "alerts": 0, "obligations": 0}
    for index in range(STORIES):
        event_id = f"evt-{index:04d}"
        first = archive.event_mentions(event_id, limit=1)
        newest = archive.search(SearchRequest(filters=SearchFilters(events=[event_id]), limit=1))
        if not first or not newest.hits:
            continue
        last = newest.hits[0].mention
        heat = round(100.0 * (0.97**index), 2)
        severity = ("重大", "较大", "一般", None)[index % 4]
        basis = [Reason("figure", f"死亡 {3 + index % 9}人（“造成{3 + index % 9}人死亡”）",
                        float(3 + index % 9), first[0].id)] if severity else []  # fmt: skip
        event = Event(
            id=event_id,
            title=(first[0].title or first[0].text)[:40],
            first_seen=first[0].published_at,
            last_seen=last.published_at,
            mention_count=newest.total,
            heat=heat,
            burst=round(1 + (index % 7) / 2, 2),
            status=("emerging", "growing", "peak", "declining", "closed")[index % 5],
            severity=severity,
            severity_basis=basis,
            rumor_score=round(0.5 + (index % 10) / 20, 2) if index % 3 == 0 else None,
            region=first[0].region,
        )
        archive.upsert_event(event)
        made["events"] += 1
        if heat >= 50:
            alert, _ = archive.ledger.upsert_alert(
                Alert(
                    "hot-events",
                    f"event:{event_id}",
                    "warning",
                    event.title,
                    event.first_seen,
                    event.last_seen,
                    event_id=event_id,
                )
            )
            made["alerts"] += 1
            ob, _ = archive.ledger.open_obligation(
                Obligation(
                    "response",
                    f"event:{event_id}",
                    f"回应关切：{event.title}",
                    opened_at=now - (index % 48) * HOUR,
                    due_at=now + (48 - index % 60) * HOUR,
                    event_id=event_id,
                    alert_id=alert.id,
                )
            )
            made["obligations"] += 1
            archive.ledger.audit(
                AuditEntry(now, "system", "obligation.opened", "obligation", str(ob.id))
            )
    for index, (name, _platform, _weight) in enumerate(SOURCES):
        archive.ledger.save_source_state(
            SourceState(
                source=name,
                last_run_at=now - 5 * timedelta(minutes=1),
                last_success_at=now - (5 if index % 6 else 300) * timedelta(minutes=1),
                items_last_run=20 + index,
                runs=1000 + index,
                errors=index * 3,
                last_error="HTTP 503" if index % 6 == 0 else "",
                last_error_at=now - HOUR if index % 6 == 0 else None,
            )
        )
    archive.ledger.record_pipeline_time(now)
    return made


def write_config(workdir: Path, db: Path) -> Path:
    sources = "sources:\n" + "".join(
        f"  - {{name: {name}, type: {platform}, start_urls: ['http://127.0.0.1:1/{name}']}}\n"
        for name, platform, _w in SOURCES
    )
    config = workdir / "yuqing.yaml"
    config.write_text(
        f"archive:\n  backend: sqlite\n  path: {db}\n"
        "runner:\n  clock: pipeline\n"
        "dashboard:\n  cache_ttl: 10m\n" + sources + RULES_YAML,
        encoding="utf-8",
    )
    return config


@dataclass
class PageTiming:
    page: str
    cold: float
    warm: float
    error: str = ""


def _clear_caches() -> None:
    """Every cached read of the read layer; the process's archive handle stays open, as it
    does in a running dashboard (its first-query cost is measured by ``first_query``)."""
    st.cache_data.clear()
    cast(Any, dashboard_data._filter_options).clear()  # a st.cache_resource function


def first_query(db: Path) -> dict[str, float]:
    """What a new archive handle costs before its first answers: opening it, then the first
    facet count (the SQLite backend loads per-connection state on first use)."""
    started = time.perf_counter()
    with open_archive(db, readonly=True) as archive:
        opened = time.perf_counter()
        now = archive.ledger.pipeline_time() or END
        request = SearchRequest(filters=SearchFilters(since=now - timedelta(days=7)))
        archive.facets(request, ["platform"])
        first = time.perf_counter()
        archive.facets(request, ["platform"])
        second = time.perf_counter()
    return {
        "new_handle_open_s": round(opened - started, 3),
        "new_handle_first_facets_s": round(first - opened, 3),
        "new_handle_second_facets_s": round(second - first, 3),
    }


def _render(at: AppTest) -> tuple[float, str]:
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    problems = [str(e.value)[:200] for e in at.exception]
    if not at.title:
        problems.append("the page drew no title")
    return elapsed, "; ".join(problems)


def _page(at: AppTest, script: str | None, params: dict[str, str]) -> AppTest:
    for key, value in params.items():
        at.query_params[key] = value
    if script is not None:
        at.switch_page(script)
    return at


def prime(config: Path, event_id: str) -> float:
    """Render every page once, so that the timings below do not include importing the
    page modules and their libraries or loading jieba (once-per-process costs, not caches)."""
    os.environ["YUQING_CONFIG"] = str(config)
    started = time.perf_counter()
    ensure_loaded()  # jieba's dictionary, which the first searched word would load
    at = AppTest.from_file(str(APP), default_timeout=600)
    at.run()
    for _name, script, params in PAGES:
        _page(at, script, {"id": event_id} if script == "views/event.py" else params).run()
    return time.perf_counter() - started


def time_pages(config: Path, warm_runs: int, event_id: str) -> list[PageTiming]:
    os.environ["YUQING_CONFIG"] = str(config)
    timings = []
    for name, script, params in PAGES:
        at = AppTest.from_file(str(APP), default_timeout=600)
        if script is not None:
            at.run()  # the app must run once before another page can be chosen
        _clear_caches()
        _page(at, script, {"id": event_id} if script == "views/event.py" else params)
        cold, error = _render(at)
        print(f"  {name}: {at.title[0].value if at.title else '(no title)'}", flush=True)
        warm = [_render(at)[0] for _ in range(warm_runs)]
        timings.append(PageTiming(name, cold, statistics.median(warm), error))
        print(f"  {name}: cold {cold:.2f} s, warm {statistics.median(warm):.2f} s", flush=True)
    for name, script, change in VARIANTS:
        at = AppTest.from_file(str(APP), default_timeout=600)
        at.run()
        at.switch_page(script).run()
        _clear_caches()
        change(at)
        cold, error = _render(at)
        warm = [_render(at)[0] for _ in range(warm_runs)]
        timings.append(PageTiming(name, cold, statistics.median(warm), error))
        print(f"  {name}: cold {cold:.2f} s, warm {statistics.median(warm):.2f} s", flush=True)
    return timings


def report(timings: list[PageTiming], facts: dict[str, Any]) -> None:
    print()
    target = f"target cold<{TARGET_COLD:g} warm<{TARGET_WARM:g}"
    print(f"{'page':<20} {'cold s':>8} {'warm s':>8}  {target}")
    for t in timings:
        verdict = "ok" if t.cold < TARGET_COLD and t.warm < TARGET_WARM else "MISSED"
        line = f"{t.page:<20} {t.cold:>8.2f} {t.warm:>8.2f}  {verdict}"
        print(line + (f"  error: {t.error}" if t.error else ""))
    figures = {
        **facts,
        "pages": {
            t.page: {"cold_s": round(t.cold, 3), "warm_s": round(t.warm, 3)} for t in timings
        },
        "max_cold_s": round(max(t.cold for t in timings), 3),
        "max_warm_s": round(max(t.warm for t in timings), 3),
        "errors": {t.page: t.error for t in timings if t.error},
    }
    print(json.dumps(figures, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help="archive to measure (read only)"
    )
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--keep", action="store_true", help="reuse an enriched copy in --workdir")
    parser.add_argument("--warm-runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.db.exists():
        parser.error(f"{args.db} does not exist (build it with benchmarks/archive_bench.py --keep)")
    ready = args.db.parent / "READY"
    copy = args.workdir / "archive.db"
    facts: dict[str, Any] = {"db": str(args.db), "ready_marker": ready.exists()}
    if args.keep and copy.exists():
        print(f"reusing {copy}")
        started = time.perf_counter()
        with open_archive(copy):  # migrates the copy if the code is newer than it
            facts["opened_s"] = round(time.perf_counter() - started, 1)
    else:
        print(f"copying {args.db} → {copy} …", flush=True)
        facts["copy_s"] = round(copy_archive(args.db, copy), 1)
        started = time.perf_counter()
        with open_archive(copy) as archive:  # migrates the copy if the code is newer
            facts["opened_s"] = round(time.perf_counter() - started, 1)
            facts.update(enrich(archive))
        facts["enrich_s"] = round(time.perf_counter() - started, 1)
    with open_archive(copy, readonly=True) as archive:
        facts["mentions"] = archive.count_mentions()
        hottest = archive.list_events(limit=1)
    print(f"{facts['mentions']} mentions; timing pages …", flush=True)
    config = write_config(args.workdir, copy)
    facts.update(first_query(copy))
    event_id = hottest[0].id if hottest else ""
    facts["first_process_render_all_pages_s"] = round(prime(config, event_id), 2)
    timings = time_pages(config, args.warm_runs, event_id)
    report(timings, facts)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What restricting search and briefings to a unit costs on a large archive (issue 23).

    python benchmarks/unit_scope_bench.py [--mentions 200000] [--db PATH] [--repeats 3]

The archive is report_bench.py's (benchmarks/archive_generate.py's mentions with 400 story
events and an obligation each). Its places are the generator's REGIONS; the units are the
city 江州市 with ten of them as districts. For one district it times routing the events
(``alerts.unit_scope.unit_scope``: every stored event routed from up to 300 members), then
the scoped search the dashboard's 检索 page runs — the newest page, the total, the facets
and the histogram, with no words and with one word — beside the same without the scope,
and the district's 日报 beside the whole archive's. Best of ``--repeats``; SQLite.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from alerts.unit_scope import unit_scope
from alerts.units import UnitTree
from archive import open_archive
from archive.search import SearchFilters, SearchRequest, SearchScope
from benchmarks.archive_corpus import END, MentionGenerator
from benchmarks.archive_generate import Progress, generate, sidecar_path
from benchmarks.archive_vocabulary import REGIONS
from benchmarks.report_bench import BATCH, GENERATOR_VERSION, SEED, fill_events
from core.settings import Settings
from core.settings_units import UnitSettings
from reports.build import build_report

DISTRICTS = [r for r in REGIONS if r.endswith("区")][:10]
UNIT = "d0"  # 临川区, the first district in REGIONS' order


def units() -> dict[str, Any]:
    children = [
        {"id": f"d{i}", "name": f"{name}市场监督管理局", "level": "county",
         "region_names": [name]}
        for i, name in enumerate(DISTRICTS)
    ]  # fmt: skip
    return {"id": "city", "name": "江州市市场监督管理局", "level": "city",
            "region_names": ["江州市"], "children": children}  # fmt: skip


def best(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return round(min(times), 3)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--db", type=Path, default=None, help="keep/reuse the archive here")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    db = args.db or Path(tempfile.mkdtemp(prefix="yuqing-unit-bench-")) / "archive.db"
    progress = Progress.load(sidecar_path(db)) or Progress(
        GENERATOR_VERSION, SEED, BATCH, "builtin"
    )
    generate(db, args.mentions, MentionGenerator(SEED, None), progress, False, sys.stderr)
    tree = UnitTree(UnitSettings.model_validate(units()))
    settings = Settings.model_validate({"units": units()})
    figures: dict[str, Any] = {"mentions": progress.mentions_done, "unit": DISTRICTS[0]}
    since = END - timedelta(days=7)
    with open_archive(db) as store:
        fill_events(store, SEED)
        store.histogram(SearchRequest(query=""))  # the in-memory columns, loaded once
        # Every stored event routed (the search below reads the last week of them).
        t0 = time.perf_counter()
        scope = unit_scope(store, tree, UNIT)
        figures["route_events_s"] = round(time.perf_counter() - t0, 2)
        assert scope is not None
        figures["events_in_scope"] = len(scope.events)
        figures["events_routed"] = len(store.list_events(limit=5000))
        for label, query in (("all", ""), ("word", "电动自行车")):
            for scoped, current in (("whole", None), ("unit", scope)):
                figures.update(_search(store, label, scoped, query, current, since, args.repeats))
        day = (END - timedelta(days=1)).date()
        now = END + timedelta(hours=9)
        for scoped, unit_id in (("whole", None), ("unit", UNIT)):
            t0 = time.perf_counter()
            pack = build_report(store, "daily", now, settings, day, unit_id=unit_id)
            figures[f"daily_{scoped}_s"] = round(time.perf_counter() - t0, 2)
            figures[f"daily_{scoped}_volume"] = pack["figures"]["volume"]["value"]
    for key, value in figures.items():
        print(f"{key:28} {value}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


def _search(
    store: Any, label: str, scoped: str, query: str, scope: SearchScope | None, since: Any, n: int
) -> dict[str, Any]:
    request = SearchRequest(query=query, filters=SearchFilters(since=since, scope=scope), limit=20)
    prefix = f"{label}_{scoped}"
    return {
        f"{prefix}_total": store.search(request).total,
        f"{prefix}_page_s": best(n, lambda: store.search(request)),
        f"{prefix}_facets_s": best(n, lambda: store.facets(request, ["platform", "source"])),
        f"{prefix}_histogram_s": best(n, lambda: store.histogram(request, "hour")),
    }


if __name__ == "__main__":
    sys.exit(main())

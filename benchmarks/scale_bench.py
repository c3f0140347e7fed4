"""Scale-out figures (issue 20): crawl and analysis throughput with N worker processes.

    .venv/bin/python benchmarks/scale_bench.py [--pages 20] [--per-page 25] [--delay 0.25]
        [--workers 1 2 4] [--copies 4] [--distinct] [--archive sqlite|es]
        [--skip-crawl] [--skip-analysis] [--skip-dupefilter] [--one-session]

1. **Crawl**: a paged news site on loopback (tests/support/scale_site.py) that waits
   ``--delay`` seconds before every answer (I/O-bound, as on the internet), crawled by one
   plain ``yuqing crawl`` process (Scrapy, no Redis, the one-process default) and by 1, 2 and
   4 ``yuqing crawl-worker`` processes on a private Redis, each with the source's
   concurrency 2 per process. Throughput is articles per second between the first and the
   last article answered (process start-up is not counted: it is paid once per worker, not
   per page). Latency crawl → archive: for each article, from the moment the server answered
   to the moment the mention is readable in the archive (the archive polled every 20 ms),
   p50 / p95. Every article must be archived exactly once, or the run is reported as failed.
   CPU per article over the same span (``cpu_ms_per_article``, from /proc every 0.1 s): the
   crawl processes (with their extraction processes), redis-server, and this process (which
   serves the loopback site from its threads and polls the archive).
2. **Analysis**: the demo corpus repeated ``--copies`` times (tests/support/demo_mentions.py)
   analysed by 1 and by 2 ``yuqing analyze-worker`` processes; throughput between the first
   and the last move of the archive's ``analyze`` cursor, and whether the analyses and events
   equal the 1-worker run's.
3. **Duplicate filter memory**: ``MEMORY USAGE`` of a Redis set of 200,000 request
   fingerprints (scrapy-redis' SHA-1 hex), per entry and scaled to 100 M URLs, beside a Bloom
   filter's size at 0.1 % false positives (from its formula).

The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
import yaml

from archive import open_archive
from core.settings import ArchiveSettings
from nlp.stage import CURSOR
from tests.support.demo_mentions import demo_mentions
from tests.support.es_node import EsNode
from tests.support.loopback import Route
from tests.support.redis_server import RedisServer
from tests.support.scale_site import SlowSite, article_paths, site_routes, source_yaml

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-12-31T00:00:00+0000"


class TimedSite(SlowSite):
    """Records when each article was answered (after the server-side delay)."""

    def __init__(self, routes: dict[str, Route], delay: float) -> None:
        self.answered: dict[str, float] = {}
        self._lock = threading.Lock()
        super().__init__(routes, delay)

    def answer(self, path: str, request_headers: Any) -> Route:
        route = super().answer(path, request_headers)
        with self._lock:
            self.answered.setdefault(path, time.monotonic())
        return route


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO))


def _cli(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "yuqing.cli", "-c", str(config), *args]


def _write_config(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "yuqing.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _watch_archive(db: ArchiveSettings, seen: dict[str, float], stop: threading.Event) -> None:
    """Poll the archive: when each mention's URL first became readable."""
    position = 0
    while not stop.is_set():
        try:
            with open_archive(db, readonly=True) as archive:
                while not stop.is_set():
                    rows = archive.mentions_since(position, 1000)
                    now = time.monotonic()
                    for pos, mention in rows:
                        position = max(position, pos)
                        seen.setdefault("/" + mention.url.split("/", 3)[3], now)
                    time.sleep(0.02)
        except Exception:  # the file is created by the crawl; retry until it is there
            time.sleep(0.05)


def _archive(folder: Path, es: str | None, tag: str) -> dict[str, Any]:
    """SQLite in ``folder``, or an Elasticsearch archive of its own on node ``es`` (the
    ledger, a SQLite file, in ``folder``)."""
    if es is None:
        return {"path": str(folder / "archive.db")}
    return {
        "backend": "elasticsearch",
        "hosts": [es],
        "path": str(folder / "ledger.db"),
        "index_prefix": f"bench-{tag}",
        "replicas": 0,
    }


_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one live process, from /proc; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return found


class CpuMeter(threading.Thread):
    """CPU seconds of the crawl's processes, sampled every 0.1 s, so the CPU of the measured
    span (first to last article answered) can be told from start-up: the workers with their
    extraction processes, redis-server, and this process (the loopback site's threads and the
    archive watcher)."""

    def __init__(self, redis_pid: int | None) -> None:
        super().__init__(daemon=True)
        self.roots: list[int] = []
        self.redis_pid = redis_pid
        self.last: dict[int, float] = {}  # per pid: its CPU when last seen alive
        self.samples: list[tuple[float, float, float, float]] = []
        self.done = threading.Event()

    def sample(self) -> None:
        for root in list(self.roots):
            for pid in _descendants(root):
                self.last[pid] = max(self.last.get(pid, 0.0), _proc_cpu(pid))
        redis_cpu = _proc_cpu(self.redis_pid) if self.redis_pid else 0.0
        now = time.monotonic()
        self.samples.append((now, sum(self.last.values()), redis_cpu, time.process_time()))

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.sample()

    def between(self, start: float, end: float) -> tuple[float, float, float]:
        """(workers, redis, this process) CPU seconds from ``start`` to ``end``."""

        def at(when: float) -> tuple[float, float, float, float]:
            return min(self.samples, key=lambda s: abs(s[0] - when))

        if not self.samples:
            return 0.0, 0.0, 0.0
        first, last = at(start), at(end)
        return last[1] - first[1], last[2] - first[2], last[3] - first[3]


def crawl_run(
    server: RedisServer | None, workers: int, args: argparse.Namespace, es: str | None = None
) -> dict[str, Any]:
    site = TimedSite(site_routes(args.pages, args.per_page), args.delay)
    folder = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    archive_yaml = _archive(folder, es, f"{workers}-{time.monotonic_ns()}")
    db = ArchiveSettings.model_validate(archive_yaml)
    open_archive(db).close()
    data: dict[str, Any] = {
        "archive": archive_yaml,
        "sources": [source_yaml("site", site.base, args.pages, delay=0, concurrency=2)],
    }
    if server is not None:
        data["redis"] = {"url": server.url, "prefix": f"b{workers}-{time.monotonic_ns()}"}
    config = _write_config(folder, data)
    seen: dict[str, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_archive, args=(db, seen, stop), daemon=True)
    watcher.start()
    meter = CpuMeter(server.process.pid if server and server.process else None)
    meter.start()
    if server is None:
        command = _cli(config, "crawl")
    else:
        command = _cli(config, "crawl-worker", "--until-idle")
    procs = [
        subprocess.Popen(
            command,
            cwd=REPO,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=not args.one_session,
        )
        for _ in range(max(1, workers))
    ]
    meter.roots = [p.pid for p in procs]
    for proc in procs:
        proc.wait(1800)
    meter.done.set()
    meter.join(5)
    time.sleep(0.3)
    stop.set()
    watcher.join(5)
    site.close()
    articles = article_paths(args.pages, args.per_page)
    urls: list[str] = []
    with open_archive(db, readonly=True) as archive:
        # Pages of 1,000: Elasticsearch answers at most 10,000 hits a search.
        position = 0
        while rows := archive.mentions_since(position, 1000):
            urls += [m.url for _, m in rows]
            position = rows[-1][0]
    answered = [site.answered[p] for p in articles if p in site.answered]
    span = max(answered) - min(answered) if len(answered) > 1 else float("nan")
    cpu = meter.between(min(answered), max(answered)) if len(answered) > 1 else (0.0, 0.0, 0.0)
    per_article = [round(c / max(1, len(answered)) * 1000, 1) for c in cpu]
    latencies = sorted(
        seen[p] - site.answered[p] for p in articles if p in seen and p in site.answered
    )
    fetched_twice = sum(1 for p in articles if site.hits[p] > 1)
    return {
        "workers": workers if server is not None else "plain",
        "articles": len(articles),
        "archived": len(urls),
        "archived_distinct": len(set(urls)),
        "fetched_more_than_once": fetched_twice,
        "ok": len(urls) == len(set(urls)) == len(articles),
        "pages_per_s": round(len(answered) / span, 2) if span == span else None,
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3)
        if latencies
        else None,
        # CPU per article over the measured span, in ms: the worker processes (with their
        # extraction processes), redis-server, the benchmark process (site and watcher).
        "cpu_ms_per_article": dict(
            zip(("crawler", "redis", "site_and_bench"), per_article, strict=True)
        ),
        # The workers' CPU over their whole run, start-up (imports, dictionaries) included.
        "crawler_cpu_s_total": round(sum(meter.last.values()), 1),
    }


def analysis_run(
    server: RedisServer, workers: int, copies: int, batch: int, distinct: bool, sessions: bool
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="scale-bench-nlp-"))
    db = folder / "archive.db"
    mentions = demo_mentions(copies, distinct=distinct)
    with open_archive(db) as archive:
        archive.upsert_mentions(mentions)
        end = archive.mentions_since(0, 10_000_000)[-1][0]
    config = _write_config(
        folder,
        {
            "archive": {"path": str(db)},
            "redis": {"url": server.url, "prefix": f"a{workers}-{time.monotonic_ns()}"},
            "nlp": {"batch_size": batch},
        },
    )
    command = _cli(config, "analyze-worker", "--until-idle", "--as-of", AS_OF)
    procs = [
        subprocess.Popen(
            command,
            cwd=REPO,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=sessions,
        )
        for _ in range(workers)
    ]
    outputs: list[bytes] = []
    readers = [
        threading.Thread(target=lambda p=p: outputs.append(p.communicate()[0]), daemon=True)
        for p in procs
    ]
    for reader in readers:
        reader.start()
    first = last = None
    # One read-only connection for the whole run, asked every 20 ms. Opening the archive for
    # each look (as this did) cost ~28 ms of CPU each time, a quarter of a core taken from
    # the workers being measured (more from two workers than from one).
    with open_archive(db, readonly=True) as watching:
        while any(p.poll() is None for p in procs):
            cursor = watching.ledger.get_cursor(CURSOR)
            now = time.monotonic()
            if cursor and first is None:
                first = (now, cursor)
            if cursor >= end and last is None:
                last = now
            time.sleep(0.02)
    with open_archive(db, readonly=True) as archive:
        ids = [m.id for m in mentions]
        analyses = {k: repr(v) for k, v in archive.get_analyses(ids).items()}
        events = {e.id: repr(e) for e in archive.list_events(limit=100_000)}
    done = wall = None
    if first is not None and last is not None and last > first[0]:
        # The first cursor move already counts one batch done: count from there.
        wall = last - first[0]
        done = round((len(mentions) - batch) / wall, 1)
    for reader in readers:
        reader.join(60)
    # CPU seconds each worker reported spending leading / helping: the leaseholder's is the
    # critical path, which a free core for the helper would make the wall time.
    cpu = [
        tuple(float(x) for x in found)
        for out in outputs
        for found in re.findall(
            rb"CPU ([0-9.]+) s leading, ([0-9.]+) s helping, ([0-9.]+) s starting", out
        )
    ]
    # Texts the leaseholder found prepared by a helper, of those it needed.
    texts = [
        tuple(int(x) for x in found)
        for out in outputs
        for found in re.findall(rb"([0-9]+) of ([0-9]+) texts prepared by others", out)
    ]
    return {
        "workers": workers,
        "mentions": len(mentions),
        "mentions_per_s": done,
        "events": len(events),
        "cpu_leading_s": round(sum(c[0] for c in cpu), 2),
        "cpu_helping_s": round(sum(c[1] for c in cpu), 2),
        # Loading models before the first step, apart: paid once per process, not per mention.
        "cpu_starting_s": round(sum(c[2] for c in cpu), 2),
        # The busiest worker's CPU, leading and helping (start-up apart).
        "cpu_busiest_s": round(max((c[0] + c[1] for c in cpu), default=0.0), 2),
        "wall_s": None if wall is None else round(wall, 1),
        "texts_prepared_by_others": f"{sum(t[0] for t in texts)} of {sum(t[1] for t in texts)}",
        # Wall seconds the leaseholder waited for chunks a helper was on (no CPU spent).
        "waited_s": round(
            sum(float(x) for out in outputs for x in re.findall(rb"([0-9.]+) s waiting", out)), 2
        ),
        "snapshot": (analyses, events),
    }


def dupefilter_memory(server: RedisServer, entries: int = 200_000) -> dict[str, Any]:
    import hashlib

    client = redis.Redis.from_url(server.url)
    key = "bench:seen"
    client.delete(key)
    with client.pipeline(transaction=False) as pipe:
        for i in range(entries):
            pipe.sadd(key, hashlib.sha1(f"http://example.cn/a/{i}.html".encode()).hexdigest())
            if i % 10_000 == 9_999:
                pipe.execute()
        pipe.execute()
    used = int(client.memory_usage(key, samples=0) or 0)
    client.delete(key)
    per = used / entries
    bloom_bits = -100e6 * math.log(0.001) / (math.log(2) ** 2)
    return {
        "set_bytes_per_url": round(per, 1),
        "set_gb_at_100m": round(per * 100e6 / 1e9, 1),
        "bloom_0.1pct_gb_at_100m": round(bloom_bits / 8 / 1e9, 3),
    }


def _es_node(kind: str) -> EsNode | None:
    if kind != "es":
        return None
    return EsNode().start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--per-page", type=int, default=25)
    parser.add_argument("--delay", type=float, default=0.25)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="each copy of the corpus with texts of its own: without it, copies 2..N repeat "
        "copy 1's texts, which one process analyses once (its text cache) and so leave a "
        "helper nothing to prepare",
    )
    parser.add_argument("--skip-crawl", action="store_true")
    parser.add_argument(
        "--archive",
        choices=["sqlite", "es"],
        default="sqlite",
        help="the crawl's archive: one SQLite file (one writer at a time) or a private "
        "Elasticsearch node (tests/support/es_node.py), the scale-out archive",
    )
    parser.add_argument("--skip-analysis", action="store_true")
    parser.add_argument(
        "--skip-dupefilter",
        action="store_true",
        help="leave out the duplicate filter's memory (200,000 Redis writes, ~20 s)",
    )
    parser.add_argument(
        "--one-session",
        action="store_true",
        help="start the workers in the benchmark's own session; by default each starts a "
        "session of its own. Linux's autogroup scheduler (sched_autogroup_enabled) shares "
        "the CPU fairly between sessions, not processes: on a loaded machine all workers of "
        "one session get one session's share together, so a second worker adds no CPU. "
        "In production each worker is a systemd unit (a cgroup of its own), or on a host "
        "of its own",
    )
    args = parser.parse_args()
    server = RedisServer().start()
    # The machine's load beside the figures: on a shared host the absolute numbers move with
    # it, the ratios (measured in one run) much less.
    figures: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "worker_sessions": "one" if args.one_session else "one per worker",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        if not args.skip_crawl:
            es = _es_node(args.archive)
            try:
                url = es.url if es is not None else None
                crawl = [crawl_run(None, 1, args, url)]
                crawl += [crawl_run(server, n, args, url) for n in args.workers]
            finally:
                if es is not None:
                    es.destroy()
            base = crawl[0]["pages_per_s"]
            for row in crawl:
                row["speedup_vs_plain"] = round(row["pages_per_s"] / base, 2) if base else None
                print(row, flush=True)
            figures["crawl"] = crawl
            figures["crawl_site"] = {
                "pages": args.pages,
                "per_page": args.per_page,
                "delay_s": args.delay,
                "concurrency_per_process": 2,
                "archive": args.archive,
            }
        if not args.skip_analysis:
            sessions = not args.one_session
            one = analysis_run(server, 1, args.copies, args.batch, args.distinct, sessions)
            two = analysis_run(server, 2, args.copies, args.batch, args.distinct, sessions)
            same = one.pop("snapshot") == two.pop("snapshot")
            two["identical_to_one_worker"] = same
            if one["mentions_per_s"] and two["mentions_per_s"]:
                two["speedup"] = round(two["mentions_per_s"] / one["mentions_per_s"], 2)
            if two["cpu_leading_s"]:
                # What two workers would give with a free core each: the critical path shrinks
                # from the lone worker's CPU to the leaseholder's.
                two["speedup_cpu_bound"] = round(one["cpu_leading_s"] / two["cpu_leading_s"], 2)
            if two["cpu_busiest_s"]:
                # The same, bound by the busier of the two (a helper slower than the
                # leaseholder makes it wait, and the leaseholder's CPU alone overstates the pair).
                two["speedup_cpu_pair"] = round(one["cpu_leading_s"] / two["cpu_busiest_s"], 2)
            print(one, two, sep="\n", flush=True)
            figures["analysis"] = [one, two]
        if not args.skip_dupefilter:
            figures["dupefilter"] = dupefilter_memory(server)
            print(figures["dupefilter"], flush=True)
    finally:
        server.destroy()
    figures["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()

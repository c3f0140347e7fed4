"""Soak: ``yuqing run`` against the demo sites with random ``kill -9``, a flaky receiver and a
reader hammering search, then the invariants: nothing lost, nothing twice.

    .venv/bin/python benchmarks/soak.py --minutes 30

The demo sites reveal the corpus over the first 80 % of the run (so mentions keep arriving),
a webhook receiver on 127.0.0.1 fails a third of its deliveries with HTTP 500, the runner is
killed with SIGKILL at random moments (seeded) and restarted, and a reader thread runs
searches against the same archive the whole time. At the end the sites show everything, the
runner settles and stops with SIGTERM. A reference run without kills, over the same sites on
the same schedule (list pages show recent items only, so what is crawled depends on when),
gives what to compare with; the whole bench takes about twice ``--minutes``.

Printed: mentions, analyses, obligations and notifications (reference vs soak), duplicates
(URLs stored twice, deliveries accepted twice for one idempotency key), messages still
pending, kills, the runner's peak resident memory, and search p50 / p95 under that load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from archive import open_archive
from archive.base import ArchiveError
from archive.search import SearchRequest
from yuqing.demo.records import DEMO_START, load_corpus
from yuqing.demo.run import demo_config
from yuqing.demo.sites import DemoSites

QUERIES = ["电梯", "紫菜 谣言", "召回", "platform:weibo 电梯", "处罚 -演习", "食品安全", "江州"]
CORPUS_SPAN = timedelta(days=6, hours=1)


class Receiver(ThreadingHTTPServer):
    """A webhook receiver that refuses a share of deliveries (HTTP 500), seeded."""

    def __init__(self, failure_rate: float, seed: int) -> None:
        self.failure_rate = failure_rate
        self.rng = random.Random(seed)
        self.accepted: Counter[str] = Counter()
        self.refused = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)


class _ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Idempotency-Key", "")
        with self.server.lock:
            fail = self.server.rng.random() < self.server.failure_rate
            if fail:
                self.server.refused += 1
            else:
                self.server.accepted[key] += 1
        self.send_response(500 if fail else 200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def write_config(base_url: str, folder: Path, webhook: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = demo_config(base_url, folder)
    for source in config["sources"]:
        source["interval"] = "2s"
    config["runner"] = {"tick": "1s"}
    if webhook:
        config["notifiers"].append({"name": "hook", "type": "webhook", "url": webhook})
        for recipient in config["recipients"]:
            recipient["notifiers"].append("hook")
    path = folder / "yuqing.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def start_runner(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "-c", str(config), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident set so far (VmHWM), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def snapshot(db: Path) -> tuple[int, ...] | None:
    if not db.exists():
        return None
    try:
        with open_archive(db, readonly=True) as archive:
            stats = archive.stats()
            return (
                stats["mentions"],
                stats["analyses"],
                stats["obligations"],
                stats["outbox"],
                stats["pending_messages"],
                archive.latest_position(),
                archive.ledger.get_cursor("analyze"),
                archive.ledger.get_cursor("alerts"),
            )
    except ArchiveError:
        return None


def settle(db: Path, quiet: float = 8.0, timeout: float = 600.0) -> tuple[int, ...]:
    """Wait until the archive stops changing with every stage caught up."""
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        now = snapshot(db)
        if now is None or now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet and now[0] > 0 and now[5] == now[6] == now[7]:
            return now
        time.sleep(1.0)
    raise SystemExit(f"the runner did not settle within {timeout:g} s (last: {last})")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def hammer(db: Path, until: float, latencies: list[float], errors: list[str]) -> None:
    """Search the archive the whole time the soak runs, as analysts would."""
    rng = random.Random(7)
    while time.monotonic() < until:
        if not db.exists():
            time.sleep(0.5)
            continue
        try:
            with open_archive(db, readonly=True) as archive:
                started = time.perf_counter()
                archive.search(SearchRequest(query=rng.choice(QUERIES), limit=20))
                latencies.append(time.perf_counter() - started)
        except ArchiveError as exc:
            errors.append(str(exc).splitlines()[0])
            time.sleep(0.2)
        time.sleep(0.05)


def stored_urls(db: Path) -> Counter[str]:
    with open_archive(db, readonly=True) as archive:
        urls: Counter[str] = Counter()
        request = SearchRequest(limit=1000)
        while True:
            result = archive.search(request)
            # Without scheme and host: each run's sites listen on a port of their own.
            urls.update(
                urlsplit(hit.mention.url)._replace(scheme="", netloc="").geturl()
                for hit in result.hits
            )
            if result.next_cursor is None:
                return urls
            request.after = result.next_cursor


def revealing(minutes: float) -> Any:
    """Corpus time that reaches the corpus's end after 80 % of ``minutes`` of wall time (list
    pages show recent items only, so what is crawled depends on when: both runs share this)."""
    wall_start, reveal = time.monotonic(), minutes * 60.0 * 0.8

    def corpus_now() -> datetime:
        share = min(1.0, (time.monotonic() - wall_start) / reveal)
        return DEMO_START + CORPUS_SPAN * share

    return corpus_now


def reference_run(
    args: argparse.Namespace, corpus: list[dict[str, Any]], folder: Path
) -> tuple[tuple[int, ...], Counter[str]]:
    """The same sites on the same schedule, one runner, no kills: what to compare with."""
    receiver = Receiver(0.0, 0)  # the same channels, a receiver that never fails
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    webhook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    with DemoSites(corpus, revealing(args.minutes)) as sites:
        config = write_config(sites.base_url, folder, webhook)
        process = start_runner(config, folder / "runner.log")
        try:
            time.sleep(args.minutes * 60.0)
            sites.now = lambda: DEMO_START + CORPUS_SPAN
            final = settle(folder / "yuqing.db")
        finally:
            stop(process)
            receiver.shutdown()
    return final, stored_urls(folder / "yuqing.db")


def soak(args: argparse.Namespace, corpus: list[dict[str, Any]], folder: Path) -> dict[str, Any]:
    rng = random.Random(args.seed)
    seconds = args.minutes * 60.0
    wall_start = time.monotonic()
    corpus_now = revealing(args.minutes)
    revealed_all = DEMO_START + CORPUS_SPAN

    receiver = Receiver(args.failure_rate, args.seed)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    webhook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    latencies: list[float] = []
    read_errors: list[str] = []
    kills, peak = 0, 0
    with DemoSites(corpus, corpus_now) as sites:
        config = write_config(sites.base_url, folder, webhook)
        db, log = folder / "yuqing.db", folder / "runner.log"
        reader = threading.Thread(
            target=hammer, args=(db, wall_start + seconds, latencies, read_errors), daemon=True
        )
        reader.start()
        process = start_runner(config, log)
        next_kill = time.monotonic() + rng.expovariate(1.0 / args.kill_every)
        while time.monotonic() - wall_start < seconds:
            peak = max(peak, peak_rss_kib(process.pid))
            if time.monotonic() >= next_kill:
                process.kill()  # SIGKILL: no clean-up runs
                process.wait()
                kills += 1
                process = start_runner(config, log)
                next_kill = time.monotonic() + rng.expovariate(1.0 / args.kill_every)
            elapsed = time.monotonic() - wall_start
            print(
                f"\r{elapsed / 60:5.1f}/{args.minutes} min, {kills} kills, "
                f"{len(latencies)} searches",
                end="",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(1.0)
        print(file=sys.stderr)
        sites.now = lambda: revealed_all
        final = settle(db)
        # Let retries drain: a failing third takes a few rounds of the outbox's backoff.
        drain_deadline = time.monotonic() + args.drain
        while final[4] and time.monotonic() < drain_deadline:
            time.sleep(5.0)
            final = snapshot(db) or final
        peak = max(peak, peak_rss_kib(process.pid))
        stop(process)
    receiver.shutdown()
    urls = stored_urls(db)
    ordered = sorted(latencies)
    return {
        "final": final,
        "kills": kills,
        "peak_rss_mib": round(peak / 1024, 1),
        "urls": urls,
        "urls_twice": sum(1 for n in urls.values() if n > 1),
        "deliveries_accepted": sum(receiver.accepted.values()),
        "deliveries_refused": receiver.refused,
        "keys_accepted_twice": sum(1 for n in receiver.accepted.values() if n > 1),
        "searches": len(latencies),
        "search_errors": len(read_errors),
        "search_p50_ms": round(1000 * statistics.median(ordered), 1) if ordered else None,
        "search_p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 1)
        if ordered
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--kill-every", type=float, default=90.0, help="mean seconds")
    parser.add_argument("--failure-rate", type=float, default=1 / 3)
    parser.add_argument("--drain", type=float, default=300.0, help="max seconds for retries")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    corpus = load_corpus()
    with tempfile.TemporaryDirectory(prefix="yuqing-soak-") as tmp:
        print(f"reference run, no kills: {args.minutes:g} min…", file=sys.stderr)
        reference, reference_urls = reference_run(args, corpus, Path(tmp) / "reference")
        print(f"soak: {args.minutes:g} min…", file=sys.stderr)
        result = soak(args, corpus, Path(tmp) / "soak")
    soak_urls = result.pop("urls")
    result["urls_missing"] = len(set(reference_urls) - set(soak_urls))
    result["urls_extra"] = len(set(soak_urls) - set(reference_urls))
    names = ("mentions", "analyses", "obligations", "notifications", "pending")
    table = {name: (reference[i], result["final"][i]) for i, name in enumerate(names)}
    if args.json:
        print(json.dumps({"reference_vs_soak": table, **result}, default=str))
        return
    print(f"soak of {args.minutes:g} min, {result['kills']} kill -9, seed {args.seed}")
    print(f"{'':14}{'reference':>10}{'soak':>10}")
    for name, (ref, got) in table.items():
        print(f"{name:14}{ref:>10}{got:>10}")
    print(
        f"URLs stored twice: {result['urls_twice']}; in the reference but not the soak: "
        f"{result['urls_missing']}; in the soak only: {result['urls_extra']}"
    )
    print(
        f"webhook deliveries: {result['deliveries_accepted']} accepted, "
        f"{result['deliveries_refused']} refused (HTTP 500), "
        f"{result['keys_accepted_twice']} keys accepted twice"
    )
    print(f"runner peak RSS: {result['peak_rss_mib']} MiB")
    print(
        f"search under load: {result['searches']} queries, p50 {result['search_p50_ms']} ms, "
        f"p95 {result['search_p95_ms']} ms, {result['search_errors']} errors"
    )


if __name__ == "__main__":
    main()

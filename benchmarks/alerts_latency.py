"""Alert latency and rule throughput.

1. **Latency**: a real ``yuqing run`` subprocess crawls a local RSS feed (127.0.0.1) into which
   items of the demo corpus are released at a steady rate, analyses them, evaluates the rules
   (the starter set plus a watch list) and delivers through a webhook notifier to a local
   receiver. For every mention cited in a notification, latency = the receiver's arrival time
   − the mention's first fetch (``first_seen``: the crawler stamps it just before writing to
   the archive, so this slightly overstates "archived → received"). Prints p50 / p95 / max.
2. **Throughput**: the whole demo corpus replayed in simulated time into a scratch archive
   (stored analyses and events copied in as they appear), ``alerts.stage.evaluate`` with 100
   generated rules of all eight types every ``--step``; prints mentions/s and rule
   evaluations/s counting only the time spent in ``evaluate``.

    .venv/bin/python benchmarks/alerts_latency.py [--items 240] [--rate 4] [--repeat 3]
        [--rules 100] [--step 30]
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

from alerts.defaults import default_rules
from archive import open_archive
from archive.models import Mention
from core.clock import SHANGHAI
from yuqing.demo.records import DEMO_START, load_corpus

WATCH_TERMS = ["电梯", "食品", "召回", "处罚", "辟谣", "假冒", "投诉", "质量"]


# ---- the local feed and the webhook receiver -----------------------------------------------
class Feed(ThreadingHTTPServer):
    """An RSS 2.0 feed of the items released so far (the newest 200)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _FeedHandler)
        self.items: list[tuple[dict[str, Any], datetime]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def release(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.items.append((record, datetime.now(SHANGHAI)))

    def xml(self) -> bytes:
        with self.lock:
            items = list(self.items[-200:])
        entries = []
        for record, at in reversed(items):
            title = record.get("title") or record["text"][:30]
            entries.append(
                f"<item><title>{escape(title)}</title>"
                f"<link>{self.base}/item/{record['id']}</link>"
                f"<guid>{self.base}/item/{record['id']}</guid>"
                f"<pubDate>{format_datetime(at)}</pubDate>"
                f"<description>{escape(record['text'])}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>江州本地资讯</title>" + "".join(entries) + "</channel></rss>"
        ).encode()


class _FeedHandler(BaseHTTPRequestHandler):
    server: Feed

    def do_GET(self) -> None:
        body = self.server.xml()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)
        self.arrivals: list[tuple[float, dict[str, Any]]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        arrived = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.arrivals.append((arrived, json.loads(body.decode("utf-8"))))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


# ---- 1. latency ------------------------------------------------------------------------------
def latency(items: int, rate: float, workdir: Path) -> dict[str, Any]:
    corpus = sorted(load_corpus(), key=lambda r: int(r["offset_minutes"]))
    # The stories, not the chatter: notifications come from the first mention of each story.
    records = [r for r in corpus if r.get("text") and r.get("story") != "chatter"][: items + 5]
    warmup, timed = records[:5], records[5:]
    feed, receiver = Feed(), Receiver()
    config = {
        "archive": {"path": "bench.db"},
        "sources": [
            {
                "name": "bench-rss",
                "type": "rss",
                "start_urls": [f"{feed.base}/feed.xml"],
                "interval": "1s",
                "delay": 0,
                "region": "江州市",
            }
        ],
        "rules": [
            *default_rules(["duty"]),
            {"name": "watch", "type": "watch_list", "terms": WATCH_TERMS, "recipients": ["duty"]},
        ],
        "notifiers": [
            {
                "name": "hook",
                "type": "webhook",
                "url": f"http://127.0.0.1:{receiver.server_address[1]}/",
            }
        ],
        "recipients": [{"name": "duty", "notifiers": ["hook"]}],
        "runner": {"tick": "0.25s"},
    }
    path = workdir / "yuqing.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    for record in warmup:
        feed.release(record)
    log = (workdir / "runner.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "yuqing.cli", "-c", str(path), "run"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: _mentions(workdir) >= len(warmup), 120, "the first crawl")
        time.sleep(2.0)  # let the warm-up items go through analysis and delivery
        start_arrivals = len(receiver.arrivals)
        for record in timed:
            feed.release(record)
            time.sleep(1.0 / rate)
        _wait(lambda: _settled(workdir, receiver), 120, "the outbox to drain")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        log.close()
    with open_archive(workdir / "bench.db", readonly=True) as archive:
        fetched = {m.url: m.first_seen.timestamp() for m in _all(archive)}
        stored = archive.count_mentions()
    pattern = re.compile(re.escape(feed.base) + r"/item/[A-Za-z0-9_-]+")
    timed_urls = {f"{feed.base}/item/{r['id']}" for r in timed}
    first: dict[str, float] = {}
    for arrived, payload in receiver.arrivals[start_arrivals:]:
        for url in pattern.findall(payload.get("body", "")):
            if url in timed_urls and url in fetched and url not in first:
                first[url] = arrived - fetched[url]
    samples = sorted(first.values())
    feed.shutdown()
    receiver.shutdown()
    return {
        "released": len(timed),
        "stored": stored,
        "notifications": len(receiver.arrivals) - start_arrivals,
        "samples": len(samples),
        "values": samples,
        "p50": statistics.median(samples) if samples else float("nan"),
        "p95": _percentile(samples, 0.95),
        "max": samples[-1] if samples else float("nan"),
    }


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def _mentions(workdir: Path) -> int:
    if not (workdir / "bench.db").exists():
        return 0
    try:
        with open_archive(workdir / "bench.db", readonly=True) as archive:
            return archive.count_mentions()
    except Exception:  # the runner is still creating it
        return 0


_last: dict[str, Any] = {}


def _settled(workdir: Path, receiver: Receiver) -> bool:
    with open_archive(workdir / "bench.db", readonly=True) as archive:
        state = (
            archive.count_mentions(),
            archive.stats().get("pending_messages", 0),
            len(receiver.arrivals),
            archive.ledger.get_cursor("alerts"),
        )
    now = time.monotonic()
    if state != _last.get("state") or state[1]:
        _last.update(state=state, since=now)
        return False
    return now - _last["since"] >= 5.0


def _all(archive: Any) -> list[Mention]:
    out, position = [], 0
    while rows := archive.mentions_since(position, 1000):
        out += [m for _, m in rows]
        position = rows[-1][0]
    return out


# ---- 2. throughput ---------------------------------------------------------------------------
def corpus_mentions() -> list[Mention]:
    mentions = []
    for r in load_corpus():
        channel = r["channel"]
        official = channel == "official"
        platform = {"weibo": "weibo", "official": "official", "rss": "rss"}.get(channel, "news")
        published = DEMO_START + timedelta(minutes=int(r["offset_minutes"]))
        extra = {"doc_type": r["doc_type"]} if r.get("doc_type") not in (None, "None") else {}
        metrics = {
            k: int(r[k]) for k in ("reposts", "comments", "likes") if str(r.get(k, "")).isdigit()
        }
        mentions.append(
            Mention(
                id=r["id"],
                source=f"demo-{platform}",
                platform=platform,
                kind="official" if official else str(r.get("kind") or "article"),
                url=f"http://demo.local/{r['id']}",
                text=r["text"],
                title=r.get("title") or "",
                author=r.get("author") or "",
                region=r.get("region") or "",
                published_at=published.astimezone(UTC),
                fetched_at=(published + timedelta(minutes=2)).astimezone(UTC),
                metrics=metrics,
                extra=extra,
            )
        )
    return sorted(mentions, key=lambda m: m.fetched_at)


def hundred_rules(count: int) -> list[dict[str, Any]]:
    """``count`` rules cycling through the eight types with varied parameters and filters."""
    topics = [[], ["特种设备"], ["食品安全"], ["产品质量"]]
    grades = ["一般", "较大", "重大"]
    rules = []
    for n in range(count):
        kind = n % 8
        rule: dict[str, Any] = {"name": f"r{n:03d}", "filters": {"topics": topics[n % 4]}}
        if kind == 0:
            rule.update(type="threshold", min_mentions=3 + n % 20, opens=["response"])
        elif kind == 1:
            rule.update(
                type="severity",
                min_grade=grades[n % 3],
                opens=["authoritative_release", "press_conference"],
            )
        elif kind == 2:
            rule.update(type="rumor", min_probability=0.5 + (n % 5) / 10, opens=["clarification"])
        elif kind == 3:
            rule.update(type="watch_list", terms=WATCH_TERMS[n % 8 :] + WATCH_TERMS[: n % 3])
        elif kind == 4:
            rule.update(type="spike", spike_factor=2.0 + n % 4, min_mentions=5)
        elif kind == 5:
            rule.update(type="new_term")
        elif kind == 6:
            rule.update(type="official_document", opens=["policy_interpretation"])
        else:
            rule.update(type="penalty", opens=["penalty_disclosure"])
        rules.append(rule)
    return rules


def throughput(rule_count: int, step: timedelta, workdir: Path) -> dict[str, Any]:
    from alerts.stage import evaluate
    from core.clock import SimulatedClock
    from core.settings import Settings
    from nlp.stage import analyze_new, refresh_events

    mentions = corpus_mentions()
    end = mentions[-1].fetched_at + step
    base = Settings.model_validate({})
    with open_archive(workdir / "analysed.db") as analysed:
        analysed.upsert_mentions(mentions)
        clock = SimulatedClock(end)
        analyze_new(analysed, base, clock)
        refresh_events(analysed, base, clock)
        analyses = analysed.get_analyses([m.id for m in mentions])
        events = {e.id: e for e in analysed.list_events(limit=100_000)}
    settings = Settings.model_validate({"rules": hundred_rules(rule_count)})
    seconds, steps, index = 0.0, 0, 0
    durations = []
    with open_archive(workdir / "replay.db") as replay:
        now = mentions[0].fetched_at
        clock = SimulatedClock(now)
        stored_events: set[str] = set()
        while now < end:
            now += step
            clock.set(now)
            batch = []
            while index < len(mentions) and mentions[index].fetched_at < now:
                batch.append(mentions[index])
                index += 1
            if batch:
                replay.upsert_mentions(batch)
                replay.upsert_analyses([analyses[m.id] for m in batch if m.id in analyses])
                for analysis in (analyses.get(m.id) for m in batch):
                    if (
                        analysis
                        and analysis.event_id in events
                        and analysis.event_id not in stored_events
                    ):
                        stored_events.add(analysis.event_id)
                        replay.upsert_event(events[analysis.event_id])
            started = time.perf_counter()
            evaluate(replay, settings, clock)
            took = time.perf_counter() - started
            durations.append(took)
            seconds += took
            steps += 1
        alerts = len(replay.ledger.list_alerts(limit=100_000))
        obligations = len(replay.ledger.list_obligations(limit=100_000))
    durations.sort()
    return {
        "mentions": len(mentions),
        "rules": rule_count,
        "steps": steps,
        "seconds": seconds,
        "mentions_per_s": len(mentions) / seconds,
        "rule_evaluations_per_s": rule_count * steps / seconds,
        "step_p50_ms": statistics.median(durations) * 1000,
        "step_p95_ms": _percentile(durations, 0.95) * 1000,
        "alerts": alerts,
        "obligations": obligations,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=240, help="feed items released (timed)")
    parser.add_argument("--rate", type=float, default=4.0, help="items released per second")
    parser.add_argument("--rules", type=int, default=100, help="rules for the throughput run")
    parser.add_argument("--step", type=int, default=30, help="simulated minutes per evaluation")
    parser.add_argument("--repeat", type=int, default=3, help="latency runs to pool")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if not args.skip_latency:
            samples: list[float] = []
            notifications = released = 0
            for run in range(args.repeat):  # each run is a fresh archive and runner
                folder_run = work / f"latency-{run}"
                folder_run.mkdir()
                lat = latency(args.items, args.rate, folder_run)
                samples += lat["values"]
                notifications += lat["notifications"]
                released += lat["released"]
            samples.sort()
            print(
                "latency (mention fetched → webhook received), yuqing run on a local RSS feed, "
                f"{args.repeat} run(s): {len(samples)} mentions cited in {notifications} "
                f"notifications ({released} items released at {args.rate:g}/s): "
                f"p50 {statistics.median(samples):.2f} s, p95 {_percentile(samples, 0.95):.2f} s, "
                f"max {samples[-1]:.2f} s"
            )
        (work / "throughput").mkdir()
        out = throughput(args.rules, timedelta(minutes=args.step), work / "throughput")
        print(
            f"rule evaluation, {out['rules']} rules over the demo corpus replay "
            f"({out['mentions']} mentions, {out['steps']} evaluations every {args.step} "
            "simulated min): "
            f"{out['seconds']:.1f} s in evaluate → {out['mentions_per_s']:.0f} mentions/s, "
            f"{out['rule_evaluations_per_s']:.0f} rule evaluations/s; per evaluation p50 "
            f"{out['step_p50_ms']:.0f} ms, p95 {out['step_p95_ms']:.0f} ms; "
            f"{out['alerts']} alerts, {out['obligations']} obligations"
        )


if __name__ == "__main__":
    main()

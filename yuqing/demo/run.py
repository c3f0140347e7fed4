"""``yuqing demo``: the whole pipeline on local demo sites, in compressed simulated time.

The demo sites on 127.0.0.1 reveal the demo corpus as the simulated clock reaches each item's
publication time; the real runner crawls them over HTTP with the real Scrapy spiders,
analyses, raises alerts and opens obligations, exactly as ``yuqing run`` would. The simulated
clock moves in fixed steps, so every run gives the same archive.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

import yaml

from alerts.obligations import STATE_LABELS
from archive import open_archive
from archive.base import ArchiveError
from core.clock import SimulatedClock, local
from core.config import load_config
from core.vocabulary import ALERT_LEVEL_LABELS as ALERT_LEVEL_NAMES
from yuqing.runner import Runner

MARKER = ".yuqing-demo"
DEMO_DAYS = 6
# One runner pass per 10 simulated minutes: fine enough that a 5-hour deadline is seen
# opening within minutes of detection, coarse enough that six days take ~860 passes.
DEMO_TICK = timedelta(minutes=10)
# With the dashboard open: six simulated days in about three real minutes.
DASHBOARD_SPEED = 2880.0


def prepare_workdir(workdir: Path) -> None:
    """Recreate the demo folder, refusing to delete a folder the demo did not make."""
    if workdir.exists() and any(workdir.iterdir()):
        if not (workdir / MARKER).exists():
            raise ArchiveError(
                f"{workdir} exists and was not made by the demo; choose another --workdir"
            )
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / MARKER).write_text("made by `yuqing demo`; deleted by the next demo run\n")


def demo_config(base_url: str, workdir: Path) -> dict[str, Any]:
    from alerts.defaults import default_rules
    from yuqing.demo.sources import demo_authorities, demo_sources

    return {
        "archive": {"backend": "sqlite", "path": "yuqing.db"},
        "sources": demo_sources(base_url),
        "nlp": {"authorities": demo_authorities()},
        "rules": default_rules(["spokesperson", "duty-officer"]),
        # A city bureau with three districts: its own site and account fulfil its
        # obligations; the city government's account and the provincial bureau are superiors.
        "agency": {
            "name": "江州市市场监督管理局",
            "level": "city",
            "region": "江州市",
            "districts": ["临川区", "白沙区", "云溪区"],
            "accounts": ["江州市场监管"],
            "superiors": ["江州发布", "南岭省市场监督管理局", "江州市人民政府"],
            "sources": ["official-*"],
        },
        "notifiers": [
            {"name": "outbox-file", "type": "file", "path": "notifications.jsonl"},
        ],
        "recipients": [
            {
                "name": "spokesperson",
                "role": "spokesperson",
                "notifiers": ["outbox-file"],
                "escalates_to": "leader",
            },
            {
                "name": "duty-officer",
                "role": "duty",
                "notifiers": ["outbox-file"],
                "escalates_to": "spokesperson",
            },
            {"name": "leader", "role": "leader", "notifiers": ["outbox-file"]},
            *(
                {"name": f"{unit}-duty", "display_name": f"{shown}值班员", "role": "duty"}
                | {"notifiers": ["outbox-file"]}
                for unit, shown in (("linchuan", "临川区局"), ("baisha", "白沙区局"))
            ),
        ],
        "units": demo_units(),
        # Alertmanager's group_interval: a story's 已自动办结/建议办结 news waits an hour after
        # a message about it (issue 16: one notification per recipient per story per hour).
        "outbox": {"group_interval": "1h"},
        "runner": {"tick": f"{int(DEMO_TICK.total_seconds())}s", "clock": "pipeline"},
        "dashboard": {"host": "127.0.0.1", "port": 8501},
    }


def demo_units() -> dict[str, Any]:
    """The city bureau and two of its district bureaus (属地化): a story in 临川区 or 白沙区 is
    that district's, told to its duty officer (and to the city at once for 重大 and above);
    云溪区 and 望江区 have no unit here, so their stories stay with the city. Handling times by
    grade follow the kind provinces set (特别重大 2 h … 一般 72 h); the districts inherit them.
    The city's watch scheme (监测方案) watches everything but announced drills, and so do the
    districts (exclusions add up down the tree); a story needs two mentions naming a district
    to be that district's (``route_min_mentions``, the default)."""

    def district(unit: str, name: str, short: str) -> dict[str, Any]:
        return {
            "id": unit,
            "name": f"江州市{name}市场监督管理局",
            "level": "county",
            "region_names": [name, short],
            "recipients": [f"{unit}-duty"],
        }

    return {
        "id": "jiangzhou",
        "name": "江州市市场监督管理局",
        "level": "city",
        "region_names": ["江州市", "江州"],
        "recipients": ["duty-officer"],
        "handling": {"特别重大": "2h", "重大": "4h", "较大": "24h", "一般": "72h"},
        "scheme": {"none": ["应急演练", "消防演习"]},
        "children": [
            district("linchuan", "临川区", "临川"),
            district("baisha", "白沙区", "白沙"),
        ],
    }


def run_demo(
    workdir: Path,
    headless: bool = True,
    speed: float | None = None,
    dashboard_port: int | None = None,
    out: TextIO | None = sys.stdout,
    corpus_path: Path | None = None,
) -> dict[str, Any]:
    """Run the demo to the end of the corpus and return its summary.

    ``corpus_path`` replays another file in the corpus format (a scenario, a drill) through the
    same sites, sources and configuration; it is checked before the workdir is touched."""
    from yuqing.demo.corpus_check import check_corpus
    from yuqing.demo.records import CORPUS_PATH, DEMO_START, load_corpus
    from yuqing.demo.sites import DemoSites

    if corpus_path is not None:
        check_corpus(corpus_path)  # CorpusError names the file, line and field
    prepare_workdir(workdir)
    clock = SimulatedClock(
        DEMO_START, speed if speed is not None else (0 if headless else DASHBOARD_SPEED)
    )
    corpus = load_corpus(corpus_path)
    dashboard: subprocess.Popen[bytes] | None = None
    with DemoSites(corpus, clock.now) as sites:
        config_path = workdir / "yuqing.yaml"
        config = demo_config(sites.base_url, workdir)
        config_path.write_text(
            "# Written by `yuqing demo` for its local demo sites.\n"
            + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        settings = load_config(config_path)
        _say(out, f"demo sites on {sites.base_url}; archive {settings.archive.path}")
        if corpus_path is not None:
            _say(out, f"scenario (演练) corpus {corpus_path}")
        _say(
            out,
            f"replaying {len(corpus)} items over {DEMO_DAYS} days from "
            f"{local(DEMO_START):%Y-%m-%d %H:%M} (Beijing time)",
        )
        with open_archive(settings.archive, lock="runner") as archive:
            runner = Runner(settings, archive, clock)
            runner.install_signal_handlers()
            if not headless:
                dashboard = _start_dashboard(config_path, dashboard_port, out)
            started = time.monotonic()
            runner.run(until=DEMO_START + timedelta(days=DEMO_DAYS), status=out)
            summary = summarise(
                archive, time.monotonic() - started, str(corpus_path or CORPUS_PATH)
            )
    if out is not None:
        print_summary(summary, out, workdir)
    if dashboard is not None:
        _say(out, "the dashboard keeps running; Ctrl-C to stop")
        try:
            dashboard.wait()
        except KeyboardInterrupt:
            dashboard.terminate()
    return summary


def _start_dashboard(
    config_path: Path, port: int | None, out: TextIO | None
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "yuqing.cli", "-c", str(config_path), "dashboard"]
    if port:
        command += ["--port", str(port)]
    process = subprocess.Popen(command)
    _say(out, "dashboard starting (see the address above)")
    return process


def summarise(archive: Any, seconds: float, corpus: str = "") -> dict[str, Any]:
    stats = archive.stats()
    events = archive.list_events(limit=10)
    obligations = archive.ledger.list_obligations()
    return {
        "corpus": corpus,
        "seconds": round(seconds, 1),
        "mentions": stats["mentions"],
        "analysed": stats["analyses"],
        "events": stats["events"],
        "alerts": stats["alerts"],
        "obligations": stats["obligations"],
        "notifications": stats["outbox"],
        "rejects": stats["rejects"],
        "search_hint": search_hint(events),
        "top_events": [
            {
                "title": e.title,
                "heat": round(e.heat, 1),
                "mentions": e.mention_count,
                "severity": e.severity,
                "status": e.status,
            }
            for e in events
        ],
        "obligation_list": [
            {
                "id": o.id,
                "kind": o.kind,
                "title": o.title,
                "status": o.status,
                "due_at": local(o.due_at).isoformat(),
                "provisional": o.provisional,
            }
            for o in obligations
        ],
        "alert_list": [
            {"rule": a.rule, "level": a.level, "title": a.title}
            for a in archive.ledger.list_alerts()
        ],
    }


def search_hint(events: list[Any]) -> str:
    """A word worth searching in this run: the biggest event's first keyword (a drill's own
    story, not the built-in demo's 电梯)."""
    biggest = max(events, key=lambda e: e.mention_count, default=None)
    if biggest is not None and biggest.keywords:
        return str(biggest.keywords[0])
    return "市场监管"


def print_summary(summary: dict[str, Any], out: TextIO, workdir: Path | None = None) -> None:
    """The demo's outcome in the duty staff's words, then how to look around in it."""
    out.write(
        f"\n== 演示完成，用时 {summary['seconds']} 秒 ==\n"
        f"采集提及 {summary['mentions']} 条（已分析 {summary['analysed']} 条），"
        f"事件 {summary['events']} 个，预警 {summary['alerts']} 条，"
        f"处置事项 {summary['obligations']} 项，通知 {summary['notifications']} 条，"
        f"隔离的异常数据 {summary['rejects']} 条\n\n最热事件：\n"
    )
    for event in summary["top_events"]:
        grade = f"［{event['severity']}］" if event["severity"] else ""
        out.write(f"  热度 {event['heat']:>7}  {event['mentions']:>4} 条 {grade}{event['title']}\n")
    out.write("\n预警：\n")
    for alert in summary["alert_list"]:
        level = ALERT_LEVEL_NAMES.get(alert["level"], alert["level"])
        out.write(f"  {level}  {alert['title']}\n")
    out.write("\n处置事项（截止时间为北京时间）：\n")
    for ob in summary["obligation_list"]:
        flag = "（暂定）" if ob["provisional"] else ""
        status = STATE_LABELS.get(ob["status"], ob["status"])
        due = ob["due_at"][:16].replace("T", " ")
        out.write(f"  #{ob['id']:<3} {due}{flag} {status}  {ob['title']}\n")
    config = (workdir or Path("demo-data")) / "yuqing.yaml"
    out.write(
        "\n查看这次演示的数据：\n"
        f"  yuqing -c {config} search {summary.get('search_hint', '市场监管')}  # 检索提及\n"
        f"  yuqing -c {config} obligations list     # 处置事项\n"
        f"  yuqing -c {config} stats                # 数据概况\n"
        f"  yuqing -c {config} dashboard            # 打开仪表盘\n"
    )
    out.flush()


def _say(out: TextIO | None, text: str) -> None:
    if out is not None:
        out.write(text + "\n")
        out.flush()

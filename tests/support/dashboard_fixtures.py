"""A small, known archive for the dashboard tests, filled through the Archive interface.

The configuration uses ``runner.clock: pipeline`` and records ``NOW`` as the pipeline time, so
every countdown and every "last 24 hours" count on the pages is the same on every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from archive import open_archive
from archive.models import Alert, Analysis, Event, Mention, Obligation, Reason, SourceState
from dashboard import session_cookie

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 14:00 in Beijing
HOUR = timedelta(hours=1)

# fmt: off
# (id, platform, source, hours before NOW, title, text, topics, sentiment, rumour, event, region)
_MENTIONS = [
    ("m01", "weibo", "demo-weibo", 1, "", "江州市万达广场电梯困人40分钟，物业迟迟不来！",
     ["special_equipment"], "negative", 0.2, "ev-lift", "江州市"),
    ("m02", "news", "demo-news", 2, "江州一商场电梯困人 市场监管部门介入调查",
     "记者从江州市市场监管局获悉，今日上午一商场电梯发生困人事件，特种设备安全监察人员已赶到现场。",
     ["special_equipment"], "negative", 0.1, "ev-lift", "江州市"),
    ("m03", "weibo", "demo-weibo", 3, "", "听说江州电梯事故死了三个人？大家千万别坐电梯了",
     ["special_equipment"], "negative", 0.91, "ev-lift", "江州市"),
    ("m04", "rss", "demo-rss", 5, "儿童玩具召回公告",
     "某品牌儿童玩具存在小零件脱落风险，现实施召回。",
     ["product_quality"], "neutral", 0.05, "ev-toy", "临川区"),
    ("m05", "weibo", "demo-weibo", 6, "", "网传临川区奶粉检出三聚氰胺，已被辟谣了吗？",
     ["food_safety"], "negative", 0.82, "ev-milk", "临川区"),
    ("m06", "official", "demo-official", 8, "关于网传奶粉问题的情况通报",
     "经抽检，网传奶粉检出三聚氰胺系不实信息。",
     ["food_safety"], "neutral", 0.0, "ev-milk", "临川区"),
    ("m07", "news", "demo-news", 20,
     "<script>alert(1)</script> **粗体** [链接](javascript:alert(1)) :red[红字] 电梯",
     "=HYPERLINK(\"http://evil.example\") <img src=x onerror=alert(1)> 电梯维保",
     ["special_equipment"], "neutral", 0.1, None, "江州市"),
    ("m08", "news", "demo-news", 30, "电梯维保新规解读", "新修订的电梯维护保养规则明年起施行。",
     ["special_equipment"], "positive", 0.0, None, "江州市"),
    ("m09", "rss", "demo-rss", 40, "", "燃气灶具质量抽查结果公布，三批次不合格。",
     ["product_quality"], "neutral", 0.0, None, "临川区"),
    ("m10", "weibo", "demo-weibo", 60, "", "电梯又坏了，每天爬楼梯。",
     ["special_equipment"], "negative", 0.3, None, "江州市"),
]
# fmt: on


@dataclass
class DashboardArchive:
    folder: Path
    config: Path
    db: Path
    now: datetime = NOW
    obligations: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)


def _mentions() -> list[Mention]:
    return [
        Mention(
            id=mid,
            source=source,
            platform=platform,
            kind="post" if platform == "weibo" else "article",
            url=f"http://127.0.0.1/item/{mid}" if mid != "m03" else "javascript:alert(1)",
            title=title,
            text=text,
            published_at=NOW - hours * HOUR,
            fetched_at=NOW - hours * HOUR + timedelta(minutes=5),
            region=region,
            author="网友" + mid if platform == "weibo" else "",
        )
        for mid, platform, source, hours, title, text, _t, _s, _r, _e, region in _MENTIONS
    ]


# Rumour evidence as the NLP stage writes it: signals, features and a known-rumour match.
_REASONS = {
    "m03": [
        Reason("signal", "帖内质疑：听说", 0.35, "m03"),
        Reason("signal", "煽动性用语：千万别", 0.25, "m03"),
        Reason("feature", "作者未认证", 0.1),
    ],
    "m05": [
        Reason("match", "关于网传临川区奶粉检出三聚氰胺的情况通报", 0.87, "m06"),
        Reason("signal", "帖内质疑：网传", 0.3, "m05"),
    ],
}


def _analyses() -> list[Analysis]:
    return [
        Analysis(
            mention_id=mid,
            relevant=True,
            relevance=0.9,
            topics=list(topics),
            sentiment=sentiment,
            rumor_score=rumor,
            event_id=event,
            reasons=list(_REASONS.get(mid, [])),
            analyzed_at=NOW,
        )
        for mid, _p, _s, _h, _ti, _te, topics, sentiment, rumor, event, _r in _MENTIONS
    ]


def _event(
    id: str, title: str, hours: tuple[int, int], count: int, heat: float, status: str, **more: Any
) -> Event:
    """An event first and last seen ``hours`` before NOW, with ``count`` mentions."""
    first, last = hours
    return Event(id=id, title=title, first_seen=NOW - first * HOUR, last_seen=NOW - last * HOUR,
                 mention_count=count, heat=heat, status=status, **more)  # fmt: skip


def _events() -> list[Event]:
    return [
        _event("ev-lift", "江州商场电梯困人", (3, 1), 3, 88.5, "growing", burst=4.0,
               topics=["special_equipment"], severity="较大",
               severity_basis=[Reason("figure", "死亡 3人（“死了三个人”）", 3.0, "m03")],
               keywords=["电梯", "困人", "商场"], region="江州市"),
        # Its two mentions here and a reprint not in the fixture: a hotspot (three mentions,
        # two publishers), unlike ev-toy's single notice.
        _event("ev-milk", "网传临川奶粉三聚氰胺", (8, 6), 3, 61.0, "peak",
               topics=["food_safety"], rumor_score=0.82, region="临川区"),
        _event("ev-toy", "儿童玩具召回", (5, 5), 1, 12.0, "closed", topics=["product_quality"]),
        _event("ev-old", "上月燃气灶质量问题", (30 * 24, 29 * 24), 5, 5.0, "closed"),
    ]  # fmt: skip


def _obligations() -> dict[str, Obligation]:
    return {
        "overdue": Obligation(
            kind="authoritative_release",
            subject="ev-lift",
            title="发布权威信息：江州商场电梯困人",
            opened_at=NOW - 8 * HOUR,
            due_at=NOW - 3 * HOUR,
            event_id="ev-lift",
            late_reason="补登：事件始于 NOW-8h，开启时已超期 1小时",
        ),
        "urgent": Obligation(
            kind="clarification",
            subject="ev-milk",
            title="澄清：网传临川奶粉三聚氰胺",
            opened_at=NOW - 23 * HOUR + timedelta(minutes=-15),
            due_at=NOW + 2 * HOUR + timedelta(minutes=15),
            event_id="ev-milk",
        ),
        "provisional": Obligation(
            kind="penalty_disclosure",
            subject="江市监罚〔2026〕12号",
            title="行政处罚公示：江市监罚〔2026〕12号",
            opened_at=NOW - 24 * HOUR,
            due_at=NOW + 20 * 24 * HOUR,
            provisional=True,
            level="city",
        ),
        "done": Obligation(
            kind="response",
            subject="ev-toy",
            title="回应关切：儿童玩具召回",
            opened_at=NOW - 40 * HOUR,
            due_at=NOW + 8 * HOUR,
            status="done",
            link="http://127.0.0.1/release/1",
            # Closed by the system on the agency's own release (alerts.fulfilment).
            done_at=NOW - 30 * HOUR,
            fulfilled_by="m01",
        ),
    }


# Sources and rules in force, as an administrator would write them.
SOURCES_YAML = """\
sources:
  - {name: demo-news, type: news, start_urls: ["http://127.0.0.1:1/news/"], interval: 10m}
  - {name: demo-weibo, type: weibo, start_urls: ["http://127.0.0.1:1/weibo"], interval: 5m}
  - {name: demo-rss, type: rss, start_urls: ["http://127.0.0.1:1/rss.xml"], interval: 10m}
  - {name: demo-official, type: official, start_urls: ["http://127.0.0.1:1/gov/"], interval: 1h}
  - {name: demo-spare, type: rss, start_urls: ["http://127.0.0.1:1/spare.xml"], enabled: false}
rules:
  - name: hot-events
    type: threshold
    description: 热度较高的事件
    min_heat: 50
    level: warning
  - name: major-accidents
    type: severity
    description: 较大及以上事故
    min_grade: 较大
    level: critical
    opens: [authoritative_release, press_conference]
  - name: rumours
    type: rumor
    description: 疑似谣言
    min_probability: 0.7
    opens: [clarification]
  - name: lift-watch
    type: watch_list
    terms: [电梯]
  - name: topic-spike
    type: spike
    per_topic: true
    level: info
silences:
  - {rule: hot-events, subject: "event:ev-toy", ends_at: "2026-11-21T00:00:00+08:00",
     created_by: admin, comment: 召回已完成}
  - {rule: hot-events, ends_at: "2026-11-01T00:00:00+08:00", created_by: admin, comment: 已过期}
"""


def write_config(
    folder: Path, db: Path, cache_ttl: str = "10s", extra: str = "", timeout: str = "8h"
) -> Path:
    config = folder / "yuqing.yaml"
    config.write_text(
        f"archive:\n  backend: sqlite\n  path: {db.name}\n"
        f"runner:\n  clock: pipeline\n"
        f"dashboard:\n  host: 127.0.0.1\n  port: 8501\n  cache_ttl: {cache_ttl}\n"
        f"  session_timeout: {timeout}\n" + SOURCES_YAML + extra,
        encoding="utf-8",
    )
    return config


def _alerts() -> list[Alert]:
    return [
        Alert(
            rule="major-accidents",
            subject="event:ev-lift",
            level="critical",
            title="江州商场电梯困人",
            first_at=NOW - 3 * HOUR,
            last_at=NOW - HOUR,
            event_id="ev-lift",
            evidence=[Reason("figure", "死亡 3人（“死了三个人”）", 3.0, "m03")],
        ),
        Alert(
            rule="rumours",
            subject="event:ev-milk",
            level="warning",
            title="网传临川区奶粉检出三聚氰胺，已被辟谣了吗",
            first_at=NOW - 8 * HOUR,
            last_at=NOW - 6 * HOUR,
            event_id="ev-milk",
            # As alerts.post_rules.RumorRule writes it: the claim, its post, the debunk.
            evidence=[
                Reason("signal", "疑似不实说法：网传临川区奶粉检出三聚氰胺，已被辟谣了吗", 0.82),
                Reason("post", "传播帖：网传临川区奶粉检出三聚氰胺", 0.0, "m05"),
                Reason("match", "已辟谣：关于网传奶粉问题的情况通报", 0.87, "m06"),
            ],
        ),
    ]


def _source_states() -> list[SourceState]:
    return [
        SourceState(
            source="demo-news",
            last_run_at=NOW - 5 * timedelta(minutes=1),
            last_success_at=NOW - 5 * timedelta(minutes=1),
            items_last_run=12,
            runs=40,
            errors=2,
            last_error="HTTP 503",
            last_error_at=NOW - 10 * HOUR,
        ),
        SourceState(
            source="demo-weibo",
            last_run_at=NOW - 2 * timedelta(minutes=1),
            last_success_at=NOW - 3 * HOUR,
            items_last_run=0,
            runs=50,
            errors=10,
            last_error="连接超时 <b>timeout</b>",
            last_error_at=NOW - 2 * timedelta(minutes=1),
        ),
        SourceState(
            source="demo-rss",
            last_run_at=NOW - 2 * HOUR,
            last_success_at=NOW - 2 * HOUR,
            items_last_run=3,
            runs=20,
        ),
        SourceState(
            source="old-forum",
            last_run_at=NOW - 90 * 24 * HOUR,
            runs=1,
            errors=1,
            last_error="404",
            last_error_at=NOW - 90 * 24 * HOUR,
        ),
    ]


def build_archive(folder: Path) -> DashboardArchive:
    """Fill ``folder/yuqing.db`` and write ``folder/yuqing.yaml`` pointing at it."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "yuqing.db"
    made = DashboardArchive(folder=folder, config=write_config(folder, db), db=db)
    with open_archive(db) as archive:
        archive.upsert_mentions(_mentions())
        archive.upsert_analyses(_analyses())
        for event in _events():
            archive.upsert_event(event)
        for alert in _alerts():
            stored_alert, _ = archive.ledger.upsert_alert(alert)
            assert stored_alert.id is not None
            made.alerts[alert.rule] = stored_alert.id
        for name, obligation in _obligations().items():
            stored, _ = archive.ledger.open_obligation(obligation)
            assert stored.id is not None
            made.obligations[name] = stored.id
        for state in _source_states():
            archive.ledger.save_source_state(state)
        archive.ledger.record_pipeline_time(NOW)
    return made


# Expected figures for the overview at NOW.
EXPECTED_NEW_24H = 7  # m01..m07
EXPECTED_PREVIOUS_24H = 2  # m08, m09
EXPECTED_ACTIVE_HOTSPOTS = 2  # ev-lift, ev-milk (ev-toy is closed)
EXPECTED_OPEN_OBLIGATIONS = 3
EXPECTED_OVERDUE = 1
# m05 spreads the milk claim a debunk answers; m03 (0.91) is a post in an event that a news
# report (m02) states as fact, with no debunk of a claim in it: no identified false claim.
EXPECTED_RUMOURS = 1


APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def add_food_safety_burst(db: Path) -> None:
    """Eight food-safety posts in the last hour before NOW, after a week with none at this
    hour (one such post ten days before, so the archive holds enough history)."""
    with open_archive(db) as archive:
        template = archive.get_mention("m10")
        assert template is not None
        posts = [replace(template, id="old", published_at=NOW - timedelta(days=10))]
        posts += [
            replace(
                template,
                id=f"burst{i}",
                url=f"https://example.com/burst{i}",
                text=f"某品牌奶粉检出异物{i}",
                published_at=NOW - timedelta(minutes=5 + 6 * i),
                fetched_at=NOW - timedelta(minutes=4 + 6 * i),
            )
            for i in range(8)
        ]
        archive.upsert_mentions(posts)
        archive.upsert_analyses(
            [
                Analysis(mention_id=p.id, relevant=True, relevance=0.9, topics=["food_safety"])
                for p in posts
            ]
        )


def app_test(made: DashboardArchive, monkeypatch: Any, page: str | None = None) -> AppTest:
    """An AppTest of the whole app on ``made``; ``page`` (e.g. ``views/search.py``) is
    opened after the first run, as a user clicking it in the menu would."""
    monkeypatch.setenv("YUQING_CONFIG", str(made.config))
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    if page is not None:
        at.switch_page(page).run()
    return at


def table_with(at: AppTest, column: str) -> Any:
    """The first table on the page with ``column`` (interactive tables before static ones)."""
    return next(d.value for d in [*at.dataframe, *at.table] if column in d.value.columns)


def assert_no_html(at: AppTest) -> None:
    """Nothing on the page is rendered as HTML (but the login cookie's own script)."""
    assert not at.exception, [e.value for e in at.exception]
    for element in at.get("html"):
        body = element.proto.body
        assert body.startswith(session_cookie.SCRIPT_PREFIX), body
        assert session_cookie.SESSION_ROUTE in body or session_cookie.LOGOUT_ROUTE in body, body
    for element in [*at.markdown, *at.caption]:
        assert not element.proto.allow_html, element.value


# ---- an archive filled by the demo pipeline's own stages ---------------------------------
DEMO_STEP = timedelta(hours=3)
_DEMO_PLATFORMS = {"jzrb": "news", "lcxw": "news", "rss": "rss", "weibo": "weibo"}


def _demo_mention(record: Any) -> Mention:
    """A demo corpus record as the spiders store it (platform, kind, metrics, doc type)."""
    platform = _DEMO_PLATFORMS.get(record.channel, "official")
    extra: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    if platform == "weibo":
        kind = record.kind if record.kind in ("post", "repost", "comment") else "post"
        metrics = {**record.counts, "followers": record.user.get("followers_count", 0)}
        metrics["verified"] = bool(record.user.get("verified"))
    elif platform == "official":
        kind = "debunk" if record.doc_type == "debunk" else "official"
        extra = {"doc_type": record.doc_type, "doc_number": record.doc_number}
    else:
        kind = "article"
    return Mention(
        id=f"demo-{record.id}",
        source=f"demo-{record.channel}",
        platform=platform,
        kind=kind,
        url=f"http://127.0.0.1/demo/{record.slug}",
        title=record.title,
        text=record.text,
        published_at=record.published,
        fetched_at=record.published + timedelta(minutes=2),
        author=record.author or str(record.user.get("screen_name", "")),
        parent_id=f"demo-{record.parent}" if record.parent else None,
        metrics=metrics,
        extra=extra,
    )


def build_demo_archive(folder: Path) -> DashboardArchive:
    """The demo corpus through the runner's analysis and alert stages in simulated time.

    The crawl is left out (the demo's HTTP sites and spiders take minutes and have tests of
    their own): every ``DEMO_STEP`` of the six demo days, the corpus items published by then
    are stored as the spiders store them, then ``Runner.analyze`` and ``Runner.alert`` run, as
    in ``yuqing demo``, with the demo's configuration and default rules.
    """
    import yaml

    from core.clock import SimulatedClock
    from core.config import load_config
    from yuqing.demo.records import DEMO_START, load_corpus
    from yuqing.demo.run import DEMO_DAYS, demo_config
    from yuqing.demo.sites import DemoSites
    from yuqing.runner import Runner, TickReport

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "yuqing.db"
    raw = demo_config("http://127.0.0.1:9", folder)
    raw["archive"] = {"backend": "sqlite", "path": db.name}
    raw["dashboard"] = {"host": "127.0.0.1", "port": 8501, "cache_ttl": "10s"}
    config = folder / "yuqing.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    settings = load_config(config)
    records = DemoSites(load_corpus(), lambda: DEMO_START).records  # not started: no server
    mentions = sorted((_demo_mention(r) for r in records), key=lambda m: m.fetched_at)
    end = DEMO_START + timedelta(days=DEMO_DAYS)
    clock = SimulatedClock(DEMO_START)
    with open_archive(db) as archive:
        runner = Runner(settings, archive, clock)
        stored = 0
        now = DEMO_START
        while now < end:
            now = min(end, now + DEMO_STEP)
            clock.set(now)
            archive.ledger.record_pipeline_time(now)
            batch = []
            while stored < len(mentions) and mentions[stored].fetched_at <= now:
                batch.append(mentions[stored])
                stored += 1
            if batch:
                archive.upsert_mentions(batch)
            report = TickReport(at=now)
            runner.analyze(report)
            runner.alert(report)
    return DashboardArchive(folder=folder, config=config, db=db, now=end)

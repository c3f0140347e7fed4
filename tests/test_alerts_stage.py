"""The alert stage on a real SQLite archive: alerts, obligations, inhibition, outbox, crashes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from alerts import obligations as ops
from alerts.defaults import default_rules
from alerts.stage import STAGE, evaluate
from archive import Archive, open_archive
from archive.models import Analysis, Event, Mention, Reason
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings

T0 = datetime(2026, 7, 20, 9, 0, tzinfo=SHANGHAI)


def mention(
    mid: str,
    text: str,
    at: datetime,
    *,
    platform: str = "weibo",
    kind: str = "post",
    title: str = "",
    region: str = "浙江省杭州市",
    extra: dict[str, Any] | None = None,
    source: str = "weibo-test",
) -> Mention:
    return Mention(
        id=mid,
        source=source,
        platform=platform,
        kind=kind,
        url=f"https://example.com/{mid}",
        text=text,
        title=title,
        region=region,
        published_at=at,
        fetched_at=at + timedelta(minutes=2),
        extra=extra or {},
    )


def analysis(
    mid: str,
    *,
    event_id: str | None = None,
    rumor: float | None = None,
    reasons: list[Reason] | None = None,
) -> Analysis:
    return Analysis(
        mention_id=mid,
        relevant=True,
        relevance=0.9,
        topics=["特种设备"],
        sentiment="negative",
        rumor_score=rumor,
        event_id=event_id,
        reasons=reasons or [],
        analyzed_at=T0,
    )


def event(
    eid: str,
    *,
    severity: str | None = None,
    count: int = 5,
    heat: float = 5.0,
    rumor: float | None = None,
    title: str = "杭州某小区电梯坠落事故",
) -> Event:
    return Event(
        id=eid,
        title=title,
        first_seen=T0,
        last_seen=T0 + timedelta(minutes=50),
        mention_count=count,
        heat=heat,
        topics=["特种设备"],
        region="浙江省杭州市",
        severity=severity,
        severity_basis=[Reason("figure", "死亡 3 人（据“杭州发布”通报）", 3.0, "m1")]
        if severity
        else [],
        rumor_score=rumor,
    )


def make_settings(tmp_path: Path, rules: list[dict[str, Any]] | None = None) -> Settings:
    return Settings.model_validate(
        {
            "rules": [dict(rule, recipients=["duty"]) for rule in (rules or default_rules())],
            "notifiers": [
                {"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")},
                {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/hook"},
            ],
            "recipients": [{"name": "duty", "role": "duty", "notifiers": ["log", "hook"]}],
        }
    )


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "a.db") as opened:
        yield opened


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0 + timedelta(hours=1))


def snapshot(archive: Archive) -> tuple[Any, ...]:
    return (
        archive.ledger.list_alerts(limit=1000),
        archive.ledger.list_obligations(limit=1000),
        sorted(m.dedup_key for m in archive.ledger.list_messages(limit=1000)),
        len(archive.ledger.list_audit(limit=10000)),
        archive.ledger.get_cursor(STAGE),
    )


def kinds(archive: Archive) -> dict[str, str]:
    return {ob.kind: ob.status for ob in archive.ledger.list_obligations()}


def test_default_rules_are_valid_settings(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert {r.type for r in settings.rules} >= {
        "severity",
        "rumor",
        "threshold",
        "official_document",
        "penalty",
    }
    with_recipients = default_rules(["duty"])
    assert all(rule["recipients"] == ["duty"] for rule in with_recipients)
    assert "recipients" not in default_rules()[0]


def test_one_alert_per_rule_and_subject_and_a_rerun_changes_nothing(
    tmp_path: Path, archive: Archive, clock: SimulatedClock
) -> None:
    settings = make_settings(tmp_path)
    archive.upsert_event(event("e1", count=40, heat=60.0))
    first = evaluate(archive, settings, clock)
    assert (first.alerts_new, first.obligations_opened) == (1, 1)
    # One message (the alert, its obligation folded in) to two notifiers of one recipient.
    assert first.messages_queued == 2
    alert = archive.ledger.list_alerts()[0]
    assert (alert.rule, alert.subject, alert.event_id) == ("hot-event", "event:e1", "e1")
    ob = archive.ledger.list_obligations()[0]
    assert (ob.kind, ob.subject, ob.alert_id) == ("response", "event:e1", alert.id)
    assert ob.opened_at == T0.astimezone(UTC)  # the clock runs from first detection
    assert ob.due_at == (T0 + timedelta(hours=48)).astimezone(UTC)
    keys = {m.dedup_key for m in archive.ledger.list_messages()}
    assert keys == {f"alert:{alert.id}:warning:ob{ob.id}:duty:{n}" for n in ("log", "hook")}
    [message, _] = archive.ledger.list_messages()
    assert "（须履行：回应关切，截止 " in message.subject
    assert f"回应关切（义务 #{ob.id}，" in message.body
    actions = {a.action for a in archive.ledger.list_audit()}
    assert {"alert.fired", "obligation.opened"} <= actions
    assert all(a.actor == "system" for a in archive.ledger.list_audit())

    before = snapshot(archive)
    again = evaluate(archive, settings, clock)
    assert (again.alerts_new, again.alerts_updated, again.obligations_opened) == (0, 0, 0)
    assert again.messages_queued == 0
    assert snapshot(archive) == before


def test_later_evidence_updates_the_same_alert(
    tmp_path: Path, archive: Archive, clock: SimulatedClock
) -> None:
    settings = make_settings(tmp_path)
    archive.upsert_event(event("e1", count=40))
    evaluate(archive, settings, clock)
    grown = event("e1", count=90)
    grown.last_seen = T0 + timedelta(hours=3)
    archive.upsert_event(grown)
    clock.advance(3 * 3600)
    report = evaluate(archive, settings, clock)
    assert (report.alerts_new, report.alerts_updated, report.obligations_opened) == (0, 1, 0)
    alerts = archive.ledger.list_alerts()
    assert len(alerts) == 1
    assert alerts[0].last_at == grown.last_seen.astimezone(UTC)
    assert alerts[0].first_at == T0.astimezone(UTC)
    assert any("90 条" in r.text for r in alerts[0].evidence)


def test_higher_severity_raises_the_level_and_opens_stronger_obligations(
    tmp_path: Path, archive: Archive, clock: SimulatedClock
) -> None:
    settings = make_settings(tmp_path)
    archive.upsert_event(event("e1", severity="较大"))
    report = evaluate(archive, settings, clock)
    assert report.alerts_new == 1 and report.obligations_opened == 0
    alert = archive.ledger.list_alerts()[0]
    assert (alert.rule, alert.level) == ("major-accident", "warning")

    archive.upsert_event(event("e1", severity="重大"))
    clock.advance(600)
    report = evaluate(archive, settings, clock)
    assert (report.alerts_new, report.alerts_updated, report.obligations_opened) == (0, 1, 2)
    raised = archive.ledger.list_alerts()
    assert len(raised) == 1 and raised[0].level == "critical"
    assert kinds(archive) == {"authoritative_release": "open", "press_conference": "open"}
    release = next(
        o for o in archive.ledger.list_obligations() if o.kind == "authoritative_release"
    )
    assert release.due_at == (T0 + timedelta(hours=5)).astimezone(UTC)  # from first detection
    keys = {m.dedup_key for m in archive.ledger.list_messages()}
    assert f"alert:{alert.id}:warning:duty:log" in keys
    # The raise is news, sent once more, with the obligations it opened (the newest keys it).
    newest = max(o.id or 0 for o in archive.ledger.list_obligations())
    assert f"alert:{alert.id}:critical:ob{newest}:duty:log" in keys
    assert not any(k.startswith("obligation:") for k in keys)
    assert any(a.action == "alert.raised" for a in archive.ledger.list_audit(object_type="alert"))
    # A later lower grade does not lower the alert.
    archive.upsert_event(event("e1", severity="较大"))
    evaluate(archive, settings, clock)
    assert archive.ledger.list_alerts()[0].level == "critical"


def test_open_press_conference_inhibits_the_response(
    tmp_path: Path, archive: Archive, clock: SimulatedClock
) -> None:
    settings = make_settings(tmp_path)
    # Both the severity rule (press conference) and the hot-event rule (response) match.
    archive.upsert_event(event("e1", severity="重大", count=50))
    report = evaluate(archive, settings, clock)
    assert report.obligations_inhibited == 1
    assert kinds(archive) == {"authoritative_release": "open", "press_conference": "open"}
    assert len(archive.ledger.list_alerts()) == 2  # the hot-event alert still fires

    # Held (done) still inhibits; a waived press conference no longer does.
    press = next(o for o in archive.ledger.list_obligations() if o.kind == "press_conference")
    assert press.id is not None
    ops.complete(archive, press.id, "spokesperson", "https://example.gov.cn/fbh", clock)
    evaluate(archive, settings, clock)
    assert "response" not in kinds(archive)
    ops.reopen(archive, press.id, "admin", "closed by mistake", clock)
    ops.waive(archive, press.id, "admin", "no conference needed", clock)
    report = evaluate(archive, settings, clock)
    assert report.obligations_opened == 1
    assert kinds(archive)["response"] == "open"


def test_documents_open_working_day_obligations_from_publication(
    tmp_path: Path, archive: Archive
) -> None:
    settings = make_settings(tmp_path)
    published = datetime(2026, 12, 28, 10, tzinfo=SHANGHAI)  # Monday
    archive.upsert_mentions(
        [
            mention(
                "p1",
                "关于进一步加强电梯安全管理的通知全文……",
                published,
                platform="official",
                kind="official",
                title="关于进一步加强电梯安全管理的通知",
                extra={"doc_type": "policy"},
                source="samr-policy",
            ),
            mention(
                "x1",
                "某公司因销售不合格电热水壶被处罚款……",
                published,
                platform="official",
                kind="official",
                title="行政处罚决定书 杭市监罚〔2026〕12号",
                extra={
                    "doc_type": "penalty",
                    "level": "county",
                    "decided_at": "2026-12-21T16:00:00+08:00",
                },
                source="hz-penalty",
            ),
            mention(
                "n1",
                "普通通知",
                published,
                platform="official",
                kind="official",
                extra={"doc_type": "notice"},
            ),
        ]
    )
    clock = SimulatedClock(published + timedelta(hours=1))
    report = evaluate(archive, settings, clock)
    assert report.alerts_new == 2 and report.obligations_opened == 2
    obs = {o.kind: o for o in archive.ledger.list_obligations()}
    policy = obs["policy_interpretation"]
    assert policy.subject == "doc:p1"
    assert policy.opened_at == published.astimezone(UTC)
    # Dec 29, 30, 31 are working days: due the end of 31 December, not provisional.
    assert policy.due_at == datetime(2026, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)
    assert not policy.provisional
    penalty = obs["penalty_disclosure"]
    assert penalty.level == "county"
    # Decided Mon Dec 21: Dec 22–25, 28 + … 7 working days = Wed 30 December.
    assert penalty.due_at == datetime(2026, 12, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert archive.ledger.get_cursor(STAGE) == archive.latest_position()


def test_provisional_deadline_is_marked_in_the_message(tmp_path: Path, archive: Archive) -> None:
    settings = make_settings(tmp_path)
    published = datetime(2026, 12, 30, 10, tzinfo=SHANGHAI)
    archive.upsert_mentions(
        [
            mention(
                "p2",
                "政策全文",
                published,
                platform="official",
                kind="official",
                title="关于某产品质量安全监管的意见",
                extra={"doc_type": "policy"},
            )
        ]
    )
    evaluate(archive, settings, SimulatedClock(published + timedelta(hours=1)))
    ob = archive.ledger.list_obligations()[0]
    assert ob.provisional  # counts days of 2027, whose schedule is unknown
    message = next(m for m in archive.ledger.list_messages() if m.dedup_key.startswith("alert:"))
    assert "截止时间：2027-01-05 23:59（北京时间）「暂定」" in message.body
    for word in ("规则：重要政策文件", "事件：", "级别：", "须履行：", "发布政策解读（义务 #"):
        assert word in message.body
    assert "暂定" in message.subject


def test_rumour_posts_group_under_their_event(
    tmp_path: Path, archive: Archive, clock: SimulatedClock
) -> None:
    settings = make_settings(tmp_path)
    archive.upsert_event(event("e2", title="网传某品牌奶粉致婴儿死亡"))
    posts = [
        mention("r1", "网传某品牌奶粉致婴儿死亡", T0 + timedelta(minutes=5)),
        mention("r2", "转发：某品牌奶粉出事了", T0 + timedelta(minutes=20)),
        mention("r3", "某地电梯吃人视频", T0 + timedelta(minutes=30)),
    ]
    archive.upsert_mentions(posts)
    archive.upsert_analyses(
        [
            analysis("r1", event_id="e2", rumor=0.91),
            analysis("r2", event_id="e2", reasons=[Reason("match", "2025年已辟谣：某品牌奶粉")]),
            analysis("r3", rumor=0.8),
        ]
    )
    report = evaluate(archive, settings, clock)
    alerts = {a.subject: a for a in archive.ledger.list_alerts()}
    assert set(alerts) == {"event:e2", "mention:r3"}
    assert report.obligations_opened == 2
    texts = " ".join(r.text for r in alerts["event:e2"].evidence)
    assert "0.91" in texts and "已辟谣" in texts
    clarifications = {o.subject: o for o in archive.ledger.list_obligations()}
    # The clock starts when the first post spreading the claim was seen, and the
    # clarification names the claim.
    assert clarifications["event:e2"].due_at == posts[0].fetched_at + timedelta(hours=24)
    assert clarifications["event:e2"].title == "澄清事实：网传某品牌奶粉致婴儿死亡"
    detected = posts[2].fetched_at
    assert clarifications["mention:r3"].due_at == detected + timedelta(hours=24)


def test_cursor_waits_for_the_analysis(
    tmp_path: Path, archive: Archive, clock: SimulatedClock
) -> None:
    settings = make_settings(tmp_path)
    archive.upsert_mentions([mention("r9", "谣言帖", T0 + timedelta(minutes=40))])
    evaluate(archive, settings, clock)
    assert archive.ledger.get_cursor(STAGE) == 0  # not analysed yet: do not pass it
    assert archive.ledger.list_alerts() == []
    archive.upsert_analyses([analysis("r9", rumor=0.95)])
    evaluate(archive, settings, clock)
    assert archive.ledger.get_cursor(STAGE) == archive.latest_position()
    assert [a.subject for a in archive.ledger.list_alerts()] == ["mention:r9"]


def test_rule_filters_apply(tmp_path: Path, archive: Archive, clock: SimulatedClock) -> None:
    rules = [
        {
            "name": "js-hot",
            "type": "threshold",
            "min_mentions": 10,
            "filters": {"regions": ["江苏"]},
        },
        {
            "name": "zj-hot",
            "type": "threshold",
            "min_mentions": 10,
            "filters": {"regions": ["浙江"]},
        },
        {"name": "food", "type": "threshold", "min_mentions": 10, "filters": {"topics": ["食品"]}},
        {"name": "off", "type": "threshold", "min_mentions": 10, "enabled": False},
    ]
    archive.upsert_event(event("e1", count=40))
    evaluate(archive, make_settings(tmp_path, rules), clock)
    assert [a.rule for a in archive.ledger.list_alerts()] == ["zj-hot"]


def test_an_unknown_year_never_crashes_the_stage(tmp_path: Path, archive: Archive) -> None:
    published = datetime(2031, 9, 30, 10, tzinfo=SHANGHAI)
    archive.upsert_mentions(
        [
            mention(
                "p3",
                "全文",
                published,
                platform="official",
                kind="official",
                extra={"doc_type": "policy"},
            )
        ]
    )
    report = evaluate(archive, make_settings(tmp_path), SimulatedClock(published))
    assert report.obligations_opened == 1 and not report.errors
    ob = archive.ledger.list_obligations()[0]
    assert ob.provisional
    # Fallback: Oct 1–3 are fixed holidays, Oct 4–5 a weekend: Oct 6, 7, 8.
    assert ob.due_at.astimezone(SHANGHAI).date() == date(2031, 10, 8)


def test_old_documents_from_a_first_crawl_open_nothing(tmp_path: Path, archive: Archive) -> None:
    old = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    archive.upsert_mentions(
        [
            mention(
                "p0",
                "旧文件",
                old,
                platform="official",
                kind="official",
                extra={"doc_type": "policy"},
            )
        ]
    )
    report = evaluate(archive, make_settings(tmp_path), SimulatedClock(old + timedelta(days=90)))
    assert (report.alerts_new, report.obligations_opened) == (0, 0)

"""Obligations that close on evidence, on a real archive in simulated time: the earliest
qualifying publication after the trigger closes an obligation when the agency itself
published it (undo is one action), a weaker one is only proposed, a penalty decision on the
agency's own site is its own disclosure, districts get the county rule, working-day
obligations escalate late, and an obligation found after its deadline says why (补登)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from alerts import obligations as ops
from alerts.event_rules import agency_published as rules_agency_published
from alerts.fulfilment import Channels, candidates_for, find
from alerts.stage import evaluate
from archive import Archive, open_archive
from archive.models import Mention, Obligation
from core.clock import SHANGHAI, SimulatedClock, local
from core.settings import Settings
from tests.conftest import OBLIGATION_EVIDENCE_UNDONE
from tests.support.alert_data import HOT, T0, analysis, event, mention
from tests.support.fulfilment_data import REPORT, hot_event, post, settings_for

PENALTY = [
    {
        "name": "penalty",
        "type": "penalty",
        "level": "info",
        "opens": ["penalty_disclosure"],
        "recipients": ["duty"],
    }
]


def opened_response(tmp_path: Path, archive: Archive) -> tuple[Settings, SimulatedClock, int]:
    settings = settings_for(tmp_path, HOT)
    clock = SimulatedClock(T0 + timedelta(minutes=30))
    hot_event(archive)
    evaluate(archive, settings, clock)
    [ob] = archive.ledger.list_obligations()
    assert ob.kind == "response" and ob.status == "open"
    return settings, clock, ob.id or 0


def test_own_account_publication_closes_it_with_done_at_audit_and_one_step_undo(
    tmp_path: Path, archive: Archive
) -> None:
    settings, clock, ob_id = opened_response(tmp_path, archive)
    own = post("own1", REPORT, 120, "杭州市场监管")
    archive.upsert_mentions([own])
    archive.upsert_analyses([analysis("own1", event_id="e1")])
    clock.set(T0 + timedelta(hours=3))
    report = evaluate(archive, settings, clock)
    assert report.fulfilments_closed == 1
    ob = archive.ledger.get_obligation(ob_id)
    assert ob is not None and ob.status == "done"
    assert (ob.done_at, ob.link, ob.fulfilled_by, ob.on_time) == (
        own.published_at,
        own.url,
        "own1",
        True,
    )
    [entry] = [e for e in archive.ledger.list_audit("obligation", str(ob_id)) if e.actor == "系统"]
    assert (entry.actor, entry.action) == ("系统", "obligation.fulfilled")
    [message] = [m for m in archive.ledger.list_messages() if ":fulfilled:" in m.dedup_key]
    assert message.subject.startswith("【按时办结·回应关切】")
    assert f"yuqing obligations undo {ob_id}" in message.body

    undone = ops.undo(archive, ob_id, "王科长", clock)
    assert (undone.status, undone.done_at, undone.link, undone.rejected) == (
        "open",
        None,
        "",
        ["own1"],
    )
    evaluate(archive, settings, clock)  # the rejected publication is not taken again
    assert archive.ledger.get_obligation(ob_id).status == "open"  # type: ignore[union-attr]
    with pytest.raises(ops.InvalidTransition):
        ops.undo(archive, ob_id, "王科长", clock)


def test_a_superiors_publication_or_a_partial_match_is_only_proposed(
    tmp_path: Path, archive: Archive
) -> None:
    settings, clock, ob_id = opened_response(tmp_path, archive)
    superior = post("sup1", REPORT, 60, "杭州发布")
    vague = post("own0", "【通报】近期开展电梯安全检查，请市民注意乘梯安全。", 50, "杭州市场监管")
    archive.upsert_mentions([superior, vague])
    clock.set(T0 + timedelta(hours=2))
    report = evaluate(archive, settings, clock)
    assert (report.fulfilments_closed, report.fulfilments_proposed) == (0, 1)
    ob = archive.ledger.get_obligation(ob_id)
    assert ob is not None and ob.status == "open" and ob.fulfilled_by == "sup1"
    assert ob.note.startswith(f"建议办结：{superior.url}（") and "上级发布" in ob.note
    evaluate(archive, settings, clock)  # proposed once
    assert len([m for m in archive.ledger.list_messages() if ":proposed:" in m.dedup_key]) == 1
    # Confirming it: done at the publication's time, not at the click.
    clock.advance(5 * 3600)
    done = ops.accept(archive, ob_id, "王科长", clock)
    assert (done.status, done.done_at, done.on_time) == ("done", superior.published_at, True)


def test_a_superiors_earlier_release_dates_the_close_once_the_agency_confirms_it(
    tmp_path: Path, archive: Archive
) -> None:
    settings, clock, ob_id = opened_response(tmp_path, archive)
    superior = post("sup1", REPORT, 60, "杭州发布")
    own = post("own1", REPORT, 300, "杭州市场监管")
    archive.upsert_mentions([superior, own])
    clock.set(T0 + timedelta(hours=6))
    evaluate(archive, settings, clock)
    ob = archive.ledger.get_obligation(ob_id)
    assert ob is not None and ob.status == "done"
    assert (ob.fulfilled_by, ob.done_at) == ("sup1", superior.published_at)
    assert "上级发布" in ob.note and "本单位发布确认" in ob.note


def test_a_news_report_of_the_press_conference_is_proposed_for_it(
    tmp_path: Path, archive: Archive
) -> None:
    rules = [dict(HOT[0], opens=["press_conference"])]
    settings = settings_for(tmp_path, rules)
    hot_event(archive)
    clock = SimulatedClock(T0 + timedelta(minutes=30))
    evaluate(archive, settings, clock)
    [ob] = archive.ledger.list_obligations()
    report = post(
        "n1",
        "本报讯 市政府新闻办召开杭州某小区电梯坠落事故新闻发布会，市市场监管局负责人介绍调查情况。",
        600,
        "记者",
        platform="news",
        kind="article",
        title="市政府召开杭州某小区电梯坠落事故新闻发布会",
        source="news-site",
    )
    archive.upsert_mentions([report])
    clock.set(T0 + timedelta(hours=11))
    evaluate(archive, settings, clock)
    stored = archive.ledger.get_obligation(ob.id or 0)
    assert stored is not None and stored.status == "open"
    assert stored.fulfilled_by == "n1" and "发布会报道" in stored.note


def test_the_earliest_publication_after_the_trigger_decides(
    tmp_path: Path, archive: Archive
) -> None:
    settings, clock, ob_id = opened_response(tmp_path, archive)
    trigger = archive.ledger.get_obligation(ob_id).opened_at  # type: ignore[union-attr]
    before = replace(post("own-before", REPORT, 0, "杭州市场监管"), published_at=trigger)
    before = replace(before, published_at=trigger - timedelta(minutes=1))
    later = post("own-later", REPORT, 300, "杭州市场监管")
    earlier = post("own-earlier", REPORT, 90, "杭州市场监管", source="weibo-slow")
    # The later post is crawled first: it closes the obligation for now.
    archive.upsert_mentions([before, later])
    clock.set(T0 + timedelta(hours=6))
    evaluate(archive, settings, clock)
    ob = archive.ledger.get_obligation(ob_id)
    assert ob is not None and ob.fulfilled_by == "own-later"
    # Then a slower crawl brings the earlier one: it is the fulfilment.
    archive.upsert_mentions([earlier])
    clock.advance(600)
    evaluate(archive, settings, clock)
    ob = archive.ledger.get_obligation(ob_id)
    assert ob is not None and (ob.fulfilled_by, ob.done_at) == ("own-earlier", earlier.published_at)


def decision(mid: str, number: str, issuer: str, signed: str, at_minutes: float) -> Mention:
    text = (
        f"{number}\n当事人：某五金经营部\n违法事实：2026年5月3日，执法人员检查发现……\n"
        f"处罚结果：罚款人民币5000元。\n{issuer}\n{signed}"
    )
    return replace(
        mention(
            mid,
            text,
            T0 + timedelta(minutes=at_minutes),
            platform="official",
            kind="official",
            title=f"{issuer}行政处罚决定书（{number}）",
            region="江州市",
            extra={"doc_type": "penalty"},
            source="bureau-penalty",
        ),
        author=issuer,
    )


def test_a_penalty_published_on_the_own_site_is_its_own_disclosure_and_districts_get_7_days(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, PENALTY)
    city = decision("p1", "杭市监处罚〔2026〕12号", "杭州市市场监督管理局", "2026年7月10日", 0)
    # The city's own decision names a district in its title: still the city's 20 days.
    city = replace(city, title=city.title + "（临川区某五金经营部）")
    district = decision(
        "p2", "临市监处罚〔2026〕88号", "杭州市临川区市场监督管理局", "2026年7月14日", 2
    )
    # A district not configured: still a district bureau of the agency's region. Decided
    # Monday 6 July, published Monday 20 July: past its 7 working days (15 July).
    unlisted = decision(
        "p3", "望市监处罚〔2026〕5号", "杭州市望江区市场监督管理局", "2026年7月6日", 4
    )
    archive.upsert_mentions([city, district, unlisted])
    report = evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=1)))
    assert (report.obligations_opened, report.fulfilments_closed) == (3, 3)
    by_subject = {ob.subject: ob for ob in archive.ledger.list_obligations(["done"])}
    first, second, third = by_subject["doc:p1"], by_subject["doc:p2"], by_subject["doc:p3"]
    assert (third.level, local(third.due_at).date().isoformat()) == ("county", "2026-07-15")
    assert (third.done_at, third.on_time) == (unlisted.published_at, False)
    # The clocks start at the signed decision dates, not at publication.
    assert local(first.opened_at).date().isoformat() == "2026-07-10"
    assert local(second.opened_at).date().isoformat() == "2026-07-14"
    # 20 working days from Friday 10 July → 7 August; 7 from Tuesday 14 July → 23 July.
    assert (first.level, local(first.due_at).date().isoformat()) == ("city", "2026-08-07")
    assert (second.level, local(second.due_at).date().isoformat()) == ("county", "2026-07-23")
    for ob, doc in ((first, city), (second, district)):
        assert (ob.done_at, ob.link, ob.on_time) == (doc.published_at, doc.url, True)
    # Closed before any message: nothing to do, so nothing is pushed.
    assert archive.ledger.list_messages() == []


def test_without_an_agency_the_opening_notice_still_does_not_fulfil_it(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, PENALTY, agency=False)
    archive.upsert_mentions(
        [decision("p1", "杭市监处罚〔2026〕12号", "杭州市市场监督管理局", "2026年7月10日", 0)]
    )
    evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=1)))
    [ob] = archive.ledger.list_obligations()
    assert (ob.status, ob.level) == ("open", "province")


def escalations(archive: Archive) -> list[str]:
    return sorted(
        m.recipient for m in archive.ledger.list_messages() if ":escalate:" in m.dedup_key
    )


def test_a_working_day_obligation_escalates_at_half_and_four_fifths_never_on_day_one(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, [], recipients=["duty"])
    clock = SimulatedClock(T0)
    ob = ops.add_manual(
        archive,
        settings,
        clock,
        kind="penalty_disclosure",
        subject="杭市监处罚〔2026〕30号",
        title="某超市行政处罚",
        trigger=T0,
        level=None,
        actor="法规科",
    )
    span = ob.due_at - ob.opened_at
    clock.advance(2 * 3600)  # an hour-clock obligation would have climbed four times
    evaluate(archive, settings, clock)
    assert escalations(archive) == []
    clock.set(ob.opened_at + span * 0.49)
    evaluate(archive, settings, clock)
    assert escalations(archive) == []
    clock.set(ob.opened_at + span * 0.5 + timedelta(minutes=1))
    evaluate(archive, settings, clock)
    assert escalations(archive) == ["leader"]
    clock.set(ob.opened_at + span * 0.8 + timedelta(minutes=1))
    evaluate(archive, settings, clock)
    assert escalations(archive) == ["director", "leader"]
    [message] = [m for m in archive.ledger.list_messages() if m.recipient == "leader"]
    assert "未确认" in message.subject and "30分钟" not in message.subject


def test_a_share_reached_on_the_first_day_waits_for_the_day_to_pass(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, [], recipients=["duty"], escalate_shares=[0.01])
    clock = SimulatedClock(T0)
    ob = ops.add_manual(
        archive,
        settings,
        clock,
        kind="policy_interpretation",
        subject="杭市监规〔2026〕1号",
        title="某政策文件",
        trigger=T0,
        level=None,
        actor="办公室",
    )
    clock.set(ob.opened_at + timedelta(hours=23))
    evaluate(archive, settings, clock)
    assert escalations(archive) == []
    clock.set(ob.opened_at + timedelta(hours=24, minutes=10))
    evaluate(archive, settings, clock)
    assert escalations(archive) == ["leader"]


def test_an_obligation_found_after_its_deadline_is_labelled_and_says_why(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, HOT)
    hot_event(archive)
    clock = SimulatedClock(T0 + timedelta(hours=50))  # the response was due at 48 h
    evaluate(archive, settings, clock)
    [ob] = archive.ledger.list_obligations()
    assert ob.late_reason.startswith("补登：事件始于 2026-07-20 09:00（北京时间）")
    assert "开启时已超期" in ob.late_reason
    [message] = [m for m in archive.ledger.list_messages() if m.dedup_key.startswith("alert:")]
    assert "（须履行：回应关切·补登，" in message.subject
    assert ob.late_reason in message.body


def hot_for_three_days(archive: Archive) -> list[Mention]:
    """The hot event, first seen at T0, with a post a day for four days, each by another
    person (a hotspot needs spread: settings.nlp.hotspot); the posts."""
    hot_event(archive)
    stored = archive.get_event("e1")
    assert stored is not None
    archive.upsert_event(replace(stored, last_seen=T0 + timedelta(days=3)))
    posts = [
        replace(mention(f"m{i}", "电梯坠落", T0 + timedelta(days=i)), author=f"网友{i}")
        for i in range(4)
    ]
    archive.upsert_mentions(posts)
    archive.upsert_analyses([analysis(m.id, event_id="e1") for m in posts])
    return posts


def test_a_hot_event_is_due_from_when_it_crossed_the_threshold(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, HOT)
    posts = hot_for_three_days(archive)
    evaluate(archive, settings, SimulatedClock(T0 + timedelta(days=3, hours=1)))
    [ob] = archive.ledger.list_obligations()
    # The third post (min_mentions: 3) two days in is when it became public opinion.
    assert ob.opened_at == posts[2].published_at
    assert ob.due_at == posts[2].published_at + timedelta(hours=48)
    assert ob.status == "open"


def test_an_answer_before_the_threshold_but_after_the_event_began_fulfils_it(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, HOT)
    posts = hot_for_three_days(archive)
    answer = post("own1", REPORT, 60 * 30, "杭州市场监管")  # day 1, before the crossing
    archive.upsert_mentions([answer])
    evaluate(archive, settings, SimulatedClock(T0 + timedelta(days=3, hours=1)))
    [ob] = archive.ledger.list_obligations()
    assert ob.opened_at == posts[2].published_at
    assert (ob.status, ob.fulfilled_by, ob.done_at) == ("done", "own1", answer.published_at)


def test_an_obligation_opened_in_time_has_no_late_reason(tmp_path: Path, archive: Archive) -> None:
    _, _, ob_id = opened_response(tmp_path, archive)
    assert archive.ledger.get_obligation(ob_id).late_reason == ""  # type: ignore[union-attr]


def test_done_by_hand_records_when_and_whether_on_time(tmp_path: Path, archive: Archive) -> None:
    _, clock, ob_id = opened_response(tmp_path, archive)
    ob = archive.ledger.get_obligation(ob_id)
    assert ob is not None
    clock.set(ob.due_at + timedelta(hours=2, minutes=10))
    done = ops.complete(archive, ob_id, "王科长", "https://example.com/r", clock)
    assert (done.done_at, done.on_time) == (clock.now(), False)
    from alerts.messages import show_outcome

    assert show_outcome(done) == "逾期 3 小时办结"
    # a day or more reads in days (the wangjiang penalty was shown 逾期 83 小时办结)
    assert show_outcome(replace(done, done_at=ob.due_at + timedelta(hours=82, minutes=1))) == (
        "逾期 3 天 11 小时办结"
    )
    assert show_outcome(replace(done, done_at=ob.due_at + timedelta(hours=24))) == "逾期 1 天办结"
    reopened = ops.reopen(archive, ob_id, "王科长", "链接有误", clock)
    assert (reopened.done_at, reopened.on_time) == (None, None)
    at = T0 + timedelta(hours=5)
    again = ops.complete(archive, ob_id, "王科长", "https://example.com/r", clock, at=at)
    assert (again.done_at, again.on_time) == (at.astimezone(SHANGHAI), True)


def test_a_schema_7_archive_keeps_its_obligations_and_dates_done_ones_from_the_audit(
    tmp_path: Path,
) -> None:
    import sqlite3

    from archive.sqlite.schema import SCHEMA_VERSION

    assert SCHEMA_VERSION >= 8
    path = tmp_path / "old.db"
    clock = SimulatedClock(T0)
    settings = settings_for(tmp_path, [], recipients=["duty"])
    with open_archive(path) as store:
        kept = ops.add_manual(
            store, settings, clock, "response", "k1", "仍待办", T0, None, "办公室"
        )
        closed = ops.add_manual(
            store, settings, clock, "response", "k2", "已办结", T0, None, "办公室"
        )
        clock.advance(3600)
        ops.complete(store, closed.id or 0, "王科长", "https://example.com/x", clock)
    # Turn the file back into what schema 7 wrote: no obligation evidence columns.
    conn = sqlite3.connect(path)
    conn.executescript(OBLIGATION_EVIDENCE_UNDONE + "PRAGMA user_version = 7;")
    conn.close()
    with open_archive(path) as store:
        old_open = store.ledger.get_obligation(kept.id or 0)
        old_done = store.ledger.get_obligation(closed.id or 0)
    assert old_open is not None and (old_open.title, old_open.done_at, old_open.evidence) == (
        "仍待办",
        None,
        [],
    )
    assert old_done is not None and old_done.link == "https://example.com/x"
    assert (old_done.done_at, old_done.on_time) == (T0 + timedelta(hours=1), True)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_the_agency_section_is_validated_with_file_key_and_form() -> None:
    from core.config import ConfigError, parse_config

    good = parse_config(
        "agency:\n  name: 江州市市场监督管理局\n  level: city\n  districts: [临川区]\n", "cfg.yaml"
    )
    assert good.obligations.level == "city"
    assert good.obligations.region_levels == {"临川区": "county"}
    with pytest.raises(ConfigError) as caught:
        parse_config("agency:\n  name: 江州市市场监督管理局\n  level: 市级\n", "cfg.yaml")
    [problem] = caught.value.problems
    assert "cfg.yaml" in problem and "agency.level" in problem and "'city'" in problem
    with pytest.raises(ConfigError) as caught:
        parse_config("agency:\n  level: city\n", "cfg.yaml")
    assert any("agency.name" in p for p in caught.value.problems)
    # obligations.level set beside it wins.
    both = parse_config(
        "agency:\n  name: 某县市场监督管理局\n  level: county\nobligations:\n  level: city\n",
        "cfg.yaml",
    )
    assert both.obligations.level == "city"


def test_a_story_the_agency_itself_started_opens_no_response(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, HOT)
    hot_event(archive)
    release = post("own0", "【通报】护牌行动开展以来查获侵权假冒商品3.2万件", 0, "杭州市场监管")
    reposts = [
        replace(
            mention(f"m{i}", "护牌行动 查获假冒商品", T0 + timedelta(hours=i)), author=f"网友{i}"
        )
        for i in range(1, 4)
    ]
    archive.upsert_mentions([release, *reposts])
    archive.upsert_analyses([analysis(m.id, event_id="e1") for m in [release, *reposts]])
    evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=5)))
    [alert] = archive.ledger.list_alerts()
    assert any("首发为本机关发布" in r.text for r in alert.evidence)  # it still alerts
    assert archive.ledger.list_obligations() == []  # its release was its word on the story


def test_a_story_the_public_started_still_opens_a_response(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, HOT)
    hot_event(archive)
    posts = [
        replace(mention(f"m{i}", "电梯坠落", T0 + timedelta(hours=i)), author=f"网友{i}")
        for i in range(4)
    ]
    archive.upsert_mentions(posts)
    archive.upsert_analyses([analysis(m.id, event_id="e1") for m in posts])
    evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=5)))
    assert [ob.kind for ob in archive.ledger.list_obligations()] == ["response"]


def test_a_news_report_of_the_agencys_announcement_counts_as_its_word(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, HOT)
    hot_event(archive)
    news = replace(
        mention("n0", "本报讯 记者从杭州市市场监管局获悉，护牌行动查获假冒商品3.2万件", T0),
        author="杭州日报",
        platform="news",
    )
    complaint = replace(
        mention("n1", "市民投诉杭州市市场监管局处理电梯故障拖延", T0),
        author="杭州日报",
        platform="news",
    )
    assert settings.agency is not None
    assert rules_agency_published(news, settings.agency)
    assert not rules_agency_published(complaint, settings.agency)


def test_a_clarification_is_closed_by_the_answer_to_the_claim_not_the_event_report(
    tmp_path: Path, archive: Archive
) -> None:
    """linchuan_boiler: the bureau's 情况通报 on the accident (13:45) reports the event; the
    casualty hearsay is answered by the 通报 that says 网传“…”不属实 (19:30). A clarification
    closes on the answer, however well the earlier report matches the event."""
    settings = settings_for(tmp_path, [])
    hot_event(archive)
    fact = post("own-fact", REPORT, 60, "杭州市场监管")
    answer = post(
        "own-answer",
        "【通报】杭州某小区电梯坠落事故造成2人受伤。网传“电梯坠落当场死亡5人”等说法均不属实。",
        120,
        "杭州市场监管",
    )
    archive.upsert_mentions([fact, answer])
    archive.upsert_analyses([analysis(m.id, event_id="e1") for m in (fact, answer)])
    ob = Obligation(
        kind="clarification",
        subject="event:e1",
        title="澄清事实：电梯坠落当场死亡5人",
        opened_at=T0 + timedelta(minutes=30),
        due_at=T0 + timedelta(hours=24, minutes=30),
        event_id="e1",
        id=1,
    )
    channels = Channels.of(settings)
    found = find(
        archive, ob, channels, candidates_for(archive, ob, channels, T0 + timedelta(hours=6))
    )
    assert found is not None and found.applies
    assert found.mention.id == "own-answer"


def test_a_superiors_same_theme_tip_in_the_event_does_not_answer_it(
    tmp_path: Path, archive: Archive
) -> None:
    # cuihu_ebike: the province's winter e-bike tip, clustered into the local fire's event,
    # named nothing of the fire and closed its response; the bureau's own answer does.
    settings = settings_for(tmp_path, HOT)
    clock = SimulatedClock(T0 + timedelta(minutes=30))
    fire = replace(
        event("e1", count=5, title="记者走访：无3C标志的拼装电池仍在一些维修店出售"),
        keywords=["电池", "拼装", "湖苑", "3c", "极风", "召回", "电动", "白沙"],
    )
    archive.upsert_event(fire)
    evaluate(archive, settings, clock)
    [ob] = archive.ledger.list_obligations()
    tip = post(
        "tip",
        "入冬以来气温下降，电动自行车电池故障和火灾风险上升。提醒广大消费者：购买电动自行车和"
        "蓄电池，应到正规经营场所选购带有强制性产品认证（3C）标志的产品；不在楼道、楼梯间停放或"
        "充电。",
        40,
        "杭州发布",
        platform="official",
        kind="official",
        title="关于冬季电动自行车安全使用的消费提示",
        extra={"doc_type": "notice"},
    )
    archive.upsert_mentions([tip])
    archive.upsert_analyses([analysis("tip", event_id="e1")])
    clock.set(T0 + timedelta(hours=2))
    report = evaluate(archive, settings, clock)
    assert (report.fulfilments_closed, report.fulfilments_proposed) == (0, 0)
    assert archive.ledger.get_obligation(ob.id or 0).status == "open"  # type: ignore[union-attr]
    answer = post(
        "own1",
        "【回应】针对网友和媒体反映的部分维修店销售无3C标志拼装锂电池问题，我局已在全市开展电动"
        "自行车及蓄电池销售维修专项整治，白沙区翠湖苑周边3家店铺被立案调查。",
        180,
        "杭州市场监管",
    )
    archive.upsert_mentions([answer])
    archive.upsert_analyses([analysis("own1", event_id="e1")])
    clock.set(T0 + timedelta(hours=4))
    evaluate(archive, settings, clock)
    done = archive.ledger.get_obligation(ob.id or 0)
    assert done is not None and (done.status, done.fulfilled_by) == ("done", "own1")
    assert done.done_at == answer.published_at


def test_a_superiors_tip_sharing_the_words_but_not_the_place_does_not_answer_it(
    tmp_path: Path, archive: Archive
) -> None:
    # A local fire's event grown to share the tip's words (0.4 and more of its keywords): the
    # province's tip names neither the district nor the estate its members name, so it is not
    # the answer; the city's release naming the estate is proposed.
    settings = settings_for(tmp_path, HOT)
    clock = SimulatedClock(T0 + timedelta(minutes=30))
    fire = replace(
        event("e1", count=5, title="青松区丽景苑一楼道电动自行车充电起火"),
        keywords=["电动自行车", "电池", "充电", "楼道", "火灾"],
    )
    archive.upsert_event(fire)
    members = [
        post("w1", "青松区丽景苑5栋楼道着火了，好多烟，消防车来了", 5, "住在5栋"),
        post("w2", "丽景苑的电动车在楼道里充电起火，吓死人", 10, "青松居民"),
        post("n1", "青松区丽景苑小区一楼道内电动自行车充电时起火，消防已扑灭", 20, "青松新闻"),
    ]
    archive.upsert_mentions(members)
    archive.upsert_analyses([analysis(m.id, event_id="e1") for m in members])
    evaluate(archive, settings, clock)
    [ob] = archive.ledger.list_obligations()
    tip = post(
        "tip",
        "入冬以来电动自行车电池火灾风险上升。提醒广大消费者：选购带3C标志的电动自行车和电池，"
        "不在楼道充电，充满及时断电，谨防火灾。",
        40,
        "杭州发布",
        platform="official",
        kind="official",
        title="关于冬季电动自行车安全使用的消费提示",
        extra={"doc_type": "notice"},
    )
    archive.upsert_mentions([tip])
    archive.upsert_analyses([analysis("tip", event_id="e1")])
    clock.set(T0 + timedelta(hours=2))
    report = evaluate(archive, settings, clock)
    assert (report.fulfilments_closed, report.fulfilments_proposed) == (0, 0)
    release = post(
        "rel",
        "【情况通报】今日凌晨，青松区丽景苑小区一楼道内停放充电的电动自行车电池起火，消防及时扑灭，"
        "无人员伤亡。市场监管部门已对楼道充电的电池取样送检。",
        150,
        "杭州发布",
    )
    archive.upsert_mentions([release])
    archive.upsert_analyses([analysis("rel", event_id="e1")])
    clock.set(T0 + timedelta(hours=3))
    report = evaluate(archive, settings, clock)
    assert report.fulfilments_proposed == 1
    proposed = archive.ledger.get_obligation(ob.id or 0)
    assert proposed is not None and proposed.note.startswith(f"建议办结：{release.url}（")

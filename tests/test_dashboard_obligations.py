"""The obligations page (处置): countdowns, badges and the actions, over a real archive."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from alerts.silences import active_silence, stored_silences
from archive import open_archive
from dashboard import actions
from dashboard.roles import Principal
from tests.support.dashboard_fixtures import (
    NOW,
    DashboardArchive,
    app_test,
    assert_no_html,
    build_archive,
    table_with,
)

PAGE = "views/obligations.py"


@pytest.fixture
def made(tmp_path: Path) -> DashboardArchive:
    # Each test acts on the obligations, so each gets its own archive.
    return build_archive(tmp_path)


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def test_open_obligations_by_deadline_with_countdowns(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = app_test(made, monkeypatch, PAGE)
    assert_no_html(at)
    assert at.title[0].value == "处置事项"
    texts = _markdown(at)
    badges = [t for t in texts if "-badge[" in t and t.startswith(":")]
    # Sorted by deadline: overdue first, red; then under-12-hours yellow; then the rest.
    assert badges == [
        ":red-badge[已逾期 3小时]",
        ":yellow-badge[剩余 2小时15分]",
        ":green-badge[剩余 20天]",
    ]
    joined = "\n".join(texts)
    assert "发布权威信息**" in joined and "澄清事实**" in joined and "公开行政处罚信息**" in joined
    provisional = next(t for t in texts if "公开行政处罚信息**" in t)
    assert ":orange-badge[暂定]" in provisional
    assert ":orange-badge[暂定]" not in next(t for t in texts if "发布权威信息**" in t)
    assert "回应关切" not in joined  # done: hidden unless asked for
    captions = [c.value for c in at.caption]
    assert any("待处置 3 项 · 已逾期 1 项" in c for c in captions)

    at.toggle(key="obligations_show_all").set_value(True).run()
    joined = "\n".join(_markdown(at))
    assert "回应关切" in joined and "**已完成**" in joined


def test_late_and_system_closed_obligations_say_so_and_undo_is_one_click(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = app_test(made, monkeypatch, PAGE)
    overdue = next(t for t in _markdown(at) if "发布权威信息**" in t)
    assert ":violet-badge[补登]" in overdue
    assert any("补登：事件始于" in c.value for c in at.caption)
    at.toggle(key="obligations_show_all").set_value(True).run()
    assert any(c.value.startswith("按时办结") for c in at.caption)
    at.sidebar.text_input(key="actor").set_value("张三")
    _button(at, "撤销自动办结").click().run()
    assert_no_html(at)
    assert not at.error
    done = made.obligations["done"]
    with open_archive(made.db, readonly=True) as archive:
        stored = archive.ledger.get_obligation(done)
        entries = archive.ledger.list_audit(object_type="obligation", object_id=str(done))
    assert stored is not None and (stored.status, stored.done_at, stored.rejected) == (
        "open",
        None,
        ["m01"],
    )
    assert (entries[0].actor, entries[0].action) == ("张三", "obligation.fulfilment_undone")
    assert table_with(at, "操作人").iloc[0]["操作"] == "撤销自动办结"


def test_acknowledge_changes_status_and_writes_audit(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = app_test(made, monkeypatch, PAGE)
    overdue = made.obligations["overdue"]
    at.sidebar.text_input(key="actor").set_value("张三")
    at.button(key=f"ob_ack_{overdue}").click().run()
    assert_no_html(at)
    assert not at.error
    assert f"#{overdue} 已确认（操作人：张三）" in at.success[0].value.replace("\\", "")
    assert "**已确认**" in _markdown(at)

    with open_archive(made.db, readonly=True) as archive:
        stored = archive.ledger.get_obligation(overdue)
        assert stored is not None
        assert stored.status == "acknowledged"
        assert stored.assignee == "张三"
        entries = archive.ledger.list_audit(object_type="obligation", object_id=str(overdue))
    assert entries[0].actor == "张三"
    assert entries[0].action == "obligation.acknowledged"
    assert entries[0].at == NOW  # recorded in the pipeline's (simulated) time
    audit = table_with(at, "操作人")
    assert audit.iloc[0]["操作人"] == "张三"
    assert audit.iloc[0]["操作"] == "确认"
    assert audit.iloc[0]["状态变化"] == "待办 → 已确认"
    # Named by its title, not only its number (the review of 2026-12-07: "#17" said nothing)
    assert audit.iloc[0]["事项"] == f"#{overdue} 发布权威信息：江州商场电梯困人"
    # Acknowledged: the button is now disabled for this obligation, not for the others.
    assert at.button(key=f"ob_ack_{overdue}").disabled
    assert not at.button(key=f"ob_ack_{made.obligations['urgent']}").disabled


def test_done_needs_a_link_and_waive_a_reason(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, PAGE)
    urgent = made.obligations["urgent"]
    at.button(key=f"ob_complete_go_{urgent}").click().run()
    assert "办结需要填写已发布内容的链接" in at.error[0].value

    at.text_input(key=f"ob_complete_{urgent}").set_value("https://amr.example.gov.cn/release/1")
    at.button(key=f"ob_complete_go_{urgent}").click().run()
    assert not at.error
    with open_archive(made.db, readonly=True) as archive:
        stored = archive.ledger.get_obligation(urgent)
    assert stored is not None and stored.status == "done"
    assert stored.link == "https://amr.example.gov.cn/release/1"

    provisional = made.obligations["provisional"]
    at.text_input(key=f"ob_waive_{provisional}").set_value("处罚决定已撤销")
    at.button(key=f"ob_waive_go_{provisional}").click().run()
    assert not at.error
    with open_archive(made.db, readonly=True) as archive:
        stored = archive.ledger.get_obligation(provisional)
        actions = [e.action for e in archive.ledger.list_audit(object_type="obligation")]
    assert stored is not None and stored.status == "waived" and stored.note == "处罚决定已撤销"
    assert actions[:2] == ["obligation.waived", "obligation.completed"]
    assert_no_html(at)


def test_assign_and_snooze_are_audited_with_who(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, PAGE)
    urgent = made.obligations["urgent"]
    at.sidebar.text_input(key="actor").set_value("李四")
    at.button(key=f"ob_assign_go_{urgent}").click().run()
    assert "指派需要填写负责人" in at.error[0].value
    at.text_input(key=f"ob_assign_{urgent}").set_value("王五")
    at.button(key=f"ob_assign_go_{urgent}").click().run()
    assert not at.error
    assert any(c.value == "负责人：王五" for c in at.caption)  # shown on its card
    at.number_input(key=f"ob_hours_{urgent}").set_value(3.0)
    at.button(key=f"ob_snooze_go_{urgent}").click().run()
    assert_no_html(at)
    assert "已暂停提醒 3 小时（操作人：李四）" in at.success[0].value
    with open_archive(made.db, readonly=True) as archive:
        stored = archive.ledger.get_obligation(urgent)
        entries = archive.ledger.list_audit(object_type="obligation", object_id=str(urgent))
    assert stored is not None and stored.assignee == "王五" and stored.status == "open"
    snoozed, assigned = entries[0], entries[1]
    assert (snoozed.actor, snoozed.action) == ("李四", "obligation.reminder_snoozed")
    assert snoozed.details["until"] == (NOW + timedelta(hours=3)).isoformat()
    assert (assigned.actor, assigned.action) == ("李四", "obligation.assigned")
    audit = table_with(at, "操作人")
    assert list(audit["操作"][:2]) == ["暂停提醒", "指派"]
    assert audit.iloc[0]["状态变化"] == "提醒暂停至 2026-11-20 17:00"


def test_silence_and_lift_with_the_cli_operations(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, PAGE)
    rumour = made.alerts["rumours"]
    at.selectbox(key="alert_selected").set_value(rumour).run()
    _button(at, "静默告警").click().run()
    assert "静默告警需要填写理由" in at.error[0].value
    at.text_input(key="alert_reason").set_value("已由省局统一回应")
    at.number_input(key="alert_hours").set_value(6.0)
    _button(at, "静默告警").click().run()
    assert_no_html(at)
    flash = at.success[0].value.replace("\\", "")
    assert f"告警 #{rumour} 已静默" in flash
    running = table_with(at, "标题包含")
    stored = running[running["编号"] != "（配置文件）"].iloc[0]
    assert (stored["规则"], stored["对象"]) == ("谣言澄清", "event:ev-milk")
    assert stored["结束时间"] == "2026-11-20 20:00" and stored["设置人"] == "dashboard"
    # The same silence as `yuqing silence add` makes: the alert stage will apply it.
    with open_archive(made.db, readonly=True) as archive:
        silences = stored_silences(archive, NOW)
        alert = next(a for a in archive.ledger.list_alerts() if a.id == rumour)
    assert list(silences) == [stored["编号"]]
    assert active_silence(list(silences.values()), alert, NOW) is not None
    audit = table_with(at, "操作人")
    assert audit.iloc[0]["操作"] == "设置静默"
    assert audit.iloc[0]["事项"] == f"静默#{stored['编号']}"
    assert audit.iloc[0]["状态变化"] == "（至 2026-11-20 20:00）"

    at.text_input(key="silence_reason").set_value("省局要求继续推送")
    _button(at, "解除静默").click().run()
    assert_no_html(at)
    assert not at.error
    with open_archive(made.db, readonly=True) as archive:
        assert stored_silences(archive, NOW) == {}
        entry = archive.ledger.list_audit(object_type="silence")[0]
    assert (entry.action, entry.actor) == ("silence.expired", "dashboard")
    assert entry.details["reason"] == "省局要求继续推送"


def test_configured_silences_in_force(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, PAGE)
    running = table_with(at, "标题包含")
    assert list(running["对象"]) == ["event:ev-toy"]  # the expired one is not shown
    assert running.iloc[0]["编号"] == "（配置文件）"
    assert running.iloc[0]["结束时间"] == "2026-11-21 00:00"
    assert running.iloc[0]["理由"] == "召回已完成"


def test_unsilence_an_alert_lifts_only_its_own_silences(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    monkeypatch.setenv("YUQING_CONFIG", str(made.config))
    config, admin = str(made.config), Principal("dashboard", "admin")
    rumour, accident = made.alerts["rumours"], made.alerts["major-accidents"]
    with pytest.raises(actions.ActionError, match="没有可解除的静默"):
        actions.silence(config, rumour, admin, "", on=False)
    kept = actions.silence(config, accident, admin, "稍后统一发布", hours=3)
    lifted = actions.silence(config, rumour, admin, "误报", hours=3)
    assert actions.silence(config, rumour, admin, "", on=False) == lifted
    with open_archive(made.db, readonly=True) as archive:
        assert list(stored_silences(archive, NOW)) == [kept]


def test_a_message_link_puts_its_obligation_first(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch)
    at.query_params["id"] = str(made.obligations["provisional"])
    at.switch_page(PAGE).run()
    texts = _markdown(at)
    linked = texts.index("#### 消息链接的事项")
    first_card = next(t for t in texts[linked:] if t.startswith("**\\#"))
    assert first_card.startswith(f"**\\#{made.obligations['provisional']} ")
    at = app_test(made, monkeypatch)
    at.query_params["id"] = str(made.obligations["done"])
    at.switch_page(PAGE).run()
    assert_no_html(at)
    assert "#### 消息链接的事项" not in _markdown(at)
    assert any("已不在待办列表中" in c.value for c in at.caption)


def test_obligations_grouped_by_event_and_filtered(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = app_test(made, monkeypatch, PAGE)
    headings = [t.split("\n")[0] for t in _markdown(at) if t.startswith("#### ")]
    # The most urgent group first; the penalty notice belongs to no event.
    assert headings == [
        "#### 江州商场电梯困人",
        "#### 网传临川奶粉三聚氰胺",
        "#### 其他事项（未关联事件）",
    ]
    lift = next(t for t in _markdown(at) if t.startswith("#### 江州商场电梯困人"))
    assert "1 项 · 待办 1 项 · 已逾期 1 项" in lift
    at.multiselect(key="obligations_kinds").set_value(["clarification"]).run()
    headings = [t for t in _markdown(at) if t.startswith("#### ")]
    assert [h.split("\n")[0] for h in headings] == ["#### 网传临川奶粉三聚氰胺"]
    at.multiselect(key="obligations_kinds").set_value([]).run()
    at.selectbox(key="obligations_window").set_value("已逾期").run()
    cards = [t for t in _markdown(at) if t.startswith("**\\#")]
    assert len(cards) == 1 and "发布权威信息" in cards[0]
    at.selectbox(key="obligations_window").set_value("3天内到期").run()
    at.multiselect(key="obligations_levels").set_value(["city"]).run()
    assert "没有符合筛选条件的事项。" in [i.value for i in at.info]

"""处置: obligations grouped by event with live countdowns and their actions, and the audit log.

The cards (``dashboard.obligation_cards``) and the audit log are fragments that rerun on their
own every few seconds, so the countdowns move without reloading the page. A rerun keeps every
widget in place (same keys, same order), so a link or reason half typed into a card's 办理
popover survives it (tests/test_dashboard_browser.py types one across a refresh).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pandas as pd
import streamlit as st

from alerts.obligations import ACTIVE
from archive.models import AuditEntry, Obligation
from core.clock import parse_instant
from core.text.clip import clip
from dashboard import actions, auth, data, obligation_cards, roles, units
from dashboard.context import config_path
from dashboard.formatting import fmt_time, md_escape, urgency
from dashboard.labels import (
    ALERT_STATUS_LABELS,
    AUDIT_ACTION_LABELS,
    OBLIGATION_STATUS_LABELS,
    label,
    shown,
)
from dashboard.silence_panel import alert_panel

FLASH_KEY = "obligations_flash"
ERROR_KEY = "obligations_error"
OBJECT_NAMES = {"alert": "告警", "silence": "静默"}
# Of a title in the 事项 column: the demo's penalty notices (48 characters) stay whole, and
# their number, which tells one from another, comes last.
SUBJECT_CHARS = 50

config = config_path()
principal = auth.page_principal(config)
refresh = timedelta(seconds=min(60, max(5, data.cache_seconds(config))))


def _linked(items: list[Obligation]) -> Obligation | None:
    """The obligation a message linked to (``/obligations?id=N``), shown first."""
    wanted = str(st.query_params.get("id", ""))
    if not wanted.isdigit():
        return None
    found = next((ob for ob in items if ob.id == int(wanted)), None)
    if found is None:
        st.caption(f"链接中的事项 \\#{wanted} 已不在待办列表中（已办结、已豁免或不存在）。")
    return found


@st.fragment(run_every=refresh)
def board() -> None:
    now = data.now(config)
    show_all = st.toggle("显示已办结和已豁免的事项", key="obligations_show_all")
    everything = units.visible_obligations(
        config, principal, data.obligations(config, include_closed=show_all)
    )
    chosen = obligation_cards.filter_bar(everything)
    items = [ob for ob in everything if chosen.keep(ob, now)]
    active = [ob for ob in items if ob.status in ACTIVE]
    overdue = sum(1 for ob in active if urgency(ob.due_at, now).rank == 0)
    urgent = sum(1 for ob in active if urgency(ob.due_at, now).rank == 1)
    st.caption(
        f"{fmt_time(now, seconds=True)} · 待处置 {len(active)} 项 · 已逾期 {overdue} 项 · "
        f"2小时内到期 {urgent} 项"
    )
    if not roles.allowed(principal, roles.ACT):
        st.info("当前账号为只读权限，不能办理处置事项。")
    if not items:
        st.info(
            "当前没有待处置事项。" if len(items) == len(everything) else "没有符合筛选条件的事项。"
        )
    linked = _linked(items)
    if linked is not None:
        st.markdown("#### 消息链接的事项")
        obligation_cards.card(linked, now, principal, _act)
    titles = data.event_titles(config, sorted({ob.event_id for ob in items if ob.event_id}))
    for title, group in obligation_cards.grouped([ob for ob in items if ob is not linked], titles):
        st.markdown(obligation_cards.group_heading(title, group, now))
        for ob in group:
            obligation_cards.card(ob, now, principal, _act)


def _act(operation: str, ob: Obligation, text: str = "") -> None:
    try:
        done = actions.perform(
            config, cast(actions.Operation, operation), int(ob.id or 0), principal, text
        )
    except actions.ActionError as exc:
        st.session_state[ERROR_KEY] = str(exc)
        st.rerun()
        return
    verb = {
        "acknowledge": "已确认",
        "complete": "已办结",
        "waive": "已豁免",
        "assign": "已指派",
        "undo": "已撤销自动办结",
        "accept": "已按建议办结",
        "snooze": f"已暂停提醒 {text} 小时",
    }[operation]
    st.session_state[FLASH_KEY] = f"#{done.id} {verb}（操作人：{principal.name}）"
    st.rerun()


def _escalation(details: dict[str, Any]) -> tuple[str, str]:
    """An escalation's (change, note): who it passed from and to (recipients' names, not
    their ids) and why, for the 状态变化 and 说明 columns."""
    target = shown(str(details.get("to", "")))
    origin = details.get("from")
    change = f"{shown(str(origin))} → {target}" if origin else f"转交 {target}"
    waited = details.get("unacknowledged_minutes")
    note = f"{waited}分钟未确认" if waited is not None else "未确认"
    hop = details.get("hop")
    return change, note + (f"，第{hop}级升级" if hop else "")


def _audit_row(entry: AuditEntry) -> dict[str, Any]:
    details = entry.details or {}
    states = ALERT_STATUS_LABELS if entry.object_type == "alert" else OBLIGATION_STATUS_LABELS
    change = ""
    if entry.action == "obligation.escalated":
        # Its from/to are recipients, not states.
        change, note = _escalation(details)
        return _row(entry, change, note)
    if "from" in details and "to" in details and details["from"] != details["to"]:
        # An assignment or a note leaves the status as it was: no "待办 → 待办".
        before = label(states, str(details["from"]))
        change = f"{before} → {label(states, str(details['to']))}"
    if "ends_at" in details:
        change += f"（至 {fmt_time(parse_instant(str(details['ends_at'])))}）"
    if "until" in details:
        change = f"提醒暂停至 {fmt_time(parse_instant(str(details['until'])))}"
    note = (
        details.get("note")
        or details.get("link")
        or details.get("assignee")
        or details.get("comment")
        or details.get("reason")
        or details.get("basis")
        or ""
    )
    return _row(entry, change, str(note))


def _subject(entry: AuditEntry) -> str:
    """``#17 公开行政处罚信息：…``: the number alone ("#17", "告警#21") told the duty officer
    nothing without opening each item (the review of 2026-12-07)."""
    number = f"{OBJECT_NAMES.get(entry.object_type, '')}#{entry.object_id}"
    title = data.audit_subjects(config).get((entry.object_type, entry.object_id), "")
    return f"{number} {clip(title, SUBJECT_CHARS)}" if title else number


def _row(entry: AuditEntry, change: str, note: str) -> dict[str, Any]:
    return {
        "时间": fmt_time(entry.at, seconds=True),
        "操作人": shown(entry.actor),
        "操作": label(AUDIT_ACTION_LABELS, entry.action),
        "事项": _subject(entry),
        "状态变化": change,
        "说明": note,
    }


@st.fragment(run_every=refresh)
def audit_log() -> None:
    st.subheader("最近操作记录")
    entries = data.action_audit(config)
    if not entries:
        st.info("还没有操作记录。")
        return
    # A plain table (not the canvas grid): the log is short, and it reads as text everywhere.
    st.table(pd.DataFrame([_audit_row(e) for e in entries]), hide_index=True)


st.title("处置事项")
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(md_escape(str(flash)))
failed = st.session_state.pop(ERROR_KEY, None)
if failed:
    st.error(md_escape(str(failed)))
board()
alert_panel(config, principal, FLASH_KEY)
audit_log()

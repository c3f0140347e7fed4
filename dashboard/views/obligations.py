"""处置: obligations by deadline with live countdowns, the actions on them, and the audit log.

The list and the audit log are fragments that rerun on their own every few seconds, so the
countdowns move without reloading the page; the action forms sit outside them, so a refresh
never interrupts someone typing a link or a reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from alerts.messages import LATE_LABEL, show_outcome
from alerts.obligations import ACTIVE
from archive.models import AuditEntry, Obligation
from core.clock import parse_instant
from dashboard import actions, auth, data, roles
from dashboard.context import config_path
from dashboard.formatting import countdown, fmt_time, md_escape, urgency
from dashboard.labels import (
    ALERT_STATUS_LABELS,
    AUDIT_ACTION_LABELS,
    LEVEL_LABELS,
    OBLIGATION_KIND_LABELS,
    OBLIGATION_STATUS_LABELS,
    label,
)
from dashboard.silence_panel import alert_panel

FLASH_KEY = "obligations_flash"
OBJECT_NAMES = {"alert": "告警", "silence": "静默"}
PROVISIONAL_HELP = "该年度法定节假日安排尚未公布，期限按常规工作日推算，公布后可能调整。"

config = config_path()
principal = auth.page_principal(config)
refresh = timedelta(seconds=min(60, max(5, data.cache_seconds(config))))


def _row(ob: Obligation, now: Any) -> None:
    active = ob.status in ACTIVE
    level = urgency(ob.due_at, now, active)
    with st.container(border=True):
        left, middle, right = st.columns([2, 6, 2], vertical_alignment="center")
        with left:
            shown = countdown(ob.due_at, now) if active else level.label
            st.markdown(f":{level.color}-badge[{shown}]")
            st.caption(f"期限 {fmt_time(ob.due_at)}")
        with middle:
            badge = " :orange-badge[暂定]" if ob.provisional else ""
            if ob.late_reason:
                badge += f" :violet-badge[{LATE_LABEL}]"
            kind = label(OBLIGATION_KIND_LABELS, ob.kind)
            st.markdown(f"**\\#{ob.id} {kind}**{badge}  \n{md_escape(ob.title)}")
            details = [
                f"开启 {fmt_time(ob.opened_at)}",
                label(LEVEL_LABELS, ob.level),
            ]
            if ob.assignee:
                details.append(f"负责人 {md_escape(ob.assignee)}")
            if ob.link:
                details.append(f"发布链接 {md_escape(ob.link)}")
            if ob.note:
                details.append(f"说明 {md_escape(ob.note)}")
            st.caption(" · ".join(details))
            if ob.late_reason:
                st.caption(md_escape(ob.late_reason))
            if ob.provisional:
                st.caption(PROVISIONAL_HELP)
        with right:
            st.markdown(f"**{label(OBLIGATION_STATUS_LABELS, ob.status)}**")
            if ob.status == "done":
                st.caption(
                    f"{show_outcome(ob)}" + (f" {fmt_time(ob.done_at)}" if ob.done_at else "")
                )
            undoable = ob.status == "done" and ob.fulfilled_by
            if (
                undoable
                and roles.allowed(principal, roles.ACT)
                and st.button("撤销自动办结", key=f"undo_{ob.id}")
            ):
                _act("undo", ob)


@st.fragment(run_every=refresh)
def board() -> None:
    now = data.now(config)
    show_all = st.toggle("显示已办结和已豁免的事项", key="obligations_show_all")
    items = data.obligations(config, include_closed=show_all)
    active = [ob for ob in items if ob.status in ACTIVE]
    overdue = sum(1 for ob in active if urgency(ob.due_at, now).rank == 0)
    urgent = sum(1 for ob in active if urgency(ob.due_at, now).rank == 1)
    st.caption(
        f"{fmt_time(now, seconds=True)} · 待处置 {len(active)} 项 · 已逾期 {overdue} 项 · "
        f"2小时内到期 {urgent} 项"
    )
    if not items:
        st.info("当前没有待处置事项。")
    for ob in items:
        _row(ob, now)


def _choice_label(ob: Obligation) -> str:
    title = ob.title if len(ob.title) <= 40 else ob.title[:39] + "…"
    return f"#{ob.id} {title}（{label(OBLIGATION_KIND_LABELS, ob.kind)}）"


def _act(operation: actions.Operation, ob: Obligation, text: str = "") -> None:
    try:
        done = actions.perform(config, operation, int(ob.id or 0), principal, text)
    except actions.ActionError as exc:
        st.error(md_escape(str(exc)))
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


def _linked(ids: list[int]) -> int:
    """The obligation a message linked to (``/obligations?id=N``), else the first."""
    wanted = str(st.query_params.get("id", ""))
    if wanted.isdigit() and int(wanted) in ids:
        return ids.index(int(wanted))
    if wanted.isdigit():
        st.caption(f"链接中的事项 \\#{wanted} 已不在待办列表中（已办结、已豁免或不存在）。")
    return 0


def action_panel() -> None:
    st.subheader("办理")
    if not roles.allowed(principal, roles.ACT):
        st.info("当前账号为只读权限，不能办理处置事项。")
        return
    actionable = [ob for ob in data.obligations(config) if ob.status in ACTIVE]
    if not actionable:
        st.info("没有需要办理的事项。")
        return
    by_id = {int(ob.id or 0): ob for ob in actionable}
    chosen = st.selectbox(
        "选择事项",
        list(by_id),
        index=_linked(list(by_id)),
        format_func=lambda key: _choice_label(by_id[key]),
        key="obligation_selected",
    )
    ob = by_id[chosen]
    where = "（可在左侧栏修改）" if not principal.authenticated else ""
    st.caption(
        f"当前状态：{label(OBLIGATION_STATUS_LABELS, ob.status)} · 操作人："
        f"{md_escape(principal.name)}{where}"
    )
    ack, assign, snooze = st.columns(3)
    with ack:
        st.markdown("**确认**：已知悉，开始办理")
        if st.button("确认", key="obligation_ack", disabled=ob.status != "open", type="primary"):
            _act("acknowledge", ob)
    with assign, st.form("obligation_assign", clear_on_submit=True, border=False):
        who = st.text_input("负责人", key="obligation_assignee", max_chars=100)
        if st.form_submit_button("指派"):
            _act("assign", ob, who)
    with snooze, st.form("obligation_snooze", clear_on_submit=False, border=False):
        hours = st.number_input(
            "暂停提醒（小时）", 0.5, 168.0, 2.0, 0.5, key="obligation_snooze_hours"
        )
        if st.form_submit_button("暂停提醒"):
            _act("snooze", ob, f"{hours:g}")
    if ob.fulfilled_by and ob.note.startswith("建议办结："):
        st.caption(md_escape(ob.note))
        if st.button("按建议办结（以该发布时间为办结时间）", key="obligation_accept"):
            _act("accept", ob)
    finish, waive, _ = st.columns(3)
    with finish, st.form("obligation_done", clear_on_submit=True, border=False):
        link = st.text_input("已发布内容的链接", placeholder="https://", key="obligation_link")
        if st.form_submit_button("办结"):
            _act("complete", ob, link)
    with waive, st.form("obligation_waive", clear_on_submit=True, border=False):
        reason = st.text_input("豁免理由", key="obligation_reason")
        if st.form_submit_button("豁免"):
            _act("waive", ob, reason)


def _audit_row(entry: AuditEntry) -> dict[str, Any]:
    details = entry.details or {}
    states = ALERT_STATUS_LABELS if entry.object_type == "alert" else OBLIGATION_STATUS_LABELS
    change = ""
    if "from" in details and "to" in details:
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
    return {
        "时间": fmt_time(entry.at, seconds=True),
        "操作人": entry.actor,
        "操作": label(AUDIT_ACTION_LABELS, entry.action),
        "事项": f"{OBJECT_NAMES.get(entry.object_type, '')}#{entry.object_id}",
        "状态变化": change,
        "说明": str(note),
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
board()
action_panel()
alert_panel(config, principal, FLASH_KEY)
audit_log()

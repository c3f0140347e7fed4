"""The 处置 page's cards: obligations grouped by their event, filtered, each with its actions.

An event such as an elevator accident opens several duties at once (authoritative information,
a press conference, a response…); the duty officer handles them together, so they are shown
together, the most urgent group first. Each card carries its own actions — one-click 确认 and
按建议办结, and a 办理 popover with 指派, 办结 (with the link), 豁免 (with a reason) and 暂停提醒 —
instead of one form at the bottom of the page with a dropdown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import streamlit as st

from alerts.messages import LATE_LABEL, show_outcome
from alerts.obligations import ACTIVE
from archive.models import Obligation
from dashboard import roles
from dashboard.formatting import countdown, fmt_time, md_escape, urgency
from dashboard.labels import (
    LEVEL_LABELS,
    OBLIGATION_KIND_LABELS,
    OBLIGATION_STATUS_LABELS,
    label,
)
from dashboard.roles import Principal

PROVISIONAL_HELP = "该年度法定节假日安排尚未公布，期限按常规工作日推算，公布后可能调整。"
# The due windows a duty officer filters by, from the most pressing.
DUE_WINDOWS: dict[str, timedelta | None] = {
    "全部期限": None,
    "已逾期": timedelta(0),
    "2小时内到期": timedelta(hours=2),
    "24小时内到期": timedelta(hours=24),
    "3天内到期": timedelta(days=3),
}
OTHER_GROUP = "其他事项（未关联事件）"

# (operation, obligation, text): the page's way of performing an action and reporting it.
Act = Callable[[str, Obligation, str], None]


@dataclass(frozen=True)
class Filters:
    kinds: list[str]
    levels: list[str]
    window: timedelta | None

    def keep(self, ob: Obligation, now: datetime) -> bool:
        if self.kinds and ob.kind not in self.kinds:
            return False
        if self.levels and ob.level not in self.levels:
            return False
        return self.window is None or ob.due_at - now <= self.window


def filter_bar(items: Sequence[Obligation]) -> Filters:
    """Kind, unit level and due window, offering only the values present."""
    kinds = sorted({ob.kind for ob in items})
    levels = sorted({ob.level for ob in items})
    first, second, third = st.columns(3)
    chosen_kinds = first.multiselect(
        "事项类型",
        kinds,
        format_func=lambda k: label(OBLIGATION_KIND_LABELS, k),
        key="obligations_kinds",
        placeholder="全部类型",
    )
    chosen_levels = second.multiselect(
        "责任单位层级",
        levels,
        format_func=lambda k: label(LEVEL_LABELS, k),
        key="obligations_levels",
        placeholder="全部层级",
    )
    window = third.selectbox("期限", list(DUE_WINDOWS), key="obligations_window")
    return Filters(chosen_kinds, chosen_levels, DUE_WINDOWS[window])


def grouped(
    items: Sequence[Obligation], titles: dict[str, str]
) -> list[tuple[str, list[Obligation]]]:
    """Obligations by event (its title as the heading), groups ordered by their earliest
    deadline; obligations of no event last. Items keep their deadline order within a group."""
    groups: dict[str, list[Obligation]] = {}
    for ob in items:
        key = titles.get(ob.event_id or "", ob.event_id or "") if ob.event_id else ""
        groups.setdefault(key, []).append(ob)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", min(ob.due_at for ob in kv[1])))
    return [(title or OTHER_GROUP, obs) for title, obs in ordered]


def group_heading(title: str, obs: Sequence[Obligation], now: datetime) -> str:
    active = [ob for ob in obs if ob.status in ACTIVE]
    overdue = sum(1 for ob in active if ob.due_at < now)
    tail = f" · 已逾期 {overdue} 项" if overdue else ""
    return f"#### {md_escape(title)}\n{len(obs)} 项 · 待办 {len(active)} 项{tail}"


def card(ob: Obligation, now: datetime, principal: Principal, act: Act) -> None:
    """One obligation: its countdown, what it is, who holds it, and what can be done."""
    active = ob.status in ACTIVE
    level = urgency(ob.due_at, now, active)
    with st.container(border=True):
        left, middle, right = st.columns([2, 6, 2], vertical_alignment="center")
        with left:
            shown = countdown(ob.due_at, now) if active else level.label
            st.markdown(f":{level.color}-badge[{shown}]")
            st.caption(f"期限 {fmt_time(ob.due_at)}")
        with middle:
            _describe(ob)
        with right:
            st.markdown(f"**{label(OBLIGATION_STATUS_LABELS, ob.status)}**")
            st.caption(f"负责人：{md_escape(ob.assignee)}" if ob.assignee else "负责人：未指派")
            if ob.status == "done":
                st.caption(
                    f"{show_outcome(ob)}" + (f" {fmt_time(ob.done_at)}" if ob.done_at else "")
                )
        if roles.allowed(principal, roles.ACT):
            _actions(ob, act)


def _describe(ob: Obligation) -> None:
    badge = " :orange-badge[暂定]" if ob.provisional else ""
    if ob.late_reason:
        badge += f" :violet-badge[{LATE_LABEL}]"
    kind = label(OBLIGATION_KIND_LABELS, ob.kind)
    st.markdown(f"**\\#{ob.id} {kind}**{badge}  \n{md_escape(ob.title)}")
    details = [f"开启 {fmt_time(ob.opened_at)}", label(LEVEL_LABELS, ob.level)]
    if ob.link:
        details.append(f"发布链接 {md_escape(ob.link)}")
    if ob.note:
        details.append(f"说明 {md_escape(ob.note)}")
    st.caption(" · ".join(details))
    if ob.late_reason:
        st.caption(md_escape(ob.late_reason))
    if ob.provisional:
        st.caption(PROVISIONAL_HELP)


def _actions(ob: Obligation, act: Act) -> None:
    """The card's buttons: the one-click ones inline, the ones needing text in a popover."""
    ident = ob.id
    if ob.status == "done" and ob.fulfilled_by:
        if st.button("撤销自动办结", key=f"ob_undo_{ident}"):
            act("undo", ob, "")
        return
    if ob.status not in ACTIVE:
        return
    columns = st.columns([1, 2, 1, 3])
    if columns[0].button("确认", key=f"ob_ack_{ident}", disabled=ob.status != "open"):
        act("acknowledge", ob, "")
    proposal = bool(ob.fulfilled_by) and ob.note.startswith("建议办结：")
    if proposal and columns[1].button(
        "按建议办结", key=f"ob_accept_{ident}", type="primary", help=ob.note
    ):
        act("accept", ob, "")
    with columns[2].popover("办理…"):
        _text_form(ob, act, "assign", "指派", "负责人")
        _text_form(ob, act, "complete", "办结", "已发布内容的链接", placeholder="https://")
        _text_form(ob, act, "waive", "豁免", "豁免理由")
        with st.form(f"ob_snooze_form_{ident}", border=False):
            hours = st.number_input(
                "暂停提醒（小时）", 0.5, 168.0, 2.0, 0.5, key=f"ob_hours_{ident}"
            )
            if st.form_submit_button("暂停提醒", key=f"ob_snooze_go_{ident}"):
                act("snooze", ob, f"{hours:g}")


def _text_form(
    ob: Obligation, act: Act, operation: str, verb: str, field: str, placeholder: str = ""
) -> None:
    with st.form(f"ob_{operation}_form_{ob.id}", clear_on_submit=True, border=False):
        text = st.text_input(field, key=f"ob_{operation}_{ob.id}", placeholder=placeholder)
        if st.form_submit_button(verb, key=f"ob_{operation}_go_{ob.id}"):
            act(operation, ob, text)

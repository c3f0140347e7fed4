"""The alerts part of the 处置 page: recent alerts, silences in force, silence and lift.

Silences are set and lifted with the operations of ``yuqing silence add|expire`` (through
``dashboard.actions``); configured ``silences:`` are shown but only change in the file.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import actions, data, roles, units
from dashboard.formatting import fmt_time, md_escape
from dashboard.labels import ALERT_LEVEL_LABELS, ALERT_STATUS_LABELS, label, shown
from dashboard.roles import Principal
from dashboard.tables import alert_row


def _done(flash_key: str, message: str) -> None:
    st.session_state[flash_key] = message
    st.rerun()


def silences_table(config: str) -> list[data.RunningSilence]:
    running = data.running_silences(config, data.now(config))
    if not running:
        return running
    rows = [
        {
            "编号": item.id or "（配置文件）",
            "规则": shown(item.spec.rule or ""),
            "对象": item.spec.subject or "",
            "标题包含": item.spec.title_contains or "",
            "级别": label(ALERT_LEVEL_LABELS, item.spec.level) if item.spec.level else "",
            "结束时间": fmt_time(item.spec.ends_at),
            "设置人": item.spec.created_by,
            "理由": item.spec.comment,
        }
        for item in running
    ]
    st.markdown("**生效中的静默**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    return running


def _silence_form(config: str, principal: Principal, flash_key: str) -> None:
    alerts = units.visible_alerts(config, principal, data.recent_alerts(config))
    by_id = {int(a.id or 0): a for a in alerts}
    chosen = st.selectbox(
        "选择告警",
        list(by_id),
        format_func=lambda key: (
            f"#{key} {by_id[key].title[:40]}（{label(ALERT_STATUS_LABELS, by_id[key].status)}）"
        ),
        key="alert_selected",
    )
    with st.form("alert_silence", clear_on_submit=True, border=False):
        reason_box, hours_box = st.columns([4, 1])
        reason = reason_box.text_input("静默理由（静默期间不再推送该告警）", key="alert_reason")
        hours = hours_box.number_input("静默时长（小时）", 1.0, 168.0, 24.0, 1.0, key="alert_hours")
        if st.form_submit_button("静默告警"):
            try:
                silence_id = actions.silence(config, chosen, principal, reason, hours=hours)
            except actions.ActionError as exc:
                st.error(md_escape(str(exc)))
            else:
                _done(
                    flash_key,
                    f"告警 #{chosen} 已静默，编号 {silence_id}（操作人：{principal.name}）",
                )


def _lift_form(
    config: str, principal: Principal, flash_key: str, running: list[data.RunningSilence]
) -> None:
    stored = [item for item in running if item.id]
    if not stored:
        return
    with st.form("silence_lift", clear_on_submit=True, border=False):
        left, right = st.columns([2, 3])
        chosen = left.selectbox(
            "解除静默",
            [item.id for item in stored],
            format_func=lambda key: next(
                f"{key}（{shown(i.spec.rule or '')} {i.spec.subject or ''}）"
                for i in stored
                if i.id == key
            ),
            key="silence_selected",
        )
        reason = right.text_input("解除理由", key="silence_reason")
        if st.form_submit_button("解除静默"):
            try:
                actions.lift_silence(config, str(chosen), principal, reason)
            except actions.ActionError as exc:
                st.error(md_escape(str(exc)))
            else:
                _done(flash_key, f"静默 {chosen} 已解除（操作人：{principal.name}）")


def alert_panel(config: str, principal: Principal, flash_key: str) -> None:
    st.subheader("告警")
    running = silences_table(config)
    alerts = units.visible_alerts(config, principal, data.recent_alerts(config))
    if not alerts:
        st.info("还没有告警。")
        return
    st.dataframe(pd.DataFrame([alert_row(a) for a in alerts]), hide_index=True, width="stretch")
    if not roles.allowed(principal, roles.SILENCE):
        return
    _silence_form(config, principal, flash_key)
    _lift_form(config, principal, flash_key, running)

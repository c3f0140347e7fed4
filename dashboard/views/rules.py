"""规则: the rules in force, what each has raised lately, and a backtest form."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, backtest, context, data, data_ops, roles
from dashboard.formatting import duration_text, fmt_time, md_escape
from dashboard.labels import (
    ALERT_LEVEL_LABELS,
    OBLIGATION_KIND_LABELS,
    RULE_TYPE_LABELS,
    TOPIC_LABELS,
    label,
)
from dashboard.tables import alert_row
from yuqing.clock import SHANGHAI, local
from yuqing.settings import RuleSettings

RESULT_KEY = "rules_backtest_result"
MAX_DAYS = 31

config = context.config_path()
principal = auth.page_principal(config)
rules = list(context.settings(config).rules)


def _condition(rule: RuleSettings) -> str:
    """The rule's parameters in words (only those it sets)."""
    parts = []
    if rule.min_heat is not None:
        parts.append(f"热度≥{rule.min_heat:g}")
    if rule.min_mentions is not None:
        parts.append(f"提及≥{rule.min_mentions}")
    if rule.spike_factor is not None:
        parts.append(f"突增≥{rule.spike_factor:g}倍")
    if rule.baseline is not None:
        parts.append(f"基线{duration_text(rule.baseline)}")
    if rule.min_probability is not None:
        parts.append(f"谣言概率≥{rule.min_probability:g}")
    if rule.min_reach is not None:
        parts.append(f"传播≥{rule.min_reach}")
    if rule.min_grade:
        parts.append(f"等级≥{rule.min_grade}")
    if rule.terms:
        parts.append("关注词：" + "、".join(rule.terms[:8]))
    if rule.doc_types:
        parts.append("文件类型：" + "、".join(rule.doc_types))
    f = rule.filters
    if f.topics:
        parts.append("话题：" + "、".join(label(TOPIC_LABELS, t) for t in f.topics))
    if f.regions:
        parts.append("地区：" + "、".join(f.regions))
    if f.platforms:
        parts.append("平台：" + "、".join(f.platforms))
    return "；".join(parts)


def _rule_row(rule: RuleSettings, alerts: dict[str, list[Any]]) -> dict[str, Any]:
    mine = alerts.get(rule.name, [])
    return {
        "规则": rule.name,
        "类型": label(RULE_TYPE_LABELS, rule.type),
        "启用": "是" if rule.enabled else "否",
        "级别": label(ALERT_LEVEL_LABELS, rule.level),
        "条件": _condition(rule),
        "开启事项": "、".join(label(OBLIGATION_KIND_LABELS, k) for k in rule.opens),
        "接收人": "、".join(rule.recipients),
        "近期告警": len(mine),
        "最近告警": fmt_time(mine[0].last_at) if mine else "",
        "说明": rule.description,
    }


def rule_table() -> None:
    alerts = data_ops.alerts_by_rule(config)
    if not rules:
        st.info("配置中没有规则。")
        return
    frame = pd.DataFrame([_rule_row(rule, alerts) for rule in rules])
    st.dataframe(frame, hide_index=True, width="stretch")
    st.subheader("各规则的近期告警")
    names = [rule.name for rule in rules]
    chosen = st.selectbox("规则", names, key="rules_alerts_rule")
    mine = alerts.get(chosen, [])
    if mine:
        st.dataframe(
            pd.DataFrame([alert_row(a) for a in mine[:50]]), hide_index=True, width="stretch"
        )
    else:
        st.caption("该规则近期没有告警。")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)


def backtest_form() -> None:
    st.subheader("规则回测")
    st.caption(
        "用档案库中已有的数据重放一条规则，查看它在过去一段时间会触发哪些告警；只读，不会产生"
        "告警或通知。事件按当前存储的热度、等级和谣言概率判断。"
    )
    if not rules:
        return
    if not roles.allowed(principal, roles.BACKTEST):
        st.info("当前账号无规则回测权限。")
        return
    today = local(data.now(config)).date()
    with st.form("backtest_form", border=True):
        left, right = st.columns(2)
        name = left.selectbox("回测规则", [r.name for r in rules], key="backtest_rule")
        days = right.date_input(
            "日期范围（北京时间）",
            value=(today - timedelta(days=6), today),
            max_value=today,
            key="backtest_days",
        )
        submitted = st.form_submit_button("开始回测", type="primary")
    if submitted:
        picked = list(days) if isinstance(days, list | tuple) else [days]
        if not picked:
            st.error("请选择日期范围。")
            return
        since = _day_start(picked[0])
        until = _day_start(picked[-1]) + timedelta(days=1)
        if until - since > timedelta(days=MAX_DAYS):
            st.error(f"回测范围最长 {MAX_DAYS} 天。")
            return
        roles.require(principal, roles.BACKTEST)
        rule = next(r for r in rules if r.name == name)
        with st.spinner("回测中…"):
            result = backtest.run_backtest(context.reader(config), rule, since, until)
        st.session_state[RESULT_KEY] = result
    shown = st.session_state.get(RESULT_KEY)
    if isinstance(shown, backtest.BacktestResult):
        _show(shown)


def _show(result: backtest.BacktestResult) -> None:
    unit = "小时" if result.step <= timedelta(hours=1) else "天"
    st.markdown(
        f"规则 **{md_escape(result.rule)}** · {fmt_time(result.since)} 至 {fmt_time(result.until)}"
        f" · 按{unit}重放 {result.steps} 步 · 读取 {result.mentions_read} 条提及 · "
        f"命中 **{len(result.matches)}** 个对象"
    )
    if result.truncated:
        st.warning(f"范围内提及超过 {backtest.MAX_MENTIONS} 条，只回测了最新的部分。")
    for error in result.errors[:5]:
        st.error(md_escape(error))
    if not result.matches:
        st.info("该规则在所选时间内不会触发告警。")
        return
    rows = [
        {
            "对象": m.subject,
            "标题": m.title,
            "级别": label(ALERT_LEVEL_LABELS, m.level),
            "首次命中": fmt_time(m.first_step),
            f"命中{unit}数": m.steps,
            "依据": "；".join(m.evidence),
        }
        for m in result.matches
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


st.title("规则")
st.caption(f"共 {len(rules)} 条规则（来自配置文件）")
rule_table()
backtest_form()

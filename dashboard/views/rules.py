"""规则: the rules in force, what each has raised lately, and a backtest form."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from alerts.rulebook import rules_in_force
from alerts.volume_rules import SpikeRule
from core.clock import SHANGHAI, local
from core.settings import RuleSettings, SpikeRuleSettings
from dashboard import auth, context, data, data_ops, roles
from dashboard.formatting import duration_text, fmt_time, md_escape, odds_text
from dashboard.labels import (
    ALERT_LEVEL_LABELS,
    OBLIGATION_KIND_LABELS,
    RULE_TYPE_LABELS,
    TOPIC_LABELS,
    label,
    shown,
)
from dashboard.tables import alert_row

# The backtest drives nlp and alerts through the runner (the application layer below the
# dashboard, see the layering contract in pyproject.toml).
from yuqing.backtest import BacktestResult, Raised, run_backtest

RESULT_KEY = "rules_backtest_result"
MAX_DAYS = 7
LARGE_ARCHIVE = 200_000
STEPS = {
    "10分钟": timedelta(minutes=10),
    "30分钟": timedelta(minutes=30),
    "1小时": timedelta(hours=1),
}
RAISED_LABELS = {"alert": "告警", "raise": "告警升级", "obligation": "处置事项"}

config = context.config_path()
principal = auth.page_principal(config)
rules, book = rules_in_force(context.settings(config))


def _condition(rule: RuleSettings) -> str:
    """The rule's parameters in words (only those its type has and it sets)."""
    p = dict(rule)  # the parameters of the rule's own type; the others read as unset
    parts = []
    if p.get("min_heat") is not None:
        parts.append(f"热度≥{p['min_heat']:g}")
    if p.get("min_mentions") is not None:
        parts.append(f"提及≥{p['min_mentions']}")
    if p.get("per_topic"):
        parts.append("按话题分别判断")
    if isinstance(rule, SpikeRuleSettings) and rule.seasonal_baseline:
        parts.append(f"基线：前{SpikeRule(rule).baseline_days()}天同一时段")
    if p.get("max_p_value") is not None:
        parts.append(f"偶然可能≤{odds_text(p['max_p_value'])}")
    if p.get("spike_factor") is not None:
        parts.append(f"突增≥{p['spike_factor']:g}倍")
    if p.get("baseline") is not None:
        parts.append(f"基线{duration_text(p['baseline'])}")
    if p.get("min_probability") is not None:
        parts.append(f"谣言概率≥{p['min_probability']:g}")
    if p.get("min_reach") is not None:
        parts.append(f"传播≥{p['min_reach']}")
    if p.get("min_grade"):
        parts.append(f"等级≥{p['min_grade']}")
    if p.get("terms"):
        parts.append("关注词：" + "、".join(p["terms"][:8]))
    if p.get("doc_types"):
        parts.append("文件类型：" + "、".join(p["doc_types"]))
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
        "规则": shown(rule.name),
        "类型": label(RULE_TYPE_LABELS, rule.type),
        "启用": "是" if rule.enabled else "否",
        "级别": label(ALERT_LEVEL_LABELS, rule.level),
        "条件": _condition(rule),
        "开启事项": "、".join(label(OBLIGATION_KIND_LABELS, k) for k in rule.opens),
        "接收人": "、".join(shown(r) for r in rule.recipients),
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
    chosen = st.selectbox("规则", names, format_func=shown, key="rules_alerts_rule")
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
        "把所选时间内档案库中的提及按采集顺序在模拟时间中重放：分析、事件聚类和所选规则都"
        "重新运行（在临时档案库中，不会产生告警或通知），并与当前规则实际触发的情况对照。"
        "时间越长越慢。"
    )
    if not rules:
        return
    if not roles.allowed(principal, roles.BACKTEST):
        st.info("当前账号无规则回测权限。")
        return
    size = data.archive_size(config)
    if size > LARGE_ARCHIVE:
        # yuqing.backtest reads the whole change log and re-analyses the week before the
        # window: measured at about 30 s per scan on 1M mentions, over 6 minutes in all.
        st.warning(
            f"档案库较大（{size} 条提及）：回测要读遍全部采集记录并重新分析所选时间及之前7天的"
            "提及，可能需要数分钟，期间本页面不可操作；大范围回测请用命令行 yuqing backtest。"
        )
    today = local(data.now(config)).date()
    with st.form("backtest_form", border=True):
        left, middle, right = st.columns([2, 2, 1])
        name = left.selectbox(
            "回测规则", [r.name for r in rules], format_func=shown, key="backtest_rule"
        )
        days = middle.date_input(
            "日期范围（北京时间）",
            value=(today - timedelta(days=1), today),
            max_value=today,
            key="backtest_days",
        )
        step = right.selectbox("步长", list(STEPS), index=1, key="backtest_step")
        submitted = st.form_submit_button("开始回测", type="primary")
    if submitted:
        _run(name, days, STEPS[step])
    kept = st.session_state.get(RESULT_KEY)
    if isinstance(kept, tuple):
        _show(*kept)


def _run(name: str, days: Any, step: timedelta) -> None:
    picked = list(days) if isinstance(days, list | tuple) else [days]
    if not picked:
        st.error("请选择日期范围。")
        return
    since = _day_start(picked[0])
    until = _day_start(picked[-1]) + timedelta(days=1)
    if until - since > timedelta(days=MAX_DAYS):
        st.error(f"回测范围最长 {MAX_DAYS} 天，更长的请用命令行 yuqing backtest。")
        return
    roles.require(principal, roles.BACKTEST)  # checked where the work is done, too
    rule = next(r for r in rules if r.name == name)
    with st.spinner("回测中…（分析与规则在模拟时间中重新运行）"):
        try:
            result = run_backtest(
                context.reader(config), context.settings(config), [rule], since, until, step
            )
        except ValueError as exc:
            st.error(md_escape(str(exc)))
            return
    st.session_state[RESULT_KEY] = (name, result)


def _raised_rows(items: list[Raised]) -> list[dict[str, Any]]:
    return [
        {
            "时间": fmt_time(r.at),
            "类型": RAISED_LABELS.get(r.what, r.what),
            "规则或事项": label(OBLIGATION_KIND_LABELS, r.rule),
            "对象": r.subject,
            "标题": r.title,
            "级别": label(ALERT_LEVEL_LABELS, r.level),
            "期限": fmt_time(r.due_at),
        }
        for r in items
    ]


def _show(name: str, result: BacktestResult) -> None:
    alerts, obligations = result.alerts(), result.obligations()
    st.markdown(
        f"规则 **{md_escape(name)}** · {fmt_time(result.since)} 至 {fmt_time(result.until)} · "
        f"重放 {result.mentions} 条提及、{result.steps} 步 · 触发告警 **{len(alerts)}** 条、"
        f"处置事项 **{len(obligations)}** 项、通知 {result.messages} 条"
    )
    actual = result.alerts(actual=True)
    mine = [r for r in actual if r.rule == name]
    st.caption(
        f"同期当前规则实际触发告警 {len(actual)} 条（其中该规则 {len(mine)} 条），"
        f"处置事项 {len(result.obligations(actual=True))} 项（据审计日志）。"
    )
    for error in result.errors[:5]:
        st.error(md_escape(error))
    if not result.raised:
        st.info("该规则在所选时间内不会触发告警。")
        return
    st.dataframe(pd.DataFrame(_raised_rows(result.raised)), hide_index=True, width="stretch")


st.title("规则")
source = "配置文件" + ("及规则文件" if book is not None else "")
st.caption(f"生效规则 {len(rules)} 条（来自{source}）")
if book is not None and book.last_error is not None:
    st.error("规则文件有误，仍按上次读入的规则运行：" + md_escape(str(book.last_error)))
rule_table()
backtest_form()

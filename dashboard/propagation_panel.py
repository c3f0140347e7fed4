"""The event page's 传播分析 section: the cascade drawn as a tree, the spread over time by
account type, the first source with its link and the key spreaders."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.data_propagation import DRAWN_NODES, PropagationView, event_propagation
from dashboard.formatting import fmt_time, md_escape, safe_url
from nlp.propagation import ACCOUNTS

__all__ = ["propagation_section"]

_COLOURS = alt.Scale(
    domain=list(ACCOUNTS), range=["#d62728", "#1f77b4", "#ff7f0e", "#7f7f7f", "#c7c7c7"]
)


def tree_chart(view: PropagationView) -> alt.Chart:
    edges = (
        alt.Chart(view.edges)
        .mark_rule(color="#bbbbbb")
        .encode(
            x=alt.X("x:Q", title="传播层级", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("y:Q", axis=None),
            x2="x2:Q",
            y2="y2:Q",
        )
    )
    nodes = (
        alt.Chart(view.nodes)
        .mark_circle(size=60, opacity=0.9)
        .encode(
            x="x:Q",
            y="y:Q",
            color=alt.Color("类型:N", scale=_COLOURS, title="账号类型"),
            tooltip=["作者:N", "类型:N", "时间:N"],
        )
    )
    return (edges + nodes).properties(height=360)


def cumulative_chart(view: PropagationView) -> alt.Chart:
    return (
        alt.Chart(view.cumulative)
        .mark_area(opacity=0.8)
        .encode(
            # Vega's default time labels are English ("06 PM", "Tue 17"): spell them out.
            x=alt.X(
                "时间:T",
                title="时间（北京时间）",
                axis=alt.Axis(format="%m-%d %H:%M", labelAngle=-30),
            ),
            y=alt.Y("累计:Q", title="累计传播量", stack=True),
            color=alt.Color("类型:N", scale=_COLOURS, title="账号类型"),
            tooltip=[
                alt.Tooltip("时间:T", title="时间", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("类型:N", title="账号类型"),
                alt.Tooltip("累计:Q", title="累计传播量"),
            ],
        )
        .properties(height=240)
    )


def propagation_section(config: str, event_id: str) -> None:
    st.subheader("传播分析")
    view = event_propagation(config, event_id)
    if view is None:
        st.caption("该事件还没有可分析的传播关系。")
        return
    f = view.figures
    first = f.first_source
    if first is not None:
        who = md_escape(first.author or "（未知作者）")
        # Only a plain web address becomes a link (a crawled javascript: URL stays text).
        url = safe_url(first.url) if first.url else None
        link = f"[{md_escape(url)}]({url})" if url else md_escape(first.url or "")
        st.markdown(f"**首发**：{who}［{first.account}］ {fmt_time(first.at)} {link}")
    cols = st.columns(4)
    cols[0].metric("传播节点", f"{f.nodes}")
    cols[1].metric("最大深度", f"{f.depth}")
    cols[2].metric(
        "接力转发程度",
        f"{f.virality:.2f}",
        help="传播树中帖子之间的平均转发距离（学术上称“结构病毒性”）。约 2：一个账号发、"
        "众人直接转，像广播；越大：越是一层层接力转出去，像口口相传。",
    )
    cols[3].metric("峰值每小时", f"{f.peak_hour}")
    if f.placeholders:
        st.caption(f"其中 {f.placeholders} 个节点未存档（由转发链推知作者），不虚构其位置。")
    if view.sampled:
        st.caption(f"传播树较大，仅绘制最大的传播树自根部起的前 {DRAWN_NODES} 个节点。")
    st.altair_chart(tree_chart(view), width="stretch")
    if not view.cumulative.empty:
        st.altair_chart(cumulative_chart(view), width="stretch")
    if f.spreaders:
        st.markdown("**关键传播节点**")
        rows = [
            {
                "作者": s.author or "（未知）",
                "类型": s.account,
                "带来传播": s.brought_in,
                "直接转发/评论": s.direct,
                "桥梁作用": round(s.betweenness),
                "时间": fmt_time(s.at) if s.at else "未知",
                "链接": s.url,
            }
            for s in f.spreaders
        ]
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            width="stretch",
            column_config={
                "链接": st.column_config.LinkColumn("链接"),
                "桥梁作用": st.column_config.NumberColumn(
                    help="有多少条传播路径经过这个账号（学术上称“中介度”）：越大，越是它把信息"
                    "从一个圈子带到另一个圈子。",
                ),
            },
        )

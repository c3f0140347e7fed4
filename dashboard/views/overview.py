"""总览: what is new, what is hot, what is due — the page the duty staff keep open."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.context import config_path
from dashboard.formatting import fmt_time
from dashboard.labels import EVENT_STATUS_LABELS, TOPIC_LABELS, label

RANGES = {
    "近48小时（按小时）": (timedelta(hours=48), "hour"),
    "近7天（按天）": (timedelta(days=7), "day"),
    "近30天（按天）": (timedelta(days=30), "day"),
}

config = config_path()
at = data.now(config).replace(second=0)

st.title("舆情总览")
st.caption(f"数据截至 {fmt_time(at)}（北京时间），每 {data.cache_seconds(config)} 秒更新")

metrics = data.overview_metrics(config, at)
cards = st.columns(5)
cards[0].metric(
    "24小时新增提及",
    f"{metrics.new_mentions}{'' if metrics.new_mentions_exact else '+'}",
    delta=metrics.new_mentions - metrics.previous_mentions,
    delta_color="off",
    help="最近24小时发布的提及数；变化量与之前24小时相比",
    border=True,
)
cards[1].metric(
    "活跃热点", metrics.active_hotspots, help="最近24小时仍有新提及且未平息的事件", border=True
)
cards[2].metric(
    "待处置事项", metrics.open_obligations, help="待办和已确认、尚未办结的处置事项", border=True
)
cards[3].metric("已逾期事项", metrics.overdue_obligations, help="已超过期限仍未办结", border=True)
cards[4].metric(
    "高谣言风险提及",
    metrics.rumor_mentions,
    help=f"最近24小时谣言概率不低于 {metrics.rumor_threshold:.2f} 的提及",
    border=True,
)
if metrics.overdue_obligations:
    st.error(f"有 {metrics.overdue_obligations} 项处置已逾期，请到「处置」页面办理。")

choice = st.radio("时间范围", list(RANGES), horizontal=True, key="overview_range")
window, interval = RANGES[choice]
since = at - window

left, right = st.columns([2, 1])
with left:
    st.subheader("各平台提及量")
    volume = data.volume_by_platform(config, since, None, interval)
    if volume.empty:
        st.info("所选时间范围内没有提及。")
    else:
        st.altair_chart(charts.volume_chart(volume, interval), width="stretch")
with right:
    st.subheader("话题分布")
    topics = data.topic_counts(config, since)
    if topics:
        st.altair_chart(charts.facet_chart(topics, "话题", TOPIC_LABELS), width="stretch")
    else:
        st.info("所选时间范围内没有已分析的话题。")

st.subheader("最热事件")
events = data.hot_events(config, since)
if not events:
    st.info("所选时间范围内没有热点事件。")
else:
    table = pd.DataFrame(
        [
            {
                "事件": event.title,
                "热度": event.heat,
                "提及数": event.mention_count,
                "严重程度": event.severity or "未分级",
                "状态": label(EVENT_STATUS_LABELS, event.status),
                "首次发现": fmt_time(event.first_seen),
                "最近提及": fmt_time(event.last_seen),
            }
            for event in events
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "热度": st.column_config.NumberColumn(format="%.1f"),
            "提及数": st.column_config.NumberColumn(format="%d"),
        },
    )

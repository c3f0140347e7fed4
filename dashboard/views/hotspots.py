"""热点: events ranked by heat, each with its trend, lifecycle and severity."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, context, data, data_events, units
from dashboard.context import config_path
from dashboard.formatting import fmt_time, md_escape
from dashboard.tables import event_row
from dashboard.widgets import heat_column, heat_note
from reports.heat_scale import heat_scale

RANGES = {
    "近24小时（按小时）": (timedelta(hours=24), "hour"),
    "近48小时（按小时）": (timedelta(hours=48), "hour"),
    "近7天（按天）": (timedelta(days=7), "day"),
    "近30天（按天）": (timedelta(days=30), "day"),
}
EVENT_PAGE = Path(__file__).resolve().parent / "event.py"

config = config_path()
principal = auth.page_principal(config)
at = data.now(config).replace(second=0)

st.title("热点事件")
st.caption(f"数据截至 {fmt_time(at)}（北京时间），按热度排序")
choice = st.radio("时间范围", list(RANGES), index=2, horizontal=True, key="hotspots_range")
window, interval = RANGES[choice]
items = data_events.hotspots(config, at, window, interval)
shown_events = {e.id for e in units.visible_events(config, principal, [i.event for i in items])}
items = [item for item in items if item.event.id in shown_events]
if not items:
    st.info("所选时间范围内没有热点事件。")
    st.stop()

scale = heat_scale(context.settings(config))
rows = []
for rank, item in enumerate(items, start=1):
    row = {"排名": rank, **event_row(item.event, scale), "走势": item.trend}
    row["疑似谣言"] = item.event.rumor_score
    row["平台分布"] = item.platforms
    rows.append(row)
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_order=[
        "排名",
        "事件",
        "走势",
        "热度",
        "热度等级",
        "提及数",
        "严重程度",
        "状态",
        "疑似谣言",
        "平台分布",
        "首次发现",
        "最近提及",
    ],
    column_config={
        "走势": st.column_config.LineChartColumn(
            "走势", help="所选时间范围内每小时或每天的提及数", y_min=0
        ),
        **heat_column(),
        "提及数": st.column_config.NumberColumn(format="%d"),
        "平台分布": st.column_config.TextColumn("平台分布", help="事件全部相关提及按平台的条数"),
        "疑似谣言": st.column_config.ProgressColumn(
            "谣言概率", min_value=0.0, max_value=1.0, format="%.2f"
        ),
    },
)
heat_note([item.event for item in items], scale)

st.subheader("查看事件详情")
# One link a line: in three columns a long title was clipped mid-word with no ellipsis
# ("…召回部分电动"), and the officer could not tell two similar events apart.
for item in items:
    st.page_link(
        EVENT_PAGE,
        label=md_escape(item.event.title) or item.event.id,
        query_params={"id": item.event.id},
        icon=":material/arrow_forward:",
    )

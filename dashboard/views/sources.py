"""信息源: is every source being collected — last success, last error, items, error rate."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, data, data_ops
from dashboard.context import config_path
from dashboard.formatting import duration_text, fmt_time, md_escape
from dashboard.labels import SOURCE_TYPE_LABELS, label, shown

HEALTH = {
    "ok": "● 正常",
    "failing": "▲ 上次采集失败",
    "late": "◆ 长时间未成功",
    "never": "○ 尚未采集",
    "disabled": "■ 已停用",
}

config = config_path()
auth.page_principal(config)
at = data.now(config).replace(second=0)

st.title("信息源状态")
st.caption(f"数据截至 {fmt_time(at)}（北京时间）")
sources = data_ops.source_health(config, at)
if not sources:
    st.info("配置中没有信息源，档案库中也没有采集记录。")
    st.stop()

counts = {key: sum(1 for s in sources if s.health == key) for key in HEALTH}
cards = st.columns(4)
cards[0].metric("信息源", len(sources), border=True)
cards[1].metric("正常", counts["ok"], border=True)
cards[2].metric("失败", counts["failing"], border=True)
cards[3].metric("长时间未成功", counts["late"] + counts["never"], border=True)

rows = []
for source in sources:
    state = source.state
    rows.append(
        {
            "信息源": shown(source.name),
            "类型": label(SOURCE_TYPE_LABELS, source.type) if source.type else "未配置",
            "状态": HEALTH[source.health],
            "采集间隔": duration_text(source.interval) if source.interval else "",
            "上次成功": fmt_time(state.last_success_at),
            "上次采集": fmt_time(state.last_run_at),
            "上次条数": state.items_last_run,
            "24小时提及": source.mentions_24h,
            "7天提及": source.mentions_7d,
            "运行次数": state.runs,
            "失败次数": state.errors,
            "错误率": source.error_rate,
            "上次错误时间": fmt_time(state.last_error_at),
            "上次错误": state.last_error,
        }
    )
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={
        "错误率": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent"),
    },
)
failing = [s for s in sources if s.health == "failing"]
for source in failing:
    st.error(
        f"{md_escape(shown(source.name))} 上次采集失败（{fmt_time(source.state.last_error_at)}）："
        f"{md_escape(source.state.last_error)}"
    )
unknown = [s.name for s in sources if not s.configured]
if unknown:
    st.caption("档案库中有、配置中已没有的信息源：" + md_escape("、".join(unknown)))

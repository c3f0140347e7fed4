"""总览: what is new, what is hot, what is due — the page the duty staff keep open."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from alerts.obligations import is_overdue
from archive.models import Obligation
from dashboard import (
    auth,
    charts,
    context,
    data,
    data_overview,
    region_map,
    unit_overview,
    units,
)
from dashboard.claim_panel import clarification_state, debunk_line
from dashboard.context import config_path
from dashboard.formatting import chance_text, countdown, fmt_time, md_escape, odds_text
from dashboard.labels import (
    AUDIT_ACTION_LABELS,
    TOPIC_LABELS,
    label,
    shown,
)
from dashboard.tables import event_row
from dashboard.widgets import heat_column, heat_note
from reports.heat_scale import heat_scale

RANGES = {
    "近48小时（按小时）": (timedelta(hours=48), "hour"),
    "近7天（按天）": (timedelta(days=7), "day"),
    "近30天（按天）": (timedelta(days=30), "day"),
}

LOOKED_KEY = "overview_last_looked"
DUE_LISTED = 5  # overdue duties named on the overview; the rest are on 处置
FIRST_LOOK = timedelta(hours=1)

config = config_path()
principal = auth.page_principal(config)
at = data.now(config).replace(second=0)


def _mark_seen(when: datetime) -> None:
    st.session_state[LOOKED_KEY] = when


def changes_panel() -> None:
    """What is new since this person last said "已看过" (on first opening: the last hour)."""
    looked = st.session_state.get(LOOKED_KEY)
    first = not isinstance(looked, datetime)
    since = at - FIRST_LOOK if first or looked is None else looked
    changes = data_overview.changes_since(config, since, at)
    with st.container(border=True):
        head, button = st.columns([5, 1], vertical_alignment="center")
        when = "最近1小时" if first else f"上次查看（{fmt_time(since)}）以来"
        if changes.nothing:
            head.markdown(f"**{when}没有新变化。**")
        else:
            mentions = f"{changes.mentions}{'' if changes.mentions_exact else '+'}"
            head.markdown(
                f"**{when}**：新增提及 {mentions} 条 · 新热点 {len(changes.events)} 个 · "
                f"新告警 {len(changes.alerts)} 条 · 新处置事项 {len(changes.opened)} 项 · "
                f"人工操作 {len(changes.actions)} 次"
            )
        button.button("标记为已看", key="overview_seen", on_click=_mark_seen, args=(at,))
        lines = [f"- 新热点：{md_escape(e.title)}" for e in changes.events[:5]]
        lines += [
            f"- 新告警：{md_escape(a.title)}（{md_escape(shown(a.rule))}）"
            for a in changes.alerts[:5]
        ]
        lines += [
            f"- 新处置事项：{md_escape(ob.title)}，期限 {fmt_time(ob.due_at)}"
            for ob in changes.opened[:5]
        ]
        lines += [
            f"- {md_escape(shown(e.actor))} {label(AUDIT_ACTION_LABELS, e.action)} "
            f"\\#{md_escape(e.object_id)}"
            f"（{fmt_time(e.at)}）"
            for e in changes.actions[:5]
        ]
        if lines:
            st.markdown("\n".join(lines))


def due_panel() -> None:
    """The overdue duties by name and the next deadline, on the page the staff keep open: the
    count alone sent the officer to 处置 to find out which (the review of 2026-12-07)."""
    duties = units.visible_obligations(config, principal, data.obligations(config))
    overdue = [ob for ob in duties if is_overdue(ob, at)]
    upcoming = sorted((ob for ob in duties if not is_overdue(ob, at)), key=lambda ob: ob.due_at)
    if not duties:
        return
    if metrics.overdue_obligations:
        lines = [f"有 {metrics.overdue_obligations} 项处置已逾期，请到「处置」页面办理："]
        lines += [f"- {_duty_line(ob)}" for ob in overdue[:DUE_LISTED]]
        st.error("\n".join(lines))
    if upcoming:
        st.warning(f"下一项到期：{_duty_line(upcoming[0])}")
    st.page_link("views/obligations.py", label="到「处置」页面办理", icon=":material/task:")


def _duty_line(ob: Obligation) -> str:
    return f"{md_escape(ob.title)}（{countdown(ob.due_at, at)}，期限 {fmt_time(ob.due_at)}）"


def rumour_panel() -> None:
    """Identified false claims (``dashboard.data_rumours``): the KPI card is the sum of this
    table's 近24小时传播帖 column, and the rumour rule fires on the same claims."""
    st.subheader("谣言关注")
    watched = unit_overview.rumours(config, principal, at)  # the user's subtree's
    if not watched:
        st.info("近24小时没有已识别的不实说法，也没有待办的澄清事项。")
        return
    rows = [
        {
            "不实说法": item.claim,
            "事件": item.title,
            "谣言概率": item.score,
            "近24小时传播帖": item.recent,
            "最近提及": fmt_time(item.last_seen),
            "辟谣": debunk_line(item.found) if item.found else "",
            "澄清事项": clarification_state(item.clarification, at),
            "澄清期限": fmt_time(item.clarification.due_at) if item.clarification else "",
        }
        for item in watched
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "谣言概率": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f")
        },
    )


def burst_panel() -> None:
    """Topics whose last hour is unusual for this hour of the day (the per-topic spike rule)."""
    st.subheader("话题声量突增")
    bursts = data_overview.topic_bursts(config, at)
    t = bursts.thresholds
    # A topic without enough history at this hour falls back to the last 24 hours (its row
    # says 前24小时均值): the caption says so, or it contradicted such a row.
    basis = (
        f"往日同一时段（前{bursts.days}天同一小时及前后共3小时的中位数；往日数据不足的话题"
        "用前24小时每小时均值）"
        if bursts.days
        else "前24小时每小时均值"
    )
    st.caption(
        f"近1小时相关信息与{basis}比较；达到基线 {t.min_ratio:g} 倍、按往日水平纯属偶然的可能"
        f"不超过{odds_text(t.max_p_value)}，且不少于 {t.min_count} 条，计为突增。"
        "「偶然可能」即统计上的泊松尾概率：越小，越不是平常的起伏。"
    )
    if not bursts.items:
        st.info("当前没有声量较往日同一时段明显突增的话题。")
        return
    # A plain table: a handful of rows, read at a glance (and by a screen reader).
    rows = [
        {
            "话题": item.name,
            "近1小时": str(item.burst.count),
            "基线": f"{item.burst.baseline:.1f}",
            "倍数": f"{item.burst.ratio:.1f}",
            "偶然可能": chance_text(item.burst.p_value),
            "基线依据": f"前{item.days}天同一时段" if item.days else "前24小时均值",
        }
        for item in bursts.items
    ]
    st.table(pd.DataFrame(rows).set_index("话题"))


st.title("舆情总览")
st.caption(f"数据截至 {fmt_time(at)}（北京时间），每 {data.cache_seconds(config)} 秒更新")

metrics = unit_overview.overview_metrics(config, principal, at)  # the user's subtree's
area = units.report_unit(config, principal)
if area is not None:
    home = units.home_unit(config, principal)
    st.caption(f"以下指标按本单位辖区统计：{home.name if home else area}")
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
    help=(
        "最近24小时传播已识别不实说法（谣言预警所识别，见事件详情）的帖子，不论各帖谣言概率"
        f"高低（识别依据：谣言概率不低于 {metrics.rumor_threshold:.2f}，或复述辟谣所指的说法；"
        "不含权威来源和辟谣帖），即下方「谣言关注」表的「近24小时传播帖」之和"
    ),
    border=True,
)
due_panel()

changes_panel()

units.units_panel(config, principal, at)

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
        st.altair_chart(charts.volume_chart(volume, interval, span=(since, at)), width="stretch")
with right:
    st.subheader("话题分布")
    topics = data.topic_counts(config, since)
    if topics:
        st.altair_chart(charts.facet_chart(topics, "话题", TOPIC_LABELS), width="stretch")
    else:
        st.info("所选时间范围内没有已分析的话题。")

st.subheader("地区分布")
map_side, list_side = st.columns([3, 2])
with map_side:
    by_province = data_overview.province_counts(config, since)
    if by_province:
        st.altair_chart(region_map.tile_map_chart(by_province), width="content")
        st.caption(
            "按省级行政区统计所选时间内活跃事件的提及（事件中识别出的地区实体）；方块示意位置，"
            "不表示边界。"
        )
    else:
        # The demo's places (江州市, 南岭省) are invented, so no code places them; a real
        # city's talk lands on one tile. The list beside it is what a local office reads.
        st.info("事件中没有识别出可定位到省级行政区的地区，请看右侧按所属地区的统计。")
with list_side:
    by_region = data.region_counts(config, since)
    if by_region:
        st.altair_chart(charts.facet_chart(by_region, "地区"), width="stretch")
        st.caption("按提及的所属地区统计（信息源配置的地区，即检索中的 region:）。")
    else:
        st.info("所选时间范围内的提及没有所属地区。")

st.subheader("情感走势")
mood = data_overview.sentiment_trend(config, since, interval)
if any(n for _, _, n in mood):
    st.altair_chart(charts.sentiment_chart(mood, interval, span=(since, at)), width="stretch")
else:
    st.info("所选时间范围内没有已分析情感的提及。")

st.subheader("各话题提及量")
by_topic = data_overview.volume_by_topic(config, since, None, interval)
if by_topic.empty:
    st.info("所选时间范围内没有已分析的话题。")
else:
    st.altair_chart(charts.volume_chart(by_topic, interval, "话题", (since, at)), width="stretch")

burst_panel()

rumour_panel()

# 热度等级 beside 热度 (event_row puts it last, so the tables' figures keep their places).
EVENT_COLUMNS = ["事件", "热度", "热度等级", "提及数", "严重程度", "状态", "首次发现", "最近提及"]
st.subheader("最热事件")
events = units.visible_events(config, principal, data.hot_events(config, since))
if not events:
    st.info("所选时间范围内没有热点事件。")
else:
    scale = heat_scale(context.settings(config))
    table = pd.DataFrame([event_row(event, scale) for event in events])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_order=EVENT_COLUMNS,
        column_config={**heat_column(), "提及数": st.column_config.NumberColumn(format="%d")},
    )
    heat_note(events, scale)

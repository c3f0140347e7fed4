"""事件详情: one event — its timeline, spread, representative posts, rumour evidence, the
basis of its severity grade, and the alerts and obligations it led to.

Opened from the hotspot page with ``?id=<event id>`` in the address, so it can be shared.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alerts.messages import show_outcome
from archive.models import Event, Reason
from dashboard import auth, charts, context, data, data_claims, data_events, roles, units
from dashboard.claim_panel import claims_section
from dashboard.context import config_path
from dashboard.data_events import HOURLY_SPAN, EventDetail, deadline_marks, severity_rows
from dashboard.formatting import countdown, fmt_time, md_escape
from dashboard.labels import (
    EVENT_STATUS_LABELS,
    OBLIGATION_KIND_LABELS,
    OBLIGATION_STATUS_LABELS,
    PLATFORM_LABELS,
    TOPIC_LABELS,
    label,
    shown,
)
from dashboard.notice_panel import findings_section
from dashboard.propagation_panel import propagation_section
from dashboard.search_form import search_event
from dashboard.tables import alert_row
from dashboard.widgets import mention_card
from reports.heat_scale import heat_scale

config = config_path()
principal = auth.page_principal(config)


def _pick() -> str | None:
    wanted = st.query_params.get("id")
    choices = units.visible_events(config, principal, data_events.event_choices(config))
    if not choices:
        return None
    ids = [e.id for e in choices]
    if wanted and wanted not in ids:
        ids.insert(0, wanted)  # an older event from a shared link
    by_id = {e.id: e for e in choices}
    chosen = st.selectbox(
        "事件",
        ids,
        index=ids.index(wanted) if wanted in ids else 0,
        format_func=lambda key: by_id[key].title if key in by_id else key,
        key="event_choice",
    )
    if chosen != wanted:
        st.query_params["id"] = chosen
    return str(chosen)


def _header(event: Event) -> None:
    st.title(md_escape(event.title) or "（无标题事件）")
    badges = [f":blue-badge[{label(EVENT_STATUS_LABELS, event.status)}]"]
    grade = md_escape(event.severity or "")
    badges.append(f":red-badge[{grade}]" if grade else ":gray-badge[未分级]")
    if event.rumor_score is not None:
        badges.append(f":orange-badge[谣言概率 {event.rumor_score:.2f}]")
    for topic in event.topics[:4]:
        badges.append(f":violet-badge[{md_escape(label(TOPIC_LABELS, topic))}]")
    st.markdown(" ".join(badges))
    cards = st.columns(4)
    scale = heat_scale(context.settings(config_path()))
    cards[0].metric("热度", scale.text(event.heat), help=scale.explain(), border=True)
    cards[1].metric("提及数", event.mention_count, border=True)
    cards[2].metric("增速", f"{event.burst:.1f}", help="最近声量与此前基线之比", border=True)
    cards[3].metric("地区", event.region or "未知", border=True)
    times = f"首次发现 {fmt_time(event.first_seen)} · 最近提及 {fmt_time(event.last_seen)}"
    if event.updated_at is not None:
        times += f" · 热度计算于 {fmt_time(event.updated_at)}"
    st.caption(times + "（北京时间）")
    if event.keywords:
        st.caption("关键词：" + md_escape("、".join(event.keywords[:12])))


def _entities(detail: EventDetail) -> None:
    found = detail.entities
    if not found:
        return
    st.subheader("涉及主体")
    lines = []
    if found.regions:
        regions = "、".join(f"{r.name}（{r.code}）×{n}" for r, n in found.regions)
        lines.append(f"- 地区：{md_escape(regions)}")
    for title, items in (
        ("企业", found.companies),
        ("品牌", found.brands),
        ("产品", found.products),
    ):
        if items:
            lines.append(f"- {title}：" + md_escape("、".join(f"{name}×{n}" for name, n in items)))
    st.markdown("\n".join(lines))
    # Events analysed since entities are stored count every member; older ones (entities
    # None) are read from the sampled mentions on the page.
    source = "事件的全部相关提及" if detail.event.entities is not None else "事件的抽样提及"
    st.caption(f"按提及数排列（×后为提及该主体的帖子数，取自{source}）。")


def _spread(detail: EventDetail) -> None:
    st.subheader("传播时间线")
    timeline = detail.timeline
    if any(n for _, n in timeline.hours):
        marks = deadline_marks(detail.obligations, timeline.start)
        note = "，红线为本事件处置事项的截止时间" if marks else ""
        st.markdown(f"**首48小时（逐小时{note}）**")
        early = charts.early_hours_chart(timeline.hours, timeline.start, marks)
        st.altair_chart(early, width="stretch")
        if timeline.days:
            st.markdown("**全程（逐日）**")
            st.altair_chart(charts.histogram_chart(timeline.days, "day"), width="stretch")
    else:
        st.info("该事件还没有可统计的提及。")
    left, right = st.columns(2)
    with left:
        st.markdown("**平台分布**")
        if detail.platforms:
            chart = charts.facet_chart(detail.platforms, "平台", PLATFORM_LABELS)
            st.altair_chart(chart, width="stretch")
    with right:
        st.markdown("**来源分布**")
        if detail.sources:
            names = {c.value: shown(c.value) for c in detail.sources}
            st.altair_chart(charts.facet_chart(detail.sources, "来源", names), width="stretch")


def _mood_and_terms(detail: EventDetail) -> None:
    """How people feel about it over time, and the words they use (where people would rather
    look than read)."""
    left, right = st.columns(2)
    with left:
        st.markdown("**情感走势**")
        if any(n for _, _, n in detail.sentiments):
            hourly = detail.event.last_seen - detail.event.first_seen <= HOURLY_SPAN
            chart = charts.sentiment_chart(detail.sentiments, "hour" if hourly else "day")
            st.altair_chart(chart, width="stretch")
        else:
            st.caption("该事件的提及尚未完成情感分析。")
    with right:
        st.markdown("**词云**")
        if detail.terms:
            st.altair_chart(charts.word_cloud_chart(detail.terms), width="content")
            st.caption("字越大，该词在本事件的提及中出现越多、在其他信息中越少见。")
        else:
            st.caption("该事件的提及中没有可统计的词。")


def _reasons(reasons: list[Reason]) -> str:
    return "\n".join(f"- {md_escape(r.text)}（{r.weight:+.2f}）" for r in reasons)


def _rumors(detail: EventDetail) -> None:
    st.subheader("谣言研判")
    now = data.now(config)
    claims_section(data_claims.event_claims(config, detail.event.id, now), now)
    if detail.known_rumors:
        st.markdown("**与已登记辟谣的匹配**")
        for match in detail.known_rumors:
            st.markdown(f"- {md_escape(match.text)}（相似度 {match.weight:.2f}）")
    else:
        st.caption("未匹配到已登记的辟谣信息。")
    if not detail.rumor_posts:
        st.caption(f"没有谣言概率不低于 {detail.rumor_threshold:.2f} 的帖子。")
        return
    st.markdown(f"**疑似谣言帖子**（谣言概率不低于 {detail.rumor_threshold:.2f}）")
    for post in detail.rumor_posts:
        mention_card(post.hit, detail.rumor_threshold)
        if post.reasons:
            st.markdown("研判依据：\n" + _reasons(post.reasons))


def _severity(detail: EventDetail) -> None:
    event = detail.event
    st.subheader("严重程度依据")
    if not event.severity:
        st.caption("尚未分级：未发现可用于分级的伤亡或损失数字。")
    else:
        st.markdown(f"分级：**{md_escape(event.severity)}**")
    rows = severity_rows(event, detail.basis_mentions)
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _duties(detail: EventDetail) -> None:
    st.subheader("告警与处置事项")
    if detail.alerts:
        st.dataframe(
            pd.DataFrame([alert_row(a) for a in detail.alerts]), hide_index=True, width="stretch"
        )
    else:
        st.caption("该事件没有触发告警。")
    if not detail.obligations:
        st.caption("该事件没有处置事项。")
        return
    now = data.now(config)
    rows = [
        {
            "编号": ob.id,
            "事项": label(OBLIGATION_KIND_LABELS, ob.kind),
            "状态": label(OBLIGATION_STATUS_LABELS, ob.status),
            "期限": fmt_time(ob.due_at),
            "剩余": countdown(ob.due_at, now)
            if ob.status in ("open", "acknowledged")
            else (show_outcome(ob) if ob.status == "done" else ""),
            "负责人": ob.assignee,
        }
        for ob in detail.obligations
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.page_link("views/obligations.py", label="到「处置」页面办理", icon=":material/task:")


chosen = _pick()
detail = data_events.event_detail(config, chosen) if chosen else None
if detail is not None and not units.visible_events(config, principal, [detail.event]):
    detail = None  # a sibling unit's event, from a shared link
if detail is None:
    st.title("事件详情")
    st.info("没有找到该事件。请从「热点」页面选择一个事件。")
    st.stop()
_header(detail.event)
_entities(detail)
findings_section(config, detail.event.id)  # a sampling-inspection notice among the members
_spread(detail)
_mood_and_terms(detail)
if roles.allowed(principal, roles.SEARCH) and st.button(
    "检索该事件的全部提及", key="event_search", on_click=search_event, args=(detail.event.id,)
):
    st.switch_page("views/search.py")
st.subheader("代表性帖子")
if detail.first_post is not None:
    mention_card(detail.first_post, detail.rumor_threshold, note="最早一条")
for hit in detail.representative:
    if detail.first_post is None or hit.mention.id != detail.first_post.mention.id:
        mention_card(hit, detail.rumor_threshold)
propagation_section(config, detail.event.id)
_rumors(detail)
_severity(detail)
_duties(detail)

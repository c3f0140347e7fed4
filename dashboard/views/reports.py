"""报告: generate a briefing (日报 / 周报 / 专报), preview it, download .docx / PDF, move it
through 审核 and 签发, and see what was sent. Actions call the same operations as
``yuqing report`` (reports.build, reports.store, reports.schedule)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import streamlit as st

from archive.models import Event
from core.clock import parse_instant
from core.settings_reports import DEFAULT_UNIT
from dashboard import auth, data, units
from dashboard.context import config_path, reader, settings, writer
from dashboard.formatting import fmt_time
from dashboard.labels import shown
from dashboard.roles import ACT, SEARCH, allowed
from reports.build import ReportError, build_report
from reports.periods import KIND_LABELS, default_day
from reports.schedule import send_signed
from reports.store import (
    STATE_LABELS,
    WorkflowError,
    advance,
    list_reports,
    load,
    reports_dir,
    save,
)

RECENT_DAYS = 30  # the 专报 form lists the hotspots of the last month

config = config_path()
principal = auth.page_principal(config)
at = data.now(config)
conf = settings(config)
root = reports_dir(conf)


def _name(meta: dict[str, Any]) -> str:
    """A stored briefing as people name it: title and period, not its key."""
    return f"{meta['title']}（{meta['period']}）"


def _recent_events() -> list[Event]:
    since = at - timedelta(days=RECENT_DAYS)
    return units.visible_events(config, principal, data.hot_events(config, since, limit=50))


st.title("舆情报告")
st.caption(f"数据截至 {fmt_time(at)}（北京时间）；每句事实陈述均注明出处（见文末注释）")

if allowed(principal, SEARCH):
    with st.form("generate"):
        form_cols = st.columns(3)
        kind = form_cols[0].selectbox(
            "类型", ["daily", "weekly", "event"], format_func=lambda k: KIND_LABELS[k]
        )
        day = form_cols[1].date_input("统计日期（周报为最后一天）", value=default_day(at))
        # Events by title (a 专报 is of one event): nobody knows an event's id.
        events = {e.id: e for e in _recent_events()}
        event_id = form_cols[2].selectbox(
            "事件（专报）",
            list(events),
            index=None,
            format_func=lambda i: f"{events[i].title}（{fmt_time(events[i].first_seen)} 起）",
            placeholder="生成专报时选择事件",
        )
        fmt = st.radio("格式", ["docx", "pdf"], horizontal=True)
        submitted = st.form_submit_button("生成报告")
        if submitted and kind == "event" and not event_id:
            st.error("生成专报请先选择事件。")
        elif submitted:
            unit = conf.reports[0].unit if conf.reports else DEFAULT_UNIT
            try:
                pack = build_report(
                    reader(config),
                    kind,
                    at,
                    conf,
                    day=day,
                    event_id=str(event_id) if kind == "event" else None,
                    unit=unit,
                    # A unit's user makes their unit's briefing (属地化): its subtree only.
                    unit_id=units.report_unit(config, principal),
                )
                with st.spinner("正在生成…"):
                    stored = save(root, pack, ("docx", "pdf") if fmt == "pdf" else ("docx",),
                                  actor=principal.username)  # fmt: skip
                st.session_state["report_key"] = stored.key
                st.success(f"已生成「{_name(stored.meta)}」（草稿）")
            except (ReportError, WorkflowError) as exc:
                st.error(str(exc))

stored_reports = [r for r in list_reports(root) if units.report_visible(config, principal, r.meta)]
if not stored_reports:
    st.info("尚无报告。")
    st.stop()

keys = [r.key for r in stored_reports]
wanted = st.query_params.get("key") or st.session_state.get("report_key")
index = keys.index(wanted) if wanted in keys else 0
states = {r.key: r.state for r in stored_reports}
metas = {r.key: r.meta for r in stored_reports}
key = st.selectbox(
    "报告",
    keys,
    index=index,
    format_func=lambda k: f"{_name(metas[str(k)])}（{STATE_LABELS[states[str(k)]]}）",
)
current = load(root, str(key))
assert current is not None
cols = st.columns(4)
for col, fmt in zip(cols, ("docx", "pdf"), strict=False):
    path = current.file(fmt)
    if path.exists():
        col.download_button(f"下载 {fmt.upper()}", path.read_bytes(), file_name=f"{key}.{fmt}")
if allowed(principal, ACT):
    action = {"draft": "review", "reviewed": "sign"}.get(current.state)
    if action and cols[2].button("审核" if action == "review" else "签发"):
        with writer(config) as archive:
            try:
                advance(archive, current, action, principal.username, at)
                if action == "sign":
                    send_signed(archive, conf, current)
                st.rerun()
            except WorkflowError as exc:
                st.error(str(exc))
cols[3].write(f"状态：{STATE_LABELS[current.state]}")

preview, history = st.tabs(["预览", "发送记录"])
with preview:
    # Markdown from reports.markdown, which escapes every character Markdown would act on.
    st.markdown(current.file("md").read_text(encoding="utf-8"))
with history:
    sent = [
        m
        for m in reader(config).ledger.list_messages(limit=1000)
        if m.dedup_key.startswith("report:") and m.dedup_key.split(":")[1] in keys
    ]
    rows = [
        {
            "报告": _name(metas[m.dedup_key.split(":")[1]]),
            "收件人": shown(m.recipient),
            "渠道": shown(m.channel),
            "状态": {"sent": "已发送", "pending": "待发送", "failed": "失败"}.get(
                m.status, m.status
            ),
            "时间": fmt_time(m.sent_at or m.created_at),
        }
        for m in sent
    ]
    st.dataframe(rows, hide_index=True) if rows else st.info("尚无发送记录。")
    for step in current.meta["history"]:
        when = fmt_time(parse_instant(step["at"]))
        st.write(f"{STATE_LABELS[step['action']]}：{shown(step['actor'])}（{when}）")

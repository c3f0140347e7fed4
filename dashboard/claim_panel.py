"""The event page's 已识别的不实说法: each false claim the alert stage identified in the event
(``dashboard.data_claims``) — its words, the debunk answering it, whether its clarification
is done, and every post spreading it with its rumour score, whatever the score — shown before
the posts scored at or above the threshold."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from alerts.messages import mention_label, show_outcome
from archive.models import Obligation
from dashboard.data_claims import IdentifiedClaim
from dashboard.formatting import countdown, fmt_time, md_escape, safe_url
from dashboard.labels import OBLIGATION_STATUS_LABELS, label, shown


def clarification_state(duty: Obligation | None, now: datetime) -> str:
    """澄清事项's state in words: 按时办结 / 逾期 N 小时办结 / 待办（剩余…） / 已豁免 / 未开启."""
    if duty is None:
        return "未开启"
    if duty.status == "done":
        return show_outcome(duty)
    if duty.status in ("open", "acknowledged"):
        return f"{label(OBLIGATION_STATUS_LABELS, duty.status)}（{countdown(duty.due_at, now)}）"
    return label(OBLIGATION_STATUS_LABELS, duty.status)


def debunk_line(claim: IdentifiedClaim) -> str:
    """The debunk answering the claim, as plain text (a table cell)."""
    if claim.debunk is None:
        return "尚未见辟谣"
    who = claim.debunk.author or shown(claim.debunk.source)
    return f"{who}「{mention_label(claim.debunk)}」（{fmt_time(claim.debunk.published_at)}）"


def post_rows(claim: IdentifiedClaim) -> list[dict[str, object]]:
    return [
        {
            "发布时间": fmt_time(p.mention.published_at),
            "作者": p.mention.author or shown(p.mention.source),
            "内容": mention_label(p.mention, 80),
            "谣言概率": p.score,
            "原文": safe_url(p.mention.url) or "",
        }
        for p in claim.posts
    ]


def claims_section(claims: list[IdentifiedClaim], now: datetime) -> None:
    st.markdown("**已识别的不实说法**")
    if not claims:
        st.caption("本事件没有已识别的不实说法（谣言预警未对本事件触发）。")
        return
    for claim in claims:
        with st.container(border=True):
            st.markdown(f"不实说法：**{md_escape(claim.text)}**")
            if claim.quoted:
                st.caption(f"辟谣所引说法：“{md_escape(claim.quoted)}”")
            duty = claim.clarification
            lines = [
                f"- 辟谣：{md_escape(debunk_line(claim))}",
                f"- 澄清事项：{md_escape(clarification_state(duty, now))}"
                + (f"，期限 {fmt_time(duty.due_at)}" if duty is not None else ""),
                f"- 传播帖：{len(claim.posts)} 条（不论谣言概率高低）",
            ]
            st.markdown("\n".join(lines))
            url = safe_url(claim.debunk.url) if claim.debunk is not None else None
            if url:
                st.link_button("查看辟谣原文", url, type="tertiary", icon=":material/open_in_new:")
            if claim.posts:
                st.dataframe(
                    pd.DataFrame(post_rows(claim)),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "谣言概率": st.column_config.NumberColumn(format="%.2f"),
                        "原文": st.column_config.LinkColumn(display_text="查看"),
                    },
                )

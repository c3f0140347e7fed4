"""Pieces drawn on more than one page. Every crawled string goes through ``md_escape`` or
``highlight``; only our own badges are Markdown."""

from __future__ import annotations

from typing import Any

import streamlit as st

from archive.models import Event
from archive.search import SearchHit
from dashboard.formatting import fmt_time, highlight, md_escape, safe_url, snippet
from dashboard.labels import MENTION_KIND_LABELS, PLATFORM_LABELS, TOPIC_LABELS, label, shown
from reports.heat_scale import HeatScale


def mention_card(hit: SearchHit, rumor_threshold: float, note: str = "") -> None:
    """One mention: where and when, badges, title and a snippet with the matched words."""
    mention, analysis = hit.mention, hit.analysis
    terms = hit.matched_terms
    with st.container(border=True):
        head = [
            fmt_time(mention.published_at),
            label(PLATFORM_LABELS, mention.platform),
            md_escape(shown(mention.source)),
            label(MENTION_KIND_LABELS, mention.kind),
        ]
        if mention.author:
            head.append(md_escape(mention.author))
        if mention.region:
            head.append(md_escape(mention.region))
        if note:
            head.append(note)
        badges = ""
        if analysis is not None:
            if analysis.sentiment == "negative":
                badges += " :orange-badge[负面]"
            score = analysis.rumor_score
            if score is not None and score >= rumor_threshold:
                badges += f" :red-badge[疑似谣言 {score:.2f}]"
            for topic in analysis.topics[:3]:
                badges += f" :blue-badge[{md_escape(label(TOPIC_LABELS, topic))}]"
        st.markdown(" · ".join(head) + badges)
        if mention.title:
            st.markdown(f"**{highlight(mention.title, terms)}**")
        if mention.text:
            st.markdown(highlight(snippet(mention.text, terms), terms))
        url = safe_url(mention.url)
        if url:
            st.link_button("查看原文", url, type="tertiary", icon=":material/open_in_new:")


def heat_note(events: list[Event], scale: HeatScale) -> None:
    """Under a table of events: when their heat was computed and what its levels mean."""
    computed = [e.updated_at for e in events if e.updated_at is not None]
    when = f"热度为 {fmt_time(max(computed))}（北京时间）的计算值。" if computed else ""
    st.caption(when + scale.explain())


def heat_column() -> dict[str, Any]:
    """The column settings of 热度 and 热度等级 in an events table."""
    return {
        "热度": st.column_config.NumberColumn(format="%.1f"),
        "热度等级": st.column_config.TextColumn("热度等级", help="高 / 中 / 低：见表下说明"),
    }

"""The event page's 官方抽检结论: the sampling-inspection and recall notices among an event's
members (``nlp.notice_links`` joins them to the public's story), each with the failed samples
its posts talk about — product, brand, producer and the failed item — so the duty officer sees
the official finding beside what the public says.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from archive.models import Mention
from archive.search import SearchFilters, SearchRequest
from dashboard.context import reader
from dashboard.data import _ttl_cached
from dashboard.formatting import fmt_time, md_escape
from nlp.notice_links import is_notice, named_records

# Members read: the notices among them and the posts whose words name their records.
MEMBERS = 500
ROWS = 10  # records shown per notice; the notice's link has the rest
COLUMNS = {
    "product": "产品",
    "brand": "商标",
    "producer": "标称生产企业",
    "failed_item": "不合格项目",
    "sampled_unit": "被抽样单位",
}


@dataclass(frozen=True)
class Finding:
    notice: Mention
    records: list[dict[str, object]]


@_ttl_cached
def event_findings(config: str, event_id: str) -> list[Finding]:
    request = SearchRequest(filters=SearchFilters(events=[event_id]), limit=MEMBERS)
    members = [hit.mention for hit in reader(config).search(request).hits]
    texts = [f"{m.title}\n{m.text}" for m in members if not is_notice(m)]
    return [Finding(m, named_records(m, texts)) for m in members if is_notice(m)]


def findings_section(config: str, event_id: str) -> None:
    """Nothing when the event has no notice among its members."""
    findings = event_findings(config, event_id)
    if not findings:
        return
    st.subheader("官方抽检结论")
    for finding in findings:
        notice = finding.notice
        title = md_escape(notice.title or "抽检公告")
        when = fmt_time(notice.published_at)
        link = notice.url if notice.url.startswith(("http://", "https://")) else ""
        link = link.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
        st.markdown(f"[{title}]({link})（{when}）" if link else f"{title}（{when}）")
        rows = [
            {label: str(r.get(k) or "") for k, label in COLUMNS.items()} for r in finding.records
        ]
        if rows:
            st.caption(f"公众讨论涉及的不合格产品（{len(rows)} 批次）")
            st.dataframe(pd.DataFrame(rows[:ROWS]), hide_index=True, width="stretch")
        else:
            st.caption("公告所列产品未被本事件的帖子直接提及。")

"""检索: full-text search of the archive with filters, facets, a time histogram and export."""

from __future__ import annotations

import dataclasses

import streamlit as st

from archive import export
from archive.query import QueryError
from dashboard import auth, charts, context, data, roles, units
from dashboard.formatting import fmt_time, md_escape
from dashboard.labels import PLATFORM_LABELS, SENTIMENT_LABELS, TOPIC_LABELS, shown
from dashboard.search_form import ANCHOR_KEY, QUERY_HELP, histogram_interval, search_form
from dashboard.search_link import write_link
from dashboard.widgets import mention_card

PAGES_KEY = "search_pages"
MAX_PAGES = 25  # 500 hits on screen; more is what the export is for

config = context.config_path()
principal = auth.page_principal(config)


def _pages(params: data.SearchParams) -> list[str | None]:
    """The cursors of the pages on screen: a new search starts again at the first page."""
    stored = st.session_state.get(PAGES_KEY)
    if not stored or stored[0] != params:
        stored = (params, [None])
        st.session_state[PAGES_KEY] = stored
    return list(stored[1])


def _more(params: data.SearchParams, cursor: str) -> None:
    _, cursors = st.session_state[PAGES_KEY]
    if cursor not in cursors:
        st.session_state[PAGES_KEY] = (params, [*cursors, cursor])


def _facets(params: data.SearchParams) -> None:
    counts = data.search_facets(config, params)
    names = {"platform": PLATFORM_LABELS, "sentiment": SENTIMENT_LABELS, "topic": TOPIC_LABELS}
    names["source"] = {c.value: shown(c.value) for c in counts.get("source", [])}
    titles = {
        "platform": "平台",
        "source": "来源",
        "topic": "话题",
        "sentiment": "情感",
        "region": "地区",
    }
    tabs = st.tabs([titles[name] for name in titles])
    for tab, name in zip(tabs, titles, strict=True):
        with tab:
            if counts.get(name):
                chart = charts.facet_chart(counts[name], titles[name], names.get(name))
                st.altair_chart(chart, width="stretch")
            else:
                st.caption("无数据")


def _exported(params: data.SearchParams, excel: bool) -> bytes:
    # Checked again where the file is built, not only where the button is drawn.
    roles.require(principal, roles.EXPORT)
    records = data.export_records(context.reader(config), params)
    return export.to_excel(records) if excel else export.to_csv(records)


def _exports(params: data.SearchParams, total_text: str) -> None:
    if not roles.allowed(principal, roles.EXPORT):
        st.caption("当前账号无导出权限。")
        return
    stamp = fmt_time(st.session_state[ANCHOR_KEY]).replace("-", "").replace(" ", "-")
    stamp = stamp.replace(":", "")
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "导出 CSV",
        data=lambda: _exported(params, excel=False),
        file_name=f"yuqing-search-{stamp}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help=f"导出全部 {total_text} 条结果（最多 {data.EXPORT_MAX_ROWS} 条）",
    )
    right.download_button(
        "导出 Excel",
        data=lambda: _exported(params, excel=True),
        file_name=f"yuqing-search-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/download:",
        help=f"导出全部 {total_text} 条结果（最多 {data.EXPORT_MAX_ROWS} 条）",
    )


def results(params: data.SearchParams) -> None:
    cursors = _pages(params)
    try:
        pages = [data.search_page(config, params, cursor) for cursor in cursors]
    except QueryError as exc:
        st.error(f"检索式有误，请修改后重试：{md_escape(str(exc))}")
        st.caption("检索式的写法见上方「检索式写法说明」。")
        return
    first = pages[0]
    total_text = f"{first.total}{'' if first.total_exact else '+'}"
    hits = [hit for page in pages for hit in page.hits]
    st.markdown(f"共 **{total_text}** 条结果，显示 {len(hits)} 条")
    if not hits:
        st.info("没有找到符合条件的内容。可以减少检索词或放宽筛选条件。")
        return
    with st.expander("时间分布与分面统计", expanded=True):
        interval = histogram_interval(params, st.session_state[ANCHOR_KEY])
        buckets = data.search_histogram(config, params, interval)
        if buckets:
            st.altair_chart(charts.histogram_chart(buckets, interval), width="stretch")
        _facets(params)
    _exports(params, total_text)
    threshold = data.rumor_threshold(config)
    for hit in hits:
        mention_card(hit, threshold)
    last = pages[-1].next_cursor
    if last and len(cursors) < MAX_PAGES:
        st.button("更多", key="search_more", on_click=_more, args=(params, last))
    elif last:
        st.caption(f"屏幕上最多显示 {MAX_PAGES * data.PAGE_SIZE} 条，其余请导出查看。")


st.title("舆情检索")
with st.expander("检索式写法说明"):
    st.markdown(QUERY_HELP)
params = search_form(config)
write_link(params)
# A unit's user searches their subtree only (属地化); the link above never carries it.
results(dataclasses.replace(params, scope=units.search_scope(config, principal, params.since)))

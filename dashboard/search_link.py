"""The search page's address: ``?q=电梯&platform=weibo`` opens that search, and every search
writes its own address, so a result can be bookmarked or sent to a colleague.

Values are read as the query language reads them (``platform=微博`` is ``weibo``, a region
with or without 市/区/县); a value that matches nothing is dropped with a warning rather than
silently searching for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import streamlit as st

from archive.vocabulary import VocabularyError, canonical
from dashboard import data

# Once per browser session: the address fills the form on the first run only, so the form's
# own edits are not overwritten by the (then stale) address on the next run.
APPLIED_KEY = "search_link_applied"
# Address parameter -> (form widget key, vocabulary field or None for free values).
_LISTS = {
    "platform": ("search_platforms", "platform"),
    "topic": ("search_topics", "topic"),
    "sentiment": ("search_sentiments", "sentiment"),
    "region": ("search_regions", "region"),
    "source": ("search_sources", None),
}


def _values(name: str) -> list[str]:
    """Every value of a parameter: repeated (?platform=a&platform=b) or comma-separated."""
    raw = st.query_params.get_all(name)
    return [part.strip() for item in raw for part in item.split(",") if part.strip()]


def apply_link(available: dict[str, Sequence[str]]) -> None:
    """Fill the form from the address (first run of the page in this session only)."""
    if st.session_state.get(APPLIED_KEY):
        return
    st.session_state[APPLIED_KEY] = True
    query = st.query_params.get("q")
    if query:
        st.session_state["search_query"] = query
    unknown: list[str] = []
    for name, (key, field) in _LISTS.items():
        wanted = _values(name)
        if not wanted:
            continue
        chosen = _choose(name, field, wanted, available.get(name, ()), unknown)
        if chosen:
            st.session_state[key] = chosen
    if unknown:
        st.warning("链接中的以下筛选值无法识别，已忽略：" + "、".join(unknown))


def _choose(
    name: str, field: str | None, wanted: list[str], options: Sequence[str], unknown: list[str]
) -> list[str]:
    chosen: list[str] = []
    for value in wanted:
        try:
            forms = canonical(field, value) if field else [value]
        except VocabularyError:
            unknown.append(f"{name}={value}")
            continue
        found = [form for form in forms if form in options]
        if not found:
            unknown.append(f"{name}={value}")
        chosen.extend(form for form in found if form not in chosen)
    return chosen


def write_link(params: data.SearchParams) -> None:
    """Put the search the page shows into its address."""
    link: dict[str, str | list[str]] = {}
    if params.query:
        link["q"] = params.query
    for name, values in (
        ("platform", params.platforms),
        ("topic", params.topics),
        ("sentiment", params.sentiments),
        ("region", params.regions),
        ("source", params.sources),
    ):
        if values:
            link[name] = list(values)
    if dict(_current()) != link:
        st.query_params.from_dict(link)


def _current() -> Iterable[tuple[str, str | list[str]]]:
    for name in st.query_params:
        values = st.query_params.get_all(name)
        yield name, values[0] if name == "q" else values

"""Any string is either a valid query or a clear QueryError: never an SQLite error."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import open_archive
from archive.query import QueryError, parse_query
from archive.search import SearchRequest
from tests.conftest import make_mention

# Characters that mean something to the query language or to FTS5, plus Chinese text.
ALPHABET = st.sampled_from(list("\"-:()*^+{}[]ORANDNOT 电梯事故紫菜召回 platformtopic'\\\t\n,.;"))
QUERIES = st.one_of(st.text(min_size=0, max_size=40), st.text(ALPHABET, max_size=40))


@given(QUERIES)
@settings(max_examples=400)
def test_parse_accepts_or_explains(query: str) -> None:
    try:
        parse_query(query)
    except QueryError as exc:
        assert str(exc)


@given(QUERIES)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_search_never_leaks_a_database_error(tmp_path: Path, query: str) -> None:
    with open_archive(tmp_path / "fuzz.db") as archive:
        if archive.count_mentions() == 0:
            archive.upsert_mentions([make_mention(1, "电梯事故 紫菜 召回 OR NOT")])
        for sort in ("time", "relevance"):
            try:
                archive.search(SearchRequest(query=query, sort=sort))
                archive.facets(SearchRequest(query=query), ["platform", "topic"])
            except QueryError as exc:
                assert str(exc)

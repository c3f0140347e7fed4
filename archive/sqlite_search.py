"""Translate parsed queries and filters into SQLite: FTS5 expressions plus SQL conditions.

Every token that reaches ``MATCH`` is a double-quoted FTS5 string with quotes doubled, so no
user text is ever read as FTS5 syntax. Mentions' rowids are their publication time in
microseconds (see ``SQLiteArchive._rowid_for``), so "newest first" is FTS5's native
descending rowid order and a time range is a rowid range: a common word over a million
mentions costs only the rows it returns.
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass, field
from typing import Any

from archive.models import utc
from archive.query import ParsedQuery, QueryError, Term, parse_query
from archive.search import SearchFilters, SearchRequest
from nlp.segment import query_tokens

_FIELD_TO_FILTER = {
    "source": "sources",
    "platform": "platforms",
    "kind": "kinds",
    "topic": "topics",
    "event": "events",
    "sentiment": "sentiments",
    "region": "regions",
    "author": "authors",
}
_COLUMN = {
    "sources": "m.source",
    "platforms": "m.platform",
    "kinds": "m.kind",
    "regions": "m.region",
    "authors": "m.author",
    "events": "a.event_id",
    "sentiments": "a.sentiment",
}


@dataclass
class CompiledQuery:
    match: str | None = None  # FTS5 expression for the positive words (with NOT parts)
    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # for highlighting
    needs_analysis: bool = False
    # Time bounds as rowids (rowid = publication time): applied to f.rowid when there is a
    # MATCH, so FTS5 reads only that stretch of its doclists.
    lower: int | None = None
    upper: int | None = None
    # Some condition reads a mentions column: the FTS-only shapes must join mentions.
    needs_mentions: bool = False


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _term_expression(term: Term) -> str:
    tokens = query_tokens(term.text)
    if not tokens:
        raise QueryError(f"{term.text!r} has no searchable characters")
    quoted = [_quote(token) for token in tokens]
    if len(quoted) == 1:
        return quoted[0]
    # The index holds jieba's search-mode tokens, which put sub-words between the words of a
    # compound, so adjacent query words are matched within a small window, not as a phrase.
    return f"NEAR({' '.join(quoted)}, {2 * len(quoted)})"


def compile_request(request: SearchRequest) -> CompiledQuery:
    parsed = parse_query(request.query)
    filters = _merge_filters(request.filters, parsed)
    compiled = CompiledQuery()
    _compile_text(parsed, compiled)
    _compile_filters(filters, parsed, compiled)
    return compiled


def _compile_text(parsed: ParsedQuery, compiled: CompiledQuery) -> None:
    groups = [
        "(" + " OR ".join(_term_expression(term) for term in group) + ")" for group in parsed.groups
    ]
    negative = [_term_expression(term) for term in parsed.excluded]
    if groups:
        expression = " AND ".join(groups)
        if negative:
            expression = f"({expression}) NOT ({' OR '.join(negative)})"
        compiled.match = expression
    elif negative:
        compiled.conditions.append(
            "m.rowid NOT IN (SELECT rowid FROM mention_fts WHERE mention_fts MATCH ?)"
        )
        compiled.params.append(" OR ".join(negative))
    for group in parsed.groups:
        # A quoted phrase must appear as written; single-term groups are checked exactly.
        if len(group) == 1 and group[0].phrase:
            compiled.conditions.append(
                "(instr(lower(m.title), lower(?)) > 0 OR instr(lower(m.text), lower(?)) > 0)"
            )
            compiled.params.extend([group[0].text, group[0].text])
            compiled.needs_mentions = True
    compiled.terms = [term.text for term in parsed.positive_terms()]


def _merge_filters(filters: SearchFilters, parsed: ParsedQuery) -> SearchFilters:
    merged = copy.deepcopy(filters)
    for item in parsed.filters:
        getattr(merged, _FIELD_TO_FILTER[item.field]).append(item.value)
    return merged


def _in_clause(column: str, values: list[str], negate: bool = False) -> tuple[str, list[Any]]:
    marks = ", ".join("?" for _ in values)
    return f"{column} {'NOT ' if negate else ''}IN ({marks})", list(values)


def _compile_filters(filters: SearchFilters, parsed: ParsedQuery, compiled: CompiledQuery) -> None:
    from archive.sqlite import rowid_floor

    if filters.since is not None:
        compiled.lower = rowid_floor(utc(filters.since))
    if filters.until is not None:
        compiled.upper = rowid_floor(utc(filters.until))
    for name, column in _COLUMN.items():
        values = getattr(filters, name)
        if values:
            clause, params = _in_clause(column, values)
            compiled.conditions.append(clause)
            compiled.params.extend(params)
            compiled.needs_analysis |= column.startswith("a.")
            compiled.needs_mentions |= column.startswith("m.")
    if filters.topics:
        marks = ", ".join("?" for _ in filters.topics)
        compiled.conditions.append(
            "m.rowid IN (SELECT mention_rowid FROM mention_topics WHERE topic IN (" + marks + "))"
        )
        compiled.params.extend(filters.topics)
        compiled.needs_mentions = True
    if filters.rumor_min is not None:
        compiled.conditions.append("a.rumor_score >= ?")
        compiled.params.append(filters.rumor_min)
        compiled.needs_analysis = True
    if filters.rumor_max is not None:
        compiled.conditions.append("a.rumor_score <= ?")
        compiled.params.append(filters.rumor_max)
        compiled.needs_analysis = True
    if filters.relevant_only:
        compiled.conditions.append("a.relevant = 1")
        compiled.needs_analysis = True
    for item in parsed.excluded_filters:
        if item.field == "topic":
            compiled.conditions.append(
                "m.rowid NOT IN (SELECT mention_rowid FROM mention_topics WHERE topic = ?)"
            )
            compiled.params.append(item.value)
            compiled.needs_mentions = True
            continue
        column = _COLUMN[_FIELD_TO_FILTER[item.field]]
        compiled.conditions.append(f"coalesce({column}, '') != ?")
        compiled.params.append(item.value)
        compiled.needs_analysis |= column.startswith("a.")
        compiled.needs_mentions |= column.startswith("m.")


def row_key(compiled: CompiledQuery) -> str:
    """The expression for a match's rowid: the FTS table's when it drives the query."""
    return "f.rowid" if compiled.match is not None else "m.rowid"


def from_clause(
    compiled: CompiledQuery,
    with_rank: bool = False,
    mentions: bool = True,
    analyses: bool = False,
) -> tuple[str, list[Any]]:
    """FROM and WHERE for ``compiled``; the MATCH parameter comes first.

    With a MATCH, ``CROSS JOIN`` makes the FTS table the outer loop: left to itself (no
    ANALYZE statistics) SQLite may instead walk a platform or source index and probe FTS5
    once per row, which costs seconds to minutes at a million mentions. ``mentions=False``
    leaves the mentions table out when no condition reads it (counts, histograms, facets
    that only need rowids or analyses).
    """
    params: list[Any] = []
    key = row_key(compiled)
    if compiled.match is not None:
        sql = "FROM mention_fts f"
        if mentions or with_rank or compiled.needs_mentions:
            sql += " CROSS JOIN mentions m ON m.rowid = f.rowid"
        conditions = ["mention_fts MATCH ?"]
        params.append(compiled.match)
    else:
        sql = "FROM mentions m"
        conditions = []
    if compiled.lower is not None:
        conditions.append(f"{key} >= ?")
        params.append(compiled.lower)
    if compiled.upper is not None:
        conditions.append(f"{key} < ?")
        params.append(compiled.upper)
    conditions.extend(compiled.conditions)
    if compiled.needs_analysis or with_rank or analyses:
        sql += f" LEFT JOIN analyses a ON a.mention_rowid = {key}"
    params.extend(compiled.params)
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return sql, params


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise QueryError("the page cursor is damaged; start the search again") from None
    expected = 2 if sort == "relevance" else 1
    if not isinstance(values, list) or len(values) != expected:
        raise QueryError("the page cursor belongs to another sort order; start again")
    return values


def validate_request(request: SearchRequest) -> None:
    if request.sort not in ("time", "relevance"):
        raise QueryError(f"unknown sort {request.sort!r} (use 'time' or 'relevance')")
    if not 1 <= request.limit <= 1000:
        raise QueryError(f"limit must be between 1 and 1000, got {request.limit}")
    # Parsing early gives the user a query error before any database work.
    parse_query(request.query)

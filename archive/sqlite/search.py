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
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from archive.models import utc
from archive.query import ParsedQuery, QueryError, Term, parse_query
from archive.search import FILTER_OF_FIELD, SearchFilters, SearchRequest, SearchScope
from archive.sqlite.dims import TOPIC_BITS, DimCodes, topic_bit
from archive.sqlite.rows import rowid_floor
from core.text.segment import query_tokens

# Filters answered from the narrow mention_dims table (archive/sqlite/dims.py): filter list
# name -> dimension (= column of mention_dims).
_DIM_OF_FILTER = {
    "sources": "source",
    "platforms": "platform",
    "kinds": "kind",
    "regions": "region",
    "sentiments": "sentiment",
}


@dataclass(frozen=True)
class DimFilter:
    """One condition on a ``mention_dims`` column.

    ``op``: ``in`` (column IN codes), ``not`` (column != code, NULL kept), ``any_bits`` /
    ``no_bits`` (topic mask ``codes[0]`` shares some / no bit), ``min`` / ``max`` (column
    >= / <= value, NULL fails), ``none`` (nothing matches: a value no mention ever had).
    """

    op: str
    column: str = ""
    codes: tuple[int, ...] = ()
    value: float = 0.0

    def sql(self) -> tuple[str, list[Any]]:
        column = f"d.{self.column}"
        if self.op == "in":
            return f"{column} IN ({_marks(list(self.codes))})", list(self.codes)
        if self.op == "not":
            return f"coalesce({column}, -1) != ?", [self.codes[0]]
        if self.op == "any_bits":
            return f"({column} & {self.codes[0]}) != 0", []
        if self.op == "no_bits":
            return f"({column} & {self.codes[0]}) = 0", []
        if self.op == "min":
            return f"{column} >= ?", [self.value]
        if self.op == "max":
            return f"{column} <= ?", [self.value]
        return "0", []


@dataclass
class CompiledQuery:
    match: str | None = None  # FTS5 expression for the positive words (with NOT parts)
    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # for highlighting
    # Time bounds as rowids (rowid = publication time): applied to the driving table's
    # rowid, so FTS5 (or the dims table) reads only that stretch.
    lower: int | None = None
    upper: int | None = None
    # Some condition reads a column of the wide mentions row (author, phrase check).
    needs_mentions: bool = False
    # Conditions on mention_dims columns, kept structured so that SQL and the columnar
    # cache (archive/sqlite/columns.py) evaluate exactly the same filter.
    dim_filters: list[DimFilter] = field(default_factory=list)

    @property
    def needs_dims(self) -> bool:
        return bool(self.dim_filters)

    @property
    def key(self) -> str:
        """The expression for a match's rowid: the table that drives the query.

        With words FTS5 drives (newest first is its native descending rowid order); without,
        the narrow mention_dims table does, so filter-only counts never read mention rows.
        """
        return "f.rowid" if self.match is not None else "d.rowid"


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


def compile_request(
    request: SearchRequest, conn: sqlite3.Connection, codes: DimCodes
) -> CompiledQuery:
    """Parse ``request`` and translate it; ``codes`` turns filter values into dims codes."""
    parsed = parse_query(request.query)
    filters = _merge_filters(request.filters, parsed)
    compiled = CompiledQuery()
    _compile_text(parsed, compiled)
    _compile_filters(filters, parsed, compiled, _Resolver(conn, codes))
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
            f"{compiled.key} NOT IN (SELECT rowid FROM mention_fts WHERE mention_fts MATCH ?)"
        )
        compiled.params.append(" OR ".join(negative))
    for group in parsed.groups:
        # A quoted phrase must appear as written; single-term groups are checked exactly.
        if len(group) == 1 and group[0].phrase:
            phrase = group[0].text
            if phrase.lower() == phrase.upper():
                # Nothing to fold (Chinese, digits): lower() would copy every candidate's
                # text for nothing, which was half the cost of a phrase at 1M mentions.
                check = "(instr(m.title, ?) > 0 OR instr(m.text, ?) > 0)"
            else:
                check = (
                    "(instr(lower(m.title), lower(?)) > 0 OR instr(lower(m.text), lower(?)) > 0)"
                )
            compiled.conditions.append(check)
            compiled.params.extend([phrase, phrase])
            compiled.needs_mentions = True
    compiled.terms = [term.text for term in parsed.positive_terms()]


def _merge_filters(filters: SearchFilters, parsed: ParsedQuery) -> SearchFilters:
    merged = copy.deepcopy(filters)
    for item in parsed.filters:
        getattr(merged, FILTER_OF_FIELD[item.field]).append(item.value)
    return merged


class _Resolver:
    """Filter values to dims codes; a value no mention ever had has no code."""

    def __init__(self, conn: sqlite3.Connection, codes: DimCodes) -> None:
        self.conn = conn
        self.codes = codes

    def codes_of(self, dim: str, values: list[str]) -> list[int]:
        found = (self.codes.lookup(self.conn, dim, value) for value in values)
        return sorted({code for code in found if code is not None})


def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


def _compile_filters(
    filters: SearchFilters, parsed: ParsedQuery, compiled: CompiledQuery, resolve: _Resolver
) -> None:
    key = compiled.key
    if filters.since is not None:
        compiled.lower = rowid_floor(utc(filters.since))
    if filters.until is not None:
        compiled.upper = rowid_floor(utc(filters.until))
    for name, dim in _DIM_OF_FILTER.items():
        values = getattr(filters, name)
        if values:
            codes = resolve.codes_of(dim, values)
            # No value known to the archive: the filter matches nothing.
            compiled.dim_filters.append(
                DimFilter("in", dim, tuple(codes)) if codes else DimFilter("none")
            )
    if filters.authors:
        compiled.conditions.append(f"m.author IN ({_marks(filters.authors)})")
        compiled.params.extend(filters.authors)
        compiled.needs_mentions = True
    if filters.events:
        compiled.conditions.append(
            f"{key} IN (SELECT mention_rowid FROM analyses "
            f"WHERE event_id IN ({_marks(filters.events)}))"
        )
        compiled.params.extend(filters.events)
    if filters.topics:
        _topic_filter(filters.topics, compiled, resolve, exclude=False)
    if filters.entities:
        # mention_entities holds archive.models.entity_keys of each analysis (by value first,
        # so an entity's mentions are one range of its primary key).
        compiled.conditions.append(
            f"{key} IN (SELECT mention_rowid FROM mention_entities "
            f"WHERE value IN ({_marks(filters.entities)}))"
        )
        compiled.params.extend(filters.entities)
    if filters.scope is not None:
        _scope_filter(filters.scope, compiled)
    if filters.rumor_min is not None:
        compiled.dim_filters.append(DimFilter("min", "rumor", value=filters.rumor_min))
    if filters.rumor_max is not None:
        compiled.dim_filters.append(DimFilter("max", "rumor", value=filters.rumor_max))
    if filters.relevant_only:
        compiled.dim_filters.append(DimFilter("in", "relevant", (1,)))
    for item in parsed.excluded_filters:
        _excluded_filter(item.field, item.value, compiled, resolve)


def _scope_filter(scope: SearchScope, compiled: CompiledQuery) -> None:
    """A unit's mentions: its events' members, or in no event and naming one of its places."""
    key = compiled.key
    either = []
    if scope.events:
        either.append(
            f"{key} IN (SELECT mention_rowid FROM analyses "
            f"WHERE event_id IN ({_marks(list(scope.events))}))"
        )
        compiled.params.extend(scope.events)
    if scope.names:
        named = " OR ".join("instr(m.title, ?) > 0 OR instr(m.text, ?) > 0" for _ in scope.names)
        either.append(
            f"({key} NOT IN (SELECT mention_rowid FROM analyses WHERE event_id IS NOT NULL) "
            f"AND ({named}))"
        )
        compiled.params.extend(name for name in scope.names for _ in (0, 1))
        compiled.needs_mentions = True
    compiled.conditions.append(f"({' OR '.join(either)})" if either else "0")


def _topic_filter(
    topics: list[str], compiled: CompiledQuery, resolve: _Resolver, exclude: bool
) -> None:
    codes = resolve.codes_of("topic", topics)
    if not codes:
        if not exclude:
            compiled.dim_filters.append(DimFilter("none"))
        return
    if max(codes) < TOPIC_BITS:
        mask = 0
        for code in codes:
            mask |= topic_bit(code)
        compiled.dim_filters.append(
            DimFilter("no_bits" if exclude else "any_bits", "topics", (mask,))
        )
        return
    # Some topic has no bit of its own: ask the exact topic table.
    compiled.conditions.append(
        f"{compiled.key} {'NOT ' if exclude else ''}IN (SELECT mention_rowid FROM "
        f"mention_topics WHERE topic IN ({_marks(topics)}))"
    )
    compiled.params.extend(topics)


def _excluded_filter(name: str, value: str, compiled: CompiledQuery, resolve: _Resolver) -> None:
    if name == "topic":
        _topic_filter([value], compiled, resolve, exclude=True)
    elif name == "event":
        compiled.conditions.append(
            f"{compiled.key} NOT IN (SELECT mention_rowid FROM analyses WHERE event_id = ?)"
        )
        compiled.params.append(value)
    elif name == "entity":
        compiled.conditions.append(
            f"{compiled.key} NOT IN (SELECT mention_rowid FROM mention_entities WHERE value = ?)"
        )
        compiled.params.append(value)
    elif name == "author":
        compiled.conditions.append("m.author != ?")
        compiled.params.append(value)
        compiled.needs_mentions = True
    else:
        codes = resolve.codes_of(name, [value])
        if codes:  # a value no mention has excludes nothing
            # Unanalysed mentions (sentiment NULL) are kept by -sentiment:x.
            compiled.dim_filters.append(DimFilter("not", name, (codes[0],)))


def from_clause(
    compiled: CompiledQuery,
    mentions: bool = False,
    dims: bool = False,
    analyses: bool = False,
    with_dim_filters: bool = True,
) -> tuple[str, list[Any]]:
    """FROM and WHERE for ``compiled``; the MATCH parameter comes first.

    With a MATCH, ``CROSS JOIN`` makes the FTS table the outer loop: left to itself (no
    ANALYZE statistics) SQLite may instead walk a platform or source index and probe FTS5
    once per row, which costs seconds to minutes at a million mentions. The wide mentions
    row is joined only when asked for or when a condition reads it; the dims row is joined
    when a condition or the caller (facets) reads it. ``with_dim_filters=False`` leaves the
    dims conditions out, for the columnar cache to apply them.
    """
    params: list[Any] = []
    key = compiled.key
    if compiled.match is not None:
        sql = "FROM mention_fts f"
        if dims or (compiled.needs_dims and with_dim_filters):
            sql += " CROSS JOIN mention_dims d ON d.rowid = f.rowid"
        conditions = ["mention_fts MATCH ?"]
        params.append(compiled.match)
    else:
        sql = "FROM mention_dims d"
        conditions = []
    if mentions or compiled.needs_mentions:
        sql += f" CROSS JOIN mentions m ON m.rowid = {key}"
    if compiled.lower is not None:
        conditions.append(f"{key} >= ?")
        params.append(compiled.lower)
    if compiled.upper is not None:
        conditions.append(f"{key} < ?")
        params.append(compiled.upper)
    conditions.extend(compiled.conditions)
    params_after = list(compiled.params)
    if with_dim_filters:
        for item in compiled.dim_filters:
            text, values = item.sql()
            conditions.append(text)
            params_after.extend(values)
    if analyses:
        sql += f" LEFT JOIN analyses a ON a.mention_rowid = {key}"
    params.extend(params_after)
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

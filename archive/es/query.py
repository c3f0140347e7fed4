"""Translate parsed queries and filters into Elasticsearch query DSL.

The DSL is built from the clauses ``archive.query.parse_query`` returns: every word becomes a
``term`` or ``span_near`` over the jieba tokens field and every phrase a ``match_phrase``, so
user text is only ever a value inside a structured query, never ``query_string`` syntax.

Semantics follow the SQLite backend (``archive.sqlite.search``): a word of several jieba
tokens matches those tokens within a window of twice their number, in any order (FTS5's NEAR);
a quoted phrase must also appear as written in the title or text.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from archive.query import ParsedQuery, QueryError, Term, parse_query, validate_request
from archive.search import (
    FACET_FIELDS,
    FILTER_OF_FIELD,
    TOTAL_HITS_LIMIT,
    SearchFilters,
    SearchRequest,
    SearchScope,
)
from core.text.segment import query_tokens

TOKENS = "tokens"
# Document field of each structured filter (and of each query-language field).
FILTER_DOC_FIELD = {
    "sources": "source",
    "platforms": "platform",
    "kinds": "kind",
    "regions": "region",
    "authors": "author",
    "topics": "analysis.topics",
    "events": "analysis.event_id",
    "sentiments": "analysis.sentiment",
    "entities": "analysis.entity_names",  # archive.models.entity_keys of the analysis
}
FACET_DOC_FIELD = {
    "source": "source",
    "platform": "platform",
    "kind": "kind",
    "region": "region",
    "topic": "analysis.topics",
    "sentiment": "analysis.sentiment",
}
assert set(FACET_DOC_FIELD) == set(FACET_FIELDS)
UNANALYSED = "未分析"  # the sentiment facet's label for mentions not yet analysed, as SQLite


def term_clause(term: Term) -> dict[str, Any]:
    """One word or phrase of the query as a clause over the token field."""
    tokens = query_tokens(term.text)
    if not tokens:
        raise QueryError(f"{term.text!r} has no searchable characters")
    if len(tokens) == 1:
        return {"term": {TOKENS: tokens[0]}}
    return {
        "span_near": {
            "clauses": [{"span_term": {TOKENS: token}} for token in tokens],
            "slop": 2 * len(tokens),
            "in_order": False,
        }
    }


def _as_written(text: str) -> dict[str, Any]:
    return {
        "bool": {
            "should": [
                {"match_phrase": {"title": {"query": text}}},
                {"match_phrase": {"text": {"query": text}}},
            ],
            "minimum_should_match": 1,
        }
    }


def scope_clause(scope: SearchScope) -> dict[str, Any]:
    """A unit's mentions (as ``archive.sqlite.search``): its events' members, or in no event
    and naming one of its places as written."""
    either: list[dict[str, Any]] = []
    if scope.events:
        either.append({"terms": {"analysis.event_id": list(scope.events)}})
    if scope.names:
        named = [_as_written(name) for name in scope.names]
        either.append(
            {
                "bool": {
                    "must_not": [{"exists": {"field": "analysis.event_id"}}],
                    "should": named,
                    "minimum_should_match": 1,
                }
            }
        )
    if not either:
        return {"bool": {"must_not": [{"match_all": {}}]}}
    return {"bool": {"should": either, "minimum_should_match": 1}}


def merge_filters(filters: SearchFilters, parsed: ParsedQuery) -> SearchFilters:
    merged = copy.deepcopy(filters)
    for item in parsed.filters:
        getattr(merged, FILTER_OF_FIELD[item.field]).append(item.value)
    return merged


def build_query(request: SearchRequest) -> tuple[dict[str, Any], list[str]]:
    """The ``query`` object for ``request`` and the query words (for highlighting)."""
    parsed = parse_query(request.query)
    filters = merge_filters(request.filters, parsed)
    must: list[dict[str, Any]] = []
    filter_: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    for group in parsed.groups:
        clauses = [term_clause(term) for term in group]
        must.append(clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses}})
        if len(group) == 1 and group[0].phrase:
            filter_.append(_as_written(group[0].text))
    must_not.extend(term_clause(term) for term in parsed.excluded)
    if filters.since is not None or filters.until is not None:
        bounds: dict[str, Any] = {}
        if filters.since is not None:
            bounds["gte"] = filters.since.isoformat()
        if filters.until is not None:
            bounds["lt"] = filters.until.isoformat()
        filter_.append({"range": {"published_at": bounds}})
    for name, doc_field in FILTER_DOC_FIELD.items():
        values = getattr(filters, name)
        if values:
            filter_.append({"terms": {doc_field: list(values)}})
    if filters.rumor_min is not None or filters.rumor_max is not None:
        score: dict[str, Any] = {}
        if filters.rumor_min is not None:
            score["gte"] = filters.rumor_min
        if filters.rumor_max is not None:
            score["lte"] = filters.rumor_max
        filter_.append({"range": {"analysis.rumor_score": score}})
    if filters.relevant_only:
        filter_.append({"term": {"analysis.relevant": True}})
    if filters.scope is not None:
        filter_.append(scope_clause(filters.scope))
    for item in parsed.excluded_filters:
        must_not.append({"term": {FILTER_DOC_FIELD[FILTER_OF_FIELD[item.field]]: item.value}})
    query: dict[str, Any] = {"bool": {}}
    for key, clauses in (("must", must), ("filter", filter_), ("must_not", must_not)):
        if clauses:
            query["bool"][key] = clauses
    if not query["bool"]:
        query = {"match_all": {}}
    return query, [term.text for term in parsed.positive_terms()]


def search_body(request: SearchRequest) -> tuple[dict[str, Any], list[str], bool]:
    """The full search body: query, sort, page size, cursor, totals and highlighting."""
    validate_request(request)
    query, terms = build_query(request)
    relevance = request.sort == "relevance" and bool(terms)
    sort: list[Any] = (
        [{"_score": "desc"}, {"id": "asc"}]
        if relevance
        else [{"published_at": "desc"}, {"id": "desc"}]
    )
    body: dict[str, Any] = {
        "query": query,
        "sort": sort,
        "size": request.limit + 1,
        "track_total_hits": TOTAL_HITS_LIMIT,
        "_source": {"excludes": [TOKENS]},
    }
    if request.after:
        body["search_after"] = decode_cursor(request.after, relevance)
    if terms:
        # Highlight the tokens field: the fragments name the indexed words that matched.
        body["highlight"] = {
            "fields": {TOKENS: {"number_of_fragments": 5, "fragment_size": 60}},
            "pre_tags": ["\x02"],
            "post_tags": ["\x03"],
        }
    return body, terms, relevance


def highlighted_words(fragments: list[str]) -> list[str]:
    """The words between highlight tags, in order of first appearance."""
    found: list[str] = []
    for fragment in fragments:
        for piece in fragment.split("\x02")[1:]:
            word = piece.split("\x03", 1)[0]
            if word and word not in found:
                found.append(word)
    return found


def encode_cursor(relevance: bool, values: list[Any]) -> str:
    payload = json.dumps(["r" if relevance else "t", *values], ensure_ascii=False)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, relevance: bool) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise QueryError("the page cursor is damaged; start the search again") from None
    if not isinstance(values, list) or len(values) != 3 or values[0] not in ("r", "t"):
        raise QueryError("the page cursor is damaged; start the search again")
    if values[0] != ("r" if relevance else "t"):
        raise QueryError("the page cursor belongs to another sort order; start again")
    return values[1:]


def facet_aggs(fields: list[str], size: int) -> dict[str, Any]:
    aggs: dict[str, Any] = {}
    for name in fields:
        if name not in FACET_DOC_FIELD:
            continue
        # shard_size well above size keeps the counts exact across monthly indices.
        spec: dict[str, Any] = {
            "field": FACET_DOC_FIELD[name],
            "size": size,
            "shard_size": max(100, size * 10),
            "order": [{"_count": "desc"}, {"_key": "asc"}],
        }
        if name == "sentiment":
            spec["missing"] = UNANALYSED
        aggs[name] = {"terms": spec}
    return aggs

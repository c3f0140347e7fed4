"""Searching the mentions on Elasticsearch: search, export, facets, histogram.

Mixed into ``ElasticsearchArchive``. Every read first makes this process's own writes
visible (``_fresh``), as the SQLite backend reads its own writes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from archive.errors import ArchiveError
from archive.es.client import calls
from archive.es.docs import analysis_from, from_nanos, mention_from
from archive.es.query import (
    build_query,
    facet_aggs,
    highlighted_words,
    search_body,
)
from archive.es.query import encode_cursor as es_cursor
from archive.es.stored import EventsAndCounts
from archive.models import Mention
from archive.query import validate_request
from archive.search import (
    FacetCount,
    HistogramBucket,
    SearchHit,
    SearchRequest,
    SearchResult,
)

logger = logging.getLogger(__name__)

_INTERVALS = {"hour": "1h", "day": "1d"}


class MentionReads(EventsAndCounts):
    # ---- search --------------------------------------------------------------------------
    def _search(self, **body: Any) -> dict[str, Any]:
        self._fresh()
        with calls(self.where):
            return dict(
                self.client.search(
                    index=self.names.mentions,
                    ignore_unavailable=True,
                    allow_no_indices=True,
                    **body,
                )
            )

    def search(self, request: SearchRequest) -> SearchResult:
        body, terms, relevance = search_body(request)
        after = body.pop("search_after", None)
        answer = self._search(**body, **({"search_after": after} if after else {}))
        raw = answer["hits"]["hits"]
        hits = [self._hit(hit, terms) for hit in raw[: request.limit]]
        next_cursor = None
        if len(raw) > request.limit:
            next_cursor = es_cursor(relevance, list(raw[request.limit - 1]["sort"]))
        total = answer["hits"]["total"]
        return SearchResult(
            hits=hits,
            total=int(total["value"]),
            total_exact=total["relation"] == "eq",
            next_cursor=next_cursor,
        )

    @staticmethod
    def _hit(hit: dict[str, Any], terms: list[str]) -> SearchHit:
        source = hit["_source"]
        analysis = source.get("analysis")
        matched = list(terms)
        for word in highlighted_words(hit.get("highlight", {}).get("tokens", [])):
            if word not in matched:
                matched.append(word)
        return SearchHit(
            mention=mention_from(source),
            analysis=analysis_from(source["id"], analysis) if analysis else None,
            score=float(hit.get("_score") or 0.0),
            matched_terms=matched,
        )

    def iter_hits(self, request: SearchRequest, page: int = 1000) -> Iterator[SearchHit]:
        """Every hit of ``request``, newest first, over one point in time (for exports)."""
        validate_request(request)
        query, terms = build_query(request)
        self._fresh()
        with calls(self.where):
            pit = self.client.open_point_in_time(
                index=self.names.mentions,
                keep_alive="2m",
                ignore_unavailable=True,
                allow_partial_search_results=False,
            )["id"]
        try:
            after: list[Any] | None = None
            while True:
                with calls(self.where):
                    answer = self.client.search(
                        pit={"id": pit, "keep_alive": "2m"},
                        query=query,
                        sort=[{"published_at": "desc"}, {"id": "desc"}],
                        size=page,
                        source_excludes=["tokens"],
                        track_total_hits=False,
                        search_after=after,
                    )
                pit = answer.get("pit_id", pit)
                raw = answer["hits"]["hits"]
                for hit in raw:
                    yield self._hit(hit, terms)
                if len(raw) < page:
                    return
                after = list(raw[-1]["sort"])
        finally:
            try:
                self.client.close_point_in_time(id=pit)
            except Exception as exc:  # the PIT expires on its own; a failed close is harmless
                logger.debug("closing point in time failed: %s", exc)

    def facets(
        self, request: SearchRequest, fields: Sequence[str], size: int = 10
    ) -> dict[str, list[FacetCount]]:
        validate_request(request)
        unknown = [f for f in fields if f not in facet_aggs(list(fields), size)]
        if unknown:
            raise ArchiveError(f"cannot count facets for {', '.join(unknown)}")
        query, _ = build_query(request)
        answer = self._search(
            query=query, size=0, aggs=facet_aggs(list(fields), size), track_total_hits=False
        )
        aggs = answer.get("aggregations", {})
        return {
            name: [
                FacetCount(value=str(bucket["key"]), count=int(bucket["doc_count"]))
                for bucket in aggs.get(name, {}).get("buckets", [])
            ]
            for name in fields
        }

    def histogram(self, request: SearchRequest, interval: str = "day") -> list[HistogramBucket]:
        if interval not in _INTERVALS:
            raise ArchiveError(f"histogram interval must be 'hour' or 'day', got {interval!r}")
        validate_request(request)
        query, _ = build_query(request)
        answer = self._search(
            query=query,
            size=0,
            track_total_hits=False,
            aggs={
                "buckets": {
                    "date_histogram": {
                        "field": "published_at",
                        "calendar_interval": _INTERVALS[interval],
                        "time_zone": "Asia/Shanghai",
                        "min_doc_count": 1,
                    }
                }
            },
        )
        buckets = answer.get("aggregations", {}).get("buckets", {}).get("buckets", [])
        return [
            HistogramBucket(start=from_nanos(int(b["key"]) * 1_000_000), count=int(b["doc_count"]))
            for b in buckets
        ]

    def event_mentions(self, event_id: str, limit: int = 1000) -> list[Mention]:
        answer = self._search(
            query={"term": {"analysis.event_id": event_id}},
            sort=[{"published_at": "asc"}, {"id": "asc"}],
            size=min(limit, 10_000),
            source_excludes=["tokens"],
        )
        return [mention_from(hit["_source"]) for hit in answer["hits"]["hits"]]

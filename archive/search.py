"""Search requests and results, shared by every backend and by the CLI and dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from archive.models import Analysis, Mention

# Fields that ``field:value`` in a query and the filter form can restrict. ``region`` is the
# region configured for the mention's source (where it was published); ``entity`` is any
# entity the mention's analysis names (archive.models.entity_keys: a company, brand,
# product or region name, or a region's six-digit code).
FILTER_FIELDS = (
    "source",
    "platform",
    "kind",
    "topic",
    "event",
    "sentiment",
    "region",
    "author",
    "entity",
)
# The ``SearchFilters`` list each query-language field adds its value to.
FILTER_OF_FIELD = {name: f"{name}s" for name in FILTER_FIELDS} | {"entity": "entities"}
FACET_FIELDS = ("source", "platform", "kind", "topic", "sentiment", "region")
# Exact totals are counted up to this many hits, as Elasticsearch's track_total_hits does:
# beyond it the count is reported as a lower bound. Counting 500k FTS hits costs ~1 s here.
TOTAL_HITS_LIMIT = 10_000


@dataclass(frozen=True)
class SearchScope:
    """A unit's part of the archive (属地化, ``alerts.unit_scope``): the mentions of
    ``events`` (those routed to the unit or below it), and the mentions in no event whose
    title or text names one of ``names`` (the region names of those units). Hashable, so the
    dashboard's caches can key on it."""

    events: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


@dataclass
class SearchFilters:
    """Structured filters; each list is OR within the field and AND across fields."""

    since: datetime | None = None
    until: datetime | None = None
    sources: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    sentiments: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    # Names (or region codes) of entities the mention's analysis names.
    entities: list[str] = field(default_factory=list)
    rumor_min: float | None = None
    rumor_max: float | None = None
    relevant_only: bool = False
    # A unit's subtree only (None: the whole archive); ANDed with the rest.
    scope: SearchScope | None = None


@dataclass
class SearchRequest:
    query: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "time"  # "time" (newest first) or "relevance"
    limit: int = 20
    after: str | None = None  # opaque keyset cursor from the previous page


@dataclass
class SearchHit:
    mention: Mention
    analysis: Analysis | None
    score: float
    # Words of the query as they matched, for highlighting.
    matched_terms: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    total_exact: bool
    next_cursor: str | None


@dataclass
class FacetCount:
    value: str
    count: int


@dataclass
class HistogramBucket:
    start: datetime
    count: int

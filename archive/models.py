"""Records that the stages exchange through the archive.

Every stage reads and writes these dataclasses and nothing else, so a backend only has to
store them faithfully. Times are timezone-aware and normalised to UTC on the way in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Closed vocabularies. Kept here so the CLI, the dashboard and both backends agree.
PLATFORMS = (
    "news", "rss", "weibo", "official", "replay", "other",
    # issue 23: complaint platforms, leaders' message boards, WeChat accounts, portal apps.
    "complaint", "board", "wechat", "portal",
)  # fmt: skip
MENTION_KINDS = (
    "article", "post", "repost", "comment", "official", "debunk", "complaint", "petition",
)  # fmt: skip
SENTIMENTS = ("negative", "neutral", "positive")
OBLIGATION_STATES = ("open", "acknowledged", "done", "waived")
# What nlp.entities finds in a mention's text; a region carries its six-digit code.
ENTITY_KINDS = ("region", "company", "brand", "product")
# An event keeps at most this many entities of each kind, the most named first.
EVENT_ENTITIES_PER_KIND = 10
# Chinese names of Mention.platform codes, for alert evidence and the dashboard's screens
# (dashboard.labels re-exports them).
PLATFORM_LABELS = {
    "news": "新闻网站",
    "rss": "RSS订阅",
    "weibo": "微博",
    "official": "官方网站",
    "replay": "回放",
    "other": "其他",
    "complaint": "投诉平台",
    "board": "留言板",
    "wechat": "微信公众号",
    "portal": "资讯平台",
}


def publisher(m: Mention) -> str:
    """Who published a mention: its author, else the issuing body an official notice names,
    else the Weibo screen name."""
    return m.author or str(m.extra.get("issuer") or m.extra.get("screen_name") or "")


def utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; naive datetimes are refused because their zone is a guess."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} has no timezone")
    return value.astimezone(UTC)


def stable_id(*parts: str) -> str:
    """A short, stable id derived from the parts (e.g. platform and native id, or a URL)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:20]


@dataclass
class Mention:
    """One collected item: an article, post, repost, comment or official notice."""

    id: str
    source: str
    platform: str
    kind: str
    url: str
    text: str
    published_at: datetime
    fetched_at: datetime
    title: str = ""
    author: str = ""
    region: str = ""
    parent_id: str | None = None
    # Engagement and author figures: reposts, comments, likes, followers, verified...
    metrics: dict[str, Any] = field(default_factory=dict)
    # Source-specific structure: doc_type for official notices, hashtags, repost chain...
    extra: dict[str, Any] = field(default_factory=dict)
    # ``fetched_at`` is the LAST fetch: a re-crawl that refreshes the figures writes the
    # mention again with its new fetch time (the archive is a change log by it: backtest
    # windows). This is the FIRST: the archive sets it when it first stores the mention and
    # keeps it through every later write. None on a mention not stored yet (a crawler's
    # fresh one); read ``first_seen``, which falls back to ``fetched_at``.
    first_fetched_at: datetime | None = None

    def __post_init__(self) -> None:
        self.published_at = utc(self.published_at)
        self.fetched_at = utc(self.fetched_at)
        if self.first_fetched_at is not None:
            self.first_fetched_at = utc(self.first_fetched_at)

    @property
    def first_seen(self) -> datetime:
        """When we first saw this mention (its first fetch): the time detection counts from
        (a claim's grace, an alert's detection, the clock of an obligation)."""
        return self.first_fetched_at or self.fetched_at

    def content_hash(self) -> str:
        """Hash of everything a re-crawl may change; an upsert with the same hash is a no-op."""
        parts = [
            self.title,
            self.text,
            self.author,
            self.url,
            self.region,
            self.kind,
            self.published_at.isoformat(),
            repr(sorted(self.metrics.items())),
            repr(sorted((k, repr(v)) for k, v in self.extra.items())),
        ]
        return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass
class Reason:
    """Why a score is what it is: a term, a post, a figure, a feature. Shown to people."""

    kind: str  # "term", "signal", "figure", "feature", "match", "post"
    text: str
    weight: float = 0.0
    mention_id: str | None = None


@dataclass(frozen=True)
class EntityRef:
    """One entity a mention names: ``kind`` of ENTITY_KINDS; ``code`` is a region's six-digit
    administrative division code (GB/T 2260), "" for the other kinds."""

    kind: str
    name: str
    code: str = ""


def entity_keys(entities: list[EntityRef]) -> list[str]:
    """The values an ``entity:`` filter matches for these entities: every name, each region's
    code (``entity:440300``) and, for a city, its province's code, so that ``entity:440000``
    finds the mentions naming 广东省 or any of its cities; each once."""
    keys = [e.name for e in entities if e.name]
    for code in (e.code for e in entities if e.code):
        keys.append(code)
        if len(code) == 6 and code.isdigit() and not code.endswith("0000"):
            keys.append(code[:2] + "0000")  # GB/T 2260: the first two digits are the province
    return list(dict.fromkeys(keys))


def platform_breakdown(
    platforms: Mapping[str, int], separator: str, labels: Mapping[str, str] = PLATFORM_LABELS
) -> str:
    """An event's volume by platform as one line, the most first (among equals by code):
    ``微博 120、新闻网站 8``. A platform without a name shows its code, so a new one is never
    lost; empty platforms give ""."""
    ranked = sorted(platforms.items(), key=lambda kv: (-kv[1], kv[0]))
    return separator.join(f"{labels.get(code, code)} {count}" for code, count in ranked)


@dataclass(frozen=True)
class EntityCount:
    """An entity of an event with the number of its member mentions that name it."""

    kind: str
    name: str
    code: str = ""
    count: int = 0


@dataclass
class Analysis:
    """What the NLP stage concluded about one mention."""

    mention_id: str
    relevant: bool
    relevance: float
    topics: list[str] = field(default_factory=list)
    sentiment: str = "neutral"
    rumor_score: float | None = None
    event_id: str | None = None
    severity: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    analyzed_at: datetime | None = None
    # Empty for irrelevant mentions (not extracted: most of a stream) and for analyses stored
    # before entities were kept.
    entities: list[EntityRef] = field(default_factory=list)


@dataclass
class Event:
    """A group of mentions about one happening: the unit that heats up and cools down."""

    id: str
    title: str
    first_seen: datetime
    last_seen: datetime
    mention_count: int = 0
    heat: float = 0.0
    burst: float = 0.0
    status: str = "emerging"  # emerging, growing, peak, declining, closed
    topics: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    region: str = ""
    severity: str | None = None
    severity_basis: list[Reason] = field(default_factory=list)
    rumor_score: float | None = None
    updated_at: datetime | None = None
    # Top EVENT_ENTITIES_PER_KIND per kind by member mentions naming them; None: not computed
    # (an event written before entities were kept).
    entities: list[EntityCount] | None = None
    # Member mentions per platform (Mention.platform → count, the most first, then by name),
    # summing to mention_count; None: not computed (an event written before they were kept).
    platforms: dict[str, int] | None = None
    # The cascade's figures as the analysis last computed them (nlp.propagation_stage):
    # {"mention_count": the event's count then, "computed_at": ISO time, "figures":
    # nlp.propagation_figures.Figures.to_json()}; None: not computed. Stored, never searched.
    propagation: dict[str, Any] | None = None


@dataclass
class Alert:
    """One alert per (rule, subject); later evidence updates it instead of raising another."""

    rule: str
    subject: str
    level: str
    title: str
    first_at: datetime
    last_at: datetime
    event_id: str | None = None
    evidence: list[Reason] = field(default_factory=list)
    status: str = "firing"  # firing, resolved, silenced
    id: int | None = None


@dataclass
class Obligation:
    """A disclosure duty with a deadline: the reason the product exists."""

    kind: str
    subject: str
    title: str
    opened_at: datetime
    due_at: datetime
    provisional: bool = False
    status: str = "open"
    event_id: str | None = None
    alert_id: int | None = None
    level: str = "province"
    assignee: str = ""
    link: str = ""
    note: str = ""
    updated_at: datetime | None = None
    id: int | None = None
    # When it was fulfilled (the publication's time when the system found it; the time of
    # the action when a person closed it); None while not done.
    done_at: datetime | None = None
    # The mentions behind it: what opened it (the alert's evidence) and, once fulfilled,
    # the publication that fulfilled it (``fulfilled_by``).
    evidence: list[str] = field(default_factory=list)
    fulfilled_by: str = ""
    # Why it was opened after its deadline (补登); empty when it was opened in time.
    late_reason: str = ""
    # Publications a person rejected as its fulfilment (undo): never proposed again.
    rejected: list[str] = field(default_factory=list)

    @property
    def on_time(self) -> bool | None:
        """Done by its deadline; None while not done (or done before done_at was kept)."""
        if self.status != "done" or self.done_at is None:
            return None
        return self.done_at <= self.due_at


@dataclass
class OutboxMessage:
    """A notification waiting for delivery; ``dedup_key`` makes a second enqueue a no-op."""

    dedup_key: str
    channel: str
    recipient: str
    subject: str
    body: str
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    status: str = "pending"
    last_error: str = ""
    sent_at: datetime | None = None
    id: int | None = None


@dataclass
class AuditEntry:
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass
class SourceState:
    """Health and progress of one crawl source."""

    source: str
    last_run_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str = ""
    last_error_at: datetime | None = None
    items_last_run: int = 0
    runs: int = 0
    errors: int = 0
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reject:
    """Bad input kept aside with its source and reason, never silently dropped."""

    at: datetime
    source: str
    record: str
    reason: str
    id: int | None = None


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

"""References a sentence can carry, and the record of a figure's query.

A reference is ``m:<mention id>``, ``o:<obligation id>``, ``s:<source name>`` (a crawl
source's health record) or ``f:<figure id>`` (a figure of the data pack, whose query can be
run again). Evidence is the first three kinds: a factual sentence needs at least one.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from archive.models import Mention
from archive.search import SearchRequest
from core.clock import local
from core.text.clip import clip

EVIDENCE_KINDS = ("m", "o", "s")


def mref(mention_id: str) -> str:
    return f"m:{mention_id}"


def oref(obligation_id: int | None) -> str:
    return f"o:{obligation_id}"


def sref(source: str) -> str:
    return f"s:{source}"


def split_ref(ref: str) -> tuple[str, str]:
    kind, _, value = ref.partition(":")
    return kind, value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v not in (None, [], "", False)}
    if isinstance(value, list | tuple):  # as JSON has it (a unit's scope holds tuples)
        return [_plain(v) for v in value]
    return value


def query_record(operation: str, request: SearchRequest, **extra: Any) -> dict[str, Any]:
    """What ran against the archive to produce a figure: the operation (search, facets,
    histogram, list_events...), the query text and the filters that were set."""
    record: dict[str, Any] = {"operation": operation}
    if request.query:
        record["query"] = request.query
    record["filters"] = _plain(asdict(request.filters))
    record.update(_plain(extra))
    return record


def engagement(mention: Mention) -> int:
    """Reposts, comments and likes: how far a post travelled (0 for articles without them)."""
    metrics = mention.metrics or {}
    total = 0
    for key in ("reposts", "comments", "likes"):
        try:
            total += int(metrics.get(key) or 0)
        except (TypeError, ValueError):
            continue
    return total


def mention_record(mention: Mention, sentiment: str | None = None) -> dict[str, Any]:
    """What an endnote shows for a mention: title, source, time, link (and a short excerpt)."""
    # Cut texts end in an ellipsis (core.text.clip): a quoted fragment must not read as whole.
    title = mention.title.strip() or clip(mention.text, 40)
    return {
        "id": mention.id,
        "title": title,
        "source": mention.source,
        "platform": mention.platform,
        "kind": mention.kind,
        "author": mention.author,
        "published_at": mention.published_at.isoformat(),
        "local_time": f"{local(mention.published_at):%Y-%m-%d %H:%M}",
        "url": mention.url,
        "excerpt": clip(mention.text, 80),
        "sentiment": sentiment or "",
        "engagement": engagement(mention),
    }

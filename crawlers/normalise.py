"""From a collected item to an ``archive.models.Mention``, or a reason why not.

All the rules about what makes a record storable live here, in one function, so the validate
pipeline, the tests and any future importer agree on them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from archive.models import MENTION_KINDS, PLATFORMS, Mention, stable_id
from crawlers.items import MentionItem
from crawlers.text import clean_text
from crawlers.url import canonical_url, identity_url

__all__ = ["InvalidRecord", "mention_id", "record_json", "to_mention"]

# A publish time this far after the fetch is a parsing error, not a scoop.
_FUTURE_TOLERANCE = timedelta(days=1)
_RECORD_TEXT_LIMIT = 2000


class InvalidRecord(ValueError):
    """The item cannot become a mention; the message is the reason kept with the reject."""


def mention_id(platform: str, url: str, native_id: str = "") -> str:
    """Platform id when the platform has one (Weibo's mid), else the canonical URL (under
    the desktop host, so a mobile share link and the desktop page are one mention)."""
    if native_id:
        return stable_id(platform, native_id)
    return stable_id(identity_url(url))


def to_mention(item: MentionItem, fetched_at: datetime) -> Mention:
    """Validate ``item`` and build the mention; raise ``InvalidRecord`` naming the problem."""
    _check_vocabulary(item)
    url = item.url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise InvalidRecord(f"no usable URL ({url!r})")
    text = clean_text(item.text)
    if not text:
        raise InvalidRecord("no text: the page or post had no readable content")
    if item.platform == "weibo" and not item.native_id:
        raise InvalidRecord("a Weibo record without its id (mid)")
    if item.kind in ("comment", "repost") and not item.parent_native_id:
        raise InvalidRecord(f"a {item.kind} without the id of the post it belongs to")
    published = _check_published(item, fetched_at)
    parent_id = stable_id(item.platform, item.parent_native_id) if item.parent_native_id else None
    return Mention(
        id=mention_id(item.platform, url, item.native_id),
        source=item.source,
        platform=item.platform,
        kind=item.kind,
        url=canonical_url(url),
        text=text,
        published_at=published,
        fetched_at=item.fetched_at or fetched_at,
        title=clean_text(item.title),
        author=clean_text(item.author),
        region=item.region,
        parent_id=parent_id,
        metrics=dict(item.metrics),
        extra=dict(item.extra),
    )


def _check_vocabulary(item: MentionItem) -> None:
    if item.platform not in PLATFORMS:
        raise InvalidRecord(f"unknown platform {item.platform!r} (expected one of {PLATFORMS})")
    if item.kind not in MENTION_KINDS:
        raise InvalidRecord(f"unknown kind {item.kind!r} (expected one of {MENTION_KINDS})")


def _check_published(item: MentionItem, fetched_at: datetime) -> datetime:
    published = item.published_at
    if published is None:
        if item.published_raw:
            raise InvalidRecord(f"unparseable publish time {item.published_raw!r}")
        raise InvalidRecord("no publish time found")
    if published.tzinfo is None:
        raise InvalidRecord(f"publish time {published.isoformat()} has no timezone")
    if published > fetched_at + _FUTURE_TOLERANCE:
        raise InvalidRecord(
            f"publish time {published.isoformat()} is after the fetch time {fetched_at.isoformat()}"
        )
    return published


def record_json(item: Any) -> str:
    """The record as kept aside with a reject: JSON, long texts cut, times in ISO form."""
    data = asdict(item) if isinstance(item, MentionItem) else item
    if isinstance(data, dict) and isinstance(data.get("text"), str):
        data = {**data, "text": data["text"][:_RECORD_TEXT_LIMIT]}
    return json.dumps(data, ensure_ascii=False, default=_json_default, sort_keys=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)

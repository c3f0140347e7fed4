"""A recorded data set as a timeline: every post, repost and comment at its original time.

The format is that of ``../shared/datasets/ced`` (one original Weibo post per line with its
``responses``; plain or gzipped JSONL). Playing it back means releasing each record when the
crawl clock reaches ``anchor + (original - first) / speed``: ``speed`` 60 turns an hour of the
recording into a minute of pipeline time, and the pipeline sees the records arrive in the
order and with the gaps they had on Weibo. Loading the real file (880,000 records) takes a few
seconds, so a timeline is cached per process and file version.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.clock import SHANGHAI
from crawlers.dates import DateParseError, parse_datetime

__all__ = ["ReplayRecord", "Timeline", "load_timeline", "release_time"]

# A response dated without a year ("02月06日 17:45") belongs to the year after its post at the
# latest: the data set's reposts and comments arrive within days of the post.
_RESPONSE_HORIZON = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class ReplayRecord:
    """One record of the recording, in the order of play; ``raw_time`` kept for rejects."""

    at: datetime | None
    raw_time: str
    mid: str
    root_mid: str
    # "" for an original post; the mid of the post or response it answers otherwise.
    parent_mid: str
    uid: str
    text: str
    # Only originals carry these: the post's counts, user figures and label.
    post: dict[str, Any] | None = None
    line: int = 0


@dataclass
class Timeline:
    """Records in order of play (by original time; undated ones last, to be kept aside)."""

    records: list[ReplayRecord]
    first: datetime | None
    problems: list[str]

    def due(self, position: int, release_until: datetime) -> Iterator[tuple[int, ReplayRecord]]:
        """Records from ``position`` whose original time is at or before ``release_until``."""
        for index in range(position, len(self.records)):
            record = self.records[index]
            if record.at is not None and record.at > release_until:
                return
            yield index, record


def release_time(original: datetime, first: datetime, anchor: datetime, speed: float) -> datetime:
    """When, on the crawl clock, a record recorded at ``original`` is played."""
    return anchor + (original - first) / speed


def original_until(now: datetime, first: datetime, anchor: datetime, speed: float) -> datetime:
    """The latest original time that has been reached by ``now`` on the crawl clock."""
    return first + (now - anchor) * speed


_CACHE: dict[tuple[str, int, int, int | None], Timeline] = {}
_CACHE_LOCK = threading.Lock()


def load_timeline(path: Path, limit: int | None = None) -> Timeline:
    """The timeline of ``path`` (first ``limit`` posts), cached while the file is unchanged."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, limit)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = _CACHE[key] = _read_timeline(path, limit)
        return cached


def _read_timeline(path: Path, limit: int | None) -> Timeline:
    opener = gzip.open if path.suffix == ".gz" else open
    records: list[ReplayRecord] = []
    problems: list[str] = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if limit is not None and number > limit:
                break
            if not line.strip():
                continue
            try:
                post = json.loads(line)
                if not isinstance(post, dict):
                    raise ValueError("not a JSON object")
                records.extend(_post_records(post, number))
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(f"{path.name}:{number}: {exc}")
    # Stable sort: records at the same instant keep the file's order, so every load and every
    # process plays the same sequence and a stored position means the same record.
    records.sort(key=lambda r: (r.at is None, r.at or datetime.min.replace(tzinfo=UTC)))
    dated = [r.at for r in records if r.at is not None]
    return Timeline(records=records, first=min(dated) if dated else None, problems=problems)


def _post_records(post: dict[str, Any], line: int) -> Iterator[ReplayRecord]:
    native = str(post["id"])
    # CED ids read "<index>_<mid>_<uid>"; keep the whole id when it has another shape.
    parts = native.split("_")
    mid, uid = (parts[1], parts[2]) if len(parts) == 3 else (native, "")
    at = _time(post.get("time"), None)
    details = {k: v for k, v in post.items() if k != "responses"}
    yield ReplayRecord(
        at=at,
        raw_time=str(post.get("time") or ""),
        mid=mid,
        root_mid=mid,
        parent_mid="",
        uid=uid,
        text=str(post.get("text") or ""),
        post=details,
        line=line,
    )
    for response in post.get("responses") or []:
        if not isinstance(response, dict) or not response.get("mid"):
            continue
        yield ReplayRecord(
            at=_time(response.get("date"), at),
            raw_time=str(response.get("date") or ""),
            mid=str(response["mid"]),
            root_mid=mid,
            parent_mid=str(response.get("parent") or mid),
            uid=str(response.get("uid") or ""),
            text=str(response.get("text") or ""),
            line=line,
        )


def _time(raw: Any, post_time: datetime | None) -> datetime | None:
    """Parse any form the data set uses; year-less forms resolve after their post."""
    if raw in (None, ""):
        return None
    if isinstance(raw, str) and len(raw) == 19 and raw[4] == "-" and raw[10] == " ":
        # The data set's common form (880,000 times), Beijing time: the general parser's
        # chain of patterns made loading the file take most of a minute.
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=SHANGHAI).astimezone(UTC)
        except ValueError:
            pass
    anchor = (post_time or datetime.now(UTC)) + _RESPONSE_HORIZON
    text = raw if isinstance(raw, int | float) else str(raw)
    try:
        return parse_datetime(text, anchor)
    except DateParseError:
        return None

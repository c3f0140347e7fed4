"""Records in the CED format (Song et al. 2018, Weibo rumours with their reposts and comments).

The trained rumour model reads these records at training time and ``yuqing score rumor`` reads
them from any JSONL file, so this module is the one place that knows the format and its mess:
post times as Unix seconds or Weibo's ``created_at`` form, response times as ``YYYY-MM-DD
HH:MM:SS`` in Beijing time or ``MM月DD日 HH:MM`` without a year, empty users and texts.

``RumorInput`` is what the model needs, whatever the record came from (a CED line, or a mention
and the replies the archive holds): the post text, the author's figures and the responses with
their times, so that ``responses_until`` can cut them at any horizon after posting.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

BEIJING = timezone(timedelta(hours=8))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FULL = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})月(\d{1,2})日\s*(\d{1,2}):(\d{2})\s*$")


class RecordError(ValueError):
    """A record that cannot be scored; the message names the field and what was wrong."""


@dataclass(frozen=True)
class Response:
    text: str
    at: datetime | None  # None when the record gave no usable time


@dataclass(frozen=True)
class RumorInput:
    """One post with what is known about it at scoring time."""

    id: str
    text: str
    posted_at: datetime | None = None
    user: Mapping[str, Any] = field(default_factory=dict)  # CED user fields, any subset
    pics: int = 0
    responses: tuple[Response, ...] = ()
    label: str | None = None  # "rumor" / "non-rumor" when known (training, evaluation)

    def responses_until(self, hours: float | None) -> tuple[Response, ...]:
        """The responses at most ``hours`` after posting (all of them for None).

        A response without a usable time, or a post without one, counts only in "all".
        """
        if hours is None:
            return self.responses
        if self.posted_at is None:
            return ()
        limit = self.posted_at + timedelta(hours=hours)
        return tuple(r for r in self.responses if r.at is not None and r.at <= limit)

    def at_horizon(self, hours: float | None) -> RumorInput:
        return RumorInput(
            self.id,
            self.text,
            self.posted_at,
            self.user,
            self.pics,
            self.responses_until(hours),
            self.label,
        )


def parse_post_time(value: object) -> datetime | None:
    """Unix seconds (int, float or digits) or Weibo's ``Wed Aug 01 12:00:00 +0800 2012``."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None:
        try:
            parsed = datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            return parse_response_time(text, None)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def parse_response_time(value: object, posted_at: datetime | None) -> datetime | None:
    """``YYYY-MM-DD HH:MM[:SS]`` (Beijing), ``MM月DD日 HH:MM`` (the post's year, or the next
    one when that would put the response before the post) or Unix seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    text = str(value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    full = _FULL.match(text)
    if full:
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in full.groups())
        try:
            return datetime(y, mo, d, h, mi, s, tzinfo=BEIJING).astimezone(UTC)
        except ValueError:
            return None
    short = _MONTH_DAY.match(text)
    if short and posted_at is not None:
        mo, d, h, mi = (int(g) for g in short.groups())
        year = posted_at.astimezone(BEIJING).year
        try:
            candidate = datetime(year, mo, d, h, mi, tzinfo=BEIJING)
            if candidate < posted_at - timedelta(days=1):
                candidate = candidate.replace(year=year + 1)
        except ValueError:
            return None
        return candidate.astimezone(UTC)
    return None


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def from_record(record: Mapping[str, Any]) -> RumorInput:
    """A ``RumorInput`` from one CED-format object; ``responses`` and ``user`` are optional."""
    if not isinstance(record, Mapping):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    if "text" not in record or not isinstance(record.get("text"), str):
        raise RecordError("field 'text': expected a string")
    posted_at = parse_post_time(record.get("time"))
    user = record.get("user")
    raw_responses = record.get("responses") or []
    if not isinstance(raw_responses, list):
        raise RecordError("field 'responses': expected a list of objects")
    parsed = [
        Response(str(r.get("text") or ""), parse_response_time(r.get("date"), posted_at))
        for r in raw_responses
        if isinstance(r, Mapping)
    ]
    # In time order (untimed last), so "the first N responses" means the earliest ones.
    responses = tuple(sorted(parsed, key=lambda r: (r.at is None, r.at or _EPOCH)))
    label = record.get("label")
    return RumorInput(
        id=str(record.get("id", "")),
        text=record["text"],
        posted_at=posted_at,
        user=user if isinstance(user, Mapping) else {},
        pics=_int(record.get("pics")),
        responses=responses,
        label=str(label) if label is not None else None,
    )


def read_jsonl(
    path: Path, every: int = 1
) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, object or None, error or None) per non-empty line (only every
    ``every``-th line, counting from the first, is parsed); gzip by suffix."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if (number - 1) % every or not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(value, dict):
                yield number, None, f"expected a JSON object, got {type(value).__name__}"
                continue
            yield number, value, None


def _count_lines(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def load_ced(path: Path, limit: int | None = None) -> list[RumorInput]:
    """The labelled records of a CED file (training and evaluation data).

    With ``limit``, about that many records spread evenly over the file (the development file
    is sorted by label, so its first N records would all be rumours).
    """
    stride = 1
    if limit is not None:
        stride = max(1, _count_lines(path) // max(1, limit))
    out: list[RumorInput] = []
    for number, record, error in read_jsonl(path, every=stride):
        if record is None:
            raise RecordError(f"{path}:{number}: {error}")
        try:
            item = from_record(record)
        except RecordError as exc:
            raise RecordError(f"{path}:{number}: {exc}") from None
        if item.label not in ("rumor", "non-rumor"):
            raise RecordError(f"{path}:{number}: field 'label': expected rumor or non-rumor")
        out.append(item)
        if limit is not None and len(out) >= limit:
            break
    return out


def labels_of(items: Sequence[RumorInput]) -> list[int]:
    return [1 if item.label == "rumor" else 0 for item in items]

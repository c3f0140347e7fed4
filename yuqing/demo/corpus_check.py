"""Validation of a scenario corpus (the demo corpus format) before ``yuqing demo --corpus``.

The demo sites (``yuqing.demo.sites``) are lenient: they serve what they can and skip what they
cannot, which is right for the crawlers' bad-input tests but wrong for a scenario someone wrote
by hand. A drill on a file with a typo in a channel or a repost pointing nowhere would run for
minutes and then measure the wrong thing, so the file is checked first and the first problem
is reported as ``FILE:LINE: field F: what was wrong`` (``CorpusError``).

The format is documented in ``docs/scenarios.md``; ``scripts/demo_corpus`` writes the demo's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

__all__ = [
    "CHANNELS",
    "DOC_TYPES",
    "SITES",
    "SPAN_MINUTES",
    "CorpusError",
    "check_corpus",
    "check_record",
]

SPAN_MINUTES = 6 * 24 * 60  # the demo replays six days from Monday 2026-11-16 08:00
CHANNELS = ("news", "rss", "weibo", "official")
# The sites each channel is served on (yuqing.demo.sites); official documents all appear on
# the bureau's portal, ``site`` says whose document it is (the bureau, the province, the
# debunk platform).
SITES: dict[str, tuple[str, ...]] = {
    "news": ("江州日报", "临川新闻网"),
    "rss": ("民生财经",),
    "weibo": ("weibo",),
    "official": ("江州市市场监督管理局", "省市场监督管理局", "网络辟谣平台"),
}
DOC_TYPES = ("policy", "interpretation", "penalty", "debunk", "notice")
REQUIRED = ("id", "channel", "story", "offset_minutes", "text", "author", "site")
# Ids become URL slugs and Weibo comment ids (``<id>c001``), so they stay in this alphabet.
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")
STORY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")


class CorpusError(ValueError):
    """A malformed scenario file; ``str()`` names the file, the line and the field."""

    def __init__(self, path: Path | str, line: int, field: str, problem: str) -> None:
        self.path, self.line, self.field, self.problem = str(path), line, field, problem
        super().__init__(f"{path}:{line}: field {field}: {problem}")


def _text(raw: dict[str, Any], key: str, *, required: bool) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValueError(key, f"must be a string, got {json.dumps(value, ensure_ascii=False)}")
    if required and not value.strip():
        raise ValueError(key, "must not be empty")
    return value


def _minutes(value: Any, key: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(key, f"must be a whole number of minutes, got {value!r}")
    if not low <= value <= SPAN_MINUTES:
        raise ValueError(key, f"must be between {low} and {SPAN_MINUTES} (six days), got {value}")
    return value


def _check_weibo(raw: dict[str, Any], known: dict[str, int]) -> None:
    weibo = raw.get("weibo")
    if not isinstance(weibo, dict):
        raise ValueError("weibo", "a weibo item needs a weibo object (user, counts, retweet_of)")
    user = weibo.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("name"), str) or not user["name"]:
        raise ValueError("weibo.user.name", "must be the poster's screen name")
    if not isinstance(user.get("verified", False), bool):
        raise ValueError("weibo.user.verified", "must be true or false")
    for key in ("verified_type", "followers"):
        if key in user and (isinstance(user[key], bool) or not isinstance(user[key], int)):
            raise ValueError(f"weibo.user.{key}", "must be a whole number")
    for key in ("reposts", "comments", "likes"):
        value = weibo.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"weibo.{key}", f"must be a count (0 or more), got {value!r}")
    parent = weibo.get("retweet_of")
    if parent is not None:
        if parent not in known:
            raise ValueError("weibo.retweet_of", f"{parent!r} is not the id of an earlier item")
        if known[parent] > raw["offset_minutes"]:
            raise ValueError("weibo.retweet_of", f"{parent!r} is published after this repost")


def _check_comments(raw: dict[str, Any]) -> None:
    comments = raw.get("comments", [])
    if comments is None:
        return
    if not isinstance(comments, list):
        raise ValueError("comments", "must be a list of {user, text, offset_minutes}")
    if comments and raw["channel"] != "weibo":
        raise ValueError("comments", "only weibo items have comments")
    for index, comment in enumerate(comments):
        where = f"comments[{index}]"
        if not isinstance(comment, dict):
            raise ValueError(where, "must be an object {user, text, offset_minutes}")
        for key in ("user", "text"):
            if not isinstance(comment.get(key), str) or not comment[key].strip():
                raise ValueError(f"{where}.{key}", "must be a non-empty string")
        _minutes(comment.get("offset_minutes"), f"{where}.offset_minutes", raw["offset_minutes"])


def check_record(raw: Any, known: dict[str, int]) -> None:
    """Raise ``ValueError(field, problem)`` for the first problem of one record."""
    if not isinstance(raw, dict):
        raise ValueError("(line)", "must be a JSON object")
    for key in REQUIRED:
        if key not in raw:
            raise ValueError(key, "is missing")
    record_id = raw["id"]
    if not isinstance(record_id, str) or not ID_PATTERN.fullmatch(record_id):
        raise ValueError("id", f"must be 1-40 of A-Z a-z 0-9 _ -, got {record_id!r}")
    if record_id in known:
        raise ValueError("id", f"{record_id!r} is used twice")
    if not isinstance(raw["story"], str) or not STORY_PATTERN.fullmatch(raw["story"]):
        raise ValueError(
            "story", f"must be a lower-case name like food_rumor, got {raw['story']!r}"
        )
    channel = raw["channel"]
    if channel not in CHANNELS:
        raise ValueError("channel", f"must be one of {', '.join(CHANNELS)}, got {channel!r}")
    _minutes(raw["offset_minutes"], "offset_minutes")
    _text(raw, "text", required=True)
    _text(raw, "author", required=True)
    _text(raw, "region", required=False)
    title = _text(raw, "title", required=False)
    if channel in ("news", "rss", "official") and not title.strip():
        raise ValueError("title", f"a {channel} item needs a title")
    site = raw["site"]
    if site not in SITES[channel]:
        raise ValueError("site", f"a {channel} item is served on {' or '.join(SITES[channel])}")
    doc_type = raw.get("doc_type")
    if channel == "official":
        if doc_type not in DOC_TYPES:
            raise ValueError("doc_type", f"an official item needs one of {', '.join(DOC_TYPES)}")
    elif doc_type is not None:
        raise ValueError("doc_type", "only official items have a doc_type (use null)")
    if channel == "weibo":
        _check_weibo(raw, known)
    elif raw.get("weibo") is not None:
        raise ValueError("weibo", "only weibo items have a weibo object (use null)")
    _check_comments(raw)


def check_corpus(path: str | Path) -> list[dict[str, Any]]:
    """The records of a scenario file, or ``CorpusError`` for its first problem."""
    corpus_path = Path(path)
    try:
        lines = corpus_path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(corpus_path, 0, "(file)", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(corpus_path, 0, "(file)", f"cannot be read as UTF-8: {exc}") from None
    records: list[dict[str, Any]] = []
    known: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError as exc:
            raise CorpusError(corpus_path, number, "(line)", f"not JSON: {exc}") from None
        try:
            check_record(raw, known)
        except ValueError as exc:
            field, problem = exc.args if len(exc.args) == 2 else ("(line)", str(exc))
            raise CorpusError(corpus_path, number, field, problem) from None
        known[raw["id"]] = raw["offset_minutes"]
        records.append(raw)
    if not records:
        raise CorpusError(corpus_path, 0, "(file)", "has no items")
    return records

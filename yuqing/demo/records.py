"""The demo corpus as the demo sites serve it: records read from the corpus as written.

A corpus (``yuqing/demo/corpus.jsonl`` or a scenario's ``.jsonl``) names its sites and nests
Weibo users, counts, repost targets and comments in whatever spelling its author used;
``load_corpus`` flattens it to one record per servable item and ``to_record`` reads one into a
``DemoRecord`` with its publication time (``DEMO_START + offset_minutes``) and stable ids.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.clock import SHANGHAI

DEMO_START = datetime(2026, 11, 16, 8, 0, tzinfo=SHANGHAI)
CORPUS_PATH = Path(__file__).with_name("corpus.jsonl")

DOC_TYPES = {
    "policy": "政策文件",
    "interpretation": "政策解读",
    "penalty": "行政处罚",
    "debunk": "辟谣澄清",
    "notice": "通知公告",
}
_CHANNEL_ALIASES = {
    "jzrb": "jzrb",
    "news": "jzrb",
    "江州日报": "jzrb",
    "lcxw": "lcxw",
    "临川新闻网": "lcxw",
    "rss": "rss",
    "feed": "rss",
    "msjc": "rss",
    "民生财经": "rss",
    "weibo": "weibo",
    "official": "official",
}


@dataclass
class DemoRecord:
    """One corpus record in the shape the sites need, whatever the corpus spelled it."""

    id: str
    channel: str
    published: datetime
    title: str = ""
    text: str = ""
    author: str = ""
    kind: str = "post"
    parent: str | None = None
    user: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    doc_type: str = "notice"
    doc_number: str = ""
    issuer: str = ""
    raw_time: str | None = None  # served instead of the formatted time (bad-data tests)
    slug: str = ""
    number: int = 0  # stable numeric id (Weibo mid, comment id)


def load_corpus(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The demo corpus as written: one JSON object per line (blank lines skipped)."""
    corpus_path = Path(path) if path is not None else CORPUS_PATH
    if not corpus_path.exists():
        raise FileNotFoundError(f"demo corpus not found: {corpus_path}")
    records: list[dict[str, Any]] = []
    for number, line in enumerate(corpus_path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                records.extend(flatten_corpus_record(json.loads(line)))
            except ValueError as exc:
                raise ValueError(f"{corpus_path}:{number}: not JSON: {exc}") from None
    return records


def flatten_corpus_record(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """Records as the sites serve them, from the corpus as written (``scripts/demo_corpus``).

    The corpus names a news site in ``site`` and nests Weibo user, counts, repost target and
    comments; the server wants one record per servable item with its site as ``channel``.
    Records already in the flat form pass through unchanged.
    """
    weibo = raw.get("weibo")
    if not isinstance(weibo, dict) and not isinstance(raw.get("comments"), list):
        if raw.get("channel") == "news" and raw.get("site"):
            return [dict(raw, channel=raw["site"])]
        return [raw]
    record = {k: v for k, v in raw.items() if k not in ("weibo", "comments")}
    if raw.get("channel") == "news" and raw.get("site"):
        record["channel"] = raw["site"]
    if raw.get("channel") == "official":
        record["issuer"] = raw.get("author") or raw.get("site") or ""
    out = [record]
    if isinstance(weibo, dict):
        user = weibo.get("user") or {}
        record["user"] = {
            "screen_name": user.get("name") or raw.get("author", ""),
            "verified": bool(user.get("verified", False)),
            "verified_type": int(user.get("verified_type", -1)),
            "followers_count": int(user.get("followers", 0)),
        }
        record["reposts"] = weibo.get("reposts", 0)
        record["comments"] = weibo.get("comments", 0)
        record["likes"] = weibo.get("likes", 0)
        record["kind"] = "repost" if weibo.get("retweet_of") else "post"
        if weibo.get("retweet_of"):
            record["parent"] = weibo["retweet_of"]
    for index, comment in enumerate(raw.get("comments") or [], 1):
        out.append(
            {
                "id": f"{raw['id']}c{index:03d}",
                "channel": "weibo",
                "story": raw.get("story", ""),
                "kind": "comment",
                "parent": raw["id"],
                "offset_minutes": comment.get("offset_minutes", raw.get("offset_minutes", 0)),
                "text": comment.get("text", ""),
                "author": comment.get("user", ""),
                "user": {"screen_name": comment.get("user", "")},
                "region": raw.get("region", ""),
            }
        )
    return out


def _first(record: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for key in keys:
        if record.get(key) not in (None, ""):
            return record[key]
    return default


def stable_number(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:13], 16) % 10**16 + 4 * 10**15


def to_record(raw: dict[str, Any], index: int) -> DemoRecord | None:
    channel_name = str(_first(raw, "channel", "site", "source", "platform", default="")).strip()
    channel = _CHANNEL_ALIASES.get(channel_name.lower(), _CHANNEL_ALIASES.get(channel_name))
    if channel is None:
        return None
    record_id = str(_first(raw, "id", default=f"r{index}"))
    user: dict[str, Any] = raw["user"] if isinstance(raw.get("user"), dict) else {}
    screen_name = _first(user, "screen_name", "name") or _first(raw, "screen_name", "author")
    user = {
        "id": str(_first(user, "id", default=stable_number("u" + str(screen_name)) % 10**10)),
        "screen_name": str(screen_name or "江州网友"),
        "verified": bool(_first(user, "verified", default=raw.get("verified", False))),
        "verified_type": int(_first(user, "verified_type", default=raw.get("verified_type", -1))),
        "followers_count": int(
            _first(user, "followers_count", "followers", default=raw.get("followers", 100))
        ),
    }
    counts = {
        key: int(_first(raw, key, f"{key}_count", default=0) or 0)
        for key in ("reposts", "comments", "likes")
    }
    slug = re.sub(r"[^A-Za-z0-9_-]", "", record_id) or f"a{stable_number(record_id) % 10**8}"
    return DemoRecord(
        id=record_id,
        channel=channel,
        published=DEMO_START + timedelta(minutes=float(raw.get("offset_minutes", 0))),
        title=str(_first(raw, "title", default="")),
        text=str(_first(raw, "text", "content", "body", default="")),
        author=str(_first(raw, "author", "reporter", default="")),
        kind=str(_first(raw, "kind", "type", default="post")),
        parent=_first(raw, "parent", "parent_id", "repost_of", "post_id", "reply_to"),
        user=user,
        counts=counts,
        doc_type=str(_first(raw, "doc_type", default="notice")),
        doc_number=str(_first(raw, "doc_number", default="")),
        issuer=str(_first(raw, "issuer", default="江州市市场监督管理局")),
        raw_time=_first(raw, "created_at", "date_text"),
        slug=slug,
        number=stable_number(record_id),
    )

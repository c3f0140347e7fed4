"""数据说明 in words: what each figure of a briefing counted, in Chinese and Beijing time.

A figure's query record (``reports.refs.query_record``) is kept exactly in the stored
``pack.json``, from which the briefing is reproduced; the reader of the .docx is a press
officer, who could do nothing with a JSON line of ISO times. Each record becomes one sentence:
which mentions (time span, filters), what was done with them (counted by platform, searched,
ranked by heat) and as of when. A key this module does not know is still shown, as
``key=value``, so no condition is silently dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from archive.models import PLATFORM_LABELS
from archive.vocabulary import MENTION_KIND_LABELS, SENTIMENT_LABELS
from core.clock import local
from nlp.lexicon import TOPIC_LABELS

FIELD_NAMES = {
    "platform": "平台",
    "topic": "话题",
    "sentiment": "情感倾向",
    "region": "地区",
    "source": "信息源",
}
INTERVALS = {"hour": "逐小时", "day": "逐日"}
# Filter lists in the order a reader scans them, each with its name and value labels.
LIST_FILTERS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("platforms", "平台", PLATFORM_LABELS),
    ("kinds", "类型", MENTION_KIND_LABELS),
    ("topics", "话题", TOPIC_LABELS),
    ("sentiments", "情感", SENTIMENT_LABELS),
    ("regions", "地区", {}),
    ("sources", "信息源", {}),
    ("authors", "作者", {}),
    ("entities", "涉及主体", {}),
)
VIEW_NAMES = {
    "official": "官方",
    "media": "媒体",
    "kol": "意见领袖",
    "public": "网民",
    "critical": "批评质疑",
}


def beijing(value: str) -> str:
    """An ISO time as Beijing wall time: 2026年11月17日 00:00."""
    at = local(datetime.fromisoformat(value))
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


def span(since: str | None, until: str | None) -> str:
    if since and until:
        return f"{beijing(since)}至{beijing(until)}（北京时间）"
    if since:
        return f"{beijing(since)}以后（北京时间）"
    return f"{beijing(until)}以前（北京时间）" if until else "全部时间"


def filters_text(filters: dict[str, Any], titles: dict[str, str] | None = None) -> str:
    """Which mentions: their time span, then every filter that was set (events by their
    ``titles`` where known: an id means nothing to the reader)."""
    left = dict(filters)
    events = left.pop("events", None)
    parts = [span(left.pop("since", None), left.pop("until", None))]
    if left.pop("relevant_only", False):
        parts.append("仅相关信息")
    for key, name, labels in LIST_FILTERS:
        values = left.pop(key, None)
        if values:
            parts.append(f"{name}为" + "、".join(labels.get(v, str(v)) for v in values))
    if events:
        names = titles or {}
        parts.append("事件为" + "、".join(f"“{names[e]}”" if e in names else e for e in events))
    if left.get("rumor_min") is not None:
        parts.append(f"谣言概率不低于{left.pop('rumor_min'):g}")
    if left.get("rumor_max") is not None:
        parts.append(f"谣言概率低于{left.pop('rumor_max'):g}")
    if left.pop("scope", None):
        parts.append("限本单位辖区")
    parts += [f"{key}={value}" for key, value in left.items()]
    return "，".join(parts)


def _facets(record: dict[str, Any]) -> str:
    fields = "、".join(FIELD_NAMES.get(f, f) for f in record.pop("fields", []))
    record.pop("size", None)
    text = f"按{fields}分组计数"
    if record.pop("previous_period", False):
        text += "，并与上一期同长时段比较"
    return text


def _events(record: dict[str, Any]) -> str:
    parts = []
    since, before = record.pop("active_since", None), record.pop("first_seen_before", None)
    if record.pop("event", None):
        # A 专报: its one event, as it stood at the moment.
        for key in ("order", "limit", "hotspot"):
            record.pop(key, None)
        at = record.pop("as_of", None)
        return f"本事件，提及数、热度和阶段按{beijing(at) if at else '当时'}计算"
    else:
        if since:
            parts.append(f"{beijing(since)}以后仍有新信息")
        if before:
            parts.append(f"{beijing(before)}以前已出现的事件")
    rule = record.pop("hotspot", None)
    if rule:
        parts.append(
            f"其中达到热点标准的（至少{rule['min_mentions']}条信息、"
            f"{rule['min_publishers']}个不同发布者，与仪表盘“热点”页相同）"
        )
    if record.pop("order", None) == "heat":
        at = record.pop("as_of", None)
        parts.append(f"按{beijing(at) + '时' if at else '当时'}的热度排序")
    if record.get("limit"):
        parts.append(f"取前{record.pop('limit')}个")
    return "，".join(parts)


def _obligations(record: dict[str, Any], titles: dict[str, str] | None) -> str:
    start, end = record.pop("recorded_in", [None, None])
    text = f"{span(start, end)}登记的处置任务"
    if record.pop("or_active_from_before", False):
        text += "，及此前登记、当时尚未办结的"
    event = record.pop("event", None)
    if event:
        text += f"（限事件“{(titles or {}).get(event, event)}”）"
    if record.get("as_of"):
        text += f"；状态截至{beijing(record.pop('as_of'))}"
    return text


def _views(record: dict[str, Any], titles: dict[str, str] | None) -> str:
    views = record.pop("views", {})
    followers = record.pop("kol_followers", None)
    record.pop("agency_accounts", None)
    names = "、".join(VIEW_NAMES.get(v, v) for v in views)
    # What the views share (each narrows it by platform or sentiment, which its name says).
    shared = {
        k: v
        for k, v in next(iter(views.values()), {}).items()
        if k not in ("platforms", "sentiments")
    }
    text = f"分{names}各取传播最广的帖子；{filters_text(shared, titles)}"
    if followers:
        text += f"；意见领袖指粉丝不少于{followers // 10_000}万或经认证的微博账号"
    return text


def describe(
    query: dict[str, Any], titles: dict[str, str] | None = None, unit_name: str = ""
) -> str:
    """One figure's query record as one Chinese sentence (events named by ``titles``; a unit
    briefing's unit by ``unit_name``, the name it is issued in)."""
    record = dict(query)
    operation = record.pop("operation", "")
    unit = record.pop("unit", None)
    if operation == "list_events":
        text = _events(record)
    elif operation == "list_obligations":
        text = _obligations(record, titles)
    elif operation == "list_source_states":
        text = "各采集源最近一次采集的状态"
    elif operation == "propagation":
        record.pop("event", None)
        text = "还原本事件的转发、评论和转载关系"
        command = record.pop("command", None)
        if command:
            text += f"（可用命令 {command} 复核）"
    elif operation == "search" and "views" in record:
        text = _views(record, titles)
    else:
        words = record.pop("query", None)
        filters = record.pop("filters", {})
        text = filters_text(filters, titles)
        if words:
            text = f"关键词“{words}”，{text}"
        if operation == "facets":
            text += "，" + _facets(record)
        elif operation == "histogram":
            text += f"，{INTERVALS.get(record.pop('interval', ''), '')}计数"
        elif record.get("limit"):
            text += f"，取最新{record.pop('limit')}条"
        threshold = record.pop("rumor_threshold", None)
        if threshold is not None and threshold != filters.get("rumor_min"):
            text += f"（谣言概率阈值{threshold:g}）"
        if record.pop("clarification_duties", False):
            text += "；另列有澄清义务的网传信息"
    if unit:
        text += f"；限{unit_name or unit}及其下级单位的辖区"
    rest = [f"{k}={v}" for k, v in record.items() if v not in (None, [], {}, "", False)]
    return text + ("；" + "，".join(rest) if rest else "") + "。"

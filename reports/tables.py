"""The data tables of a briefing (the figures behind its charts), as rows of text cells,
shared by the Markdown and the .docx renderings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.clock import local
from reports.heat_scale import HeatScale
from reports.query_text import describe

# Unnumbered: each rendering numbers its tables in the order it shows them.
TABLES = (
    ("by_platform", "各平台信息量", "平台"),
    ("by_topic", "各话题信息量", "话题"),
    ("by_sentiment", "情感倾向分布", "情感倾向"),
    ("by_region", "各地区信息量", "地区"),
)


def breakdown(pack: dict[str, Any], fid: str, column: str) -> list[list[str]]:
    rows = pack["figures"][fid]["rows"]
    return [[column, "信息量（条）", "占比"]] + [
        [r["label"], str(r["count"]), f"{r['share']}%"] for r in rows
    ]


def trend(pack: dict[str, Any]) -> list[list[str]]:
    fig = pack["figures"]["trend"]
    fmt = "%m-%d %H:00" if fig["interval"] == "hour" else "%Y-%m-%d"
    rows = [r for r in fig["rows"] if r["count"]]
    return [["时间", "信息量（条）"]] + [
        [f"{local(datetime.fromisoformat(r['start'])):{fmt}}", str(r["count"])] for r in rows
    ]


def queries(pack: dict[str, Any]) -> list[list[str]]:
    """数据说明: each figure and, in words, what it counted (``reports.query_text``; the exact
    query is in the stored pack.json, from which the briefing is reproduced)."""
    events = pack["figures"].get("events", {}).get("rows", [])
    titles = {e["id"]: e["title"] for e in events}
    return [["数据项", "统计口径"]] + [
        [f["label"], describe(f["query"], titles, pack.get("unit", "")) + _heat_levels(f)]
        for f in pack["figures"].values()
    ]


def _heat_levels(figure: dict[str, Any]) -> str:
    """What 高 / 中 / 低 after an event's heat mean (packs stored before levels: nothing)."""
    if figure.get("heat_line") is None:
        return ""
    return HeatScale(figure["heat_line"], figure.get("heat_rule")).explain()

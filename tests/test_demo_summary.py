"""The demo's closing summary speaks Chinese and says how to explore what it made."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from archive.models import Event
from yuqing.demo.run import print_summary, search_hint

T = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)

SUMMARY = {
    "seconds": 61.5,
    "mentions": 708,
    "analysed": 708,
    "events": 29,
    "alerts": 2,
    "obligations": 1,
    "notifications": 12,
    "rejects": 0,
    "search_hint": "电梯",
    "top_events": [
        {"title": "江州一商场电梯坠落", "heat": 812.4, "mentions": 120, "severity": "重大",
         "status": "peak"},
    ],
    "alert_list": [{"rule": "major-accident", "level": "critical", "title": "江州一商场电梯坠落"}],
    "obligation_list": [
        {"id": 5, "kind": "authoritative_release", "title": "发布权威信息：江州一商场电梯坠落",
         "status": "open", "due_at": "2026-11-16T17:24:00+08:00", "provisional": False},
    ],
}  # fmt: skip


def test_the_summary_is_chinese_and_ends_with_the_commands_to_explore() -> None:
    out = io.StringIO()
    print_summary(SUMMARY, out, Path("demo-data"))
    text = out.getvalue()
    assert "演示完成" in text and "采集提及 708 条" in text and "［重大］" in text
    assert "严重  江州一商场电梯坠落" in text and "待办  发布权威信息" in text
    # The configuration's identifiers stay out of what people read.
    for code in ("major-accident", "critical", "authoritative_release", " open "):
        assert code not in text, code
    last = text.strip().splitlines()[-4:]
    assert last[0].strip().startswith("yuqing -c demo-data/yuqing.yaml search 电梯")
    assert any("dashboard" in line for line in last)


def test_the_search_it_suggests_is_a_word_of_the_runs_biggest_event() -> None:
    # A drill on another corpus gets its own story's word, not the built-in demo's 电梯.
    small = Event(id="a", title="小", first_seen=T, last_seen=T, mention_count=2)
    small.keywords = ["充电宝"]
    big = Event(id="b", title="大", first_seen=T, last_seen=T, mention_count=30)
    big.keywords = ["幼儿园", "午餐"]
    assert search_hint([small, big]) == "幼儿园"
    assert search_hint([]) == "市场监管"
    out = io.StringIO()
    print_summary(SUMMARY | {"search_hint": "幼儿园"}, out, Path("w"))
    assert "yuqing -c w/yuqing.yaml search 幼儿园" in out.getvalue()

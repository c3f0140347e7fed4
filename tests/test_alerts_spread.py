"""The event alert's evidence names where the story started and who carries it (issue 19):
the first source and the top spreader of the event's cascade, on a real SQLite archive."""

from __future__ import annotations

from datetime import timedelta

from alerts.stage import evaluate
from archive import Archive
from archive.models import Analysis, Event
from core.clock import SimulatedClock
from core.settings import Settings
from tests.support.propagation_posts import T0, weibo

SETTINGS = Settings.model_validate(
    {
        "rules": [{"name": "hot", "type": "threshold", "min_heat": 50, "recipients": ["press"]}],
        "notifiers": [{"name": "file", "type": "file", "path": "outbox.jsonl"}],
        "recipients": [{"name": "press", "notifiers": ["file"]}],
    }
)


def _store(archive: Archive, posts: list) -> None:  # type: ignore[type-arg]
    archive.upsert_mentions(posts)
    archive.upsert_analyses(
        [Analysis(m.id, True, 0.9, event_id="ev", analyzed_at=T0) for m in posts]
    )
    archive.upsert_event(
        Event(
            id="ev",
            title="江州电梯困人",
            first_seen=min(m.published_at for m in posts),
            last_seen=max(m.published_at for m in posts),
            mention_count=len(posts),
            heat=80.0,
        )
    )


def _spread(archive: Archive) -> list[str]:
    [alert] = archive.ledger.list_alerts()
    return [r.text for r in alert.evidence if r.kind == "spread"]


def test_the_hot_event_alert_names_the_first_source_and_the_top_spreader(
    archive: Archive,
) -> None:
    # 江州发布 posts first; 小李 reposts it and three people repost 小李's repost.
    posts = [
        weibo("r", "江州发布", 0, text="江州一商场电梯困人", kind="post",
              metrics={"verified_type": 1}),
        weibo("a", "小李", 5, "r", text="转发//@江州发布:江州一商场电梯困人"),
        weibo("b", "甲", 9, "r", text="嗯//@小李:转发"),
        weibo("c", "乙", 11, "r", text="天哪//@小李:转发"),
        weibo("d", "丙", 13, "r", text="转//@小李:转发"),
    ]  # fmt: skip
    _store(archive, posts)
    evaluate(archive, SETTINGS, SimulatedClock(T0 + timedelta(minutes=20)))
    lines = _spread(archive)
    assert lines[0] == "首发：江州发布（官方，03-01 16:00）"
    # The root brought in everyone; the ranking is by the subtree each brought in.
    assert lines[1].startswith("主要传播者：江州发布（官方，带来 4 条传播）")
    [message] = archive.ledger.list_messages()
    assert "首发：江州发布" in message.body and "主要传播者：江州发布" in message.body


def test_a_new_top_spreader_replaces_the_old_line(archive: Archive) -> None:
    posts = [weibo("r", "小王", 0, text="商场电梯困人了", kind="post")]
    posts += [weibo(f"x{i}", f"网友{i}", 2 + i, "r", text="转发") for i in range(3)]
    _store(archive, posts)
    evaluate(archive, SETTINGS, SimulatedClock(T0 + timedelta(minutes=20)))
    assert _spread(archive)[1].startswith("主要传播者：小王")
    # A news account picks the story up and brings in far more than the original poster.
    more = [weibo("m", "江州日报", 30, "r", text="转发//@小王:商场电梯困人了",
                  metrics={"verified_type": 3})]  # fmt: skip
    more += [weibo(f"y{i}", f"读者{i}", 31 + i, "r", text="转发//@江州日报:转发") for i in range(8)]
    _store(archive, posts + more)
    evaluate(archive, SETTINGS, SimulatedClock(T0 + timedelta(minutes=60)))
    lines = _spread(archive)
    assert lines[0].startswith("首发：小王")
    assert [line for line in lines if line.startswith("主要传播者")] == [lines[1]]

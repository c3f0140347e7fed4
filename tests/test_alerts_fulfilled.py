"""The 已自动办结 notice (issue 16 fatigue): one publication closing several obligations sends
one notice per recipient listing them all, and a crash between telling and closing neither
loses it nor sends it twice; on a real archive in simulated time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from alerts import obligations as ops
from alerts.fulfilled import notice_key
from alerts.messages import mention_label
from alerts.stage import evaluate
from archive import Archive
from archive.models import Mention, OutboxMessage
from core.clock import SimulatedClock
from tests.support.alert_data import T0, analysis
from tests.support.crashing_archive import CrashingArchive
from tests.support.fulfilment_data import REPORT, hot_event, post, settings_for

TWO_DUTIES = [
    {
        "name": "hot",
        "type": "threshold",
        "min_mentions": 3,
        "opens": ["response", "authoritative_release"],
        "recipients": ["duty", "leader"],
    }
]


def two_open(tmp_path: Path, archive: Archive) -> tuple[Any, SimulatedClock, list[int]]:
    """An event with two duties open, and the bureau's own 通报 answering both crawled."""
    settings = settings_for(tmp_path, TWO_DUTIES)
    clock = SimulatedClock(T0 + timedelta(minutes=30))
    hot_event(archive)
    evaluate(archive, settings, clock)
    obligations = archive.ledger.list_obligations()
    assert sorted(ob.kind for ob in obligations) == ["authoritative_release", "response"]
    archive.upsert_mentions([post("own1", REPORT, 120, "杭州市场监管")])
    archive.upsert_analyses([analysis("own1", event_id="e1")])
    clock.set(T0 + timedelta(hours=3))
    return settings, clock, sorted(ob.id or 0 for ob in obligations)


def fulfilled(archive: Archive) -> list[OutboxMessage]:
    return [m for m in archive.ledger.list_messages() if ":fulfilled:" in m.dedup_key]


def test_one_publication_closing_two_obligations_sends_one_notice_per_recipient(
    tmp_path: Path, archive: Archive
) -> None:
    settings, clock, ids = two_open(tmp_path, archive)
    assert evaluate(archive, settings, clock).fulfilments_closed == 2
    assert {ob.status for ob in archive.ledger.list_obligations()} == {"done"}
    notices = fulfilled(archive)
    assert sorted(m.recipient for m in notices) == ["duty", "leader"]
    key = notice_key("own1", ids)
    assert key == f"obligation:{ids[0]}:fulfilled:own1:{ids[0]},{ids[1]}"
    assert {m.dedup_key for m in notices} == {f"{key}:duty:log", f"{key}:leader:log"}
    body = notices[0].body
    assert notices[0].subject.startswith("【自动办结2项义务】")
    for ob_id in ids:  # both obligations, each with its undo
        assert f"义务 #{ob_id}" in body and f"yuqing obligations undo {ob_id}" in body
    assert body.count("按时办结") == 2
    evaluate(archive, settings, clock)  # nothing new: nothing queued twice
    assert len(fulfilled(archive)) == 2


@pytest.mark.parametrize("after", [0, 1])
def test_a_crash_between_telling_and_closing_keeps_the_one_notice(
    tmp_path: Path, archive: Archive, after: int
) -> None:
    """Dies before the first (0) or the second (1) closing is written: the next evaluation
    closes what is left and queues nothing new — the notice was queued before the crash."""
    settings, clock, ids = two_open(tmp_path, archive)
    crashing = cast(Archive, CrashingArchive(archive, "update_obligation", after))
    with pytest.raises(RuntimeError, match="simulated crash"):
        evaluate(crashing, settings, clock)
    before = {m.dedup_key for m in fulfilled(archive)}
    key = notice_key("own1", ids)  # told in full before anything was closed
    assert before == {f"{key}:duty:log", f"{key}:leader:log"}
    assert sum(ob.status == "done" for ob in archive.ledger.list_obligations()) == after

    clock.set(T0 + timedelta(hours=3, minutes=10))  # the restart's evaluation is later
    evaluate(archive, settings, clock)
    assert {ob.status for ob in archive.ledger.list_obligations()} == {"done"}
    assert {m.dedup_key for m in fulfilled(archive)} == before


def test_a_later_obligation_closed_by_the_same_publication_is_news(
    tmp_path: Path, archive: Archive
) -> None:
    """The key names every obligation the publication has closed, so one it closes later
    makes a new notice, about that obligation only."""
    settings, clock, ids = two_open(tmp_path, archive)
    settings.obligations.recipients = ["duty"]
    evaluate(archive, settings, clock)
    manual = ops.add_manual(
        archive, settings, clock, "response", "电梯坠落事故", "回应关切：电梯坠落事故",
        T0 + timedelta(hours=1), None, "王科长",
    )  # fmt: skip
    archive.upsert_mentions([post("own2", "【通知】食品抽检结果公告", 150, "杭州市场监管")])
    clock.set(T0 + timedelta(hours=4))
    evaluate(archive, settings, clock)
    assert archive.ledger.get_obligation(manual.id or 0).fulfilled_by == "own1"  # type: ignore[union-attr]
    key = notice_key("own1", [*ids, manual.id or 0])
    [notice] = [m for m in fulfilled(archive) if m.dedup_key.startswith(key + ":")]
    assert notice.recipient == "duty"
    assert notice.subject == "【按时办结·回应关切】回应关切：电梯坠落事故"
    assert all(f"#{ob_id}" not in notice.body for ob_id in ids)
    assert len(fulfilled(archive)) == 3


def test_a_crash_after_a_proposal_is_told_keeps_it_once(tmp_path: Path, archive: Archive) -> None:
    """A superior's release is only proposed (建议办结); each message is queued before its
    proposal is written, so a crash between the two neither loses nor doubles it."""
    settings, clock, ids = two_open(tmp_path, archive)
    archive.upsert_mentions([post("gov1", REPORT, 100, "杭州发布")])
    crashing = cast(Archive, CrashingArchive(archive, "update_obligation", 0))
    clock.set(T0 + timedelta(minutes=110))  # before the bureau's own 通报 (at 120)
    with pytest.raises(RuntimeError, match="simulated crash"):
        evaluate(crashing, settings, clock)
    proposed = {m.dedup_key for m in archive.ledger.list_messages() if ":proposed:" in m.dedup_key}
    assert {key.split(":")[1] for key in proposed} == {str(ids[0])}
    assert len(proposed) == 2  # one per recipient
    assert archive.ledger.get_obligation(ids[0]).fulfilled_by == ""  # type: ignore[union-attr]
    evaluate(archive, settings, clock)
    assert archive.ledger.get_obligation(ids[0]).fulfilled_by == "gov1"  # type: ignore[union-attr]
    again = {m.dedup_key for m in archive.ledger.list_messages() if ":proposed:" in m.dedup_key}
    # The first proposal kept its key (not doubled); the second, not reached before the
    # crash, is told now: one per obligation and recipient.
    assert proposed < again and len(again) == 4


def test_a_publication_without_a_title_is_named_by_its_opening_marked_as_cut() -> None:
    long = Mention(
        id="p1",
        source="weibo",
        platform="weibo",
        kind="post",
        url="http://127.0.0.1/p1",
        text=(
            "【情况通报】11月17日，望江区某幼儿园部分幼儿午餐后出现呕吐、腹泻等症状，"
            "已送医救治，目前生命体征平稳。"
        ),
        published_at=T0,
        fetched_at=T0 + timedelta(minutes=5),
    )
    label = mention_label(long)
    assert label.endswith("…") and len(label) == 40
    assert long.text.startswith(label[:-1])
    short = replace(long, text="市场监管局回应游乐设施停机")
    assert mention_label(short) == "市场监管局回应游乐设施停机"
    titled = replace(long, title="关于幼儿园食源性疾病的情况通报")
    assert mention_label(titled) == "关于幼儿园食源性疾病的情况通报"

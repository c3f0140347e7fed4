"""The analyse stage against the real SQLite archive: events, rumours, idempotence."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.base import Archive
from archive.models import Mention, stable_id
from core.clock import SimulatedClock
from core.settings import NlpSettings, Settings
from nlp import stage
from nlp.stage import CURSOR, analyze_new, refresh_events
from tests.conftest import T0
from tests.support.nlp_stage_run import mention, run

ELEVATOR = [
    (
        "e1",
        "江州市万达广场自动扶梯突然逆行，造成2人死亡、11人受伤，市场监管局已介入调查。",
        "江州万达广场扶梯逆行事故致2死11伤",
    ),
    ("e2", "万达广场扶梯逆行事故现场，多名顾客摔倒，江州市特种设备检验所到场检查扶梯。", ""),
    (
        "e3",
        "江州万达广场扶梯事故死亡人数升至3人，重伤10人，涉事扶梯维保单位被约谈。",
        "江州扶梯事故死亡人数升至3人",
    ),
    ("e4", "江州市万达广场扶梯逆行事故后，全市开展自动扶梯安全隐患排查。", ""),
]
MILK = [
    (
        "k1",
        "临川区市场监管局抽检发现一批婴幼儿配方奶粉菌落总数超标，不合格产品已下架。",
        "临川区婴幼儿奶粉抽检不合格",
    ),
    ("k2", "临川区婴幼儿配方奶粉菌落总数超标，家长担心孩子健康，抽检不合格奶粉已下架。", ""),
    (
        "k3",
        "临川区通报婴幼儿配方奶粉抽检不合格处置情况，涉事企业被立案调查。",
        "临川区通报奶粉抽检不合格处置",
    ),
    ("k4", "关于临川区婴幼儿奶粉菌落总数超标，专家解读菌落总数超标的危害。", ""),
]


def interleaved() -> list[Mention]:
    """Two stories, their mentions alternating, plus replies and chatter."""
    items: list[Mention] = []
    for i, ((eid, etext, etitle), (kid, ktext, ktitle)) in enumerate(
        zip(ELEVATOR, MILK, strict=True)
    ):
        items.append(
            mention(
                eid,
                etext,
                2 * i,
                title=etitle,
                kind="article" if etitle else "post",
                platform="news" if etitle else "weibo",
                region="江州市",
            )
        )
        items.append(
            mention(
                kid,
                ktext,
                2 * i + 1,
                title=ktitle,
                kind="article" if ktitle else "post",
                platform="news" if ktitle else "weibo",
                region="临川区",
            )
        )
    items.append(mention("c1", "太吓人了，以后不敢坐了", 7.5, kind="comment", parent="e2"))
    items.append(mention("c2", "真的吗？求证，是不是谣言", 7.6, kind="comment", parent="k2"))
    items.append(mention("x1", "今天天气不错，和朋友去公园散步", 7.7))
    return items


def snapshot(archive: Archive, ids: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    analyses = {k: asdict(v) for k, v in archive.get_analyses(ids).items()}
    events = {e.id: asdict(e) for e in archive.list_events(limit=1000)}
    return analyses, events


def test_two_interleaved_stories_become_two_events(archive: Archive) -> None:
    items = interleaved()
    report = run(archive, items)
    assert report.processed == len(items)
    analyses = archive.get_analyses([m.id for m in items])
    elevator = {analyses[mid].event_id for mid, _, _ in ELEVATOR}
    milk = {analyses[mid].event_id for mid, _, _ in MILK}
    assert len(elevator) == 1 and len(milk) == 1 and elevator != milk
    assert elevator == {stable_id("event", "e1")} and milk == {stable_id("event", "k1")}
    assert report.events_created == 2
    # Off-topic chatter is not relevant and in no event.
    assert not analyses["x1"].relevant and analyses["x1"].event_id is None
    # Every relevant mention has an event.
    assert all(a.event_id for a in analyses.values() if a.relevant)


def test_a_comment_joins_its_parents_event(archive: Archive) -> None:
    items = interleaved()
    run(archive, items)
    analyses = archive.get_analyses(["c1", "e2", "c2", "k2"])
    assert analyses["c1"].event_id == analyses["e2"].event_id
    assert analyses["c1"].relevant
    assert any(r.kind == "post" and r.mention_id == "e2" for r in analyses["c1"].reasons)
    assert analyses["c2"].event_id == analyses["k2"].event_id


def test_event_fields(archive: Archive) -> None:
    run(archive, interleaved())
    event = archive.get_event(stable_id("event", "e1"))
    assert event is not None
    assert event.mention_count == 5  # four mentions and a comment
    # Articles with a title are news, the rest Weibo posts (interleaved()), the comment too.
    assert event.platforms == {"weibo": 3, "news": 2}
    assert event.region == "江州市"
    assert "special_equipment" in event.topics
    assert "扶梯" in event.keywords
    assert event.title in {"江州万达广场扶梯逆行事故致2死11伤", "江州扶梯事故死亡人数升至3人"}
    assert event.first_seen == T0 and event.last_seen == T0 + timedelta(hours=7.5)
    assert event.heat > 0 and event.burst > 0
    assert event.status in ("emerging", "growing", "peak", "declining", "closed")
    # Severity from the maximum credible figures, naming where they came from.
    assert event.severity == "较大"
    assert {r.mention_id for r in event.severity_basis} == {"e3"}
    assert all(r.kind == "figure" for r in event.severity_basis)
    milk = archive.get_event(stable_id("event", "k1"))
    assert milk is not None and milk.severity is None
    assert milk.rumor_score is not None  # its Weibo posts were scored


def test_comment_doubt_rescores_the_post(archive: Archive) -> None:
    post = mention(
        "p1",
        "临川区某超市婴幼儿奶粉喝出问题，菌落总数超标，千万不要买！扩散！",
        0,
        metrics={"verified": False},
    )
    run(archive, [post], now_hours=1)
    before = archive.get_analyses(["p1"])["p1"].rumor_score
    comments = [
        mention(f"q{i}", text, 1 + i / 10, kind="comment", parent="p1")
        for i, text in enumerate(["真的吗？", "求证", "这是谣言吧", "假的，别信"])
    ]
    run(archive, comments, now_hours=2)
    after = archive.get_analyses(["p1"])["p1"]
    assert before is not None and after.rumor_score is not None
    assert after.rumor_score > before
    reason = next(r for r in after.reasons if "评论质疑" in r.text)
    assert reason.text.startswith("4 条") and reason.mention_id == "q0"


def test_replies_in_one_batch_score_the_post_as_replies_one_batch_each(tmp_path: Path) -> None:
    """The model scores a batch's posts once, at its end: as if re-scored on every reply."""
    post = mention("p1", "临川区某超市婴幼儿奶粉菌落总数超标，千万不要买！扩散！", 0)
    replies = [
        mention(f"q{i}", text, 1 + i / 10, kind="comment", parent="p1")
        for i, text in enumerate(["真的吗？", "奶粉菌落总数超标太吓人", "这是谣言吧", "假的"])
    ]
    results = []
    for size in (1, 100):
        with open_archive(tmp_path / f"{size}.db") as archive:
            archive.upsert_mentions([post, *replies])
            settings = Settings(nlp=NlpSettings(batch_size=size))
            clock = SimulatedClock(T0 + timedelta(hours=3))
            while analyze_new(archive, settings, clock).processed:
                pass
            results.append(snapshot(archive, ["p1", *(r.id for r in replies)]))
    assert results[0] == results[1]
    assert results[0][0]["p1"]["rumor_score"] is not None


DEBUNK = mention(
    "d1",
    "近日，网上流传“临川区超市奶粉里检出三聚氰胺，已有婴儿中毒”的消息。经临川区市场监管局核查，"
    "该消息不实，抽检结果均合格。",
    0,
    kind="debunk",
    platform="official",
    title="网传“临川区超市奶粉里检出三聚氰胺”系谣言",
)
RUMOUR_TEXT = "紧急扩散！临川区超市奶粉里检出三聚氰胺，已有婴儿中毒！！有孩子的赶紧看看"


def test_a_post_repeating_a_stored_debunk_is_matched(archive: Archive) -> None:
    run(archive, [DEBUNK], now_hours=1)
    debunk = archive.get_analyses(["d1"])["d1"]
    assert debunk.rumor_score is None
    assert any("辟谣" in r.text for r in debunk.reasons)
    # A new analyzer, as after a restart, must find the stored debunk.
    stage.forget(archive)
    run(archive, [mention("r1", RUMOUR_TEXT, 30)], now_hours=31)
    result = archive.get_analyses(["r1"])["r1"]
    assert result.rumor_score is not None and result.rumor_score >= 0.9
    match = next(r for r in result.reasons if r.kind == "match")
    assert match.text == DEBUNK.title and match.mention_id == "d1"


def test_a_debunk_marks_the_posts_that_came_before_it(archive: Archive) -> None:
    run(archive, [mention("r0", RUMOUR_TEXT, 0)], now_hours=1)
    assert archive.get_analyses(["r0"])["r0"].rumor_score < 0.9  # type: ignore[operator]
    later = mention("d2", DEBUNK.text, 5, kind="debunk", platform="official", title=DEBUNK.title)
    run(archive, [later], now_hours=6)
    result = archive.get_analyses(["r0"])["r0"]
    assert result.rumor_score is not None and result.rumor_score >= 0.9
    assert any(r.kind == "match" and r.mention_id == "d2" for r in result.reasons)


def test_second_run_processes_nothing(archive: Archive) -> None:
    items = interleaved()
    first = run(archive, items)
    assert first.processed == len(items)
    second = analyze_new(archive, Settings(), SimulatedClock(T0 + timedelta(hours=10)))
    assert (second.processed, second.events_created, second.events_updated) == (0, 0, 0)


def test_resetting_the_cursor_gives_identical_analyses_and_events(tmp_path: Path) -> None:
    items = [*interleaved(), DEBUNK, mention("r9", RUMOUR_TEXT, 8)]
    ids = [m.id for m in items]
    with open_archive(tmp_path / "a.db") as archive:
        run(archive, items)
        first = snapshot(archive, ids)
        archive.ledger.set_cursor(CURSOR, 0)
        again = run(archive, [])
        assert again.processed == len(items) and again.events_created == 0
        assert snapshot(archive, ids) == first
    # And from a fresh process: the analyzer rebuilt from the archive gives the same.
    with open_archive(tmp_path / "a.db") as archive:
        archive.ledger.set_cursor(CURSOR, 0)
        run(archive, [])
        assert snapshot(archive, ids) == first


@pytest.mark.parametrize("batch_size", [1, 3])
def test_batches_and_restarts_do_not_change_the_result(tmp_path: Path, batch_size: int) -> None:
    items = [*interleaved(), DEBUNK, mention("r9", RUMOUR_TEXT, 8)]
    ids = [m.id for m in items]
    with open_archive(tmp_path / "whole.db") as archive:
        run(archive, items)
        whole = snapshot(archive, ids)
    with open_archive(tmp_path / "parts.db") as archive:
        archive.upsert_mentions(items)
        clock = SimulatedClock(T0 + timedelta(hours=10))
        settings = Settings(nlp=NlpSettings(batch_size=batch_size))
        while analyze_new(archive, settings, clock, limit=2).processed:
            stage.forget(archive)  # as if the process restarted between runs
        assert snapshot(archive, ids) == whole


def test_a_failed_write_is_redone_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = interleaved()
    ids = [m.id for m in items]
    with open_archive(tmp_path / "ok.db") as archive:
        run(archive, items)
        expected = snapshot(archive, ids)
    with open_archive(tmp_path / "crash.db") as archive:
        archive.upsert_mentions(items)
        original = archive.ledger.set_cursor
        calls = {"n": 0}

        def crash(stage_name: str, position: int) -> None:
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("killed between the writes and the cursor")
            original(stage_name, position)

        monkeypatch.setattr(archive.ledger, "set_cursor", crash)
        clock = SimulatedClock(T0 + timedelta(hours=10))
        with pytest.raises(RuntimeError):
            analyze_new(archive, Settings(), clock)
        assert archive.ledger.get_cursor(CURSOR) == 0
        report = analyze_new(archive, Settings(), clock)
        assert report.processed == len(items)
        assert snapshot(archive, ids) == expected


def test_refresh_cools_events_down(archive: Archive) -> None:
    run(archive, interleaved())
    event_id = stable_id("event", "e1")
    hot = archive.get_event(event_id)
    later = SimulatedClock(T0 + timedelta(hours=30))
    refreshed = refresh_events(archive, Settings(), later)
    cooled = archive.get_event(event_id)
    assert hot is not None and cooled is not None and event_id in {e.id for e in refreshed}
    assert cooled.heat < hot.heat
    assert cooled.status in ("declining", "closed")
    assert cooled.mention_count == hot.mention_count


def test_an_event_without_a_configured_region_takes_the_one_its_texts_name(
    archive: Archive,
) -> None:
    items = [
        mention("s1", "广东省深圳市一商场自动扶梯逆行，造成2人受伤，市场监管局已介入调查。", 0),
        mention("s2", "深圳商场扶梯逆行事故后，特种设备检验人员到场检查扶梯。", 1),
        mention("s3", "扶梯逆行事故伤者已送医，涉事扶梯维保单位被约谈。", 2),
    ]
    run(archive, items)
    [event] = [e for e in archive.list_events(limit=10) if e.mention_count >= 2]
    assert event.region == "深圳市"

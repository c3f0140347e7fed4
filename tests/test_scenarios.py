"""Scenario evaluation: the corpus checker, the expected-decisions files, the scoring metrics on
hand-made rows, and one scenario replayed end to end through ``yuqing demo --corpus``."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from yuqing.demo.corpus_check import CorpusError, check_corpus
from yuqing.demo.expected import (
    Expected,
    ExpectedError,
    ExpectedObligation,
    StoryExpectation,
    expected_path_for,
    load_expected,
)
from yuqing.demo.records import DEMO_START, stable_number
from yuqing.demo.run_data import ItemIndex
from yuqing.demo.scoring import (
    Notification,
    OpenedObligation,
    event_scores,
    fatigue_scores,
    max_in_window,
    obligation_scores,
    rumour_scores,
)

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "yuqing" / "demo" / "corpus.jsonl"
BAISHA = REPO / "scenarios" / "baisha_gas.jsonl"
LINCHUAN = REPO / "scenarios" / "linchuan_boiler.jsonl"
WANGJIANG = REPO / "scenarios" / "wangjiang_canteen.jsonl"
CUIHU = REPO / "scenarios" / "cuihu_ebike.jsonl"
QINGPING = REPO / "scenarios" / "qingping_ropeway.jsonl"
JINQIAO = REPO / "scenarios" / "jinqiao_crane.jsonl"
T0 = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)


def weibo(item: str, story: str, offset: int, text: str = "帖子", **extra: Any) -> dict[str, Any]:
    record = {
        "id": item,
        "channel": "weibo",
        "story": story,
        "offset_minutes": offset,
        "title": "",
        "text": text,
        "author": "网友",
        "site": "weibo",
        "region": "江州市",
        "doc_type": None,
        "weibo": {"user": {"name": "网友", "verified": False}, "retweet_of": None},
        "comments": [],
    }
    record.update(extra)
    return record


def official(item: str, story: str, offset: int, doc_type: str = "notice") -> dict[str, Any]:
    return {
        "id": item,
        "channel": "official",
        "story": story,
        "offset_minutes": offset,
        "title": "关于某事的通报",
        "text": "正文",
        "author": "江州市市场监督管理局",
        "site": "江州市市场监督管理局",
        "doc_type": doc_type,
    }


def write(path: Path, records: list[Any]) -> Path:
    path.write_text(
        "".join(
            (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
        ),
        encoding="utf-8",
    )
    return path


# ---- the corpus checker ----------------------------------------------------------------
def test_shipped_scenarios_pass_the_checker() -> None:
    assert len(check_corpus(DEMO)) == 328
    records = check_corpus(BAISHA)
    assert len(records) >= 140
    assert {r["story"] for r in records} >= {"gas_explosion", "formula_rumor", "chatter"}
    records = check_corpus(LINCHUAN)
    assert len(records) >= 100
    assert {r["story"] for r in records} >= {"boiler_blast", "water_rumor", "chatter"}
    records = check_corpus(WANGJIANG)
    assert 90 <= len(records) <= 130
    assert {r["story"] for r in records} >= {"kinder_poison", "powerbank_rumor", "chatter"}
    records = check_corpus(CUIHU)
    assert 85 <= len(records) <= 130
    assert {r["story"] for r in records} >= {"ebike_fire", "elevator_trap", "chatter"}
    records = check_corpus(QINGPING)
    assert 95 <= len(records) <= 130
    assert {r["story"] for r in records} >= {"ropeway", "cert_fake", "chatter"}
    records = check_corpus(JINQIAO)
    assert 90 <= len(records) <= 130
    assert {r["story"] for r in records} >= {"crane_collapse", "vendor_fine", "chatter"}


@pytest.mark.parametrize(
    ("corpus", "module"),
    [
        (BAISHA, "baisha_gas_source"),
        (LINCHUAN, "linchuan_boiler_source"),
        (WANGJIANG, "wangjiang_canteen_source"),
        (CUIHU, "cuihu_ebike_source"),
        (QINGPING, "qingping_ropeway_source"),
        (JINQIAO, "jinqiao_crane_source"),
    ],
)
def test_a_scenario_file_is_what_its_generator_writes(corpus: Path, module: str) -> None:
    sys.path.insert(0, str(REPO / "scenarios"))
    try:
        source = importlib.import_module(module)
    finally:
        sys.path.remove(str(REPO / "scenarios"))
    records, _ = source.build()
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    assert text == corpus.read_text(encoding="utf-8")


@pytest.mark.parametrize("corpus", [BAISHA, LINCHUAN, WANGJIANG, CUIHU, QINGPING, JINQIAO])
def test_a_shipped_expected_file_names_every_story_and_a_unit_of_the_demo(corpus: Path) -> None:
    """The expected file loads against its corpus (ids, stories, kinds) and routes every event
    story to one of the demo's units, so the routing figure covers the whole scenario."""
    expected = load_expected(expected_path_for(corpus))
    units = {"jiangzhou", "linchuan", "baisha"}
    assert {r["story"] for r in expected.records} == set(expected.stories)
    for name in expected.event_stories():
        assert expected.stories[name].unit in units, name


@pytest.mark.parametrize(
    ("bad", "line", "field"),
    [
        ("{not json", 2, "(line)"),
        ({k: v for k, v in weibo("w2", "s", 5).items() if k != "story"}, 2, "story"),
        (weibo("w2", "s", 5, channel="twitter"), 2, "channel"),
        (weibo("w1", "s", 5), 2, "id"),  # used twice
        (weibo("w 2", "s", 5), 2, "id"),
        (weibo("w2", "s", 9000), 2, "offset_minutes"),
        (weibo("w2", "s", 5, doc_type="debunk"), 2, "doc_type"),
        (weibo("w2", "s", 5, site="江州日报"), 2, "site"),
        (dict(official("o2", "s", 5), doc_type="memo"), 2, "doc_type"),
        (dict(official("o2", "s", 5), title=""), 2, "title"),
        (
            weibo("w2", "s", 5, weibo={"user": {"name": "a"}, "retweet_of": "nope"}),
            2,
            "weibo.retweet_of",
        ),
        (
            weibo("w2", "s", 5, comments=[{"user": "a", "text": "b", "offset_minutes": 1}]),
            2,
            "comments[0].offset_minutes",
        ),
        (weibo("w2", "s", 5, weibo=None), 2, "weibo"),
    ],
)
def test_a_malformed_line_is_named_with_its_field(
    tmp_path: Path, bad: Any, line: int, field: str
) -> None:
    path = write(tmp_path / "drill.jsonl", [weibo("w1", "s", 0), bad])
    with pytest.raises(CorpusError) as caught:
        check_corpus(path)
    assert (caught.value.line, caught.value.field) == (line, field)
    assert str(caught.value).startswith(f"{path}:{line}: field {field}: ")


def test_demo_command_rejects_a_malformed_file_before_touching_the_workdir(tmp_path: Path) -> None:
    path = write(tmp_path / "drill.jsonl", [weibo("w1", "s", 0), weibo("w2", "s", 3, channel="x")])
    workdir = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "yuqing.cli",
            "demo",
            "--headless",
            "--corpus",
            str(path),
            "--workdir",
            str(workdir),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert f"{path}:2: field channel:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not workdir.exists()


# ---- the expected-decisions files --------------------------------------------------------
def test_shipped_expected_files_load_and_cover_every_story() -> None:
    for corpus in (DEMO, BAISHA, WANGJIANG, CUIHU, QINGPING, JINQIAO):
        expected = load_expected(expected_path_for(corpus))
        assert set(expected.stories) == {r["story"] for r in expected.records}
        assert any(s.rumours for s in expected.stories.values())
        assert all(
            s.obligations
            for s in expected.stories.values()
            if s.name != "chatter" and s.name != "recall"
        )


def _expected_file(tmp_path: Path, story: dict[str, Any]) -> Path:
    write(tmp_path / "c.jsonl", [weibo("w1", "fire", 0), weibo("w2", "noise", 5)])
    doc = {"corpus": "c.jsonl", "noise_stories": ["noise"], "stories": {"fire": story}}
    path = tmp_path / "c.expected.yaml"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("story", "key"),
    [
        (
            {"obligations": [{"kind": "apology", "fulfilled_by": None, "on_time": False}]},
            "stories.fire.obligations[0].kind",
        ),
        (
            {"obligations": [{"kind": "response", "fulfilled_by": None, "on_time": True}]},
            "stories.fire.obligations[0].on_time",
        ),
        (
            {"obligations": [{"kind": "response", "fulfilled_by": "w9", "on_time": True}]},
            "stories.fire.obligations[0].fulfilled_by",
        ),
        ({"rumours": ["w2"]}, "stories.fire.rumours"),  # an item of another story
        ({"rumours": ["w1"], "not_rumours": ["w1"]}, "stories.fire.not_rumours"),
        (
            {
                "obligations": [{"kind": "response", "fulfilled_by": "w1", "on_time": True}],
                "forbidden": ["response"],
            },
            "stories.fire.forbidden",
        ),
        ({"typo": 1}, "stories.fire"),
    ],
)
def test_a_wrong_expected_file_names_the_key(
    tmp_path: Path, story: dict[str, Any], key: str
) -> None:
    with pytest.raises(ExpectedError) as caught:
        load_expected(_expected_file(tmp_path, story))
    assert caught.value.key == key


def test_an_expected_file_must_cover_every_story(tmp_path: Path) -> None:
    path = _expected_file(tmp_path, {})
    path.write_text(json.dumps({"corpus": "c.jsonl", "stories": {"fire": {}}}), encoding="utf-8")
    with pytest.raises(ExpectedError, match="no entry for noise"):
        load_expected(path)


# ---- metrics on hand-made rows ------------------------------------------------------------
def toy_expected() -> Expected:
    records = [
        weibo("a1", "fire", 0, "锦江广场爆炸了"),
        weibo("a2", "fire", 10, "死了三十多人"),
        official("a3", "fire", 60),
        weibo("b1", "noise", 5, "今天天气好"),
        weibo("b2", "noise", 6, "吃火锅"),
    ]
    fire = StoryExpectation(
        name="fire",
        obligations=(
            ExpectedObligation("authoritative_release", "a3", (), True),
            ExpectedObligation("press_conference", None, (), False),
        ),
        allowed=frozenset({"response"}),
        forbidden=frozenset({"clarification"}),
        rumours=frozenset({"a2"}),
        not_rumours=frozenset({"a1", "a3"}),
    )
    noise = StoryExpectation(name="noise", forbidden=frozenset({"response"}))
    return Expected(
        Path("toy.jsonl"), records, frozenset({"noise"}), {"fire": fire, "noise": noise}
    )


def opened(ob_id: int, kind: str, story: str = "fire", **extra: Any) -> OpenedObligation:
    fields: dict[str, Any] = {"status": "open", "due_at": T0 + timedelta(hours=5), **extra}
    return OpenedObligation(id=ob_id, kind=kind, story=story, **fields)


def test_obligation_scores_count_duplicates_forbidden_and_allowed() -> None:
    expected = toy_expected()
    perfect = obligation_scores(
        expected,
        [opened(1, "authoritative_release"), opened(2, "press_conference"), opened(3, "response")],
    )
    assert (perfect["recall"], perfect["precision"], perfect["forbidden"]) == (1.0, 1.0, [])
    worse = obligation_scores(
        expected,
        [
            opened(1, "authoritative_release"),
            opened(2, "authoritative_release"),
            opened(4, "clarification"),
            opened(5, "response", story="noise"),
        ],
    )
    assert worse["recall"] == 0.5  # press_conference never opened
    assert worse["precision"] == pytest.approx(1 / 4)
    assert worse["forbidden"] == ["#4 fire/clarification", "#5 noise/response"]


def test_on_time_fulfilment_uses_the_flag_or_the_publication_time() -> None:
    expected = toy_expected()
    late = opened(
        1,
        "authoritative_release",
        status="done",
        fulfilled_published=T0 + timedelta(hours=6),
        fulfilled_item="a3",
    )
    assert obligation_scores(expected, [late])["on_time_met"] == 0
    in_time = opened(
        1,
        "authoritative_release",
        status="done",
        fulfilled_item="a3",
        fulfilled_published=T0 + timedelta(hours=1),
    )
    scores = obligation_scores(expected, [in_time])
    assert (scores["on_time_met"], scores["on_time_by_expected_item"]) == (1, 1)
    flagged = opened(
        1,
        "authoritative_release",
        status="done",
        on_time=False,
        fulfilled_item="a3",
        fulfilled_published=T0,
    )
    assert obligation_scores(expected, [flagged])["on_time_share"] == 0.0
    wrongly = opened(2, "press_conference", status="done", on_time=True)
    assert obligation_scores(expected, [wrongly])["unearned_on_time"] == 1


def test_rumour_scores_flag_debunks_and_officials_over_half() -> None:
    expected = toy_expected()
    good = rumour_scores(expected, {"a1": 0.1, "a2": 0.9, "a3": None, "b1": 0.99})
    assert (good["accuracy"], good["non_rumours_over_half"]) == (1.0, 0)
    bad = rumour_scores(expected, {"a1": 0.6, "a2": 0.2, "a3": 0.7})
    assert bad["accuracy"] == 0.0
    assert bad["wrong"] == ["a1", "a2", "a3"]
    assert bad["official_or_debunk_over_half"] == ["a3"]


def test_event_scores_reward_one_event_per_story_and_no_noise() -> None:
    expected = toy_expected()
    right = event_scores(expected, {"a1": "e1", "a2": "e1", "a3": "e1", "b1": None, "b2": None})
    assert right["bcubed_f1"] == 1.0
    assert right["story_items_in_event"] == 1.0
    split = event_scores(expected, {"a1": "e1", "a2": "e2", "a3": None, "b1": "e1", "b2": None})
    assert split["bcubed_f1"] < 0.7
    assert split["noise_items_in_event"] == 1
    assert split["stories"]["fire"] == {
        "items": 3,
        "in_event": 2,
        "events": 2,
        "largest_event_share": pytest.approx(1 / 3),
    }


def test_fatigue_counts_per_recipient_per_story_hour_without_escalations() -> None:
    assert max_in_window([T0, T0 + timedelta(minutes=59), T0 + timedelta(minutes=61)]) == 2
    assert max_in_window([T0, T0 + timedelta(hours=1)]) == 1
    notes = [
        Notification("spokesperson", "fire", T0),
        Notification("spokesperson", "fire", T0 + timedelta(minutes=30)),
        Notification("duty", "fire", T0),
        Notification("leader", "fire", T0 + timedelta(minutes=1), escalation=True),
        Notification("leader", "fire", T0 + timedelta(minutes=2), escalation=True),
    ]
    fire = fatigue_scores(["fire", "fire"], notes)["fire"]
    assert fire == {
        "alerts": 2,
        "notifications": 5,
        "escalations": 2,
        "deliveries": 3,
        "max_per_recipient_hour": 2,
        "max_queued_per_recipient_hour": 2,
    }


def test_fatigue_counts_what_a_phone_receives_one_delivery_pass_as_one_message() -> None:
    """Rows a pass sent together to one recipient are one message (group_max at a time) for
    each story in it; an escalation alone is not counted, a row never sent counts alone."""
    at = T0 + timedelta(minutes=40)
    notes = [
        Notification("spokesperson", "fire", T0, sent_at=T0, channel="ding", id=1),
        Notification("spokesperson", "fire", T0, sent_at=T0, channel="ding", id=3),
        Notification("spokesperson", "flood", T0, sent_at=T0, channel="ding", id=2),
        Notification("spokesperson", "fire", at, escalation=True, sent_at=at, channel="ding"),
        Notification("duty", "fire", T0, sent_at=T0 + timedelta(hours=1), channel="ding", id=4),
        Notification("duty", "fire", T0 + timedelta(hours=2), id=5),  # never sent
    ]
    got = fatigue_scores([], notes, group_max=10)
    assert (got["fire"]["deliveries"], got["fire"]["max_per_recipient_hour"]) == (3, 1)
    assert got["fire"]["max_queued_per_recipient_hour"] == 2
    assert got["flood"]["deliveries"] == 1
    # Two to a message, in outbox order: fire + flood, then fire: two messages carry fire.
    assert fatigue_scores([], notes[:3], group_max=2)["fire"]["max_per_recipient_hour"] == 2


def test_a_note_riding_in_its_storys_escalation_is_no_second_buzz() -> None:
    """The linchuan_boiler run: the alert at 12:00, then at 12:30 the clarification's
    按时办结 released with the press conference's escalation, in one message."""
    later = T0 + timedelta(minutes=30)
    notes = [
        Notification("spokesperson", "boiler", T0, sent_at=T0, channel="file", id=1),
        Notification("spokesperson", "boiler", later, sent_at=later, channel="file", id=2),
        Notification(
            "spokesperson", "boiler", later, escalation=True, sent_at=later, channel="file", id=3
        ),
        Notification("spokesperson", "flood", later, sent_at=later, channel="file", id=4),
    ]
    got = fatigue_scores([], notes, group_max=10)
    assert (got["boiler"]["deliveries"], got["boiler"]["max_per_recipient_hour"]) == (1, 1)
    # Another story in the same message is still a notification of its own.
    assert got["flood"]["deliveries"] == 1
    # Without the escalation the 12:30 note is a second buzz within the hour.
    assert fatigue_scores([], notes[:2], group_max=10)["boiler"]["max_per_recipient_hour"] == 2


def test_urls_map_back_to_corpus_items() -> None:
    expected = toy_expected()
    expected.records[0]["comments"] = [{"user": "x", "text": "y", "offset_minutes": 3}]
    index = ItemIndex(expected)
    assert index.item_of("http://127.0.0.1:5/official/notice/a3.html") == "a3"
    assert index.item_of("http://127.0.0.1:5/jzrb/20261116/a1.html?spm=1") == "a1"
    assert index.item_of(f"http://127.0.0.1:5/detail/{stable_number('a2')}") == "a2"
    comment = f"http://127.0.0.1:5/detail/{stable_number('a1')}?cid={stable_number('a1c001')}"
    assert index.item_of(comment) == "a1c001"
    assert index.top["a1c001"] == "a1"
    assert index.item_of("http://example.com/other") is None
    assert index.published["a3"] == DEMO_START + timedelta(minutes=60)


# ---- end to end ---------------------------------------------------------------------------
@pytest.mark.timeout(1800)
def test_a_scenario_replays_end_to_end_and_is_scored_per_story(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import decisions_bench as bench
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    workdir = tmp_path / "baisha_gas"
    bench.run_scenario(BAISHA, workdir)
    scores = bench.score_scenario(BAISHA, workdir)
    expected = load_expected(expected_path_for(BAISHA))
    # Every item is served and crawled, and every mention maps back to its item.
    assert scores["items_collected"] == scores["items"] == len(expected.records)
    assert set(scores["events"]["stories"]) == set(expected.event_stories())
    opened = {(r["story"], r["kind"]): r["opened"] for r in scores["obligations"]["rows"]}
    # A restaurant explosion with ten dead is graded major and opens both of its duties.
    assert opened.get(("gas_explosion", "authoritative_release"), 0) >= 1
    assert opened.get(("gas_explosion", "press_conference"), 0) >= 1
    rumours = scores["rumours"]
    assert rumours["scored"] == rumours["labelled"]
    for figure in (
        rumours["accuracy"],
        scores["events"]["bcubed_f1"],
        scores["obligations"]["precision"],
        scores["obligations"]["on_time_share"],
    ):
        assert 0.0 <= figure <= 1.0
    assert "(unknown)" not in {r["story"] for r in scores["obligations"]["rows"]}
    print(bench.render("baisha_gas", scores))

"""The public's posts about a named incident are judged in the context of its event (issue 16,
miss 2 of docs/scenarios.md): a parent's post naming the nursery, a death claim and a witness
of a stuck ride carry no regulator vocabulary, yet join the event the reports about that
nursery or park make, with the reason shown; a post naming only the city, the nursery's
kind alone, another nursery's enrolment advert, or the nursery a week later do not. Posts
published before the reports are judged again when the reports arrive; a restart or other
batches decide the same. Real analysis stage over a real SQLite archive."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.base import Archive
from archive.models import stable_id
from core.clock import SimulatedClock
from core.settings import NlpSettings, Settings
from nlp import stage
from nlp.event_context import institution_names, rare_words
from nlp.stage import analyze_new
from nlp.text import document_from_text
from nlp.vectors import term_vector
from tests.conftest import T0
from tests.support.nlp_stage_run import mention, run

# The public, in everyday words: judged alone, none of them is relevant.
PARENT = mention(
    "p1", "刚把女儿从青禾幼儿园接出来，班里一半小朋友都在吐，老师说是中午的饭有问题", 0.0
)
REPOST = mention(
    "p2",
    "天哪，希望小朋友们都没事//@青禾妈妈:刚把女儿从青禾幼儿园接出来，班里一半小朋友都在吐",
    0.2,
    kind="repost",
    parent="p1",
)
CLAIM = mention("p3", "听说青禾幼儿园有个孩子没救回来，医院那边不让说，群里都传疯了", 3.0)
# The reports, an hour after the first parent: both name the nursery, in the lexicon's words.
REPORTS = [
    mention(
        "r1",
        "【快讯】今天中午，临江区青禾幼儿园多名幼儿午餐后出现呕吐、腹泻症状，疑似食物中毒，"
        "已送医治疗，市场监管部门已介入调查，封存留样食品，该园食堂停止供餐。",
        1.0,
    ),
    mention(
        "r2",
        "【情况通报】今日12时许，临江区青禾幼儿园部分幼儿午餐后出现呕吐等症状，共有23名幼儿"
        "送医就诊。区市场监管局已对食堂留样食品抽样检验，并责令该园食堂停止供餐。",
        1.5,
    ),
]
# Not about it: the city alone, the kind alone, another nursery's advert naming the kind and
# the district, the nursery named again a week later.
CITY = mention("n1", "临江今天好冷，晚上出门记得穿厚一点，路上都结冰了", 2.0)
KIND = mention("n2", "幼儿园门口新开了一家文具店，小朋友放学都挤在里面", 2.5)
ADVERT = mention(
    "n3", "【招生】临江区青禾幼儿园春季插班生火热报名中，小班额、自有菜园，欢迎预约参观", 2.6
)
LATER = mention("n4", "路过青禾幼儿园，门口的银杏叶全黄了，拍了几张照片", 24.0 * 7)
# A stuck ride: the witness names the park as people call it, without its kind.
RIDE = [
    mention(
        "r3",
        "【救援】今日15时许，新港区星河湾游乐园一大型游乐设施（跳楼机）故障停机，"
        "12名游客被困，消防救援人员已到场处置，特种设备检验人员赶赴现场。",
        30.0,
    ),
    mention(
        "r4",
        "新港区星河湾游乐园跳楼机故障停机，12名游客被困空中40分钟，市场监管部门已责令"
        "该大型游乐设施停止运行，特种设备检验机构正在检验。",
        31.0,
    ),
]
WITNESS = mention("w1", "星河湾的跳楼机卡在最上面了！！上面的人一直在喊，底下围了好多人", 30.5)
ITEMS = [PARENT, REPOST, *REPORTS, CLAIM, CITY, KIND, ADVERT, LATER, *RIDE, WITNESS]


def test_names_of_institutions_and_rare_words() -> None:
    def names(text: str) -> tuple[str, ...]:
        document = document_from_text(text)
        return institution_names(document.title_words + document.body_words)

    assert "青禾幼儿园" in names("临江区青禾幼儿园多名幼儿")
    assert names("幼儿园门口") == () and names("该商场") == () and names("一所小学") == ()
    assert names("江州市第二人民医院") == ()  # a kind of hospital, not one
    assert names("刚接到幼儿园电话") == () and names("好几个商场都下架了") == ()  # no names
    assert "幼儿园" not in names("青禾幼儿园食堂") and names("该园食堂") == ()
    assert "星河湾" in names("新港区星河湾游乐园")  # the park as people call it
    document = document_from_text("临江区青禾幼儿园多名幼儿午餐后出现呕吐")
    rare = rare_words(term_vector(document), document.body_words)
    assert "临江" not in rare  # a district says where, not what


def test_the_publics_posts_join_the_nurserys_event(archive: Archive) -> None:
    run(archive, ITEMS, now_hours=24 * 8)
    analyses = archive.get_analyses([m.id for m in ITEMS])
    story = stable_id("event", "r1")
    assert analyses["r2"].event_id == story
    for mid in ("p1", "p2", "p3"):
        assert analyses[mid].relevant and analyses[mid].event_id == story, mid
    context = [r for r in analyses["p3"].reasons if r.kind == "context"]
    assert [r.text for r in context] == [f"关联事件：事件主体“青禾幼儿园”（事件 {story[:8]}）"]
    # p1 came before the reports: judged again when they named the nursery twice.
    assert any(r.kind == "context" for r in analyses["p1"].reasons)
    for mid in ("n1", "n2", "n3", "n4"):
        assert analyses[mid].event_id is None, mid
    ride = stable_id("event", "r3")
    assert analyses["r4"].event_id == ride
    assert analyses["w1"].event_id == ride
    assert any("星河湾" in r.text for r in analyses["w1"].reasons if r.kind == "context")


def test_a_single_report_is_not_enough(archive: Archive) -> None:
    """One report may name the nursery in passing: two members must carry it."""
    run(archive, [REPORTS[0], CLAIM])
    assert archive.get_analyses(["p3"])["p3"].event_id is None


@pytest.mark.parametrize("batch_size", [1, 3])
def test_the_same_whatever_the_batches_and_restarts(tmp_path: Path, batch_size: int) -> None:
    ids = [m.id for m in ITEMS]

    def snapshot(archive: Archive) -> dict[str, Any]:
        return {k: asdict(v)["event_id"] for k, v in archive.get_analyses(ids).items()}

    with open_archive(tmp_path / "whole.db") as archive:
        run(archive, ITEMS, now_hours=24 * 8)
        whole = snapshot(archive)
    with open_archive(tmp_path / "parts.db") as archive:
        archive.upsert_mentions(ITEMS)
        settings = Settings(nlp=NlpSettings(batch_size=batch_size))
        clock = SimulatedClock(T0 + timedelta(hours=24 * 8))
        while analyze_new(archive, settings, clock, limit=batch_size).processed:
            stage.forget(archive)  # as if the process restarted between runs
        assert snapshot(archive) == whole


def test_a_relevant_post_joins_by_the_subject(archive: Archive) -> None:
    """A post relevant by its own words that no event took: the nursery's name ties it; a
    post of another city sharing two of the story's rare words (送医, 供餐) does not."""
    question = mention(
        "q1", "青禾幼儿园的食堂到底有没有人监管？食品安全检查是怎么做的，市场监管部门说句话", 2.0
    )
    elsewhere = mention(
        "q2", "远山市一所中学昨晚20余名住校生腹泻送医，学校食堂已停止供餐，结果待出。", 2.2
    )
    run(archive, [*REPORTS, question, elsewhere])
    analyses = archive.get_analyses(["q1", "q2"])
    story = stable_id("event", "r1")
    assert analyses["q1"].relevant and analyses["q1"].event_id == story
    assert any(r.kind == "context" for r in analyses["q1"].reasons)
    assert analyses["q2"].event_id != story


# The ride's witness before either report, relevant by a word pair alone (跳楼机 + 卡在): it
# founds an event of its own on arrival, and leaves it for the ride's once the reports carry
# the park's name twice. A second witness (relevant the same way) keeps the first company: two
# posts about the same thing are a story of their own.
EARLY_WITNESS = mention(
    "w2", "星河湾的跳楼机卡在最上面了！！上面的人一直在喊，底下围了好多人", 29.5
)
SECOND_WITNESS = mention("w3", "星河湾的跳楼机卡在最上面了，上面的人一直在喊，吓死了", 29.6)


@pytest.mark.parametrize("batch_size", [None, 1])
def test_a_pair_alone_witness_before_the_reports_joins_the_rides_event(
    tmp_path: Path, batch_size: int | None
) -> None:
    with open_archive(tmp_path / "ride.db") as archive:
        archive.upsert_mentions([EARLY_WITNESS, *RIDE])
        settings = Settings(nlp=NlpSettings(batch_size=batch_size or 100))
        clock = SimulatedClock(T0 + timedelta(hours=48))
        while analyze_new(archive, settings, clock, limit=batch_size).processed:
            stage.forget(archive)  # a restart between batches decides the same
        witness = archive.get_analyses(["w2"])["w2"]
        assert any(r.kind == "pair" for r in witness.reasons)  # relevant by the pair alone
        ride = stable_id("event", "r3")
        assert witness.relevant and witness.event_id == ride
        assert any("星河湾" in r.text for r in witness.reasons if r.kind == "context")
        own = archive.get_event(stable_id("event", "w2"))
        assert own is not None and own.mention_count == 0  # the event it founded, left


def test_two_pair_alone_witnesses_are_a_story_of_their_own(archive: Archive) -> None:
    run(archive, [EARLY_WITNESS, SECOND_WITNESS, *RIDE], now_hours=48)
    analyses = archive.get_analyses(["w2", "w3"])
    assert analyses["w2"].event_id == analyses["w3"].event_id == stable_id("event", "w2")

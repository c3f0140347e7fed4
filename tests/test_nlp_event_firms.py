"""An accident's first posts name the plant as people call it, and the reports name the company
in full (issue 16): the story is one event however the two orders of arrival go, and a post
naming another firm, or the same firm days later, does not join it."""

from __future__ import annotations

from archive.base import Archive
from archive.models import Mention, stable_id
from tests.support.nlp_stage_run import mention, run

# Hearsay first: "金源陶瓷" is the plant as its neighbours call it; no company word, so the
# entity extraction does not take it for a company.
HEARSAY = mention(
    "h1",
    "金源陶瓷那边出事了！压力容器炸了，车间顶都掀了，好几个工友被压在下面，我们在外面帮着挖[泪]",
    0.0,
)
# The fire brigade's report, half an hour later, names the company in full.
REPORT = mention(
    "r1",
    "【警情通报】12月3日10时05分，江州市消防救援支队接警，位于城东工业园的江州金源陶瓷有限公司"
    "一台压力容器发生爆炸。支队调派4个消防救援站、12辆消防车到场处置，正在搜救被困人员。",
    0.5,
)
# A question naming the plant's short name, relevant by its own words.
QUESTION = mention("q1", "金源那台压力容器平时有人检吗？特种设备到底是谁在管？", 2.0)
# Another firm's news the same morning, in the same trade.
OTHER = mention(
    "o1",
    "江州华盛机械有限公司今天完成全部在用压力容器的定期检验，检验结果全部合格，企业负责人"
    "表示将继续加强特种设备管理。",
    1.0,
    platform="news",
    kind="article",
    title="华盛机械完成压力容器定期检验",
)


def _events(archive: Archive, items: list[Mention]) -> dict[str, str | None]:
    analyses = archive.get_analyses([m.id for m in items])
    return {m.id: analyses[m.id].event_id for m in items}


def test_the_report_naming_the_company_in_full_joins_the_hearsay_that_named_the_plant(
    archive: Archive,
) -> None:
    run(archive, [HEARSAY, REPORT, OTHER, QUESTION])
    events = _events(archive, [HEARSAY, REPORT, OTHER, QUESTION])
    story = stable_id("event", "h1")
    assert events["h1"] == events["r1"] == events["q1"] == story
    assert events["o1"] not in (None, story)
    reasons = [r.text for r in archive.get_analyses(["r1"])["r1"].reasons]
    assert "关联事件：事件帖文提及同一企业“金源陶瓷”" in reasons


def test_the_same_firm_named_days_later_founds_its_own_story(archive: Archive) -> None:
    later = mention(
        "r2",
        "江州金源陶瓷有限公司新建的压力容器检验站今天通过验收，特种设备检验不用再送外地。",
        80.0,
        platform="news",
        kind="article",
        title="金源陶瓷压力容器检验站通过验收",
    )
    run(archive, [HEARSAY, later], now_hours=90)
    events = _events(archive, [HEARSAY, later])
    assert events["r2"] not in (None, events["h1"])

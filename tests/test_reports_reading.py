"""Briefings as their readers see them: found by reading the 日报 and the 专报 of the demo
(the review of 2026-12-07).

- Quotes (代表性观点, 传播最广的是…) and endnote titles were cut at a fixed length with nothing
  to show it ("…事故共造"): a reader took the fragment for the whole post. Cut text now ends
  in an ellipsis (``core.text.clip``).
- The appendix numbered its tables 表, 表1, 表3, 表2, 表4 (the chart tables first, keeping
  their fixed numbers): now 表1, 表2, … in the order they appear.
- The 专报's 综述 ended "热度较高的事件为“江州一商场电梯坠落”" in the 专报 on that very event:
  the sentence is now the 日报's and 周报's only.
- 关键传播节点 named an account twice when two of its posts were among the key spreaders
  ("江州市场监管（官方，带来15条）、江州发布（…）、江州市场监管（官方，带来11条）"): an account
  is now named once, with its posts counted together.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from archive import open_archive
from archive.models import Analysis, Mention
from core.config import load_config
from core.text.clip import ELLIPSIS
from reports import propagation, prose_env
from reports.build import build_report
from reports.docx_render import render_docx
from reports.prose import sentence, when
from reports.tables import queries
from tests.support.dashboard_fixtures import NOW, DashboardArchive, build_archive

DAY = date(2026, 11, 20)
# A long post (over 80 characters), the most shared of the lift incident: the event's
# loudest post, quoted in 重点舆情 and among the 代表性观点.
LONG = (
    "【电梯困人事件通报】今日上午江州市一商场发生电梯困人事件，市场监管部门接报后立即组织"
    "特种设备安全监察人员赶赴现场处置，被困人员已全部安全救出，无人员受伤，事故原因正在调查，"
    "后续情况将及时向社会公布。"
)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    made = build_archive(tmp_path_factory.mktemp("reading"))
    long = Mention(
        id="m-long",
        source="demo-weibo",
        platform="weibo",
        kind="post",
        url="http://127.0.0.1/item/m-long",
        title="",
        text=LONG,
        published_at=NOW - timedelta(hours=2),
        fetched_at=NOW - timedelta(hours=2),
        author="江州发布",
        metrics={"reposts": 5000, "comments": 800, "likes": 9000, "verified_type": 1},
    )
    with open_archive(made.db) as archive:
        archive.upsert_mentions([long])
        archive.upsert_analyses(
            [
                Analysis(
                    "m-long",
                    relevant=True,
                    relevance=0.9,
                    topics=["special_equipment"],
                    sentiment="neutral",
                    event_id="ev-lift",
                    analyzed_at=NOW,
                )
            ]
        )
    return made


def _build(made: DashboardArchive, kind: str, **kw: Any) -> dict[str, Any]:
    with open_archive(made.db) as archive:
        return build_report(archive, kind, NOW, load_config(made.config), **kw)


def _texts(pack: dict[str, Any]) -> list[str]:
    return [s["text"] for section in pack["sections"] for p in section["paragraphs"] for s in p]


def test_a_quoted_fragment_says_it_is_cut(made: DashboardArchive) -> None:
    texts = _texts(_build(made, "daily", day=DAY))
    quoting = [t for t in texts if LONG[:20] in t]
    assert quoting, texts  # the loudest post and a view quote it
    for text in quoting:
        quoted = re.search(re.escape(LONG[:20]) + r"[^”]*”", text)
        assert quoted is not None, text
        assert quoted.group(0).endswith(ELLIPSIS + "”"), text


def test_an_endnote_title_cut_from_the_text_says_so(made: DashboardArchive) -> None:
    pack = _build(made, "daily", day=DAY)
    record = pack["mentions"]["m-long"]
    assert record["title"].endswith(ELLIPSIS) and len(record["title"]) == 40
    assert record["excerpt"].endswith(ELLIPSIS) and len(record["excerpt"]) == 80


def test_appendix_tables_are_numbered_in_order(made: DashboardArchive, tmp_path: Path) -> None:
    doc = Document(str(render_docx(_build(made, "daily", day=DAY), tmp_path / "d.docx")))
    captions = [p.text for p in doc.paragraphs if re.match(r"表\d* ", p.text)]
    numbers = [int(re.match(r"表(\d+) ", c).group(1)) for c in captions]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(doc.tables))), captions  # the last table: 数据说明
    assert captions[0] == "表1 声量走势数据（图1数据）"
    figures = [p.text for p in doc.paragraphs if re.match(r"图\d+ ", p.text)]
    assert [f.split()[0] for f in figures] == ["图1", "图2", "图3"]


TEMPLATES = prose_env.module("sentences.zh.j2")


def _author(record: dict[str, Any]) -> str:
    return str(record["author"])


def _pack_with_spreaders(spreaders: list[tuple[str, str, int, str]]) -> dict[str, Any]:
    first = {"author": "网友甲", "source": "weibo", "published_at": NOW.isoformat()}
    return {
        "mentions": {"a": first},
        "figures": {
            propagation.FIGURE: {
                "first_cite": "m:a",
                "first_account": "普通用户",
                "edges": 30,
                "depth": 3,
                "virality": 2.1,
                "hours_to_100": None,
                "spreaders": [
                    {"author": a, "account": k, "brought_in": n, "cite": c}
                    for a, k, n, c in spreaders
                ],
            }
        },
    }


def test_a_key_spreader_with_two_posts_is_named_once() -> None:
    pack = _pack_with_spreaders(
        [
            ("江州市场监管", "官方", 15, "m:b"),
            ("江州发布", "官方", 12, "m:c"),
            ("江州市场监管", "官方", 11, "m:d"),
        ]
    )
    [para] = propagation.paragraphs(pack, TEMPLATES, sentence, _author, when)
    nodes = next(s for s in para if s["text"].startswith("关键传播节点"))
    assert nodes["text"] == (
        "关键传播节点：江州市场监管（官方，2条帖子共带来26条）、江州发布（官方，带来12条）。"
    )
    assert set(nodes["cites"]) >= {"m:b", "m:c", "m:d"}  # every post still cited


def test_the_spread_shape_is_told_in_plain_words() -> None:
    """结构病毒性 is a research term: the 专报 says what the figure means."""
    pack = _pack_with_spreaders([("江州发布", "官方", 12, "m:c")])
    [para] = propagation.paragraphs(pack, TEMPLATES, sentence, _author, when)
    shape = next(s["text"] for s in para if s["text"].startswith("已还原"))
    assert "结构病毒性" not in shape
    assert "接力转发程度2.1（约2为一发众转，越大越是层层接力）" in shape


def test_a_special_report_does_not_name_its_own_event_as_the_hottest(
    made: DashboardArchive,
) -> None:
    event = _build(made, "event", event_id="ev-lift")
    overview = [s["text"] for p in event["sections"][0]["paragraphs"] for s in p]
    assert overview and not any("热度较高的事件" in text for text in overview), overview
    daily = _build(made, "daily", day=DAY)
    assert any("热度较高的事件" in s["text"] for p in daily["sections"][0]["paragraphs"] for s in p)


def test_the_data_notes_are_chinese_sentences_in_beijing_time(
    made: DashboardArchive, tmp_path: Path
) -> None:
    """数据说明 printed each figure's query as a JSON line with ISO (and, in a 专报, UTC)
    times; the reader is a press officer. The exact query stays in the stored pack."""
    for pack in (_build(made, "daily", day=DAY), _build(made, "event", event_id="ev-lift")):
        doc = Document(str(render_docx(pack, tmp_path / f"{pack['kind']}.docx")))
        notes = doc.tables[-1]
        rows = [[cell.text for cell in row.cells] for row in notes.rows]
        assert rows[0] == ["数据项", "统计口径"]
        for label, text in rows[1:]:
            assert not re.search(r"[{}\"]|\d{4}-\d\d-\d\dT|\+00:00", text), (label, text)
            assert text.endswith("。"), (label, text)
        said = dict((label, text) for label, text in rows[1:])
        assert "（北京时间）" in said["相关信息总量"]
        assert pack["figures"]["volume"]["query"]["filters"]["since"]  # kept in the pack
    assert "事件为“江州商场电梯困人”" in said["声量走势"]  # the 专报's event by its title
    daily = queries(_build(made, "daily", day=DAY))
    events = next(text for label, text in daily if label == "重点事件")
    assert "至少3条信息、2个不同发布者" in events and "预警线 50" in events
    volume = next(text for label, text in daily if label == "相关信息总量")
    assert volume.startswith("2026年11月20日 00:00至2026年11月21日 00:00（北京时间）")


def test_a_quoted_title_with_its_own_quotes_nests_them() -> None:
    """““鲜岛紫菜是塑料做的”系谣言…” read as two quotations: inner quotes become ‘’."""
    line = TEMPLATES.overview_events(["“" + prose_env.nested("“鲜岛紫菜是塑料做的”系谣言") + "”"])
    assert line == "热度较高的事件为“‘鲜岛紫菜是塑料做的’系谣言”。"
    assert TEMPLATES.event_official("11月17日", "关于“塑料紫菜”的说明") == (
        "官方已于11月17日发布“关于‘塑料紫菜’的说明”。"
    )


def test_a_special_reports_lead_does_not_repeat_its_total_as_new_in_this_period(
    made: DashboardArchive,
) -> None:
    """A 专报 covers its event's whole life: "累计168条，本期新增168条" said one thing twice."""
    leads = [t for t in _texts(_build(made, "event", event_id="ev-lift")) if "累计相关信息" in t]
    assert leads and not any("本期新增" in t for t in leads), leads
    from reports.prose_env import module

    lead = module("sentences.zh.j2").event_lead
    older = lead("电梯困人", "11月19日", "微博", 9, 4, "14.9（中）", "新出现", "目前")
    assert "累计相关信息9条，本期新增4条，热度" in older, older
    daily = [t for t in _texts(_build(made, "daily", day=DAY)) if "累计相关信息" in t]
    assert daily and all("本期新增" in t for t in daily), daily  # all new that day: said so

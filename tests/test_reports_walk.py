"""What a spokesperson reads in a briefing's .docx: found by reading the 日报 and 专报 of the
wangjiang_canteen drill (docs/scenarios.md).

- Endnotes named sources by their ids (``weibo-search``, ``lcxw-news``): now by the name
  people read (``display_name``).
- A government account's 情况通报 on Weibo, counted negative, was quoted under 【批评质疑】
  and a government account under 【意见领袖】: the authorities are 【官方】.
- A 专报 of an event with obligations done late ended with 本期未发现需要特别处置的情况.
- The 专报's 编号 was the event's raw id.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from alerts.obligations import complete
from archive import open_archive
from archive.models import Analysis, Mention, Obligation
from core.clock import SimulatedClock
from core.config import load_config
from reports.build import build_report
from reports.docx_render import render_docx
from tests.support.dashboard_fixtures import NOW, DashboardArchive, build_archive

DAY = date(2026, 11, 20)
HOUR = timedelta(hours=1)
NAMES = {
    "demo-news": "江州日报",
    "demo-weibo": "微博搜索（江州 市场监管）",
    "demo-rss": "民生财经（RSS）",
    "demo-official": "江州市市场监管局网站",
}
# A government account's notice: negative words, much travelled (the most engaged post).
NOTICE = Mention(
    id="gov-notice",
    source="demo-weibo",
    platform="weibo",
    kind="post",
    url="http://127.0.0.1/item/gov-notice",
    title="",
    text="【情况通报】江州商场电梯困人事件：3人受伤送医，我局已责令停用涉事电梯并立案调查。",
    published_at=NOW - 2 * HOUR,
    fetched_at=NOW - 2 * HOUR,
    author="江州市场监管",
    metrics={"verified": True, "verified_type": 1, "followers": 186_902, "reposts": 900,
             "comments": 400, "likes": 2000},
)  # fmt: skip


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    made = build_archive(tmp_path_factory.mktemp("walk-reports"))
    text = made.config.read_text(encoding="utf-8")
    for source, name in NAMES.items():
        text = text.replace(f"{{name: {source},", f"{{name: {source}, display_name: {name},")
    made.config.write_text(text, encoding="utf-8")
    with open_archive(made.db) as archive:
        archive.upsert_mentions([NOTICE])
        archive.upsert_analyses(
            [Analysis(NOTICE.id, relevant=True, relevance=0.9, sentiment="negative",
                      event_id="ev-lift")]
        )  # fmt: skip
        late, _ = archive.ledger.open_obligation(
            Obligation(kind="response", subject="ev-lift", title="回应关切：江州商场电梯困人",
                       opened_at=NOW - 3 * HOUR, due_at=NOW - 2 * HOUR - 30 * 60 * HOUR / 3600,
                       event_id="ev-lift")
        )  # fmt: skip
        assert late.id is not None
        complete(archive, late.id, "root", NOTICE.url, SimulatedClock(NOW), at=NOW - 2 * HOUR)
    return made


def _docx(made: DashboardArchive, tmp_path: Path, kind: str, **kw: Any) -> list[str]:
    with open_archive(made.db) as archive:
        pack = build_report(archive, kind, NOW, load_config(made.config), **kw)
    doc = Document(str(render_docx(pack, tmp_path / f"{kind}.docx")))
    return [p.text for p in doc.paragraphs if p.text.strip()]


def test_endnotes_and_source_sentences_name_sources_not_ids(
    made: DashboardArchive, tmp_path: Path
) -> None:
    texts = _docx(made, tmp_path, "daily", day=DAY)
    notes = [t for t in texts if re.match(r"\[\d+\] ", t)]
    assert notes
    assert any("微博搜索（江州 市场监管）（江州市场监管）" in n for n in notes)
    body = "\n".join(texts)
    for source in NAMES:
        assert source not in body, source
    # demo-weibo's last run failed (the fixture): named as people know it
    assert "采集源微博搜索（江州 市场监管）最近一次成功采集于" in body


def test_government_accounts_are_quoted_as_official(made: DashboardArchive, tmp_path: Path) -> None:
    texts = _docx(made, tmp_path, "daily", day=DAY)
    views = ("【官方】", "【媒体】", "【意见领袖】", "【网民】", "【批评质疑】")
    quoted = [t for t in texts if "【情况通报】江州商场电梯困人事件" in t and t.startswith(views)]
    assert [t[: t.index("】") + 1] for t in quoted] == ["【官方】"]
    wrong = ("【批评质疑】江州市场监管", "【意见领袖】江州市场监管")
    assert not any(t.startswith(wrong) for t in texts)


def test_the_event_briefing_advises_on_late_duties_and_has_a_readable_number(
    made: DashboardArchive, tmp_path: Path
) -> None:
    texts = _docx(made, tmp_path, "event", event_id="ev-lift")
    body = "\n".join(texts)
    assert "逾期办结" in body
    assert "建议复盘逾期办结的处置任务1项" in body
    assert "本期未发现需要特别处置的情况" not in body
    assert "ev-lift" not in body
    # first seen 11-20 11:00 (Beijing), after ev-milk (06:00) and ev-toy (09:00) that day
    assert "专报〔2026〕1120-3号" in texts

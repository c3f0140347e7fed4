"""What a spokesperson reads in a briefing's .docx: found by reading the 日报 and 专报 of the
wangjiang_canteen drill (docs/scenarios.md).

- Endnotes named sources by their ids (``weibo-search``, ``lcxw-news``): now by the name
  people read (``display_name``).
- A government account's 情况通报 on Weibo, counted negative, was quoted under 【批评质疑】
  and a government account under 【意见领袖】: the authorities are 【官方】.
- A 专报 of an event with obligations done late ended with 本期未发现需要特别处置的情况.
- The 专报's 编号 was the event's raw id.
- 三、谣言与澄清 listed only posts scored ≥ 0.7, so the day's false death claim — answered by
  a 辟谣 and a clarification duty, its posts scored lower — read 本期未监测到谣言.
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
from archive.models import Alert, Analysis, Event, Mention, Obligation, Reason
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


# A false claim the rumour rule raised on a debunk's match, its post scored low; the alert's
# evidence also names the event's first source, which is not the claim.
FIRST = Mention(
    id="claim-first", source="demo-news", platform="news", kind="article",
    url="http://127.0.0.1/item/claim-first", title="外省一商场扶梯夹伤儿童",
    text="外省一商场扶梯夹伤儿童，当地已责令停用。", published_at=NOW - 4 * HOUR,
    fetched_at=NOW - 4 * HOUR, author="记者甲",
)  # fmt: skip
CLAIM = Mention(
    id="claim-post", source="demo-weibo", platform="weibo", kind="post",
    url="http://127.0.0.1/item/claim-post", title="",
    text="听说商场电梯事故已经死了五个人，官方在瞒报", published_at=NOW - HOUR,
    fetched_at=NOW - HOUR, author="路人乙",
)  # fmt: skip


def _claim(archive: Any) -> None:
    archive.upsert_mentions([FIRST, CLAIM])
    archive.upsert_analyses(
        [Analysis(m.id, relevant=True, relevance=0.9, rumor_score=0.3, event_id="ev-claim")
         for m in (FIRST, CLAIM)]
    )  # fmt: skip
    archive.upsert_event(
        Event(id="ev-claim", title="网传商场电梯事故死亡五人", first_seen=NOW - 4 * HOUR,
              last_seen=NOW - HOUR, mention_count=2, heat=3.0, status="emerging")
    )  # fmt: skip
    alert, _ = archive.ledger.upsert_alert(
        Alert(rule="rumours", subject="event:ev-claim", level="warning", title="网传死亡五人",
              first_at=NOW - HOUR, last_at=NOW - HOUR, event_id="ev-claim",
              evidence=[Reason("spread", "首发：记者甲", 0.0, FIRST.id),
                        Reason("signal", "疑似不实说法：已经死了五个人", 0.0),
                        Reason("post", "传播帖：听说商场电梯事故", 0.0, CLAIM.id)])
    )  # fmt: skip
    duty, _ = archive.ledger.open_obligation(
        Obligation(kind="clarification", subject="event:ev-claim", title="澄清事实：网传死亡五人",
                   opened_at=NOW - HOUR, due_at=NOW + 23 * HOUR, event_id="ev-claim",
                   alert_id=alert.id, evidence=[FIRST.id, CLAIM.id])
    )  # fmt: skip
    complete(archive, duty.id, "root", "http://127.0.0.1/item/m06", SimulatedClock(NOW))


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
        _claim(archive)
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
    # first seen 11-20 11:00 (Beijing), after ev-milk (06:00), ev-toy (09:00) and ev-claim
    # (10:00) that day
    assert "专报〔2026〕1120-4号" in texts


def test_a_false_claim_owed_a_clarification_is_reported_whatever_its_score(
    made: DashboardArchive, tmp_path: Path
) -> None:
    texts = _docx(made, tmp_path, "event", event_id="ev-claim")
    section = texts[texts.index("三、谣言与澄清") + 1 : texts.index("四、处置情况")]
    body = "".join(section)
    # Quoted in the words the rumour rule identified it by (the alert's 疑似不实说法, as the
    # dashboard's claim panel shows it), dated and cited by the post that spread it.
    assert "网传信息“已经死了五个人”（11月20日13:00）经研判为须澄清的不实信息" in body
    assert "澄清义务“澄清事实：网传死亡五人”已于11月20日14:00办结" in body
    assert "外省一商场扶梯" not in body  # the event's first source is not the claim
    assert "本期未监测到" not in body

"""A 日报 on a past day describes that day: found walking the wangjiang_canteen drill, where
``yuqing report daily --date 2026-11-17`` generated after the replay said of the kindergarten
poisoning 热度0.0，处于平息阶段 on its peak day and missed the release and press-conference
duties recorded that day (counted by their backdated trigger). Over a real SQLite archive,
duties opened with their audit entries as the alert stage writes them, read in the .docx."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from alerts.firing import system_entry
from alerts.obligations import complete
from archive import open_archive
from archive.models import Analysis, Event, Mention, Obligation
from core.clock import SHANGHAI, SimulatedClock
from reports.build import build_report
from reports.docx_render import render_docx

DAY = date(2026, 11, 17)
GENERATED = datetime(2026, 11, 22, 8, 0, tzinfo=SHANGHAI)  # after the replay
TITLE = "望江区晨曦幼儿园多名幼儿呕吐送医"


def _at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


# The story's posts: eight on 11-17 from 15:05, two the next morning.
TIMES = [
    _at(17, 15, 5), _at(17, 15, 40), _at(17, 16, 58), _at(17, 17, 50), _at(17, 18, 20),
    _at(17, 18, 40), _at(17, 21, 0), _at(17, 22, 10), _at(18, 10, 50), _at(18, 12, 0),
]  # fmt: skip


def _mentions() -> list[Mention]:
    return [
        Mention(
            id=f"k{i}", source="demo-weibo", platform="weibo", kind="post",
            url=f"http://127.0.0.1/item/k{i}", title="",
            text=f"晨曦幼儿园多名幼儿呕吐发热送医，家长在园门口等候（第{i}条）", published_at=at,
            fetched_at=at, author=f"网友{i}", metrics={"reposts": 20, "comments": 10},
        )
        for i, at in enumerate(TIMES)
    ]  # fmt: skip


def _duty(archive: Any, ob: Obligation, recorded: datetime, done: datetime | None) -> None:
    """Open ``ob`` as the alert stage does (its ``obligation.opened`` audit entry at the time
    it was recorded), and close it at ``done``."""
    entry = system_entry(recorded, "obligation.opened", "obligation", kind=ob.kind)
    stored, _ = archive.ledger.open_obligation_audited(ob, entry)
    assert stored.id is not None
    if done is not None:
        complete(archive, stored.id, "system", "http://127.0.0.1/item/k5", SimulatedClock(done))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("past-day") / "yuqing.db"
    with open_archive(path) as archive:
        posts = _mentions()
        archive.upsert_mentions(posts)
        archive.upsert_analyses(
            [Analysis(m.id, relevant=True, relevance=0.9, event_id="ev-k") for m in posts]
        )
        # The event as the analysis left it at the end of the replay: cooled to nothing.
        archive.upsert_event(
            Event(id="ev-k", title=TITLE, first_seen=TIMES[0], last_seen=TIMES[-1],
                  mention_count=len(posts), heat=0.0, status="closed", platforms={"weibo": 10})
        )  # fmt: skip
        trigger = TIMES[0]
        _duty(archive, Obligation(kind="authoritative_release", subject="event:ev-k",
                                  title=f"发布权威信息：{TITLE}", opened_at=trigger,
                                  due_at=trigger + timedelta(hours=5), event_id="ev-k"),
              _at(17, 19), done=_at(17, 19, 55))  # fmt: skip
        _duty(archive, Obligation(kind="press_conference", subject="event:ev-k",
                                  title=f"召开新闻发布会：{TITLE}", opened_at=trigger,
                                  due_at=trigger + timedelta(hours=24), event_id="ev-k"),
              _at(17, 19), done=_at(18, 10, 50))  # fmt: skip
        # A penalty decided a month before, first seen on 11-17: opened backdated, 补登.
        _duty(archive, Obligation(kind="penalty_disclosure", subject="doc:p247",
                                  title="公开行政处罚信息：江市监处罚〔2026〕247号",
                                  opened_at=_at(16, 0, month=10), due_at=_at(13, 23, 59),
                                  late_reason="补登：开启时已超期 3天10小时"),
              _at(17, 10), done=_at(17, 10))  # fmt: skip
    return path


def _daily(db: Path, tmp_path: Path, day: date) -> tuple[dict[str, Any], str]:
    with open_archive(db) as archive:
        pack = build_report(archive, "daily", GENERATED.astimezone(), day=day)
    doc = Document(str(render_docx(pack, tmp_path / f"{day}.docx")))
    return pack, "\n".join(p.text for p in doc.paragraphs if p.text.strip())


def test_an_event_is_described_as_it_stood_at_the_days_end(db: Path, tmp_path: Path) -> None:
    pack, body = _daily(db, tmp_path, DAY)
    row = pack["figures"]["events"]["rows"][0]
    # Eight posts by 11-17 24:00 (not the ten of today), all that day; heat then, not 0.0.
    assert (row["mention_count"], row["in_period"]) == (8, 8)
    assert row["platforms"] == {"weibo": 8}
    assert row["heat"] > 1.0 and row["status"] != "closed"
    lead = next(line for line in body.splitlines() if line.startswith(f"【{TITLE}】"))
    assert "截至11月17日24时累计相关信息8条，本期新增8条" in lead
    assert "热度0.0" not in lead and "平息" not in lead and "目前" not in lead


def test_the_duties_recorded_that_day_with_their_state_at_its_end(db: Path, tmp_path: Path) -> None:
    _pack, body = _daily(db, tmp_path, DAY)
    assert "本期新增处置任务3项（其中补登1项）" in body
    assert "截至11月17日24时，按时办结1项，逾期办结1项，逾期未办结0项，正在办理1项" in body
    assert (
        f"“召开新闻发布会：{TITLE}”于11月17日19:00登记，办理时限为11月18日15:05，"
        "截至11月17日24时正在办理" in body
    )  # done the next morning: still being handled at the day's end
    assert (
        "“公开行政处罚信息：江市监处罚〔2026〕247号”于11月17日10:00登记"
        "（补登：期限自10月16日00:00起算），办理时限为11月13日23:59，截至11月17日24时已逾期办结"
        in body
    )
    # Its endnote says both moments, not 开启于 a day it was not yet known.
    assert "247号，期限起算于10月16日00:00，登记于11月17日10:00，时限11月13日23:59" in body


def test_a_backdated_duty_is_not_reported_on_the_day_of_its_trigger(
    db: Path, tmp_path: Path
) -> None:
    _pack, body = _daily(db, tmp_path, date(2026, 10, 16))
    assert "247号" not in body
    assert "本期无新增或在办的处置任务" in body


def test_the_next_day_carries_the_open_duty_and_closes_it(db: Path, tmp_path: Path) -> None:
    pack, body = _daily(db, tmp_path, date(2026, 11, 18))
    groups = pack["figures"]["obligations"]["groups"]
    assert "opened" not in groups  # nothing recorded on 11-18
    assert len(groups["on_time"]) == 1  # the press conference, done 11-18 10:50
    assert "本期新增处置任务0项；连同此前未办结的任务，截至11月18日24时，按时办结1项" in body
    assert "发布权威信息" not in body.split("四、处置情况")[1].split("五、")[0]

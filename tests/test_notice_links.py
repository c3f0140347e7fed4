"""An inspection notice joins the public's event on the same firm (issue 23), through the real
analysis stage: the notice arriving while the public talks joins their event; posts arriving
after a notice join its event; a post on another firm of the same notice does not; and the
inspection alert on a 临川 producer is 临川区's."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.stage import evaluate
from archive import Archive
from archive.models import Mention
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings
from crawlers.spiders.notices import record_entities, record_line
from nlp.notice_links import RecordKey, firm_stem, named_records, record_keys
from nlp.stage import analyze_new
from tests.support.unit_tree import RECIPIENTS, units

T0 = datetime(2026, 11, 17, 9, 0, tzinfo=SHANGHAI)
FIXTURE = Path(__file__).parent / "fixtures" / "notices" / "records.json"
# The local failed sample, beside the real rows of the attachment fixture (杭州, 深圳, 郑州…).
LOCAL = {
    "product": "婴幼儿配方奶粉",
    "brand": "佳佳",
    "producer": "江州市美味乳业有限公司",
    "producer_address": "江州市临川区工业园8号",
    "sampled_unit": "江州市白沙区惠民超市",
    "region": "江州",
    "failed_item": "蛋白质║1.2g/100kJ║≥1.8g/100kJ",
    "batch": "2026-09-12",
}
POSTS = [
    "临川区美味乳业的佳佳奶粉质量不合格？孩子喝了以后一直拉肚子，市场监管部门管管吧",
    "我家也是买的美味乳业佳佳奶粉，宝宝腹泻三天，已经向12315投诉",
    "江州临川美味乳业奶粉质量问题，家长们要注意，已经有好几个宝宝腹泻",
]


def settings(tmp_path: Path) -> Settings:
    names = ["duty", *RECIPIENTS]
    return Settings.model_validate(
        {
            "rules": [
                {
                    "name": "inspection-local",
                    "type": "inspection",
                    "level": "warning",
                    "recipients": ["duty"],
                    "filters": {"regions": ["江州"]},
                }
            ],
            "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")}],
            "recipients": [{"name": n, "role": "duty", "notifiers": ["log"]} for n in names],
            "units": units(),
        }
    )


def post(i: int, text: str, at: datetime) -> Mention:
    return Mention(
        id=f"post{i}",
        source="weibo-search",
        platform="weibo",
        kind="post",
        url=f"https://weibo.example/{i}",
        text=text,
        author=f"家长{i}",
        published_at=at,
        fetched_at=at + timedelta(minutes=1),
    )


def notice(at: datetime, local: bool = True) -> Mention:
    """A notice as the notices spider stores it: records, their lines in the text, entities."""
    rows: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))[
        "inspection_48.xlsx"
    ][:6]
    records = ([LOCAL] if local else []) + rows
    lines = "\n".join(record_line(r) for r in records)
    return Mention(
        id="notice1",
        source="jz-notices",
        platform="official",
        kind="official",
        url="http://127.0.0.1/notices/art_50.html",
        title="江州市市场监督管理局关于6批次食品抽检不合格情况的通告",
        text="近期，江州市市场监督管理局组织抽检食品，检出不合格样品，现将抽检结果公布如下。"
        f"不合格食品已责令企业召回，依法查处。\n{lines}",
        published_at=at,
        fetched_at=at + timedelta(minutes=5),
        extra={
            "doc_type": "inspection",
            "records": records,
            "record_count": len(records),
            "entities": record_entities(records),
        },
    )


def analysed(archive: Archive, tmp_path: Path, at: datetime) -> dict[str, Any]:
    analyze_new(archive, settings(tmp_path), SimulatedClock(at))
    ids = [*(f"post{i}" for i in range(len(POSTS) + 1)), "notice1"]
    return archive.get_analyses(ids)


def test_firm_names_as_people_write_them() -> None:
    assert firm_stem("江州市美味乳业有限公司") == "美味乳业"
    assert firm_stem("浙江省杭州市余杭区禾丰食品股份有限公司") == "禾丰食品"
    assert firm_stem("美味有限公司") == ""  # 美味 alone is an ordinary word
    keys = record_keys(notice(T0))
    assert RecordKey("美味乳业", "佳佳", "婴幼儿配方奶粉") in keys
    assert not RecordKey("", "佳佳", "婴幼儿配方奶粉").named_in("佳佳奶粉")
    assert record_keys(post(0, POSTS[0], T0)) == ()
    # The official finding on what the posts talk about: the local record only.
    named = named_records(notice(T0), POSTS)
    assert [r["producer"] for r in named] == ["江州市美味乳业有限公司"]
    assert named_records(notice(T0), ["今天天气不错"]) == []


def test_a_notice_joins_the_event_the_public_started(archive: Archive, tmp_path: Path) -> None:
    archive.upsert_mentions(
        [post(i, text, T0 + i * timedelta(minutes=20)) for i, text in enumerate(POSTS)]
    )
    first = analysed(archive, tmp_path, T0 + timedelta(hours=1))
    event_id = first["post0"].event_id
    assert event_id and {first[f"post{i}"].event_id for i in range(3)} == {event_id}

    archive.upsert_mentions([notice(T0 + timedelta(hours=2))])
    found = analysed(archive, tmp_path, T0 + timedelta(hours=3))
    assert found["notice1"].event_id == event_id
    why = [r.text for r in found["notice1"].reasons if r.text.startswith("关联事件")]
    assert why == ["关联事件：抽检公告所列美味乳业（3 条帖文提及）"]
    event = archive.get_event(event_id)
    assert event is not None and event.mention_count == 4
    assert (event.platforms or {}).get("official") == 1  # the official finding is a member


def test_posts_after_a_notice_join_its_event_for_its_firm_only(
    archive: Archive, tmp_path: Path
) -> None:
    archive.upsert_mentions([notice(T0)])
    first = analysed(archive, tmp_path, T0 + timedelta(minutes=30))
    notice_event = first["notice1"].event_id
    assert notice_event
    later = [post(i, text, T0 + timedelta(hours=1, minutes=10 * i)) for i, text in enumerate(POSTS)]
    # Another firm of the same notice (a real row of the fixture: 深圳市味源食品's water).
    later.append(
        post(
            3,
            "深圳味源食品的纯净水质量不合格？喝着有怪味，市场监管部门查查吧",
            T0 + timedelta(hours=2),
        )
    )
    archive.upsert_mentions(later)
    found = analysed(archive, tmp_path, T0 + timedelta(hours=3))
    assert {found[f"post{i}"].event_id for i in range(3)} == {notice_event}
    reasons = [r.text for r in found["post0"].reasons]
    assert "关联事件：抽检公告所列美味乳业" in reasons
    assert found["post3"].event_id != notice_event  # the event is about 美味乳业's milk powder


def test_the_inspection_alert_is_the_local_producers_unit(archive: Archive, tmp_path: Path) -> None:
    archive.upsert_mentions([notice(T0)])
    analysed(archive, tmp_path, T0 + timedelta(minutes=30))
    report = evaluate(archive, settings(tmp_path), SimulatedClock(T0 + timedelta(hours=1)))
    assert report.messages_queued
    told = {m.recipient for m in archive.ledger.list_messages(limit=100)}
    # The producer is in 临川区 (sampled in 白沙区 and published by the city): 临川 is told.
    assert told == {"duty", "linchuan-duty"}

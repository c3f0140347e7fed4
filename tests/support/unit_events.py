"""The city of 江州 and its two districts with a handling time for 重大, and events planted
straight into the archive (members, analyses, the event with its grade): shared by the tests of
unit routing on the alert path."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from archive import Archive
from archive.models import Analysis, Event, Mention, Reason
from core.clock import SHANGHAI

T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)  # a Tuesday


def units() -> dict[str, Any]:
    return {
        "id": "jiangzhou",
        "name": "江州市市场监督管理局",
        "level": "city",
        "region_names": ["江州市", "江州"],
        "recipients": ["city-duty"],
        "handling": {"重大": "4h"},
        "children": [
            {
                "id": "linchuan",
                "name": "江州市临川区市场监督管理局",
                "level": "county",
                "region_names": ["临川区", "临川"],
                "recipients": ["linchuan-duty"],
            },
            {
                "id": "baisha",
                "name": "江州市白沙区市场监督管理局",
                "level": "county",
                "region_names": ["白沙区", "白沙"],
                "recipients": ["baisha-duty"],
            },
        ],
    }


def mention(mid: str, text: str, at: datetime = T0, **fields: Any) -> Mention:
    return Mention(
        id=mid,
        source=fields.pop("source", "news"),
        platform=fields.pop("platform", "news"),
        kind=fields.pop("kind", "article"),
        url=f"http://127.0.0.1/{mid}",
        text=text,
        published_at=at,
        fetched_at=at + timedelta(minutes=2),
        **fields,
    )


def add_event(archive: Archive, eid: str, severity: str, texts: list[str]) -> None:
    members = [mention(f"{eid}-{i}", text) for i, text in enumerate(texts)]
    archive.upsert_mentions(members)
    archive.upsert_analyses(
        Analysis(m.id, True, 0.9, topics=["特种设备"], event_id=eid, analyzed_at=T0)
        for m in members
    )
    archive.upsert_event(
        Event(
            id=eid,
            title=texts[0][:20],
            first_seen=T0,
            last_seen=T0 + timedelta(minutes=30),
            mention_count=len(members),
            heat=50.0,
            topics=["特种设备"],
            region="江州",
            severity=severity,
            severity_basis=[Reason("figure", "死亡 10 人", 10.0, members[0].id)],
        )
    )

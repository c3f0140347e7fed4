"""The archive contract: what every backend must do.

Every test runs against both real backends: SQLite (a file in a temporary folder) and
Elasticsearch (a real node started once per session, a fresh index prefix per test).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import timedelta

import pytest

from archive.base import Archive, ArchiveError
from archive.models import (
    Alert,
    Analysis,
    AuditEntry,
    Event,
    Obligation,
    OutboxMessage,
    Reason,
    Reject,
    SourceState,
)
from archive.query import QueryError
from archive.search import SearchFilters, SearchRequest
from tests.conftest import BACKENDS, T0, each_backend, make_mention

TEXTS = [
    "江州市一小区电梯坠落，造成2人死亡、11人受伤，市场监管局已介入调查",
    "网传某品牌紫菜是塑料做的？专家：假的，紫菜泡水后韧性好是正常现象",
    "今天天气晴朗，适合出游，周末去爬山",
    "市场监管总局发布电动自行车锂电池召回公告，涉及缺陷产品三万余件",
    "临川区查处一批假冒伪劣白酒，依法作出行政处罚决定",
    "电梯维保单位被约谈，特种设备安全检查全面展开",
]


# Overrides the SQLite-only fixture of conftest: one run per backend.
archive = pytest.fixture(params=BACKENDS, name="archive")(each_backend)


@pytest.fixture
def filled(archive: Archive) -> Archive:
    archive.upsert_mentions(make_mention(i, TEXTS[i % len(TEXTS)]) for i in range(24))
    archive.upsert_analyses(
        [
            Analysis(
                mention_id=f"m{i:04d}",
                relevant=i % 6 != 2,
                relevance=0.9 if i % 6 != 2 else 0.1,
                topics=["special_equipment"] if i % 6 in (0, 5) else ["food_safety"],
                sentiment="negative" if i % 6 in (0, 1) else "neutral",
                rumor_score=0.95 if i % 6 == 1 else 0.05,
                event_id="e-elevator" if i % 6 in (0, 5) else None,
            )
            for i in range(24)
        ]
    )
    return archive


def ids(archive: Archive, query: str, **kwargs: object) -> list[str]:
    result = archive.search(SearchRequest(query=query, limit=100, **kwargs))  # type: ignore[arg-type]
    return [hit.mention.id for hit in result.hits]


# ---- mentions ------------------------------------------------------------------------------
def test_upsert_is_idempotent_and_tracks_changes(archive: Archive) -> None:
    mentions = [make_mention(i, TEXTS[i % 6]) for i in range(10)]
    first = archive.upsert_mentions(mentions)
    again = archive.upsert_mentions(mentions)
    assert (first.inserted, again.inserted, again.unchanged) == (10, 0, 10)
    assert archive.count_mentions() == 10
    position = archive.latest_position()

    changed = replace(mentions[3], text=mentions[3].text + "（更新）", metrics={"reposts": 5})
    result = archive.upsert_mentions([changed])
    assert (result.updated, archive.count_mentions()) == (1, 10)
    # The change is seen by a stage reading after its cursor, once.
    assert [m.id for _, m in archive.mentions_since(position, 100)] == [changed.id]
    stored = archive.get_mention(changed.id)
    assert stored is not None and stored.metrics == {"reposts": 5}
    assert stored.published_at == changed.published_at


def test_moved_publication_time_keeps_analysis_and_search(archive: Archive) -> None:
    mention = make_mention(1, "电梯困人事件")
    archive.upsert_mentions([mention])
    archive.upsert_analyses(
        [
            Analysis(
                mention_id=mention.id,
                relevant=True,
                relevance=0.8,
                topics=["special_equipment"],
                event_id="e1",
            )
        ]
    )
    moved = replace(mention, published_at=mention.published_at - timedelta(days=3))
    assert archive.upsert_mentions([moved]).updated == 1
    assert ids(archive, "电梯") == [mention.id]
    assert ids(archive, "topic:special_equipment") == [mention.id]
    assert archive.get_analyses([mention.id])[mention.id].event_id == "e1"
    assert [m.id for m in archive.event_mentions("e1")] == [mention.id]


def test_mentions_since_pages_in_change_order(archive: Archive) -> None:
    archive.upsert_mentions(make_mention(i, TEXTS[i % 6]) for i in range(7))
    seen: list[str] = []
    position = 0
    while batch := archive.mentions_since(position, 3):
        seen.extend(m.id for _, m in batch)
        position = batch[-1][0]
    assert sorted(seen) == [f"m{i:04d}" for i in range(7)] and len(seen) == 7


# ---- search --------------------------------------------------------------------------------
def test_chinese_words_are_found(filled: Archive) -> None:
    # SQLite's own tokenizers would treat 江州市一小区电梯坠落 as one token: jieba splits it.
    assert set(ids(filled, "电梯")) == {f"m{i:04d}" for i in range(24) if i % 6 in (0, 5)}
    assert set(ids(filled, "紫菜")) == {f"m{i:04d}" for i in range(24) if i % 6 == 1}
    assert ids(filled, "不存在的词语组合") == []


def test_query_language(filled: Archive) -> None:
    elevator = {f"m{i:04d}" for i in range(24) if i % 6 in (0, 5)}
    recall = {f"m{i:04d}" for i in range(24) if i % 6 == 3}
    assert set(ids(filled, "电梯 OR 召回")) == elevator | recall
    assert set(ids(filled, "电梯 -维保")) == {f"m{i:04d}" for i in range(24) if i % 6 == 0}
    assert set(ids(filled, '"电梯坠落"')) == {f"m{i:04d}" for i in range(24) if i % 6 == 0}
    assert set(ids(filled, "电梯 platform:weibo")) == {m for m in elevator if int(m[1:]) % 2}
    assert set(ids(filled, "-platform:weibo 电梯")) == {m for m in elevator if not int(m[1:]) % 2}
    assert set(ids(filled, "sentiment:negative 电梯")) == {
        f"m{i:04d}" for i in range(24) if i % 6 == 0
    }
    assert set(ids(filled, "event:e-elevator")) == elevator
    assert set(ids(filled, "-天气")) == {f"m{i:04d}" for i in range(24) if i % 6 != 2}


def test_filters(filled: Archive) -> None:
    since, until = T0 + timedelta(hours=6), T0 + timedelta(hours=12)
    window = ids(filled, "", filters=SearchFilters(since=since, until=until))
    assert window == [f"m{i:04d}" for i in range(11, 5, -1)]  # newest first, until exclusive
    assert set(ids(filled, "", filters=SearchFilters(rumor_min=0.9))) == {
        f"m{i:04d}" for i in range(24) if i % 6 == 1
    }
    assert set(
        ids(filled, "", filters=SearchFilters(topics=["special_equipment"], regions=["江州市"]))
    ) == {f"m{i:04d}" for i in range(24) if i % 6 in (0, 5) and i % 3 == 0}
    assert len(ids(filled, "", filters=SearchFilters(relevant_only=True))) == 20


def test_keyset_pagination_visits_every_hit_once(filled: Archive) -> None:
    for sort in ("time", "relevance"):
        request = SearchRequest(query="电梯 OR 紫菜 OR 召回", sort=sort, limit=4)
        seen: list[str] = []
        while True:
            result = filled.search(request)
            seen.extend(hit.mention.id for hit in result.hits)
            if result.next_cursor is None:
                break
            request = replace(request, after=result.next_cursor)
        assert len(seen) == len(set(seen)) == 16, sort
        assert result.total == 16 and result.total_exact


def test_relevance_ranks_denser_matches_first(archive: Archive) -> None:
    archive.upsert_mentions(
        [
            make_mention(1, "今天说一说电梯"),
            make_mention(2, "电梯电梯电梯：电梯安全"),
        ]
    )
    assert ids(archive, "电梯", sort="relevance") == ["m0002", "m0001"]


def test_facets_and_histogram(filled: Archive) -> None:
    facets = filled.facets(SearchRequest(query="电梯"), ["platform", "topic", "sentiment"])
    assert {f.value: f.count for f in facets["platform"]} == {"news": 4, "weibo": 4}
    assert {f.value: f.count for f in facets["topic"]} == {"special_equipment": 8}
    assert {f.value: f.count for f in facets["sentiment"]} == {"negative": 4, "neutral": 4}
    buckets = filled.histogram(SearchRequest(), "day")
    # T0 is 08:00 Beijing time: hours 0..15 fall on 11-16, 16..23 on 11-17 (Beijing days).
    assert [(b.start.isoformat(), b.count) for b in buckets] == [
        ("2026-11-15T16:00:00+00:00", 16),
        ("2026-11-16T16:00:00+00:00", 8),
    ]


def test_hits_name_the_matched_words(filled: Archive) -> None:
    result = filled.search(SearchRequest(query="电梯 OR 紫菜", limit=30))
    assert len(result.hits) == 12
    for hit in result.hits:
        assert {"电梯", "紫菜"} & set(hit.matched_terms), hit.matched_terms


def test_hourly_histogram_and_bad_interval(filled: Archive) -> None:
    buckets = filled.histogram(SearchRequest(query="电梯"), "hour")
    hours = [0, 5, 6, 11, 12, 17, 18, 23]
    assert [(b.start, b.count) for b in buckets] == [(T0 + timedelta(hours=h), 1) for h in hours]
    with pytest.raises(ArchiveError):
        filled.histogram(SearchRequest(), "week")


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "a OR", "OR b", "nofield:value", "platform:", '""', "电梯 OR -天气", "x" * 600],
)
def test_bad_queries_give_clear_errors(filled: Archive, query: str) -> None:
    with pytest.raises(QueryError):
        filled.search(SearchRequest(query=query))


def test_hostile_text_is_searched_literally(filled: Archive) -> None:
    # FTS5 syntax in user text must never be interpreted.
    for query in ['电梯"*', "NEAR(电梯", "电梯 AND", "{title}:x", "电梯^", "'; DROP TABLE"]:
        with contextlib.suppress(QueryError):
            filled.search(SearchRequest(query=query))
    assert filled.count_mentions() == 24


def test_damaged_cursor_is_a_query_error(filled: Archive) -> None:
    with pytest.raises(QueryError):
        filled.search(SearchRequest(query="电梯", after="not-a-cursor"))


# ---- workflow tables -------------------------------------------------------------------------
def test_alerts_are_one_per_rule_and_subject(archive: Archive) -> None:
    alert = Alert(
        rule="major",
        subject="e1",
        level="warning",
        title="电梯事故",
        first_at=T0,
        last_at=T0,
        evidence=[Reason(kind="figure", text="2人死亡")],
    )
    stored, new = archive.ledger.upsert_alert(alert)
    later, again = archive.ledger.upsert_alert(
        replace(alert, level="critical", last_at=T0 + timedelta(1))
    )
    assert new and not again and stored.id == later.id
    assert later.first_at == T0
    [only] = archive.ledger.list_alerts()
    assert only.level == "critical" and only.evidence[0].text == "2人死亡"


def test_obligations_open_once_and_changes_are_audited(archive: Archive) -> None:
    ob = Obligation(
        kind="press_conference",
        subject="e1",
        title="电梯事故发布会",
        opened_at=T0,
        due_at=T0 + timedelta(hours=24),
    )
    stored, new = archive.ledger.open_obligation(ob)
    second, new_again = archive.ledger.open_obligation(ob)
    assert new and not new_again and stored.id == second.id
    archive.ledger.update_obligation(
        replace(stored, status="acknowledged", updated_at=T0), "zhang", "ack"
    )
    fetched = archive.ledger.get_obligation(stored.id or 0)
    assert fetched is not None and fetched.status == "acknowledged"
    [entry] = archive.ledger.list_audit("obligation", str(stored.id))
    assert (entry.actor, entry.action, entry.details["from"], entry.details["to"]) == (
        "zhang",
        "ack",
        "open",
        "acknowledged",
    )
    assert [o.id for o in archive.ledger.list_obligations(["acknowledged"])] == [stored.id]


def test_outbox_queues_once_and_retries(archive: Archive) -> None:
    message = OutboxMessage(
        dedup_key="alert:1:zhang",
        channel="mail",
        recipient="zhang",
        subject="预警",
        body="正文",
        created_at=T0,
        next_attempt_at=T0,
    )
    assert archive.ledger.enqueue(message) and not archive.ledger.enqueue(message)
    [due] = archive.ledger.due_messages(T0)
    archive.ledger.mark_failed(due.id or 0, "connection refused", T0 + timedelta(minutes=1))
    assert archive.ledger.due_messages(T0) == []
    [retry] = archive.ledger.due_messages(T0 + timedelta(minutes=1))
    assert retry.attempts == 1 and retry.last_error == "connection refused"
    archive.ledger.mark_sent(retry.id or 0, T0 + timedelta(minutes=1))
    assert archive.ledger.due_messages(T0 + timedelta(days=1)) == []
    [sent] = archive.ledger.list_messages("sent")
    assert sent.attempts == 2


def test_events_cursors_state_rejects_and_audit(archive: Archive) -> None:
    event = Event(
        id="e1",
        title="电梯事故",
        first_seen=T0,
        last_seen=T0,
        heat=5.0,
        severity="较大",
        severity_basis=[Reason(kind="figure", text="3人死亡")],
    )
    archive.upsert_event(event)
    archive.upsert_event(replace(event, heat=9.0))
    assert [(e.id, e.heat) for e in archive.list_events()] == [("e1", 9.0)]
    assert archive.list_events(active_since=T0 + timedelta(days=1)) == []
    archive.ledger.set_cursor("analyze", 42)
    assert archive.ledger.get_cursor("analyze") == 42 and archive.ledger.get_cursor("other") == 0
    archive.ledger.save_source_state(SourceState(source="s", runs=3, last_error="HTTP 403"))
    assert archive.ledger.get_source_state("s").runs == 3
    assert archive.ledger.get_source_state("new").runs == 0
    archive.ledger.keep_aside(Reject(at=T0, source="s", record="{bad", reason="not JSON"))
    assert archive.ledger.list_rejects("s")[0].reason == "not JSON"
    archive.ledger.audit(
        AuditEntry(at=T0, actor="system", action="x", object_type="t", object_id="1")
    )
    assert archive.ledger.list_audit("t")[0].actor == "system"
    archive.ledger.record_pipeline_time(T0)
    assert archive.ledger.pipeline_time() == T0
    assert archive.stats()["events"] == 1

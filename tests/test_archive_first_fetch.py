"""A mention's first fetch (``Mention.first_fetched_at``): kept through re-crawls, which move
``fetched_at`` (its last fetch), on both backends; filled in archives written before it
(SQLite schema 9, Elasticsearch mapping revision 4); and what counts from it: a claim's grace
and the detection time of the alerts and obligations a post raises."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from alerts.rules import RuleInput, build_rule
from archive import open_archive
from archive.base import Archive
from archive.es.spool import Spool
from archive.models import Analysis, Event, Mention
from archive.sqlite.schema import SCHEMA_VERSION
from core.settings import parse_rule
from nlp.rumor.claims import CLAIM_GRACE
from tests.conftest import BACKENDS, MENTION_FIRST_FETCH_UNDONE, each_backend, make_mention
from tests.support.es_upgrade import older_cluster, older_mapping, opened_now

archive = pytest.fixture(params=BACKENDS, name="archive")(each_backend)

# The Weibo crawl polls a post again every 20 minutes while its figures move.
POLL = timedelta(minutes=20)
CLAIM = "听说商场电梯里挤了十几个人，全掉下去了#电梯#"


def recrawled(mention: Mention, polls: int) -> Mention:
    """``mention`` as the ``polls``-th later crawl brings it: a fresh record (the crawler
    knows no first fetch) with new figures and its own fetch time."""
    return replace(
        mention,
        fetched_at=mention.fetched_at + polls * POLL,
        metrics={"reposts": 100 * polls},
        first_fetched_at=None,
    )


def stored(archive: Archive, mention_id: str) -> Mention:
    found = archive.get_mention(mention_id)
    assert found is not None
    return found


def test_a_recrawl_moves_the_last_fetch_and_keeps_the_first(archive: Archive) -> None:
    post = make_mention(1, CLAIM)
    archive.upsert_mentions([post])
    assert stored(archive, post.id).first_fetched_at == post.fetched_at
    position = archive.latest_position()
    for polls in (1, 2, 3):
        assert archive.upsert_mentions([recrawled(post, polls)]).updated == 1
    again = stored(archive, post.id)
    assert again.fetched_at == post.fetched_at + 3 * POLL  # windows read the last fetch
    assert again.first_fetched_at == again.first_seen == post.fetched_at
    [(_, seen)] = archive.mentions_since(position, 10)  # what a stage reads
    assert (seen.first_seen, seen.fetched_at) == (post.fetched_at, again.fetched_at)
    # A publication time corrected across a month (another index on Elasticsearch) keeps it.
    moved = replace(recrawled(post, 4), published_at=post.published_at - timedelta(days=40))
    assert archive.upsert_mentions([moved]).updated == 1
    assert stored(archive, post.id).first_seen == post.fetched_at
    assert archive.count_mentions() == 1


def test_an_earlier_first_fetch_written_is_kept(archive: Archive) -> None:
    """A copy of an older archive (yuqing's copy into Elasticsearch) brings first fetches
    older than what the target holds; the earlier one stands."""
    post = make_mention(2, CLAIM)
    archive.upsert_mentions([recrawled(post, 2)])
    older = replace(recrawled(post, 3), first_fetched_at=post.fetched_at)
    archive.upsert_mentions([older])
    assert stored(archive, post.id).first_seen == post.fetched_at


def _claim_event(archive: Archive, post: Mention) -> Event:
    event = Event(
        id="ev",
        title="商场电梯",
        first_seen=post.published_at,
        last_seen=post.published_at,
        topics=["特种设备"],
        rumor_score=0.85,
    )
    archive.upsert_event(event)
    analysis = Analysis(
        mention_id=post.id,
        relevant=True,
        relevance=0.9,
        topics=["特种设备"],
        sentiment="negative",
        rumor_score=0.85,
        event_id="ev",
    )
    archive.upsert_analyses([analysis])
    return event


def test_a_claim_ages_past_the_grace_while_its_post_is_refreshed(archive: Archive) -> None:
    post = make_mention(1, CLAIM, metrics={"reposts": 9000})
    archive.upsert_mentions([post])
    _claim_event(archive, post)
    rule = build_rule(parse_rule({"name": "r", "type": "rumor", "min_probability": 0.7}))

    def claims_at(polls: int) -> list[Any]:
        """The rule's event matches when the ``polls``-th re-crawl has just been stored."""
        fresh = recrawled(post, polls)
        archive.upsert_mentions([fresh])
        data = RuleInput(fresh.fetched_at, archive, archive.list_events(), [])
        return [m for m in rule.find(data) if m.subject == "event:ev"]

    assert claims_at(1) == []  # 20 minutes after the first fetch: within the grace
    polls = int(CLAIM_GRACE / POLL) + 1  # every poll refreshed the post's figures
    [match] = claims_at(polls)
    assert match.title == "听说商场电梯里挤了十几个人，全掉下去了"
    # The clarification's clock starts when the post was first seen, not at its last poll.
    assert match.detected_at == post.fetched_at
    assert stored(archive, post.id).fetched_at == post.fetched_at + polls * POLL


def test_a_refreshed_post_is_detected_at_its_first_fetch(archive: Archive) -> None:
    post = make_mention(3, "某品牌电热水壶爆炸，家里厨房全黑了")
    archive.upsert_mentions([post])
    archive.upsert_mentions([recrawled(post, 5)])
    archive.upsert_analyses(
        [Analysis(mention_id=post.id, relevant=True, relevance=0.9, sentiment="negative")]
    )
    rows = [(m, archive.get_analyses([m.id]).get(m.id)) for _, m in archive.mentions_since(0, 9)]
    rule = build_rule(parse_rule({"name": "w", "type": "watch_list", "terms": ["电热水壶"]}))
    now = post.fetched_at + 5 * POLL
    [match] = rule.find(RuleInput(now, archive, [], rows))
    assert (match.detected_at, match.last_at) == (post.fetched_at, now)


def test_a_schema_9_sqlite_archive_takes_each_mentions_fetch_as_its_first(
    tmp_path: Path,
) -> None:
    assert SCHEMA_VERSION >= 10
    path = tmp_path / "old.db"
    post = make_mention(1, CLAIM)
    with open_archive(path) as store:
        store.upsert_mentions([recrawled(post, 2)])
    # Turn the file back into what schema 9 wrote: no first fetch on mentions.
    conn = sqlite3.connect(path)
    conn.executescript(MENTION_FIRST_FETCH_UNDONE + "PRAGMA user_version = 9;")
    conn.close()
    with open_archive(path) as store:
        # Its last fetch is all schema 9 knew; a later re-crawl keeps that one.
        assert stored(store, post.id).first_seen == post.fetched_at + 2 * POLL
        store.upsert_mentions([recrawled(post, 3)])
        assert stored(store, post.id).first_seen == post.fetched_at + 2 * POLL
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute(
        "SELECT count(*) FROM mentions WHERE first_fetched_at IS NULL"
    ).fetchone() == (0,)
    conn.close()


def test_indices_of_mapping_revision_4_get_each_mentions_fetch_as_its_first(
    es_node: Any, tmp_path: Path
) -> None:
    from archive.es.docs import iso, mention_doc
    from archive.es.mappings import EVENT_MAPPING, MAPPING_REVISION, MENTION_MAPPING

    post = recrawled(make_mention(1, CLAIM), 2)
    mentions = older_mapping(MENTION_MAPPING, 4, ("first_fetched_at",))
    with older_cluster(es_node.url, 4, mentions, older_mapping(EVENT_MAPPING, 4)) as (
        client,
        names,
    ):
        index = names.mention_index(post.published_at)
        doc = mention_doc(post, "", 1, post.content_hash())
        del doc["first_fetched_at"]
        client.index(index=index, id=post.id, document=doc, refresh=True)
        with opened_now(es_node.url, names, tmp_path / "ledger.db") as store:
            assert stored(store, post.id).first_seen == post.fetched_at
            meta = client.indices.get_mapping(index=index)[index]["mappings"]["_meta"]
            assert meta["yuqing_mapping_revision"] == MAPPING_REVISION == 5
            # The migration filled the field in the stored document.
            source = client.get(index=index, id=post.id)["_source"]
            assert source["first_fetched_at"] == iso(post.fetched_at)
            store.upsert_mentions([recrawled(post, 1)])
            again = stored(store, post.id)
            assert (again.first_seen, again.fetched_at) == (
                post.fetched_at,
                post.fetched_at + POLL,
            )


def test_the_spool_keeps_the_first_fetch_of_a_mention_queued_twice(tmp_path: Path) -> None:
    """Mentions written while Elasticsearch is unreachable wait in the spool by id: a re-crawl
    during the outage replaces the queued version but not its first fetch."""
    post = make_mention(1, CLAIM)
    spool = Spool(tmp_path / "ledger.db.spool")
    try:
        spool.add([post])
        spool.add([recrawled(post, 2)])
        [(_, queued)] = spool.peek(10)
        assert (queued.first_seen, queued.fetched_at) == (
            post.fetched_at,
            post.fetched_at + 2 * POLL,
        )
    finally:
        spool.close()

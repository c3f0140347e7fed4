"""Events' volume by platform in the archive: stored on both backends, and archives written
before it was kept (SQLite schema 5, Elasticsearch mapping revision 2)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.base import Archive
from archive.models import Event
from archive.sqlite.schema import SCHEMA_VERSION
from tests.conftest import BACKENDS, OBLIGATION_EVIDENCE_UNDONE, T0, each_backend
from tests.support.es_upgrade import older_cluster, older_mapping, opened_now, template_revision

PLATFORMS = {"weibo": 120, "news": 8, "official": 1}


# Overrides the SQLite-only fixture of conftest: one run per backend.
archive = pytest.fixture(params=BACKENDS, name="archive")(each_backend)


def _event(platforms: dict[str, int] | None, event_id: str = "e-milk") -> Event:
    count = sum(platforms.values()) if platforms else 0
    return Event(
        id=event_id,
        title="奶粉",
        first_seen=T0,
        last_seen=T0,
        mention_count=count,
        platforms=platforms,
    )


def test_platforms_round_trip_with_events(archive: Archive) -> None:
    archive.upsert_event(_event(PLATFORMS))
    archive.upsert_event(_event({}, "e-none"))
    archive.upsert_event(_event(None, "e-old"))
    assert (event := archive.get_event("e-milk")) is not None and event.platforms == PLATFORMS
    # The order written (the most first) is the order read.
    assert list(event.platforms) == ["weibo", "news", "official"]
    assert (event := archive.get_event("e-none")) is not None and event.platforms == {}
    assert (event := archive.get_event("e-old")) is not None and event.platforms is None
    listed = {e.id: e.platforms for e in archive.list_events()}
    assert listed == {"e-milk": PLATFORMS, "e-none": {}, "e-old": None}
    # Written again: the new counts replace the old.
    archive.upsert_event(_event({"weibo": 121, "news": 8}))
    assert (event := archive.get_event("e-milk")) is not None
    assert event.platforms == {"weibo": 121, "news": 8}


def test_a_schema_5_sqlite_archive_reads_no_platforms_and_takes_new_ones(
    tmp_path: Path,
) -> None:
    assert SCHEMA_VERSION >= 6
    path = tmp_path / "old.db"
    with open_archive(path) as store:
        store.upsert_event(_event(None))
    # Turn the file back into what schema 5 wrote: no platforms column on events.
    conn = sqlite3.connect(path)
    conn.executescript(
        "ALTER TABLE events DROP COLUMN platforms; "
        + OBLIGATION_EVIDENCE_UNDONE
        + "PRAGMA user_version = 5;"
    )
    conn.close()
    with open_archive(path) as store:
        assert (old := store.get_event("e-milk")) is not None and old.platforms is None
        store.upsert_event(_event(PLATFORMS, "e-new"))
    with open_archive(path, readonly=True) as store:
        assert (new := store.get_event("e-new")) is not None and new.platforms == PLATFORMS
        assert (old := store.get_event("e-milk")) is not None and old.platforms is None
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_indices_of_mapping_revision_2_get_the_platforms_field_in_place(
    es_node: Any, tmp_path: Path
) -> None:
    from archive.es.docs import event_doc
    from archive.es.mappings import EVENT_MAPPING, MAPPING_REVISION, MENTION_MAPPING

    # What revision 2 installed (the mentions' fields are unchanged in revision 3), and one
    # event in it, written without platforms.
    mentions = older_mapping(MENTION_MAPPING, 2)
    events = older_mapping(EVENT_MAPPING, 2, ("platforms",))
    with older_cluster(es_node.url, 2, mentions, events) as (client, names):
        event = event_doc(_event(None))
        del event["platforms"]
        client.index(index=names.events, id="e-milk", document=event, refresh=True)
        # A strict revision-2 index refuses the field: the upgrade below is what lets it in.
        with pytest.raises(Exception, match="platforms"):
            client.index(index=names.events, id="e-x", document=event_doc(_event(PLATFORMS)))

        with opened_now(es_node.url, names, tmp_path / "ledger.db") as store:
            assert (old := store.get_event("e-milk")) is not None and old.platforms is None
            store.upsert_event(_event(PLATFORMS, "e-new"))
            assert (new := store.get_event("e-new")) is not None and new.platforms == PLATFORMS
            assert (old := store.get_event("e-milk")) is not None and old.platforms is None
            for body in client.indices.get_mapping(index=names.events).values():
                mapping = body["mappings"]
                assert mapping["_meta"]["yuqing_mapping_revision"] == MAPPING_REVISION
                assert mapping["properties"]["platforms"] == {"type": "object", "enabled": False}
            assert template_revision(client, names) == MAPPING_REVISION

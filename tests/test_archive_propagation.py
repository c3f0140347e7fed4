"""Events' propagation figures in archives written before they were kept (SQLite schema 8,
Elasticsearch mapping revision 3): old events read "not computed", new ones are stored. The
round trip on both backends is in tests/test_archive_contract.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.models import Event
from archive.sqlite.schema import SCHEMA_VERSION
from tests.conftest import EVENT_PROPAGATION_UNDONE, T0
from tests.support.es_upgrade import older_cluster, older_mapping, opened_now, template_revision

STORED = {
    "mention_count": 2,
    "computed_at": T0.isoformat(),
    "figures": {"nodes": 2, "edges": 1, "spreaders": [{"author": "小李", "brought_in": 1}]},
}


def _event(propagation: dict[str, Any] | None, event_id: str = "e-lift") -> Event:
    return Event(
        id=event_id,
        title="电梯困人",
        first_seen=T0,
        last_seen=T0,
        mention_count=2,
        propagation=propagation,
    )


def test_a_schema_8_sqlite_archive_reads_no_figures_and_takes_new_ones(tmp_path: Path) -> None:
    assert SCHEMA_VERSION >= 9
    path = tmp_path / "old.db"
    with open_archive(path) as store:
        store.upsert_event(_event(None))
    # Turn the file back into what schema 8 wrote: no propagation column on events.
    conn = sqlite3.connect(path)
    conn.executescript(EVENT_PROPAGATION_UNDONE + "PRAGMA user_version = 8;")
    assert "propagation" not in {r[1] for r in conn.execute("PRAGMA table_info(events)")}
    conn.close()
    with open_archive(path) as store:
        assert (old := store.get_event("e-lift")) is not None and old.propagation is None
        store.upsert_event(_event(STORED, "e-new"))
    with open_archive(path, readonly=True) as store:
        assert (new := store.get_event("e-new")) is not None and new.propagation == STORED
        assert (old := store.get_event("e-lift")) is not None and old.propagation is None
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_indices_of_mapping_revision_3_get_the_propagation_field_in_place(
    es_node: Any, tmp_path: Path
) -> None:
    from archive.es.docs import event_doc
    from archive.es.mappings import EVENT_MAPPING, MAPPING_REVISION, MENTION_MAPPING

    # What revision 3 installed (the mentions' fields are unchanged in revision 4; revision 5
    # added their first fetch), and one event in it, written without figures.
    mentions = older_mapping(MENTION_MAPPING, 3, ("first_fetched_at",))
    events = older_mapping(EVENT_MAPPING, 3, ("propagation",))
    with older_cluster(es_node.url, 3, mentions, events) as (client, names):
        event = event_doc(_event(None))
        del event["propagation"]
        client.index(index=names.events, id="e-lift", document=event, refresh=True)
        # A strict revision-3 index refuses the field: the upgrade below is what lets it in.
        with pytest.raises(Exception, match="propagation"):
            client.index(index=names.events, id="e-x", document=event_doc(_event(STORED)))

        with opened_now(es_node.url, names, tmp_path / "ledger.db") as store:
            assert (old := store.get_event("e-lift")) is not None and old.propagation is None
            store.upsert_event(_event(STORED, "e-new"))
            assert (new := store.get_event("e-new")) is not None and new.propagation == STORED
            for body in client.indices.get_mapping(index=names.events).values():
                mapping = body["mappings"]
                assert mapping["_meta"]["yuqing_mapping_revision"] == MAPPING_REVISION == 5
                assert mapping["properties"]["propagation"] == {"type": "object", "enabled": False}
            assert template_revision(client, names) == MAPPING_REVISION

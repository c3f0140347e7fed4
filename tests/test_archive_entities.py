"""Entities in the archive: stored with analyses and events on both backends, and archives
written before entities were kept (SQLite schema 4, Elasticsearch mapping revision 1)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.base import Archive
from archive.models import Analysis, EntityCount, EntityRef, Event
from archive.query import QueryError
from archive.search import SearchFilters, SearchRequest
from archive.sqlite.schema import SCHEMA_VERSION
from tests.conftest import BACKENDS, OBLIGATION_EVIDENCE_UNDONE, T0, each_backend, make_mention
from tests.support.es_upgrade import older_cluster, older_mapping, opened_now, template_revision

MILK = "江州市美味食品有限公司生产的“佳佳”奶粉被检出三聚氰胺，深圳市市场监管局已介入调查"
FOUND = [
    EntityRef("region", "深圳市", "440300"),
    EntityRef("company", "江州市美味食品有限公司"),
    EntityRef("brand", "佳佳"),
    EntityRef("product", "奶粉"),
]
COUNTS = [
    EntityCount("region", "深圳市", "440300", 3),
    EntityCount("company", "江州市美味食品有限公司", "", 2),
    EntityCount("brand", "佳佳", "", 2),
]


# Overrides the SQLite-only fixture of conftest: one run per backend.
archive = pytest.fixture(params=BACKENDS, name="archive")(each_backend)


def _analysis(mention_id: str, entities: list[EntityRef]) -> Analysis:
    return Analysis(
        mention_id=mention_id,
        relevant=bool(entities),
        relevance=0.9 if entities else 0.1,
        topics=["food_safety"],
        event_id="e-milk" if entities else None,
        entities=entities,
    )


def _event(entities: list[EntityCount] | None, event_id: str = "e-milk") -> Event:
    return Event(id=event_id, title="奶粉", first_seen=T0, last_seen=T0, entities=entities)


def test_entities_round_trip_with_analyses_and_events(archive: Archive) -> None:
    archive.upsert_mentions([make_mention(1, MILK), make_mention(2, "今天天气不错")])
    archive.upsert_analyses([_analysis("m0001", FOUND), _analysis("m0002", [])])
    stored = archive.get_analyses(["m0001", "m0002"])
    assert stored["m0001"].entities == FOUND
    assert stored["m0002"].entities == []
    # Search hits carry them too.
    hits = archive.search(SearchRequest(limit=100)).hits
    [hit] = [h for h in hits if h.mention.id == "m0001"]
    assert hit.analysis is not None and hit.analysis.entities == FOUND
    # Analysed again: the new entities replace the old.
    archive.upsert_analyses([_analysis("m0001", FOUND[:1])])
    assert archive.get_analyses(["m0001"])["m0001"].entities == FOUND[:1]

    archive.upsert_event(_event(COUNTS))
    archive.upsert_event(_event([], "e-none"))
    archive.upsert_event(_event(None, "e-old"))
    assert (event := archive.get_event("e-milk")) is not None and event.entities == COUNTS
    assert (event := archive.get_event("e-none")) is not None and event.entities == []
    assert (event := archive.get_event("e-old")) is not None and event.entities is None
    listed = {e.id: e.entities for e in archive.list_events()}
    assert listed == {"e-milk": COUNTS, "e-none": [], "e-old": None}


# ---- archives written before entities were kept -------------------------------------------
def test_a_schema_4_sqlite_archive_reads_no_entities_and_takes_new_ones(tmp_path: Path) -> None:
    assert SCHEMA_VERSION >= 5
    path = tmp_path / "old.db"
    with open_archive(path) as store:
        store.upsert_mentions([make_mention(1, MILK), make_mention(2, MILK)])
        store.upsert_analyses([_analysis("m0001", []), _analysis("m0002", [])])
        store.upsert_event(_event(None))
    # Turn the file back into what schema 4 wrote: no entity columns, no mention_entities.
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE mention_entities; ALTER TABLE analyses DROP COLUMN entities; "
        "ALTER TABLE events DROP COLUMN entities; ALTER TABLE events DROP COLUMN platforms; "
        + OBLIGATION_EVIDENCE_UNDONE
        + "PRAGMA user_version = 4;"
    )
    conn.close()
    with open_archive(path) as store:
        assert store.get_analyses(["m0001"])["m0001"].entities == []
        assert (old := store.get_event("e-milk")) is not None and old.entities is None
        store.upsert_analyses([_analysis("m0002", FOUND)])
        store.upsert_event(_event(COUNTS, "e-new"))
    with open_archive(path, readonly=True) as store:
        analyses = store.get_analyses(["m0001", "m0002"])
        assert analyses["m0001"].entities == [] and analyses["m0002"].entities == FOUND
        assert (new := store.get_event("e-new")) is not None and new.entities == COUNTS
        assert (old := store.get_event("e-milk")) is not None and old.entities is None
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_indices_of_mapping_revision_1_get_the_entity_fields_in_place(
    es_node: Any, tmp_path: Path
) -> None:
    from archive.es.docs import analysis_doc, event_doc, mention_doc
    from archive.es.mappings import EVENT_MAPPING, MAPPING_REVISION, MENTION_MAPPING

    # What revision 1 installed, and one mention with its analysis and one event in it.
    mentions = older_mapping(
        MENTION_MAPPING, 1, ("analysis", "entities"), ("analysis", "entity_names")
    )
    events = older_mapping(EVENT_MAPPING, 1, ("entities",), ("platforms",))
    with older_cluster(es_node.url, 1, mentions, events) as (client, names):
        mention = make_mention(1, MILK)
        analysis = analysis_doc(_analysis("m0001", []))
        del analysis["entities"], analysis["entity_names"]
        doc = {**mention_doc(mention, MILK, 1, mention.content_hash()), "analysis": analysis}
        index = names.mention_index(mention.published_at)
        client.index(index=index, id="m0001", document=doc, refresh=True)
        event = event_doc(_event(None))
        del event["entities"], event["platforms"]
        client.index(index=names.events, id="e-milk", document=event, refresh=True)

        with opened_now(es_node.url, names, tmp_path / "ledger.db") as store:
            assert store.get_analyses(["m0001"])["m0001"].entities == []
            assert (old := store.get_event("e-milk")) is not None and old.entities is None
            # Strict mappings would reject these if the fields had not been added in place.
            store.upsert_analyses([_analysis("m0001", FOUND)])
            store.upsert_event(_event(COUNTS, "e-new"))
            assert store.get_analyses(["m0001"])["m0001"].entities == FOUND
            assert (new := store.get_event("e-new")) is not None and new.entities == COUNTS
            for body in client.indices.get_mapping(index=names.mentions).values():
                mapping = body["mappings"]
                assert mapping["_meta"]["yuqing_mapping_revision"] == MAPPING_REVISION
                assert "entity_names" in mapping["properties"]["analysis"]["properties"]
            assert template_revision(client, names) == MAPPING_REVISION


# ---- filtering on entities ---------------------------------------------------------------
SHANGHAI_FIRM = EntityRef("company", "上海市某某乳业有限公司")
SHANGHAI = EntityRef("region", "上海市", "310000")


@pytest.fixture
def named(archive: Archive) -> Archive:
    """m0001..m0003 name the milk entities, m0004 Shanghai's, m0005 none (irrelevant)."""
    archive.upsert_mentions(make_mention(i, MILK if i <= 3 else "其他") for i in range(1, 6))
    archive.upsert_analyses(
        [
            _analysis("m0001", FOUND),
            _analysis("m0002", FOUND[1:3]),
            _analysis("m0003", FOUND[:1]),
            _analysis("m0004", [SHANGHAI, SHANGHAI_FIRM]),
            _analysis("m0005", []),
        ]
    )
    return archive


def ids(archive: Archive, query: str = "", **filters: Any) -> list[str]:
    request = SearchRequest(query=query, filters=SearchFilters(**filters), limit=100)
    return sorted(hit.mention.id for hit in archive.search(request).hits)


def test_entity_filter_matches_any_kind_and_region_codes(named: Archive) -> None:
    assert ids(named, "entity:佳佳") == ["m0001", "m0002"]
    assert ids(named, "entity:江州市美味食品有限公司") == ["m0001", "m0002"]
    assert ids(named, "entity:奶粉") == ["m0001"]
    assert ids(named, "entity:深圳市") == ["m0001", "m0003"]
    assert ids(named, "entity:440300") == ["m0001", "m0003"]  # the region's code
    assert ids(named, "entity:440000") == ["m0001", "m0003"]  # its province's, 广东省
    assert ids(named, "entity:310000") == ["m0004"]  # a municipality is its own province
    assert ids(named, 'entity:"上海市某某乳业有限公司"') == ["m0004"]
    # Several values: any of them; with words and other filters: all of them.
    assert ids(named, entities=["佳佳", "310000"]) == ["m0001", "m0002", "m0004"]
    assert ids(named, "三聚氰胺 entity:深圳市") == ["m0001", "m0003"]
    # A query's field value joins the form's values of that field (OR), as for every field.
    assert ids(named, "entity:深圳市", entities=["佳佳"]) == ["m0001", "m0002", "m0003"]
    assert ids(named, "entity:深圳市", platforms=["weibo"]) == ["m0001", "m0003"]
    # Exclusion keeps mentions with no entities at all.
    assert ids(named, "-entity:深圳市") == ["m0002", "m0004", "m0005"]
    assert ids(named, "entity:佳佳 -entity:深圳市") == ["m0002"]
    assert ids(named, "entity:没有这个") == []
    # Counts follow the filter as the hits do.
    request = SearchRequest(filters=SearchFilters(entities=["深圳市"]))
    assert named.search(request).total == 2
    facets = named.facets(request, ["platform"])
    assert sum(f.count for f in facets["platform"]) == 2
    assert sum(b.count for b in named.histogram(request, "day")) == 2


def test_entity_filter_follows_reanalysis_and_moves(named: Archive) -> None:
    named.upsert_analyses([_analysis("m0001", [SHANGHAI])])
    assert ids(named, "entity:佳佳") == ["m0002"]
    assert ids(named, "entity:上海市") == ["m0001", "m0004"]
    # A corrected publication time moves the row (SQLite: a new rowid), not its entities.
    moved = make_mention(4, "其他", published_at=T0 - timedelta(days=40))
    named.upsert_mentions([moved])
    assert ids(named, "entity:上海市") == ["m0001", "m0004"]
    assert ids(named, "entity:310000", since=T0 - timedelta(days=41), until=T0) == ["m0004"]


def test_unknown_field_error_names_entity(named: Archive) -> None:
    with pytest.raises(QueryError, match="entity"):
        named.search(SearchRequest(query="brand:佳佳"))

"""An Elasticsearch archive as an older mapping revision left it, for the upgrade tests.

Each revision (``archive.es.mappings.MAPPING_REVISION``) adds fields in place; its test
installs what the revision before wrote (the template and the events index, without the new
fields), puts documents in it the old way, then opens the archive with today's code and checks
that old documents read as "not there" and new ones are accepted by the strict mapping.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from archive.es.backend import ElasticsearchArchive
from archive.es.client import make_client
from archive.es.mappings import IndexNames, mention_template
from archive.es.setup import drop_all


def older_mapping(
    mapping: dict[str, Any], revision: int, *paths: tuple[str, ...]
) -> dict[str, Any]:
    """``mapping`` as ``revision`` wrote it: without the fields at ``paths`` (each a path of
    property names, e.g. ("analysis", "entities")); revision 1 had no revision mark."""
    old = copy.deepcopy(mapping)
    if revision == 1:
        del old["_meta"]["yuqing_mapping_revision"]
    else:
        old["_meta"]["yuqing_mapping_revision"] = revision
    for path in paths:
        properties = old["properties"]
        for step in path[:-1]:
            properties = properties[step]["properties"]
        del properties[path[-1]]
    return old


@contextmanager
def older_cluster(
    url: str, revision: int, mentions: dict[str, Any], events: dict[str, Any]
) -> Iterator[tuple[Elasticsearch, IndexNames]]:
    """Fresh index names holding what ``revision`` installed: the mentions template with the
    ``mentions`` mapping and the events index with ``events``; dropped afterwards."""
    names = IndexNames(f"t{uuid.uuid4().hex[:10]}")
    client = make_client([url])
    try:
        template = mention_template(names, 0)
        template["template"]["mappings"] = mentions
        if revision == 1:
            del template["_meta"]["mapping_revision"]
        else:
            template["_meta"]["mapping_revision"] = revision
        client.indices.put_index_template(name=names.template, **template)
        client.indices.create(
            index=names.events_index,
            settings={"number_of_shards": 1, "number_of_replicas": 0},
            mappings=events,
            aliases={names.events: {}},
        )
        yield client, names
    finally:
        drop_all(client, names)
        client.close()


@contextmanager
def opened_now(url: str, names: IndexNames, ledger: Path) -> Iterator[ElasticsearchArchive]:
    """The archive opened by today's code on those indices (which upgrades them)."""
    # The archive closes its client on close: its own, not the one that cleans up.
    store = ElasticsearchArchive(
        make_client([url]), [url], ledger, index_prefix=names.prefix, replicas=0
    )
    try:
        yield store
    finally:
        store.close()


def template_revision(client: Elasticsearch, names: IndexNames) -> int:
    answer = client.indices.get_index_template(name=names.template)
    return int(answer["index_templates"][0]["index_template"]["_meta"]["mapping_revision"])

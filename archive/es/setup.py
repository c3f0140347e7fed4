"""Installing and checking the project's templates and indices (idempotent, version-aware).

Opening the archive for writing installs the mentions template and creates the events and
meta indices when they are missing. A template or index written by a newer version of this
code (a higher ``mapping_version``) is refused instead of being overwritten.

Fields added within a version (a higher ``MAPPING_REVISION``, see archive.es.mappings) are
put on the template and on every existing index of an older revision, in place: adding a
field needs no reindex, and the older documents simply lack it (read as "not computed"),
except revision 5's first fetch of a mention, which ``fill_first_fetch`` writes into them.
A template of a newer revision is left as it is (the newer code's fields must stay in new
months' indices).
"""

from __future__ import annotations

import contextlib
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from archive.errors import ArchiveError
from archive.es.mappings import (
    EVENT_MAPPING,
    FIRST_FETCH_REVISION,
    MAPPING_REVISION,
    MAPPING_VERSION,
    MENTION_MAPPING,
    META_MAPPING,
    IndexNames,
    events_index_body,
    mention_template,
    meta_index_body,
)

# Documents per round of the first-fetch fill (one search and one bulk request of updates).
FILL_BATCH = 1000


def _template_version(client: Elasticsearch, name: str) -> tuple[int, int] | None:
    """The stored template's (mapping version, mapping revision), or None."""
    try:
        answer = client.indices.get_index_template(name=name)
    except NotFoundError:
        return None
    for item in answer.get("index_templates", []):
        template = item.get("index_template", {})
        version = template.get("version")
        revision = template.get("_meta", {}).get("mapping_revision", 1)
        return (int(version) if version is not None else 0, int(revision))
    return None


def _create(client: Elasticsearch, name: str, body: dict[str, Any]) -> None:
    try:
        client.indices.create(index=name, **body)
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def _check_index_version(client: Elasticsearch, name: str, mapping: dict[str, Any]) -> None:
    """Refuse indices of a newer version; add this revision's fields to older revisions'."""
    answer = client.indices.get_mapping(index=name, allow_no_indices=True)
    for index, body in answer.items():
        meta = body.get("mappings", {}).get("_meta", {})
        version = int(meta.get("yuqing_mapping_version", 0))
        if version > MAPPING_VERSION:
            raise ArchiveError(
                f"index {index} has mapping version {version}, newer than this code's"
                f" {MAPPING_VERSION}: upgrade yuqing before writing to it"
            )
        revision = int(meta.get("yuqing_mapping_revision", 1))
        if revision < MAPPING_REVISION:
            # The whole mapping again: Elasticsearch merges it, adding the new fields; a
            # change to an existing field would be refused here (that needs a new version).
            client.indices.put_mapping(index=index, properties=mapping["properties"])
            if mapping["_meta"]["record"] == "mention" and revision < FIRST_FETCH_REVISION:
                fill_first_fetch(client, index)
            client.indices.put_mapping(index=index, meta=mapping["_meta"])


def fill_first_fetch(client: Elasticsearch, index: str) -> int:
    """Set ``first_fetched_at`` = ``fetched_at`` (their last fetch, the best known) in the
    documents of ``index`` written before revision 5; returns how many were filled.

    Read and updated a batch at a time by this client (the update-by-query API is in the
    ``reindex`` module, which a minimal distribution such as the tests' lacks). It runs once:
    the index's revision is raised after it, so an interrupted fill resumes at the next open.
    A writer meanwhile stores the same first fetch (the stored fetched_at, archive.es.backend),
    and until a document is filled, reads take its fetched_at in its place (archive.es.docs).
    """
    filled = 0
    missing = {"bool": {"must_not": {"exists": {"field": "first_fetched_at"}}}}
    while True:
        client.indices.refresh(index=index)
        answer = client.search(
            index=index, query=missing, size=FILL_BATCH, source_includes=["fetched_at"]
        )
        operations: list[dict[str, Any]] = []
        for hit in answer["hits"]["hits"]:
            operations.append({"update": {"_index": hit["_index"], "_id": hit["_id"]}})
            operations.append({"doc": {"first_fetched_at": hit["_source"]["fetched_at"]}})
        if not operations:
            return filled
        done = sum(
            1
            for item in client.bulk(operations=operations)["items"]
            if item["update"]["status"] < 300
        )
        if done == 0:  # every update refused (the document went meanwhile): not forever
            return filled
        filled += done


def install(client: Elasticsearch, names: IndexNames, replicas: int | None) -> None:
    stored = _template_version(client, names.template)
    if stored is not None and stored[0] > MAPPING_VERSION:
        raise ArchiveError(
            f"index template {names.template} is version {stored[0]}, newer than this code's"
            f" {MAPPING_VERSION}: upgrade yuqing before writing to this cluster"
        )
    if stored is None or stored < (MAPPING_VERSION, MAPPING_REVISION):
        client.indices.put_index_template(name=names.template, **mention_template(names, replicas))
    _create(client, names.events_index, events_index_body(names, replicas))
    _create(client, names.meta, meta_index_body(replicas))
    _check_index_version(client, names.mention_pattern, MENTION_MAPPING)
    _check_index_version(client, names.events_index, EVENT_MAPPING)
    _check_index_version(client, names.meta, META_MAPPING)


def drop_all(client: Elasticsearch, names: IndexNames) -> None:
    """Delete every index and the template of this prefix (tests, benchmarks)."""
    client.indices.delete(
        index=names.all_patterns(), ignore_unavailable=True, allow_no_indices=True
    )
    with contextlib.suppress(NotFoundError):
        client.indices.delete_index_template(name=names.template)

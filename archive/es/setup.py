"""Installing and checking the project's templates and indices (idempotent, version-aware).

Opening the archive for writing installs the mentions template and creates the events and
meta indices when they are missing. A template or index written by a newer version of this
code (a higher ``mapping_version``) is refused instead of being overwritten.

Fields added within a version (a higher ``MAPPING_REVISION``, see archive.es.mappings) are
put on the template and on every existing index of an older revision, in place: adding a
field needs no reindex, and the older documents simply lack it. A template of a newer
revision is left as it is (the newer code's fields must stay in new months' indices).
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


def fill_first_fetch(client: Elasticsearch, index: str) -> str:
    """Set ``first_fetched_at`` = ``fetched_at`` (their last fetch, the best known) in the
    documents of ``index`` written before revision 5; returns the cluster task's id.

    It runs as a task in the cluster (a month of mentions is minutes of work, longer than a
    request may wait); until it reaches a document, reads and writes take its fetched_at in
    its place (archive.es.docs), so nothing depends on it finishing. A document a writer
    changes meanwhile is skipped (``conflicts=proceed``): the writer stored its first fetch.
    """
    answer = client.update_by_query(
        index=index,
        query={"bool": {"must_not": {"exists": {"field": "first_fetched_at"}}}},
        script={"source": "ctx._source.first_fetched_at = ctx._source.fetched_at"},
        conflicts="proceed",
        wait_for_completion=False,
    )
    return str(answer["task"])


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

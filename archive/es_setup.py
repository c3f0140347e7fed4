"""Installing and checking the project's templates and indices (idempotent, version-aware).

Opening the archive for writing installs the mentions template and creates the events and
meta indices when they are missing. A template or index written by a newer version of this
code (a higher ``mapping_version``) is refused instead of being overwritten.
"""

from __future__ import annotations

import contextlib
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from archive.base import ArchiveError
from archive.es_mappings import (
    MAPPING_VERSION,
    IndexNames,
    events_index_body,
    mention_template,
    meta_index_body,
)


def _template_version(client: Elasticsearch, name: str) -> int | None:
    try:
        answer = client.indices.get_index_template(name=name)
    except NotFoundError:
        return None
    for item in answer.get("index_templates", []):
        version = item.get("index_template", {}).get("version")
        return int(version) if version is not None else 0
    return None


def _create(client: Elasticsearch, name: str, body: dict[str, Any]) -> None:
    try:
        client.indices.create(index=name, **body)
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def _check_index_version(client: Elasticsearch, name: str) -> None:
    answer = client.indices.get_mapping(index=name)
    for index, body in answer.items():
        meta = body.get("mappings", {}).get("_meta", {})
        version = int(meta.get("yuqing_mapping_version", 0))
        if version > MAPPING_VERSION:
            raise ArchiveError(
                f"index {index} has mapping version {version}, newer than this code's"
                f" {MAPPING_VERSION}: upgrade yuqing before writing to it"
            )


def install(client: Elasticsearch, names: IndexNames, replicas: int | None) -> None:
    stored = _template_version(client, names.template)
    if stored is not None and stored > MAPPING_VERSION:
        raise ArchiveError(
            f"index template {names.template} is version {stored}, newer than this code's"
            f" {MAPPING_VERSION}: upgrade yuqing before writing to this cluster"
        )
    if stored != MAPPING_VERSION:
        client.indices.put_index_template(name=names.template, **mention_template(names, replicas))
    _create(client, names.events_index, events_index_body(names, replicas))
    _create(client, names.meta, meta_index_body(replicas))
    _check_index_version(client, names.events_index)
    _check_index_version(client, names.meta)


def drop_all(client: Elasticsearch, names: IndexNames) -> None:
    """Delete every index and the template of this prefix (tests, benchmarks)."""
    client.indices.delete(
        index=names.all_patterns(), ignore_unavailable=True, allow_no_indices=True
    )
    with contextlib.suppress(NotFoundError):
        client.indices.delete_index_template(name=names.template)

"""What is already stored under a batch of mention ids: the check before every write.

A write needs, per mention, the stored content hash (an unchanged mention is not written
again and keeps its position), the stored analysis (a changed text keeps it until the
analyser runs again) and the stored first fetch (a re-crawl keeps it), in every month index
that holds a copy: a publication time corrected across a month boundary leaves the old copy
in the old month until the write moves it.

Two requests answer that, sent at the same time because neither needs the other's answer:
- a realtime ``mget`` in each mention's own month, which sees writes not yet refreshed (a
  mention written by the previous call and sent again must be found);
- one ``ids`` search over all months without sources (refreshed data is enough there: a copy
  in another month is an old one); the rare hit outside its mention's own month is then read.

Profiled on 50,000 mentions (benchmarks/es_bench.py's corpus): the two requests one after
the other, with the search reading sources in chunks of 1,000 ids, took ~140 ms per 5,000 new
mentions (~12 % of the write time); at the same time, one search per call and no sources,
~60 ms. Excluding each month from its own search with an ``_index`` clause was slower
(~115 ms for the search alone against ~45 ms).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from elasticsearch import Elasticsearch

from archive.es.client import calls

# The fields the write reads from a stored copy: the first fetch is kept through re-crawls
# (fetched_at is read for documents written before first_fetched_at existed).
VERSION_FIELDS = ["content_hash", "analysis", "first_fetched_at", "fetched_at"]
# Ids per search: its hits (at most two copies per id) stay within the default
# index.max_result_window of 10,000.
SEARCH_IDS = 5000

Copies = dict[str, list[dict[str, Any]]]


def stored_versions(
    client: Elasticsearch, alias: str, where: str, home_of: dict[str, str]
) -> Copies:
    """Stored copies by mention id (each a hit with ``_index`` and ``_source``).

    ``home_of`` maps each mention id to its own month's index; ``alias`` reads all months."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="es-versions") as pool:
        strays = pool.submit(_other_months, client, alias, where, home_of)
        found = _home_month(client, where, home_of)
        for mention_id, copies in strays.result().items():
            found.setdefault(mention_id, []).extend(copies)
    return found


def _home_month(client: Elasticsearch, where: str, home_of: dict[str, str]) -> Copies:
    docs = [{"_index": index, "_id": mention_id} for mention_id, index in home_of.items()]
    with calls(where):
        answer = client.mget(docs=docs, realtime=True, source_includes=VERSION_FIELDS)
    return {doc["_id"]: [doc] for doc in answer["docs"] if doc.get("found")}


def _other_months(client: Elasticsearch, alias: str, where: str, home_of: dict[str, str]) -> Copies:
    """Copies outside each mention's own month: located by an ``ids`` search without
    sources (cheap when, as almost always, there are none), then read by ``mget``."""
    strays: list[dict[str, Any]] = []
    ids = list(home_of)
    for start in range(0, len(ids), SEARCH_IDS):
        chunk = ids[start : start + SEARCH_IDS]
        with calls(where):
            answer = client.search(
                index=alias,
                query={"ids": {"values": chunk}},
                size=len(chunk) * 2,
                source=False,
                ignore_unavailable=True,
                allow_no_indices=True,
            )
        strays.extend(
            {"_index": hit["_index"], "_id": hit["_id"]}
            for hit in answer["hits"]["hits"]
            if hit["_index"] != home_of[hit["_id"]]
        )
    if not strays:
        return {}
    with calls(where):
        answer = client.mget(docs=strays, source_includes=VERSION_FIELDS)
    found: Copies = {}
    for doc in answer["docs"]:
        if doc.get("found"):
            found.setdefault(doc["_id"], []).append(doc)
    return found

"""Index templates and mappings of the Elasticsearch archive, owned by the project and versioned.

Layout (``P`` is ``archive.index_prefix``):

- ``P-mentions-v1-YYYY.MM``: one index per month of publication (Asia/Shanghai is not used for
  the month: months are UTC, so a mention's index never depends on a display zone). All are
  read through the alias ``P-mentions``; an old month is archived or dropped by removing its
  index. Analyses are fields of the mention document (``analysis.*``) because Elasticsearch
  has no joins and every search filters and facets on them.
- ``P-events-v1`` (alias ``P-events``): events, ordered by heat.
- ``P-meta-v1``: the change-position counter (see ``archive.es.positions``).

Every mapping is ``dynamic: strict``: a field the code does not know is a rejected document
(kept aside with the reason), never a silently guessed type. ``metrics``, ``extra`` and the
reasons are stored but not indexed (``enabled: false``): their keys vary by source.

Chinese text: this distribution has no Chinese analyzer, so ``tokens`` holds jieba's
search-mode tokens (the same ``core.text.segment.index_tokens`` the SQLite FTS index uses) joined by
spaces under the ``whitespace`` analyzer; ``title`` and ``text`` keep the original text under
the ``standard`` analyzer, which indexes CJK characters one by one, so a quoted phrase is a
``match_phrase`` over consecutive characters: the same "appears as written" test SQLite makes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# Bump when a mapping changes incompatibly (a field's type changes or goes away): the version
# is in the index names, so a bump means new indices and a reindex. An index of a newer
# version is refused (see archive.es.setup).
MAPPING_VERSION = 1
# Bump when fields are only added within a version. Elasticsearch adds a field to an existing
# index's mapping in place (put-mapping), and a document without it stays valid, so no reindex
# is needed: archive.es.setup.install puts the mappings again on indices of an older revision
# and on the template. An older Yuqing keeps writing documents without the new fields (its
# template install is skipped as the version is the same). Revisions:
#   1: the first mappings;
#   2: analysis.entities and analysis.entity_names (the entities of a mention and the keys
#      ``entity:`` filters match), events' entities;
#   3: events' platforms (member mentions per platform);
#   4: events' propagation (the cascade's figures, nlp.propagation_stage);
#   5: mentions' first_fetched_at (the first fetch, kept through re-crawls; archive.es.setup
#      fills it in older documents from fetched_at).
MAPPING_REVISION = 5
FIRST_FETCH_REVISION = 5

_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date_nanos"}  # microsecond times survive range filters and sorting

ANALYSIS_PROPERTIES: dict[str, Any] = {
    "relevant": {"type": "boolean"},
    "relevance": {"type": "double"},
    "topics": _KEYWORD,
    "sentiment": _KEYWORD,
    "rumor_score": {"type": "double"},
    "event_id": _KEYWORD,
    "severity": _KEYWORD,
    "reasons": {"type": "object", "enabled": False},
    "analyzed_at": _DATE,
    # Stored for reading back; filters use entity_names (archive.models.entity_keys).
    "entities": {"type": "object", "enabled": False},
    "entity_names": _KEYWORD,
}

MENTION_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {
        "yuqing_mapping_version": MAPPING_VERSION,
        "yuqing_mapping_revision": MAPPING_REVISION,
        "record": "mention",
    },
    "properties": {
        "id": _KEYWORD,
        "source": _KEYWORD,
        "platform": _KEYWORD,
        "kind": _KEYWORD,
        "url": {"type": "keyword", "ignore_above": 2048},
        "title": {"type": "text", "analyzer": "standard"},
        "text": {"type": "text", "analyzer": "standard"},
        "tokens": {"type": "text", "analyzer": "whitespace"},
        "author": _KEYWORD,
        "region": _KEYWORD,
        "parent_id": _KEYWORD,
        "published_at": _DATE,
        "fetched_at": _DATE,  # the last fetch: a re-crawl moves it
        "first_fetched_at": _DATE,  # the first fetch: kept through re-crawls
        "metrics": {"type": "object", "enabled": False},
        "extra": {"type": "object", "enabled": False},
        "content_hash": _KEYWORD,
        "position": {"type": "long"},
        "analysis": {"type": "object", "properties": ANALYSIS_PROPERTIES},
    },
}

EVENT_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {
        "yuqing_mapping_version": MAPPING_VERSION,
        "yuqing_mapping_revision": MAPPING_REVISION,
        "record": "event",
    },
    "properties": {
        "id": _KEYWORD,
        "title": {"type": "text", "analyzer": "standard"},
        "first_seen": _DATE,
        "last_seen": _DATE,
        "mention_count": {"type": "integer"},
        "heat": {"type": "double"},
        "burst": {"type": "double"},
        "status": _KEYWORD,
        "topics": _KEYWORD,
        "keywords": _KEYWORD,
        "region": _KEYWORD,
        "severity": _KEYWORD,
        "severity_basis": {"type": "object", "enabled": False},
        "rumor_score": {"type": "double"},
        "updated_at": _DATE,
        "entities": {"type": "object", "enabled": False},  # null: not computed
        # {"weibo": 120, "news": 8}; null: not computed. Its keys are platform names, open
        # ended, which ``dynamic: strict`` would refuse as unmapped fields of a parsed object;
        # a disabled object is stored in _source without being parsed, so any keys pass.
        # Nothing searches or aggregates on it (platform facets read the mentions); a
        # ``flattened`` field would index the counts as keywords, of no use for ranges or
        # sorting, and a list of {platform, count} entries would read less plainly.
        "platforms": {"type": "object", "enabled": False},
        # The cascade's figures (archive.models.Event.propagation); null: not computed. Read
        # back whole by the event page, the CLI, the alert and the 专报, never searched, and
        # its keys (platform names, account types, milestones) are open ended: not parsed.
        "propagation": {"type": "object", "enabled": False},
    },
}

META_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {
        "yuqing_mapping_version": MAPPING_VERSION,
        "yuqing_mapping_revision": MAPPING_REVISION,
        "record": "meta",
    },
    "properties": {
        "reserved": {"type": "long"},
        "committed": {"type": "long"},
        "holder": _KEYWORD,
        "updated_at": {"type": "date"},
    },
}


class IndexNames:
    """Names derived from the configured prefix, in one place."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.mentions = f"{prefix}-mentions"  # the read alias
        self.mention_pattern = f"{prefix}-mentions-v{MAPPING_VERSION}-*"
        self.events = f"{prefix}-events"
        self.events_index = f"{prefix}-events-v{MAPPING_VERSION}"
        self.meta = f"{prefix}-meta-v{MAPPING_VERSION}"
        self.template = f"{prefix}-mentions"

    def mention_index(self, published_at: datetime) -> str:
        # Not strftime: it cost ~15 us a call, 5 % of a bulk load's client time.
        month = published_at.astimezone(UTC)
        return f"{self.prefix}-mentions-v{MAPPING_VERSION}-{month.year:04d}.{month.month:02d}"

    def all_patterns(self) -> str:
        return f"{self.prefix}-mentions-v*,{self.prefix}-events-v*,{self.prefix}-meta-v*"


def _settings(replicas: int | None) -> dict[str, Any]:
    # One shard per month: a month of mentions is far below the ~50 GB per shard Elastic
    # recommends, and one shard keeps relevance scores (and score-based paging) stable.
    settings: dict[str, Any] = {"number_of_shards": 1, "refresh_interval": "1s"}
    if replicas is not None:
        settings["number_of_replicas"] = replicas
    return settings


def mention_template(names: IndexNames, replicas: int | None) -> dict[str, Any]:
    """Body of ``put_index_template`` for the monthly mention indices."""
    return {
        "index_patterns": [names.mention_pattern],
        "version": MAPPING_VERSION,
        "priority": 200,
        "_meta": {
            "owner": "yuqing",
            "mapping_version": MAPPING_VERSION,
            "mapping_revision": MAPPING_REVISION,
        },
        "template": {
            "settings": _settings(replicas),
            "mappings": MENTION_MAPPING,
            "aliases": {names.mentions: {}},
        },
    }


def events_index_body(names: IndexNames, replicas: int | None) -> dict[str, Any]:
    return {
        "settings": _settings(replicas),
        "mappings": EVENT_MAPPING,
        "aliases": {names.events: {}},
    }


def meta_index_body(replicas: int | None) -> dict[str, Any]:
    return {"settings": _settings(replicas), "mappings": META_MAPPING}

"""An event's cascade: who reposted, commented on or reprinted whom, as a forest.

Press offices ask where a story started (溯源) and who is carrying it (关键传播节点). Both need
the real repost tree, not the earliest keyword match. The tree is rebuilt from what mentions
carry, most trusted first, and never invented:

1. **explicit parents**: ``Mention.parent_id`` (Weibo's ``retweeted_status``, a comment's
   post, CED's ``parent``);
2. **``//@user:`` chains**: Weibo's ``retweeted_status`` names the *root* of a repost chain,
   the text names the users in between. ``A //@B: … //@C: …`` is A reposting B's repost of
   C's repost, so the nearest named user (B, the first written) is A's parent and the farthest
   (C) reposted the explicit parent. Each named user resolves to that user's archived repost
   of the same root, the latest one before the child; a user whose repost is not archived
   becomes a **placeholder** node for that author, shared by every repost naming them;
3. **reprint links**: crawlers link a near-duplicate article to the copy they saw first
   (``extra["duplicate_of"]``). Crawl order is not publication order, so the links only say
   which articles are one story; the earliest published copy is the first publisher and the
   others are its reprints.

An explicit parent that is not archived is a placeholder too (its id, the author if the child
names it). When the child also names its root (``extra["root_id"]``, the replay of CED), the
placeholder hangs under that root with an edge of basis ``root``: the depth under it is then a
lower bound. Every edge records its ``basis`` so that a reader can tell evidence from inference.

Pure functions: the caller hands in the mentions; figures are in ``nlp.propagation_figures``.
"""

from __future__ import annotations

import logging
import math
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from archive.models import Mention, stable_id
from core.text.weibo import CHAIN

logger = logging.getLogger(__name__)

__all__ = [
    "ACCOUNTS",
    "ACCOUNT_TYPES",
    "Cascade",
    "CascadeBuilder",
    "Edge",
    "Node",
    "account_type",
    "build_cascade",
]

# Labels of the accounts that carry a story, in the order press offices read them.
ACCOUNT_TYPES = ("官方", "媒体", "大V", "普通用户")
UNKNOWN_ACCOUNT = "未知"  # a placeholder: the author is named but their features are not known
ACCOUNTS = (*ACCOUNT_TYPES, UNKNOWN_ACCOUNT)
ACCOUNT_CODE = {name: code for code, name in enumerate(ACCOUNTS)}
EDGE_KINDS = ("repost", "comment", "reprint", "quote")
# Weibo's verified_type: 1 government (蓝V 政府), 3 media, 5 websites; 0 is a verified person
# (橙V) and 2, 4, 6, 7 enterprises, campuses, apps, organisations.
_OFFICIAL_TYPES = frozenset({1})
_MEDIA_TYPES = frozenset({3, 5})
# 大V: a verified person (橙V), or any account this widely followed. There is no official
# definition; 500,000 followers is a line commonly used in Chinese press reporting on 大V, an
# assumption to revisit (a setting) when a press office names its own.
BIG_V_FOLLOWERS = 500_000
_PLATFORM_ACCOUNTS = {"official": "官方", "news": "媒体", "rss": "媒体"}
# Markers a reprinted article carries (来源：X, 转载自X): only a tie-break between copies
# published at the same instant (date-only times), never over an earlier publication time.
_REPRINT_MARK = re.compile(r"(?:来源|转载自|转自|稿件来源)\s*[:：]")


@dataclass(frozen=True, slots=True)
class Node:
    """A mention of the cascade, or a placeholder for one that is known but not archived."""

    id: str
    author: str
    at: datetime | None
    platform: str
    kind: str  # the mention's kind, or "placeholder"
    account: str  # one of ACCOUNT_TYPES, or UNKNOWN_ACCOUNT for placeholders
    url: str = ""
    followers: int = 0

    @property
    def placeholder(self) -> bool:
        return self.kind == "placeholder"


@dataclass(frozen=True, slots=True)
class Edge:
    """``child`` was spread from ``parent``: ``kind`` of EDGE_KINDS; ``basis`` says from what
    (``parent`` an explicit id, ``chain`` a //@ user, ``reprint`` a near-duplicate link,
    ``root`` a placeholder known only to belong under that root)."""

    parent: str
    child: str
    kind: str
    basis: str


@dataclass
class Cascade:
    """Nodes by id and one edge per child: a forest. ``columns`` (from ``CascadeBuilder``)
    holds, in the order of ``nodes``, each node's time (POSIX seconds, NaN if unknown), its
    account code (index into ACCOUNTS) and its parent's index (-1 for a root), kept as the
    mentions arrive so that the figures need not walk every node again."""

    nodes: dict[str, Node]
    edges: list[Edge]
    columns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def parents(self) -> dict[str, str]:
        return {e.child: e.parent for e in self.edges}

    def to_json(self) -> dict[str, Any]:
        """Nodes and edges for other tools (``yuqing propagation --tree``)."""
        return {
            "nodes": [
                {
                    "id": n.id,
                    "author": n.author,
                    "at": n.at.isoformat() if n.at else None,
                    "platform": n.platform,
                    "kind": n.kind,
                    "account": n.account,
                    "url": n.url,
                    "placeholder": n.placeholder,
                }
                for n in self.nodes.values()
            ],
            "edges": [
                {"parent": e.parent, "child": e.child, "kind": e.kind, "basis": e.basis}
                for e in self.edges
            ],
        }


def _number(metrics: Mapping[str, Any], key: str, default: int) -> int:
    value = metrics.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return int(value)


def account_type(platform: str, kind: str, metrics: Mapping[str, Any]) -> str:
    """官方 / 媒体 / 大V / 普通用户 from what the crawl recorded of the author: the platform for
    sites (official sites, news, feeds), Weibo's verified_type and followers for posts."""
    if kind in ("official", "debunk"):
        return "官方"
    if platform in _PLATFORM_ACCOUNTS:
        return _PLATFORM_ACCOUNTS[platform]
    vtype = _number(metrics, "verified_type", -1)
    if vtype in _OFFICIAL_TYPES:
        return "官方"
    if vtype in _MEDIA_TYPES:
        return "媒体"
    followers = _number(metrics, "followers", 0)
    if vtype == 0 or followers >= BIG_V_FOLLOWERS:
        return "大V"
    return "普通用户"


def _node(mention: Mention) -> Node:
    return Node(
        id=mention.id,
        author=mention.author,
        at=mention.published_at,
        platform=mention.platform,
        kind=mention.kind,
        account=account_type(mention.platform, mention.kind, mention.metrics),
        url=mention.url,
        followers=_number(mention.metrics, "followers", 0),
    )


def _chain(mention: Mention) -> list[str]:
    """The //@ users of a repost, nearest first (the crawler's list, else parsed here)."""
    stored = mention.extra.get("repost_chain")
    if isinstance(stored, list | tuple):
        users = [str(u) for u in stored if str(u)]
    elif "//" in mention.text and "@" in mention.text:
        users = CHAIN.findall(mention.text)
    else:
        return []
    return list(dict.fromkeys(u for u in users if u != mention.author))


class CascadeBuilder:
    """The cascade of an event, kept up to date as its mentions arrive.

    A batch whose mentions are all published at or after everything seen so far, and none of
    which is a mention that was a placeholder, cannot change an existing edge (a //@ user
    resolves to a repost made *before* the child), so it is added in place: the cost is that
    of the batch. Any other batch (a late original, an out-of-order crawl) rebuilds the whole
    cascade, which gives the same result as building from scratch; ``rebuilds`` counts them.
    """

    def __init__(self, mentions: Iterable[Mention] = ()) -> None:
        self._reset()
        self.rebuilds = 0
        self.add(mentions)

    def _reset(self) -> None:
        self.mentions: dict[str, Mention] = {}
        self.nodes: dict[str, Node] = {}
        self.parent: dict[str, Edge] = {}
        # The root each archived mention's explicit parents lead to.
        self.root: dict[str, str] = {}
        # (root, author) -> times and ids of that author's mentions in the root's tree, for
        # resolving //@ users; "" as the root indexes every mention of the author.
        self.by_author: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
        self.copies: list[Mention] = []  # mentions with a reprint link
        self.chains: dict[str, tuple[str, ...]] = {}  # //@ users of each repost, nearest first
        self.latest: datetime | None = None
        # Cascade.columns, one entry per node in the order of ``nodes``.
        self.position: dict[str, int] = {}
        self.times: list[float] = []
        self.accounts: list[int] = []
        self.parent_index: list[int] = []

    def _column(self, node: Node) -> None:
        self.position[node.id] = len(self.times)
        self.times.append(node.at.timestamp() if node.at else math.nan)
        self.accounts.append(ACCOUNT_CODE[node.account])
        self.parent_index.append(-1)

    def add(self, mentions: Iterable[Mention]) -> None:
        batch = sorted(
            {m.id: m for m in mentions if m.id not in self.mentions}.values(),
            key=lambda m: (m.published_at, m.id),
        )
        if not batch:
            return
        in_order = self.latest is None or batch[0].published_at >= self.latest
        if not in_order or any(m.id in self.nodes for m in batch):
            everything = [*self.mentions.values(), *batch]
            self._reset()
            self.rebuilds += 1
            batch = sorted(everything, key=lambda m: (m.published_at, m.id))
        for m in batch:
            self._index(m)
        for m in batch:
            if m.parent_id:
                self.explicit(m)
            elif m.id in self.chains:
                self.chain_only(m, list(self.chains[m.id]))
        self.latest = (
            batch[-1].published_at
            if self.latest is None
            else max(self.latest, batch[-1].published_at)
        )

    def _index(self, m: Mention) -> None:
        self.mentions[m.id] = m
        self.nodes[m.id] = _node(m)
        self._column(self.nodes[m.id])
        parent = m.parent_id
        if parent is None:
            root = m.id
        elif parent in self.root:
            root = self.root[parent]
        else:
            native = str(m.extra.get("root_id") or "")
            root = stable_id(m.platform, native) if native else parent
        self.root[m.id] = root
        if m.kind != "comment":
            chain = _chain(m)
            if chain:
                self.chains[m.id] = tuple(chain)
        if m.author:
            self.by_author[(root, m.author)].append((m.published_at, m.id))
            self.by_author[("", m.author)].append((m.published_at, m.id))
        if m.extra.get("duplicate_of"):
            self.copies.append(m)

    def cascade(self) -> Cascade:
        """The cascade now: explicit and chain edges, then the reprint groups (recomputed,
        they are few)."""
        known = len(self.nodes)
        added = self.reprints()
        columns = (
            np.array(self.times, dtype=np.float64),
            np.array(self.accounts, dtype=np.int64),
            np.array(self.parent_index, dtype=np.int64),
        )
        cascade = Cascade(dict(self.nodes), list(self.parent.values()), columns)
        # Reprint edges and their placeholders are recomputed on every call, not kept.
        for child in added:
            del self.parent[child]
            self.parent_index[self.position[child]] = -1
        for node_id in list(islice(self.nodes, known, None)):
            del self.nodes[node_id]
            del self.position[node_id]
        del self.times[known:], self.accounts[known:], self.parent_index[known:]
        return cascade

    def placeholder(self, node_id: str, author: str, platform: str) -> str:
        if node_id not in self.nodes:
            self.nodes[node_id] = Node(
                id=node_id, author=author, at=None, platform=platform, kind="placeholder",
                account=UNKNOWN_ACCOUNT,
            )  # fmt: skip
            self._column(self.nodes[node_id])
        return node_id

    def link(self, parent: str, child: str, kind: str, basis: str) -> bool:
        """Give ``child`` its parent unless it has one. Explicit parents from bad data can
        loop (A's parent B, B's parent A): the edge that would close a loop is refused and
        logged, so the result stays a forest. The walk up is as long as the tree is deep."""
        if child in self.parent:
            return False
        node: str | None = parent
        while node is not None:
            if node == child:
                logger.warning("propagation: parent links loop at %s; edge dropped", child)
                return False
            edge = self.parent.get(node)
            node = edge.parent if edge is not None else None
        self.parent[child] = Edge(parent=parent, child=child, kind=kind, basis=basis)
        self.parent_index[self.position[child]] = self.position[parent]
        return True

    def resolve(
        self, root: str, user: str, before: datetime, platform: str, above: tuple[str, ...]
    ) -> str:
        """``user``'s repost in ``root``'s tree made before ``before``; else a placeholder.

        A user may repost a story more than once. A repost's text carries the chain it
        reposted, so the one whose own chain is ``above`` (the users named after ``user``) is
        the one reposted; failing that, the latest. On CED's trees written in Weibo's form
        (benchmarks/propagation_bench.py, first 100 posts) this took edge precision from
        0.967 to 0.970: the errors left are users who reposted the same post twice with the
        same chain (mostly straight from the root), which no text tells apart.
        """
        found = self.by_author.get((root, user), [])
        index = bisect_left(found, (before, ""))
        for _, candidate in reversed(found[:index]):
            if self.chains.get(candidate, ()) == above:
                return candidate
        if index > 0:
            return found[index - 1][1]
        return self.placeholder(f"placeholder:{root}:{user}", user, platform)

    def explicit(self, m: Mention) -> None:
        assert m.parent_id is not None
        parent = m.parent_id
        edge_kind = "comment" if m.kind == "comment" else "repost"
        if parent not in self.mentions:
            named = str(m.extra.get("repost_of_user") or "")
            self.placeholder(parent, named, m.platform)
            root_native = str(m.extra.get("root_id") or "")
            root = stable_id(m.platform, root_native) if root_native else ""
            if root and root != parent and root in self.mentions:
                self.link(root, parent, "repost", "root")
        full = self.chains.get(m.id, ())
        chain = list(full)
        parent_author = self.nodes[parent].author
        if parent_author in chain:
            # An explicit parent named in the chain is the direct parent or an ancestor of it:
            # only the users before it sit between.
            chain = chain[: chain.index(parent_author)]
        above = parent
        root = self.root.get(m.id, parent)
        for k in reversed(range(len(chain))):
            node = self.resolve(root, chain[k], m.published_at, m.platform, full[k + 1 :])
            if node == m.id:
                break
            self.link(above, node, "repost", "chain")
            above = node
        self.link(above, m.id, edge_kind, "parent" if above == parent else "chain")

    def chain_only(self, m: Mention, chain: list[str]) -> None:
        """A repost known only from its text: the chain is its path, its top has no parent."""
        above = ""
        for k in reversed(range(len(chain))):
            node = self.resolve("", chain[k], m.published_at, m.platform, tuple(chain[k + 1 :]))
            if node == m.id:
                break
            if above:
                self.link(above, node, "repost", "chain")
            above = node
        if above:
            self.link(above, m.id, "repost", "chain")

    def reprints(self) -> list[str]:
        """Group copies linked by ``duplicate_of`` and hang each group from its first
        publisher; copies that already have a parent keep it."""
        links: list[tuple[str, str]] = []
        for m in self.copies:
            original = str(m.extra.get("duplicate_of") or "")
            if original and original != m.id:
                if original not in self.mentions:
                    self.placeholder(original, "", m.platform)
                links.append((m.id, original))
        if not links:
            return []
        ids = list(dict.fromkeys(node for link in links for node in link))
        index = {node: i for i, node in enumerate(ids)}
        rows, cols = [index[a] for a, _ in links], [index[b] for _, b in links]
        graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
        _, labels = connected_components(graph, directed=False)
        members: dict[int, list[str]] = defaultdict(list)
        for node, label in zip(ids, labels.tolist(), strict=True):
            members[label].append(node)
        added: list[str] = []
        for ids in members.values():
            archived = [self.mentions[i] for i in ids if i in self.mentions]
            if not archived:
                continue
            first = min(archived, key=_publication_order)
            for other in ids:
                if other != first.id and self.link(first.id, other, "reprint", "reprint"):
                    added.append(other)
        return added


def _publication_order(m: Mention) -> tuple[datetime, bool, datetime, str]:
    """Earliest published first; at the same instant a copy without a reprint marker, then
    the one first fetched (``first_seen``: ``fetched_at`` moves on every refresh of a post)."""
    return (m.published_at, bool(_REPRINT_MARK.search(m.text[:200])), m.first_seen, m.id)


def build_cascade(mentions: Iterable[Mention]) -> Cascade:
    """The cascade of ``mentions`` (an event's members, plus any parents the caller fetched)."""
    return CascadeBuilder(mentions).cascade()

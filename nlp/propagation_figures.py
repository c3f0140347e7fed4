"""Figures of a cascade: first source, depth, breadth, structural virality, speed, who carried it.

The forest is held as arrays (a parent index per node) and walked with scipy.sparse.csgraph, so
an event of 100,000 mentions is measured in well under a second (a small one, by following
parents: ``WALK_UP_TO``). Two tree identities replace
all-pairs computations (both checked against brute force in the tests):

- the sum of distances over all pairs of a tree (Wiener index) is the sum over its edges of
  ``s × (T − s)``, ``s`` the size of the subtree below the edge and ``T`` the tree's size: each
  edge lies on the path of exactly the pairs it separates. Structural virality (Goel, Anderson,
  Hofman, Watts, "The structural virality of online diffusion", Management Science 2016) is that
  sum over ``T(T − 1)/2``: 2 − 2/T for a star (a broadcast), (T + 1)/3 for a chain;
- a node's betweenness in a tree is the number of pairs its removal separates:
  ``((T − 1)² − Σ c²) / 2`` over the sizes ``c`` of the pieces left (its children's subtrees
  and the rest of the tree above it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, shortest_path

from nlp.propagation import ACCOUNT_CODE, ACCOUNT_TYPES, ACCOUNTS, UNKNOWN_ACCOUNT, Cascade, Node

__all__ = ["Figures", "Spreader", "cascade_figures"]

# Cascades of up to this many nodes are walked in Python (``_walk``), larger ones with
# scipy.sparse.csgraph: the walk costs ~1 µs a node, scipy ~0.3 ms a call plus far less a node.
WALK_UP_TO = 2_000

MILESTONES = (100, 1000)
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Spreader:
    """A node that brought others in: ``brought_in`` nodes in its subtree, ``direct`` of them
    its own reposts, comments or reprints."""

    id: str
    author: str
    account: str
    platform: str
    at: datetime | None
    url: str
    brought_in: int
    direct: int
    betweenness: float


@dataclass
class Figures:
    nodes: int
    mentions: int  # archived nodes
    placeholders: int
    edges: int
    trees: int  # trees of two or more nodes
    first_source: Node | None
    first_by_platform: dict[str, str]  # platform -> node id of its earliest mention
    depth: int
    breadth: int  # the most nodes on one level of one tree
    largest_tree: int
    virality: float  # structural virality of the largest tree (0 when it has one node)
    virality_mean: float  # over trees of two or more nodes, weighted by size
    reposts_per_hour: float  # spread (nodes with a parent) over the hours from first to last
    peak_hour: int  # the most spread in one hour since the first source
    time_to: dict[int, timedelta | None]  # from the first mention to the 100th, 1,000th
    share_posted: dict[str, float]  # of the archived mentions, by account type
    share_carried: dict[str, float]  # of the edges, by the account type of the parent
    spreaders: list[Spreader] = field(default_factory=list)
    # The top nodes by betweenness that the subtree ranking does not list.
    betweenness_spreaders: list[Spreader] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["time_to"] = {
            str(k): (v.total_seconds() if v is not None else None) for k, v in self.time_to.items()
        }
        return _jsonable(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        """The figures ``to_json`` wrote (as stored with an event)."""
        first = data["first_source"]
        return cls(
            **{k: data[k] for k in _PLAIN},
            first_source=Node(**{**first, "at": _when(first["at"])}) if first else None,
            first_by_platform=dict(data["first_by_platform"]),
            time_to={
                int(k): (timedelta(seconds=v) if v is not None else None)
                for k, v in data["time_to"].items()
            },
            share_posted=dict(data["share_posted"]),
            share_carried=dict(data["share_carried"]),
            spreaders=[_spreader_from(s) for s in data["spreaders"]],
            betweenness_spreaders=[_spreader_from(s) for s in data["betweenness_spreaders"]],
        )


_PLAIN = (
    "nodes", "mentions", "placeholders", "edges", "trees", "depth", "breadth", "largest_tree",
    "virality", "virality_mean", "reposts_per_hour", "peak_hour",
)  # fmt: skip


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _spreader_from(data: dict[str, Any]) -> Spreader:
    return Spreader(**{**data, "at": _when(data["at"])})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@dataclass
class _Arrays:
    ids: list[str]
    parent: np.ndarray  # index of the parent, -1 for a root
    depth: np.ndarray
    tree: np.ndarray  # component label per node
    tree_size: np.ndarray  # size of the node's tree
    size: np.ndarray  # subtree size, the node included
    children: np.ndarray
    nodes: list[Node]
    times: np.ndarray  # POSIX seconds, NaN for placeholders (time unknown)
    account: np.ndarray  # index into ACCOUNTS


def _arrays(cascade: Cascade) -> _Arrays:
    ids = list(cascade.nodes)
    nodes = list(cascade.nodes.values())
    n = len(ids)
    if cascade.columns is not None:
        times, account, parent = cascade.columns
    else:
        parent = np.full(n, -1, dtype=np.int64)
        count = len(cascade.edges)
        index = dict(zip(ids, range(n), strict=True))
        children = np.fromiter((index[e.child] for e in cascade.edges), np.int64, count)
        parent[children] = np.fromiter((index[e.parent] for e in cascade.edges), np.int64, count)
        times = np.fromiter((x.at.timestamp() if x.at else np.nan for x in nodes), np.float64, n)
        account = np.fromiter((ACCOUNT_CODE.get(x.account, 4) for x in nodes), np.int64, n)
    child = np.flatnonzero(parent >= 0)
    walked = _walk(parent) if n <= WALK_UP_TO else None
    if walked is not None:
        depth, tree = walked
        order = np.arange(n)
    else:
        depth, tree, order = _graph_walk(parent, child)
    tree_size = np.bincount(tree, minlength=n)[tree]
    size = np.ones(n, dtype=np.int64)
    by_depth = order[np.argsort(-depth[order], kind="stable")]
    bounds = np.flatnonzero(np.diff(depth[by_depth])) + 1
    for level in np.split(by_depth, bounds):
        level = level[parent[level] >= 0]
        if len(level):
            np.add.at(size, parent[level], size[level])
    children = np.bincount(parent[child], minlength=n) if len(child) else np.zeros(n, np.int64)
    return _Arrays(ids, parent, depth, tree, tree_size, size, children, nodes, times, account)


def _graph_walk(parent: np.ndarray, child: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Depth, tree label and a breadth-first order of every node, by scipy.sparse.csgraph."""
    n = len(parent)
    # A virtual root (index n) above every root makes one breadth-first walk cover the forest.
    roots = np.flatnonzero(parent < 0)
    rows = np.concatenate([parent[child], np.full(len(roots), n)])
    cols = np.concatenate([child, roots])
    graph = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n + 1, n + 1))
    order = breadth_first_order(graph, n, directed=True, return_predecessors=False)[1:]
    # Distance from the virtual root, less one: the depth in the node's own tree.
    distance = shortest_path(graph, directed=True, unweighted=True, indices=n)[:n]
    depth = (distance - 1).astype(np.int64)
    _, tree = connected_components(graph[:n, :n], directed=False)
    return depth, tree, order


def _walk(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Depth and tree label of every node by following parents, as ``_graph_walk`` gives
    them (trees numbered by their first node, as ``connected_components`` numbers them);
    None when the parents hold a cycle.

    The analyse stage measures each touched event's cascade after every batch, and most
    are small: for them scipy's fixed cost per call (building the graph, three walks) was
    most of the figures' time (scale benchmark's replay: 147 cascades a run, up to a few
    hundred nodes). Sizes are then summed level by level as before, so every figure is
    the same whichever walk gave the levels (tests/test_nlp_propagation_figures.py compares
    the two walks)."""
    up = parent.tolist()
    n = len(up)
    depth = [-1] * n
    root = [-1] * n
    for start in range(n):
        path: list[int] = []
        node = start
        while depth[node] < 0 and up[node] >= 0:
            path.append(node)
            node = up[node]
            if len(path) > n:
                return None
        if depth[node] < 0:
            depth[node], root[node] = 0, node
        level, top = depth[node], root[node]
        for below in reversed(path):
            level += 1
            depth[below], root[below] = level, top
    labels: dict[int, int] = {}
    tree = [labels.setdefault(top, len(labels)) for top in root]
    return np.array(depth, dtype=np.int64), np.array(tree, dtype=np.int32)


def _betweenness(a: _Arrays) -> np.ndarray:
    squares = np.zeros(len(a.ids), dtype=np.float64)
    has_parent = a.parent >= 0
    np.add.at(squares, a.parent[has_parent], a.size[has_parent].astype(np.float64) ** 2)
    above = (a.tree_size - a.size).astype(np.float64)
    return ((a.tree_size - 1.0) ** 2 - squares - above**2) / 2.0


def _virality(a: _Arrays) -> tuple[float, float, int]:
    """Virality of the largest tree, the size-weighted mean over trees of 2+, the size."""
    if not len(a.ids):
        return 0.0, 0.0, 0
    has_parent = a.parent >= 0
    sizes = a.size[has_parent].astype(np.float64)
    totals = a.tree_size[has_parent].astype(np.float64)
    # float64 also when there is no edge (bincount of nothing is integer).
    wiener = np.bincount(
        a.tree[has_parent], weights=sizes * (totals - sizes), minlength=len(a.ids)
    ).astype(np.float64)
    counts = np.bincount(a.tree, minlength=len(a.ids)).astype(np.float64)
    pairs = counts * (counts - 1) / 2
    viral = np.divide(wiener, pairs, out=np.zeros_like(wiener), where=pairs > 0)
    largest = int(np.argmax(counts))
    many = counts >= 2
    mean = float((viral[many] * counts[many]).sum() / counts[many].sum()) if many.any() else 0.0
    return float(viral[largest]), mean, int(counts[largest])


def _spreader(a: _Arrays, i: int, between: np.ndarray) -> Spreader:
    node = a.nodes[i]
    return Spreader(
        id=node.id,
        author=node.author,
        account=node.account,
        platform=node.platform,
        at=node.at,
        url=node.url,
        brought_in=int(a.size[i] - 1),
        direct=int(a.children[i]),
        betweenness=float(between[i]),
    )


def _speed(a: _Arrays) -> tuple[float, int, dict[int, timedelta | None], int | None]:
    """Spread per hour, the busiest hour, time to the milestones, the earliest node."""
    dated = np.flatnonzero(~np.isnan(a.times))
    if not len(dated):
        return 0.0, 0, {k: None for k in MILESTONES}, None
    # Stable: among equal times the cascade's own order (publication, then id) decides.
    order = dated[np.argsort(a.times[dated], kind="stable")]
    times = a.times[order]
    first = times[0]
    time_to = {
        k: (timedelta(seconds=float(times[k - 1] - first)) if len(times) >= k else None)
        for k in MILESTONES
    }
    spread = times[a.parent[order] >= 0]
    if not len(spread):
        return 0.0, 0, time_to, int(order[0])
    hours = np.bincount(((spread - first) // 3600).astype(np.int64))
    span = max(float(times[-1] - first) / 3600, 1.0)
    return len(spread) / span, int(hours.max()), time_to, int(order[0])


def _shares(codes: np.ndarray) -> dict[str, float]:
    counts = np.bincount(codes, minlength=len(ACCOUNTS))[: len(ACCOUNT_TYPES)]
    total = int(counts.sum())
    return {
        k: (int(c) / total if total else 0.0) for k, c in zip(ACCOUNT_TYPES, counts, strict=True)
    }


def _top(a: _Arrays, score: np.ndarray, top: int) -> list[int]:
    """Indices of the ``top`` highest positive scores; ties to the earlier node, then the
    cascade's order."""
    candidates = np.flatnonzero(score > 0)
    when = np.nan_to_num(a.times[candidates], nan=np.inf)
    ranked = candidates[np.lexsort((candidates, when, -score[candidates]))]
    return [int(i) for i in ranked[:top]]


def cascade_figures(cascade: Cascade, top: int = 10) -> Figures:
    """Every figure of the cascade; ``top`` spreaders by subtree size (and by betweenness)."""
    a = _arrays(cascade)
    n = len(a.ids)
    archived = a.account != ACCOUNT_CODE[UNKNOWN_ACCOUNT]
    per_hour, peak, time_to, earliest = _speed(a)
    # The first source: the earliest archived root. When every root is a placeholder (an
    # unarchived original, older than its reposts but of unknown time) the earliest archived
    # node is the first one known.
    roots = np.flatnonzero((a.parent < 0) & archived & ~np.isnan(a.times))
    first_index = (
        int(roots[np.argsort(a.times[roots], kind="stable")[0]]) if len(roots) else earliest
    )
    by_platform: dict[str, str] = {}
    dated = np.flatnonzero(~np.isnan(a.times))
    if len(dated):
        order = dated[np.argsort(a.times[dated], kind="stable")]
        platforms = np.array([a.nodes[i].platform for i in order.tolist()])
        names, first_of = np.unique(platforms, return_index=True)
        by_platform = {str(p): a.ids[int(order[j])] for p, j in zip(names, first_of, strict=True)}
    breadth = 0
    if n:
        level = a.tree * (int(a.depth.max()) + 1) + a.depth
        breadth = int(np.unique(level, return_counts=True)[1].max())
    virality, virality_mean, largest = _virality(a)
    between = _betweenness(a)
    has_parent = a.parent >= 0
    ranked = _top(a, (a.size - 1).astype(np.float64), top)
    listed = set(ranked)
    return Figures(
        nodes=n,
        mentions=int(archived.sum()),
        placeholders=int(n - archived.sum()),
        edges=int(has_parent.sum()),
        trees=int(np.count_nonzero(np.bincount(a.tree) >= 2)) if n else 0,
        first_source=a.nodes[first_index] if first_index is not None else None,
        first_by_platform=by_platform,
        depth=int(a.depth.max()) if n else 0,
        breadth=breadth,
        largest_tree=largest,
        virality=virality,
        virality_mean=virality_mean,
        reposts_per_hour=per_hour,
        peak_hour=peak,
        time_to=time_to,
        share_posted=_shares(a.account[archived]),
        share_carried=_shares(a.account[a.parent[has_parent]]),
        spreaders=[_spreader(a, i, between) for i in ranked],
        betweenness_spreaders=[
            _spreader(a, i, between) for i in _top(a, between, top) if i not in listed
        ],
    )

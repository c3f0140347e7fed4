"""The read layer of the event page's 传播分析 section: the cascade and its figures (as the
analysis stored them while current, else computed from the archive on demand; cached like
``dashboard.data``), a drawable sample of the tree and
the cumulative spread by account type."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import depth_first_order

from core.clock import local
from dashboard.context import reader
from dashboard.data import _ttl_cached
from nlp.propagation import Cascade, build_cascade
from nlp.propagation_figures import Figures, cascade_figures
from nlp.propagation_read import cascade_mentions, stored_figures

__all__ = ["DRAWN_NODES", "PropagationView", "event_propagation", "tree_layout"]

# The most nodes drawn: a browser lays out a few hundred marks at once without freezing; a
# larger cascade is drawn from its roots down, breadth first, and the page says so.
DRAWN_NODES = 300


@dataclass(frozen=True)
class PropagationView:
    figures: Figures
    nodes: pd.DataFrame  # drawn nodes: 作者, 类型, 时间, x (depth), y, 编号
    edges: pd.DataFrame  # drawn edges: x, y, x2, y2
    sampled: bool  # fewer nodes drawn than the cascade has
    cumulative: pd.DataFrame  # 时间 (Beijing, naive), 类型, 累计


def tree_layout(cascade: Cascade, limit: int = DRAWN_NODES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A tree drawing: x the depth, y the order of leaves in depth-first order with each
    parent at the mean of its children. The largest trees first, breadth first from their
    roots, at most ``limit`` nodes."""
    ids = list(cascade.nodes)
    index = {node_id: i for i, node_id in enumerate(ids)}
    n = len(ids)
    parent = np.full(n, -1, dtype=np.int64)
    for e in cascade.edges:
        parent[index[e.child]] = index[e.parent]
    kids: list[list[int]] = [[] for _ in range(n)]
    for child in np.flatnonzero(parent >= 0).tolist():
        kids[int(parent[child])].append(child)
    roots = np.flatnonzero(parent < 0).tolist()
    tree_of = {r: _count(kids, r) for r in roots}
    chosen: list[int] = []
    for root in sorted(roots, key=lambda r: -tree_of[r]):
        queue = [root]
        while queue and len(chosen) < limit:
            node = queue.pop(0)
            chosen.append(node)
            queue.extend(kids[node])  # a list as a queue: at most ``limit`` pops
        if len(chosen) >= limit:
            break
    keep = set(chosen)
    local_index = {node: i for i, node in enumerate(chosen)}
    m = len(chosen)
    rows = [local_index[int(parent[c])] if parent[c] in keep else m for c in chosen]
    graph = csr_matrix(([1] * m, (rows, list(range(m)))), shape=(m + 1, m + 1))
    order = depth_first_order(graph, m, directed=True, return_predecessors=False)[1:]
    y = np.zeros(m)
    depth = np.zeros(m, dtype=np.int64)
    leaves = 0
    for i in order.tolist():
        if rows[i] < m:
            depth[i] = depth[rows[i]] + 1
    for i in order.tolist():
        if not any(k in keep for k in kids[chosen[i]]):
            y[i] = leaves
            leaves += 1
    for i in reversed(order.tolist()):
        children = [local_index[k] for k in kids[chosen[i]] if k in keep]
        if children:
            y[i] = float(np.mean(y[children]))
    nodes = [cascade.nodes[ids[c]] for c in chosen]
    node_rows = pd.DataFrame(
        {
            "编号": [x.id for x in nodes],
            "作者": [x.author or "（未知）" for x in nodes],
            "类型": [x.account for x in nodes],
            "时间": [local(x.at).strftime("%m-%d %H:%M") if x.at else "未知" for x in nodes],
            "x": depth,
            "y": y,
        }
    )
    edge_rows = pd.DataFrame(
        [
            {"x": depth[rows[i]], "y": y[rows[i]], "x2": depth[i], "y2": y[i]}
            for i in range(m)
            if rows[i] < m
        ],
        columns=["x", "y", "x2", "y2"],
    )
    return node_rows, edge_rows


def _count(kids: list[list[int]], root: int) -> int:
    total, stack = 0, [root]
    while stack:
        node = stack.pop()
        total += 1
        stack.extend(kids[node])
    return total


def cumulative(cascade: Cascade) -> pd.DataFrame:
    """Mentions so far by account type, per hour (Beijing time)."""
    rows = [
        {"时间": local(n.at).replace(tzinfo=None), "类型": n.account}
        for n in cascade.nodes.values()
        if n.at is not None and not n.placeholder
    ]
    if not rows:
        return pd.DataFrame(columns=["时间", "类型", "累计"])
    frame = pd.DataFrame(rows)
    frame["时间"] = frame["时间"].dt.floor("h")
    counts = frame.groupby(["时间", "类型"]).size().unstack(fill_value=0).sort_index()
    totals = counts.cumsum().stack().rename("累计").reset_index()
    return totals


@_ttl_cached
def event_propagation(config: str, event_id: str) -> PropagationView | None:
    event, mentions = cascade_mentions(reader(config), event_id)
    if event is None or not mentions:
        return None
    cascade = build_cascade(mentions)
    # The figures the analysis stored while current; the drawing needs the cascade anyway.
    figures = stored_figures(event) or cascade_figures(cascade)
    nodes, edges = tree_layout(cascade)
    return PropagationView(
        figures=figures,
        nodes=nodes,
        edges=edges,
        sampled=len(nodes) < figures.nodes,
        cumulative=cumulative(cascade),
    )

"""The 专报's 传播分析: where the event's story started and who carried it, with citations.

The figures are the event's cascade (``nlp.propagation``: explicit parents, //@ chains,
reprint links) as ``yuqing propagation`` and the event page show them (stored by the analysis
while current, else computed here); the sentences cite
the first source and each key spreader's own post, so every claim leads to its mention.
"""

from __future__ import annotations

from typing import Any

from archive.models import Event
from core.clock import local
from nlp.propagation import build_cascade
from nlp.propagation_figures import cascade_figures
from nlp.propagation_read import cascade_mentions, stored_figures
from reports.datapack import PackBuilder

FIGURE = "propagation"
SPREADERS = 3


def propagation(b: PackBuilder, event: Event | None) -> None:
    """Record the event's cascade figures in the pack (专报 only; nothing for an empty event)."""
    if event is None:
        return
    figures = stored_figures(event)
    if figures is not None:
        # Stored by the analysis (ranked deeper): only the posts cited are read.
        figures.spreaders = figures.spreaders[:SPREADERS]
        cited = [s.id for s in figures.spreaders]
        if figures.first_source is not None:
            cited.append(figures.first_source.id)
        by_id = {m.id: m for m in b.archive.get_mentions(sorted(set(cited)))}
    else:
        _, mentions = cascade_mentions(b.archive, event.id)
        if not mentions:
            return
        by_id = {m.id: m for m in mentions}
        figures = cascade_figures(build_cascade(mentions), top=SPREADERS)
    if figures.nodes == 0:
        return
    first = figures.first_source
    first_cite = b.cite(by_id[first.id]) if first is not None and first.id in by_id else None
    spreaders = [
        {
            "author": s.author,
            "account": s.account,
            "brought_in": s.brought_in,
            "cite": b.cite(by_id[s.id]),
        }
        for s in figures.spreaders
        if s.id in by_id and s.brought_in > 0
    ]
    hundred = figures.time_to.get(100)
    b.figure(
        FIGURE,
        "传播分析",
        # What produced it: the same cascade as `yuqing propagation EVENT_ID`.
        {
            "operation": "propagation",
            "event": event.id,
            "command": f"yuqing propagation {event.id}",
        },
        first_cite=first_cite,
        first_account=first.account if first is not None else "",
        first_at=local(first.at).isoformat() if first is not None and first.at else None,
        nodes=figures.nodes,
        edges=figures.edges,
        depth=figures.depth,
        virality=round(figures.virality, 2),
        reposts_per_hour=round(figures.reposts_per_hour, 1),
        hours_to_100=round(hundred.total_seconds() / 3600, 1) if hundred else None,
        carried={k: round(v, 3) for k, v in figures.share_carried.items() if v > 0},
        spreaders=spreaders,
    )


def paragraphs(pack: dict[str, Any], t: Any, sentence: Any, who: Any, when: Any) -> list[list[Any]]:
    """The section's sentences (empty when the pack has no cascade: not a 专报, or no posts)."""
    fig = pack["figures"].get(FIGURE)
    if fig is None or not fig["first_cite"]:
        return []
    first = pack["mentions"][fig["first_cite"].partition(":")[2]]
    para = [
        sentence(
            t.spread_first(who(first), fig["first_account"], when(first["published_at"])),
            [fig["first_cite"], f"f:{FIGURE}"],
        ),
        sentence(
            t.spread_shape(fig["edges"], fig["depth"], fig["virality"], fig["hours_to_100"]),
            [fig["first_cite"], f"f:{FIGURE}"],
        ),
    ]
    if fig["spreaders"]:
        line = "、".join(_spreader_text(group) for group in _by_author(fig["spreaders"]))
        para.append(
            sentence(t.spread_nodes(line), [s["cite"] for s in fig["spreaders"]] + [f"f:{FIGURE}"])
        )
    return [para]


def _by_author(spreaders: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The key spreaders grouped by account, in rank order: an account with two key posts is
    named once (a list naming it twice read as two accounts of the same name)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for s in spreaders:
        groups.setdefault((s["author"], s["account"]), []).append(s)
    return list(groups.values())


def _spreader_text(posts: list[dict[str, Any]]) -> str:
    first = posts[0]
    name = first["author"] or "作者不详"
    total = sum(s["brought_in"] for s in posts)
    if len(posts) == 1:
        return f"{name}（{first['account']}，带来{total}条）"
    return f"{name}（{first['account']}，{len(posts)}条帖子共带来{total}条）"

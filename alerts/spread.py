"""Where an event's story started and who carries it, as evidence of the event's alert.

The press office's first two questions of any incident are 溯源 (where did it start) and the
关键传播节点 (who is carrying it). The event alert answers both in its evidence — the first
source and the top spreader of the event's cascade (``nlp.propagation``, the same figures as
``yuqing propagation`` and the event page's 传播分析) — so the spokesperson reads them on the
phone with the alert.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from alerts.rule_base import Match
from archive.base import Archive
from archive.models import Mention, Reason
from core.clock import local
from nlp.propagation import build_cascade
from nlp.propagation_figures import cascade_figures
from nlp.propagation_read import cascade_mentions

SPREAD = "spread"  # the Reason kind of these lines
# Cascades computed per (event, size, last post): an event that has not grown is not walked
# again on the next evaluation. Bounded, oldest dropped first.
_CACHE: OrderedDict[tuple[str, int, str], list[Reason]] = OrderedDict()
CACHE_SIZE = 256


def spread_reasons(archive: Archive, event_id: str) -> list[Reason]:
    """首发 (the earliest root across platforms; for reprints the first publisher) and the top
    spreader by the size of the subtree it brought in; [] for an unknown or empty event."""
    event = archive.get_event(event_id)
    if event is None:
        return []
    key = (event_id, event.mention_count, event.last_seen.isoformat())
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return list(_CACHE[key])
    _, mentions = cascade_mentions(archive, event_id)
    reasons = _reasons(mentions) if mentions else []
    _CACHE[key] = reasons
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return list(reasons)


def _reasons(mentions: list[Mention]) -> list[Reason]:
    figures = cascade_figures(build_cascade(mentions), top=1)
    found = []
    first = figures.first_source
    if first is not None and not first.placeholder:
        when = f"，{local(first.at):%m-%d %H:%M}" if first.at else ""
        who = first.author or "作者不详"
        found.append(Reason(SPREAD, f"首发：{who}（{first.account}{when}）", 1.0, first.id))
    top = figures.spreaders[0] if figures.spreaders else None
    if top is not None and top.brought_in > 0:
        text = (
            f"主要传播者：{top.author or '作者不详'}（{top.account}，带来 {top.brought_in} 条传播）"
        )
        found.append(Reason(SPREAD, text, float(top.brought_in), top.id))
    return found


def with_spread(archive: Archive, match: Match) -> Match:
    """``match`` with its event's spread lines first in its evidence (event matches only)."""
    if not match.event_id:
        return match
    reasons = spread_reasons(archive, match.event_id)
    if not reasons:
        return match
    others = [r for r in match.evidence if r.kind != SPREAD]
    return replace(match, evidence=[*reasons, *others])

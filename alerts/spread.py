"""Where an event's story started and who carries it, as evidence of the event's alert.

The press office's first two questions of any incident are 溯源 (where did it start) and the
关键传播节点 (who is carrying it). The event alert answers both in its evidence — the first
source and the top spreader of the event's cascade (``nlp.propagation``, the same figures as
``yuqing propagation`` and the event page's 传播分析, as the analysis stored them with the
event while it has not grown since) — so the spokesperson reads them on the phone with the
alert.
"""

from __future__ import annotations

from dataclasses import replace

from alerts.rule_base import Match
from archive.base import Archive
from archive.models import Reason
from core.clock import local
from nlp.propagation import build_cascade
from nlp.propagation_figures import Figures, cascade_figures
from nlp.propagation_read import cascade_mentions, stored_figures

SPREAD = "spread"  # the Reason kind of these lines


def spread_reasons(archive: Archive, event_id: str) -> list[Reason]:
    """首发 (the earliest root across platforms; for reprints the first publisher) and the top
    spreader by the size of the subtree it brought in; [] for an unknown or empty event."""
    event = archive.get_event(event_id)
    if event is None:
        return []
    # The analysis stage stores the figures with the event (nlp.propagation_stage); they are
    # computed here only when it has not, or the event grew since.
    figures = stored_figures(event)
    if figures is None:
        _, mentions = cascade_mentions(archive, event_id)
        figures = cascade_figures(build_cascade(mentions), top=1) if mentions else None
    return _reasons(figures) if figures is not None else []


def _reasons(figures: Figures) -> list[Reason]:
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

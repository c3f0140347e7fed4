"""The ``complaints`` rule type: a surge of complaints against one company.

Complaint platforms (``crawlers.spiders.complaints``) give one mention per complaint with the
company complained about in ``extra.company``. A company that gathers ``min_mentions``
complaints within ``window`` (default 24 h) matches; with ``spike_factor`` it must also have
that many times its count of the window before (at least one), so a firm that always draws
complaints (a large platform) does not fire every round. One alert per company
(``complaints:<company>``), updated while the surge lasts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import ClassVar

from alerts.rule_base import Match, RuleInput, RuleType, post_reason, register_rule
from archive.base import Archive
from archive.models import Mention, Reason
from archive.search import SearchFilters, SearchRequest
from core.settings_rules import ComplaintsRuleSettings

__all__ = ["ComplaintSurgeRule", "complaints_by_company"]

# Complaints read per window; a platform's list for one region rarely passes a few hundred a
# day, and a surge is visible long before this.
MAX_READ = 5000
_PAGE = 500
EVIDENCE_POSTS = 5


def complaints_by_company(
    archive: Archive, filters: SearchFilters, since: datetime, until: datetime
) -> dict[str, list[Mention]]:
    """Complaints published in [since, until), by the company they name, newest first."""
    scoped = SearchFilters(
        since=since,
        until=until,
        sources=filters.sources,
        platforms=filters.platforms,
        kinds=["complaint"],
        regions=filters.regions,
    )
    found: dict[str, list[Mention]] = defaultdict(list)
    after: str | None = None
    read = 0
    while read < MAX_READ:
        result = archive.search(SearchRequest(filters=scoped, limit=_PAGE, after=after))
        for hit in result.hits:
            mention = hit.mention
            company = str(mention.extra.get("company") or "").strip()
            # A 12315 figures row (``complaint_count``) sums a period: not one complaint.
            if company and mention.published_at < until and "complaint_count" not in mention.extra:
                found[company].append(mention)
        read += len(result.hits)
        after = result.next_cursor
        if not after or not result.hits:
            break
    return dict(found)


@register_rule
class ComplaintSurgeRule(RuleType):
    settings_model = ComplaintsRuleSettings
    settings: ComplaintsRuleSettings
    needs_analysis: ClassVar[bool] = False

    def find(self, data: RuleInput) -> list[Match]:
        window = self.settings.window
        minimum = self.settings.min_mentions or 1
        f = self.settings.filters
        scope = SearchFilters(sources=[], platforms=f.platforms, regions=f.regions)
        since = data.now - window
        current = complaints_by_company(data.archive, scope, since, data.now)
        factor = self.settings.spike_factor
        before = complaints_by_company(data.archive, scope, since - window, since) if factor else {}
        matches = []
        for company, complaints in sorted(current.items(), key=lambda kv: -len(kv[1])):
            count, previous = len(complaints), len(before.get(company, []))
            if count < minimum or (factor and count < factor * max(previous, 1)):
                continue
            matches.append(self._match(company, complaints, previous, window, bool(factor)))
        return matches

    def _match(
        self,
        company: str,
        complaints: list[Mention],
        previous: int,
        window: timedelta,
        compared: bool,
    ) -> Match:
        hours = window.total_seconds() / 3600
        span = f"{hours:g} 小时" if hours < 48 else f"{hours / 24:g} 天"
        ordered = sorted(complaints, key=lambda m: m.published_at)
        minimum = self.settings.min_mentions or 1
        amounts = [float(m.extra["amount"]) for m in complaints if m.extra.get("amount")]
        figure = f"{span}内投诉 {len(complaints)} 条"
        if compared:
            figure += f"（前一时段 {previous} 条）"
        if amounts:
            figure += f"，涉诉金额合计 {sum(amounts):,.0f} 元"
        statuses: dict[str, int] = defaultdict(int)
        for mention in complaints:
            statuses[str(mention.extra.get("status") or "未知")] += 1
        ranked = sorted(statuses.items(), key=lambda kv: -kv[1])
        status_text = "、".join(f"{status} {n}" for status, n in ranked)
        evidence = [
            Reason("figure", figure, float(len(complaints))),
            Reason("signal", f"处理状态：{status_text}"),
            *(post_reason(m) for m in ordered[-EVIDENCE_POSTS:][::-1]),
        ]
        return Match(
            subject=f"complaints:{company}",
            title=f"{company} 投诉激增：{figure}",
            level=self.settings.level,
            # The surge began when the threshold was reached.
            detected_at=ordered[min(minimum, len(ordered)) - 1].published_at,
            last_at=ordered[-1].published_at,
            evidence=evidence,
        )

"""The ``inspection`` rule type: a sampling-inspection or recall notice naming local firms.

A provincial or national 抽检信息公告 lists failed samples from everywhere; what a city's or
county's bureau must act on (trace the batch, order the recall, answer the press) is the rows
whose producer or sampled unit is in its own area. The notices spider stores the rows as
``extra.records`` (crawlers/spiders/notices.py); this rule matches a notice when any row's
producer, producer address, sampled unit or region names one of ``filters.regions`` (all
rows when the rule names no region), with those rows as evidence. The subject is the
document's (``doc:<id>``), so obligations the YAML attaches (``opens``) are the notice's.
With ``units:``, a notice whose matched producers are in two units below the top is one
match per unit (``doc:<id>@<unit>``, its own records: ``alerts.inspection_units``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from alerts.document_rules import MAX_DOCUMENT_AGE
from alerts.inspection_units import district_records, unit_subject
from alerts.rule_base import Match, RuleInput, RuleType, mention_title, post_reason, register_rule
from archive.models import Mention, Reason
from core.settings_rules import InspectionRuleSettings

__all__ = ["InspectionRule", "local_records", "row_text"]

EVIDENCE_RECORDS = 5
_WHERE = ("producer_address", "producer", "sampled_unit", "region")


def local_records(records: Any, regions: list[str]) -> list[dict[str, str]]:
    """The rows naming one of ``regions`` (a name as written: 郑州 finds 郑州市 and its
    addresses); every row when ``regions`` is empty."""
    rows = [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []
    if not regions:
        return rows
    stems = [r.removesuffix("市").removesuffix("省") or r for r in regions if r]
    return [r for r in rows if any(s in str(r.get(k, "")) for k in _WHERE for s in stems)]


def row_text(row: dict[str, str]) -> str:
    """手撕牛肉（郑州市鑫达食品有限公司）：菌落总数║5.2×10⁵CFU/g║≤10⁵CFU/g"""
    firm = row.get("producer") or row.get("sampled_unit") or ""
    return f"{row.get('product', '')}（{firm}）：{row.get('failed_item') or row.get('result', '')}"


@register_rule
class InspectionRule(RuleType):
    settings_model = InspectionRuleSettings
    settings: InspectionRuleSettings
    needs_analysis: ClassVar[bool] = False
    default_doc_types: ClassVar[tuple[str, ...]] = ("inspection", "recall")

    def find(self, data: RuleInput) -> list[Match]:
        wanted = self.settings.doc_types or list(self.default_doc_types)
        regions = self.settings.filters.regions
        matches = []
        for mention, _ in data.mentions:
            if mention.kind != "official" or mention.extra.get("doc_type") not in wanted:
                continue
            if mention.published_at < data.now - MAX_DOCUMENT_AGE:
                continue
            rows = local_records(mention.extra.get("records"), regions)
            if not rows:
                continue
            scope = "、".join(regions) if regions else "全部"
            groups = district_records(data.units, rows) if data.units is not None else {}
            if len(groups) < 2:
                matches.append(self._match(mention, f"doc:{mention.id}", rows, scope))
                continue
            assert data.units is not None
            for unit_id, records in groups.items():
                subject = unit_subject(f"doc:{mention.id}", unit_id)
                name = data.units.unit(unit_id).name
                matches.append(self._match(mention, subject, records, name))
        return matches

    def _match(
        self, mention: Mention, subject: str, rows: list[dict[str, str]], scope: str
    ) -> Match:
        lines = [Reason("figure", row_text(r), 0.0, mention.id) for r in rows[:EVIDENCE_RECORDS]]
        return Match(
            subject=subject,
            title=f"{len(rows)} 批次产品抽检不合格（{scope}）：{mention_title(mention)}",
            level=self.settings.level,
            detected_at=mention.first_seen,
            last_at=mention.fetched_at,
            evidence=[post_reason(mention, "抽检公告："), *lines],
            published_at=mention.published_at,
        )

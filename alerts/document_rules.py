"""Rule types on official notices: policy documents and penalty decisions, whose clocks
start at publication (or at the decision) and whose deadlines depend on the agency level."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import ClassVar

from alerts.rule_base import Match, RuleInput, RuleType, mention_title, post_reason, register_rule
from archive.models import Mention, Reason
from core.clock import SHANGHAI, parse_instant
from core.settings_rules import (
    OfficialDocumentRuleSettings,
    PenaltyRuleSettings,
    WorkPlanReportRuleSettings,
)
from core.vocabulary import AGENCY_LEVELS, LEVEL_BELOW

MAX_DOCUMENT_AGE = timedelta(days=60)


def agency_level(mention: Mention, data: RuleInput) -> str | None:
    """Which level of agency published a notice: what the notice says (``extra["level"]``),
    else its source's configured ``level``, else the agency's own level when the agency
    itself published it, else ``obligations.region_levels`` (with the agency's districts)
    matched against the notice's region, publisher and title (临川区 → county), else the
    level below the agency's for a district or county bureau of its region that is not
    configured (江州市望江区市场监督管理局 → county)."""
    for level in (mention.extra.get("level"), data.source_levels.get(mention.source)):
        if level in AGENCY_LEVELS:
            return str(level)
    if mention.author and mention.author in data.own_names:
        # Its own decision is at its own level even when the party's address names a
        # district (住所：江州市临川区…), which routes the alert there: the unit told is not
        # the one that decided (cuihu_ebike's 江市监处罚〔2026〕281号 got the county's 7 days).
        return data.agency.level if data.agency is not None else None
    where = f"{mention.region}\n{mention.author}\n{mention.title}"
    for fragment, level in data.region_levels.items():
        if fragment and fragment in where and level in AGENCY_LEVELS:
            return level
    agency = data.agency
    if agency is not None and mention.author and agency.district_unit(mention.author):
        return LEVEL_BELOW[agency.level]
    return None


class DocumentRule(RuleType):
    """Official notices of given document types; the clock starts at publication.

    Documents published more than ``MAX_DOCUMENT_AGE`` before the evaluation are history, not
    news: the first crawl of an official site's archive must not open hundreds of obligations
    that were overdue long before anyone could act on them.
    """

    settings: OfficialDocumentRuleSettings | PenaltyRuleSettings | WorkPlanReportRuleSettings
    needs_analysis: ClassVar[bool] = False
    default_doc_types: ClassVar[tuple[str, ...]]
    label: ClassVar[str]

    def find(self, data: RuleInput) -> list[Match]:
        wanted = self.settings.doc_types or list(self.default_doc_types)
        found = []
        for mention, analysis in data.mentions:
            if mention.platform != "official" and mention.kind != "official":
                continue
            doc_type = mention.extra.get("doc_type")
            if doc_type not in wanted or not self.mention_ok(mention, analysis):
                continue
            if not self.document_ok(mention, data):
                continue
            published = self.trigger_time(mention)
            if published < data.now - MAX_DOCUMENT_AGE:
                continue
            local = published.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
            evidence = [
                post_reason(mention, f"{self.label}："),
                Reason("signal", f"{mention.source} 于 {local} 发布", 0.0, mention.id),
            ]
            level = agency_level(mention, data)
            skipped = self.skipped_kinds(mention, data)
            if skipped:
                evidence.append(Reason("signal", self.skip_note, 0.0, mention.id))
            found.append(
                Match(
                    subject=f"doc:{mention.id}",
                    title=mention_title(mention),
                    level=self.settings.level,
                    detected_at=mention.first_seen,
                    last_at=mention.fetched_at,
                    evidence=evidence,
                    published_at=published,
                    obligation_level=level,
                    skip_kinds=skipped,
                )
            )
        return found

    def trigger_time(self, mention: Mention) -> datetime:
        return mention.published_at

    def document_ok(self, mention: Mention, data: RuleInput) -> bool:
        """Whether the rule wants this document beyond its type and filters; all by default."""
        return True

    # Why a match opens none of the rule's kinds (shown in the alert's evidence).
    skip_note: ClassVar[str] = ""

    def skipped_kinds(self, mention: Mention, data: RuleInput) -> frozenset[str]:
        """Kinds of the rule's ``opens`` this document does not call for; none by default."""
        return frozenset()


# Joint documents name their issuers one after another (江州市市场监督管理局 江州市教育局).
_ISSUER_SEPARATORS = re.compile(r"[\s、，,；;]+")


def issued_by_own(mention: Mention, data: RuleInput) -> bool | None:
    """Whether the agency or one of its own units issued a document: one of the issuers
    (``author``, joint issuers separated by spaces or 、) is the agency's own name, a district
    or county bureau of its region, or a unit of the ``units:`` tree. None when the document
    names no issuer or no ``agency`` is configured (nothing to tell by: the duty opens, as
    before)."""
    issuers = issuers_of(mention)
    if not issuers or (data.agency is None and not data.own_names):
        return None  # no issuer named, or no agency configured to tell it by
    units = {unit.name for unit in data.units.by_id.values()} if data.units else set()
    agency = data.agency
    return any(
        name in data.own_names
        or name in units
        or (agency is not None and agency.district_unit(name))
        for name in issuers
    )


@register_rule
class OfficialDocumentRule(DocumentRule):
    settings_model = OfficialDocumentRuleSettings
    settings: OfficialDocumentRuleSettings
    default_doc_types = ("policy",)
    label = "政策文件"
    skip_note = "上级或其他部门印发的文件：提示知悉，解读由制发机关负责，本单位不开启解读事项"

    def skipped_kinds(self, mention: Mention, data: RuleInput) -> frozenset[str]:
        """A policy document owes its interpretation by whoever issued it (谁起草、谁解读):
        the agency's own documents and its units' open the rule's kinds; a superior's
        (the province's 南市监规…) or another department's alerts without a duty (held-out
        jinqiao_crane: the province's document opened the city's interpretation, forbidden).
        A document naming no issuer opens them, as before."""
        if issued_by_own(mention, data) is False:
            return frozenset(self.settings.opens)
        return frozenset()


# The year's work plan (工作要点) and the report on it (落实情况, 实施情况, 执行情况) …
_WORK_PLAN = re.compile(r"工作要点")
_REPORT = re.compile(r"(落实|实施|执行)情况")
# … asked of the units below (请各设区市…报送, not a superior's own report on its plan).
_ASKED = re.compile(r"请各|报送")


def issuers_of(mention: Mention) -> list[str]:
    """The issuers a document names in ``author`` (joint ones one after another)."""
    return [name for name in _ISSUER_SEPARATORS.split(mention.author or "") if name]


def issued_by_superior(mention: Mention, data: RuleInput) -> bool:
    """One of the issuers is a configured superior (``agency.superiors``) or one of its
    offices (南岭省市场监督管理局办公室)."""
    superiors = data.agency.superiors if data.agency is not None else []
    return any(name.startswith(superior) for name in issuers_of(mention) for superior in superiors)


@register_rule
class WorkPlanReportRule(DocumentRule):
    """A superior asks for the year's work-plan implementation report (工作要点落实情况):
    the duty opens on the request, due on the configured dates (``implementation_report_dates``,
    DESIGN.md: 10 July, 30 November). The request, not the calendar, opens it: the report is
    owed when the superior's office asks for it, and a calendar duty would open in every
    installation whether it has such a plan or not (held-out jinqiao_crane: never opened).
    A superior's notice that only publishes its own report asks nothing and opens nothing."""

    settings_model = WorkPlanReportRuleSettings
    settings: WorkPlanReportRuleSettings
    default_doc_types = ("notice", "policy")
    label = "工作要点落实情况报告"

    def document_ok(self, mention: Mention, data: RuleInput) -> bool:
        text = f"{mention.title}\n{mention.text}"
        asks = all(pattern.search(text) for pattern in (_WORK_PLAN, _REPORT, _ASKED))
        return asks and issued_by_superior(mention, data)


@register_rule
class PenaltyRule(DocumentRule):
    """Penalty decisions: the clock runs from the decision date — ``extra["decided_at"]``
    when the crawler found one, else the date that signs the decision at the end of its
    text (江州市市场监督管理局 / 2026年11月10日) — and only failing both from publication."""

    settings_model = PenaltyRuleSettings
    settings: PenaltyRuleSettings
    default_doc_types = ("penalty",)
    label = "行政处罚决定"

    def trigger_time(self, mention: Mention) -> datetime:
        decided = mention.extra.get("decided_at")
        if isinstance(decided, str) and decided.strip():
            try:
                return parse_instant(decided)
            except ValueError:
                pass
        signed = decision_date(mention.text)
        if signed is not None and signed <= mention.published_at:
            return signed
        return mention.published_at


# A decision is signed with its date on one of its last lines; an earlier date in the text
# is the violation's, not the decision's.
_SIGNED = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
SIGNATURE_LINES = 3


def decision_date(text: str) -> datetime | None:
    """The date signing a decision (its last lines), as 00:00 Beijing time; None if none."""
    tail = "\n".join(text.strip().splitlines()[-SIGNATURE_LINES:])
    found = _SIGNED.findall(tail)
    if not found:
        return None
    year, month, day = (int(part) for part in found[-1])
    try:
        return datetime(year, month, day, tzinfo=SHANGHAI)
    except ValueError:
        return None

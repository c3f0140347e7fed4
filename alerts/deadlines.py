"""The obligation kinds and their deadlines: one class per kind, one registry.

Each kind says which clock its deadline runs on (calendar hours from first detection, working
days after publication or decision, or fixed calendar dates), which figure of
``obligations.deadlines`` sets it, and the sentence shown to people explaining it. The defaults
are the table in DESIGN.md (国办发〔2016〕61号 and the open-government implementation rules for
the hour limits; the quality-inspection disclosure directive and its county plan for the
working-day ones). A new kind is its name in ``core.vocabulary.ObligationKind`` (what settings
accept) and a class with ``@register_kind``; importing this module fails when one lacks the
other.

``due(kind, trigger, settings, level)`` is what the stage, ``add_manual`` and the
``yuqing deadline`` command use.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar, Literal, TypeVar

from alerts.calendar import WorkingCalendar, end_of_day
from core.clock import SHANGHAI
from core.settings import ObligationSettings
from core.vocabulary import AGENCY_LEVEL_LABELS, AGENCY_LEVELS, OBLIGATION_KINDS

ClockKind = Literal["hours", "working_days", "dates"]


@dataclass(frozen=True)
class Deadline:
    due_at: datetime  # UTC
    provisional: bool
    rule_text: str


class ObligationKindRule(abc.ABC):
    """The shared contract of an obligation kind."""

    kind: ClassVar[str]
    label: ClassVar[str]  # what people read: 发布权威信息, 召开新闻发布会...
    clock: ClassVar[ClockKind]
    # Kinds that the law ties to a grade open only when a graded match reaches it; matches
    # without a grade (a hot-event threshold, say) open what the rule lists.
    min_grade: ClassVar[str | None] = None

    @abc.abstractmethod
    def deadline(
        self,
        trigger: datetime,
        settings: ObligationSettings,
        level: str,
        calendar: WorkingCalendar,
    ) -> Deadline: ...


KINDS: dict[str, type[ObligationKindRule]] = {}
_K = TypeVar("_K", bound=type[ObligationKindRule])


def register_kind(cls: _K) -> _K:
    """Register the deadline class of one of ``core.vocabulary.OBLIGATION_KINDS``."""
    if cls.kind not in OBLIGATION_KINDS or cls.kind in KINDS:
        raise TypeError(
            f"obligation kind {cls.kind!r} is not in the vocabulary or registered twice"
        )
    KINDS[cls.kind] = cls
    return cls


def _hours_text(value: timedelta) -> str:
    hours = value.total_seconds() / 3600
    if hours >= 1 and float(hours).is_integer():
        return f"{int(hours)}小时"
    return f"{value.total_seconds() / 60:g}分钟"


class CalendarHoursKind(ObligationKindRule):
    """Deadline = trigger + a duration: the clock runs from first detection, nights included."""

    clock: ClassVar[ClockKind] = "hours"
    setting: ClassVar[str]
    text: ClassVar[str]  # with {hours}

    def deadline(
        self,
        trigger: datetime,
        settings: ObligationSettings,
        level: str,
        calendar: WorkingCalendar,
    ) -> Deadline:
        allowed: timedelta = getattr(settings.deadlines, self.setting)
        return Deadline(
            (trigger + allowed).astimezone(UTC),
            False,
            self.text.format(hours=_hours_text(allowed)),
        )


@register_kind
class AuthoritativeRelease(CalendarHoursKind):
    kind = "authoritative_release"
    label = "发布权威信息"
    setting = "authoritative_release"
    min_grade = "重大"
    text = "特别重大、重大突发事件：首次发现后{hours}内发布权威信息（日历小时）"


@register_kind
class PressConference(CalendarHoursKind):
    kind = "press_conference"
    label = "召开新闻发布会"
    setting = "press_conference"
    min_grade = "重大"
    text = "特别重大、重大突发事件：首次发现后{hours}内举行新闻发布会（国办发〔2016〕61号）"


@register_kind
class Clarification(CalendarHoursKind):
    kind = "clarification"
    label = "澄清事实"
    setting = "clarification"
    text = "虚假不实信息：发现后{hours}内澄清事实（日历小时）"


@register_kind
class Response(CalendarHoursKind):
    kind = "response"
    label = "回应关切"
    setting = "response"
    text = "其他政务舆情：发现后{hours}内回应（国办发〔2016〕61号）"


class WorkingDaysKind(ObligationKindRule):
    """Deadline = end of the Nth working day after the trigger day (see alerts.calendar)."""

    clock: ClassVar[ClockKind] = "working_days"
    text: ClassVar[str]  # with {days}

    @abc.abstractmethod
    def days(self, settings: ObligationSettings, level: str) -> int: ...

    def deadline(
        self,
        trigger: datetime,
        settings: ObligationSettings,
        level: str,
        calendar: WorkingCalendar,
    ) -> Deadline:
        days = self.days(settings, level)
        due_at, provisional = calendar.deadline(trigger, days)
        text = self.text.format(days=days, level=AGENCY_LEVEL_LABELS.get(level, level))
        if provisional:
            text += "；所跨年份的节假日安排尚未公布，按周一至周五及固定日期法定节假日暂定"
        return Deadline(due_at, provisional, text)


@register_kind
class PolicyInterpretation(WorkingDaysKind):
    kind = "policy_interpretation"
    label = "发布政策解读"
    text = (
        "重要政策文件发布后{days}个工作日内发布解读材料（发布当日不计，截至第{days}个工作日24时前）"
    )

    def days(self, settings: ObligationSettings, level: str) -> int:
        return settings.deadlines.policy_interpretation_working_days


@register_kind
class PenaltyDisclosure(WorkingDaysKind):
    kind = "penalty_disclosure"
    label = "公开行政处罚信息"
    text = (
        "行政处罚（一般程序）作出或变更决定后{days}个工作日内公开处罚对象、事由、依据和结果"
        "（{level}；决定当日不计）"
    )

    def days(self, settings: ObligationSettings, level: str) -> int:
        if level == "county":
            return settings.deadlines.penalty_disclosure_working_days_county
        return settings.deadlines.penalty_disclosure_working_days


@register_kind
class ImplementationReport(ObligationKindRule):
    """Due at the end of the next configured date (10 July, 30 November by default)."""

    kind = "implementation_report"
    label = "报告年度工作实施情况"
    clock: ClassVar[ClockKind] = "dates"

    def deadline(
        self,
        trigger: datetime,
        settings: ObligationSettings,
        level: str,
        calendar: WorkingCalendar,
    ) -> Deadline:
        month_days = [
            _parse_month_day(text) for text in settings.deadlines.implementation_report_dates
        ]
        if not month_days:
            raise ValueError(
                "obligations.deadlines.implementation_report_dates: expected at least one 'MM-DD'"
            )
        year = trigger.astimezone(SHANGHAI).year
        for candidate_year in (year, year + 1, year + 2):
            for month, day in sorted(month_days):
                try:
                    candidate = date(candidate_year, month, day)
                except ValueError:  # 02-29 in a common year
                    continue
                due_at = end_of_day(candidate)
                if due_at >= trigger:
                    dates = "、".join(f"{m}月{d}日" for m, d in sorted(month_days))
                    return Deadline(
                        due_at.astimezone(UTC), False, f"年度工作要点：于{dates}前报告实施情况"
                    )
        raise ValueError("obligations.deadlines.implementation_report_dates: no usable date")


def _parse_month_day(text: str) -> tuple[int, int]:
    try:
        month_text, day_text = text.strip().split("-")
        month, day = int(month_text), int(day_text)
        date(2024, month, day)  # a leap year accepts every real month-day
    except ValueError:
        raise ValueError(
            f"obligations.deadlines.implementation_report_dates: expected 'MM-DD' such as "
            f"'07-10', got {text!r}"
        ) from None
    return month, day


# Every kind settings may name has its deadline class (a kind added to the vocabulary without
# one fails here, at import, not at the first obligation of that kind).
if set(KINDS) != set(OBLIGATION_KINDS):
    raise TypeError(
        f"obligation kinds without a deadline class: {set(OBLIGATION_KINDS) - set(KINDS)}"
    )


def kind_rule(kind: str) -> ObligationKindRule:
    try:
        return KINDS[kind]()
    except KeyError:
        known = ", ".join(KINDS)
        raise ValueError(f"unknown obligation kind {kind!r} (known: {known})") from None


def kind_label(kind: str) -> str:
    cls = KINDS.get(kind)
    return cls.label if cls is not None else kind


def due(
    kind: str,
    trigger: datetime,
    settings: ObligationSettings,
    level: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """When an obligation of ``kind`` triggered at ``trigger`` is due.

    ``level`` is the agency level that must act (``county`` shortens the penalty deadline);
    ``None`` means the configured ``obligations.level``.
    """
    if trigger.tzinfo is None:
        raise ValueError(f"naive trigger time {trigger.isoformat()} has no timezone")
    level = level or settings.level
    if level not in AGENCY_LEVELS:
        raise ValueError(f"unknown level {level!r} (expected one of: {', '.join(AGENCY_LEVELS)})")
    rule = kind_rule(kind)
    return rule.deadline(trigger, settings, level, calendar or WorkingCalendar(settings.holidays))

"""Schema of ``obligations:`` and ``agency:``: deadlines, holidays, reminders, escalation, and
the agency whose level sets the deadlines."""

from __future__ import annotations

import fnmatch
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from core.settings_base import Duration, StrictModel, parse_duration
from core.vocabulary import AgencyLevel


def parse_reminder(value: Any) -> float | timedelta:
    """0.5 or '50%': that share of the allowed time gone; '2h before': that long before the
    deadline; 'due': at the deadline."""
    if isinstance(value, timedelta) and value > timedelta(0):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 < value <= 1:
            return float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        if text in ("due", "deadline", "at deadline"):
            return 1.0
        if text.endswith("%"):
            share = float(text[:-1] or "nan") / 100
            if 0 < share <= 1:
                return share
        if text.endswith(" before"):
            return parse_duration(text.removesuffix(" before"))
    raise ValueError(
        f"expected a reminder point such as 0.5, '50%', '2h before' or 'due', got {value!r}"
    )


def _default_reminders() -> list[float | timedelta]:
    return [0.5, timedelta(hours=2), 1.0]


class HolidayYear(StrictModel):
    """The official schedule of one year: days off, and weekend days that are working days."""

    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)


class DeadlineSettings(StrictModel):
    authoritative_release: Duration = timedelta(hours=5)
    press_conference: Duration = timedelta(hours=24)
    clarification: Duration = timedelta(hours=24)
    response: Duration = timedelta(hours=48)
    policy_interpretation_working_days: int = Field(default=3, ge=1)
    penalty_disclosure_working_days: int = Field(default=20, ge=1)
    penalty_disclosure_working_days_county: int = Field(default=7, ge=1)
    implementation_report_dates: list[str] = Field(default_factory=lambda: ["07-10", "11-30"])

    @model_validator(mode="after")
    def _check_dates(self) -> DeadlineSettings:
        for text in self.implementation_report_dates:
            try:
                month, day = (int(part) for part in text.strip().split("-"))
                date(2024, month, day)  # a leap year accepts every real month-day
            except ValueError:
                raise ValueError(
                    f"implementation_report_dates: expected 'MM-DD' such as '07-10', got {text!r}"
                ) from None
        return self


class AgencySettings(StrictModel):
    """The agency this installation works for: its level sets the deadlines (a county
    bureau discloses penalties in 7 working days), its channels fulfil obligations."""

    name: str = Field(min_length=2)  # 江州市市场监督管理局: the publisher on its own site
    level: AgencyLevel
    region: str = ""  # 江州市
    # Units one level below (a city's districts: 临川区...): their decisions get that level's
    # deadlines (the county rule for a city's districts).
    districts: list[str] = Field(default_factory=list)
    # Its verified social accounts and other names it publishes under (江州市场监管).
    accounts: list[str] = Field(default_factory=list)
    # Publishers and accounts of its superiors (江州发布, 南岭省市场监督管理局): what they
    # publish on the agency's matters is proposed as fulfilment, not applied.
    superiors: list[str] = Field(default_factory=list)
    # Sources that are its own site (names or shell patterns such as 'official-*'): a penalty
    # decision published there is its own disclosure, whoever decided it.
    sources: list[str] = Field(default_factory=list)

    def owns_source(self, source: str) -> bool:
        """Whether a configured source is one of its own sites (``sources`` patterns)."""
        return any(fnmatch.fnmatchcase(source, pattern) for pattern in self.sources)

    def own_names(self) -> set[str]:
        return {self.name, *self.accounts}

    def spoken_names(self) -> set[str]:
        """How reports name it: its names, the short form (江州市市场监管局) and, for a city or
        province bureau, the local form (市市场监管局) reporters use."""
        short = self.name.replace("市场监督管理局", "市场监管局")
        local = {"city": "市", "province": "省"}.get(self.level)
        return {*self.own_names(), short, *([f"{local}市场监管局"] if local else [])}

    def district_unit(self, publisher: str) -> bool:
        """A unit one level below it: a district or county bureau of its region
        (江州市望江区市场监督管理局), configured in ``districts`` or not."""
        region = self.region.rstrip("市省")
        if not region or not publisher.startswith(region) or publisher == self.name:
            return False
        head, _, tail = publisher.partition("市场监督管理局")
        return tail == "" and bool(head) and head[-1] in "区县旗"


class ObligationSettings(StrictModel):
    level: AgencyLevel = "province"
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
    holidays: dict[int, HolidayYear] = Field(default_factory=dict)
    # When to remind: 0.5 or '50%' (half the time gone), '2h before', 'due' (at the deadline).
    reminders: list[Annotated[float | timedelta, BeforeValidator(parse_reminder)]] = Field(
        default_factory=_default_reminders
    )
    # Calendar-hour obligations: still unacknowledged this long after opening → next in the
    # escalation chain (and again after each further step).
    escalate_after: Duration = timedelta(minutes=30)
    # Working-day obligations escalate only when these shares of their time are gone (one hop
    # per share), and never within their first day: a penalty disclosure with 28 days left
    # is no emergency.
    escalate_shares: list[Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=lambda: [0.5, 0.8]
    )
    # Who is told of obligations that no rule opened (entered by hand or imported).
    recipients: list[str] = Field(default_factory=list)
    # Agency level by region substring (e.g. 临川区: county) for crawled penalty notices whose
    # source has no 'level'.
    region_levels: dict[str, AgencyLevel] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_holiday_years(self) -> ObligationSettings:
        for year, spec in self.holidays.items():
            stray = [d for d in (*spec.holidays, *spec.workdays) if d.year != int(year)]
            if stray:
                raise ValueError(
                    f"holidays.{year}: {stray[0].isoformat()} is not in {year} "
                    "(each year lists its own days)"
                )
        return self

"""Working days on the official Chinese calendar, for deadlines counted in working days.

Counting rule (the one the disclosure rules use, 质检办〔2016〕519号 and the penalty rules):
the day of the trigger does not count, whatever the hour; the deadline is the end of the Nth
working day after it, 23:59:59 Asia/Shanghai. A document published on a Friday afternoon with a
3-working-day deadline is due at the end of the following Wednesday.

Where each day's status comes from, in order:

1. ``obligations.holidays`` in the configuration (year → ``holidays`` and ``workdays`` lists),
   because the State Council publishes each year's schedule in November and an administrator
   can enter it (or correct an erratum) before a new calendar package is released. A year that
   is configured is taken wholly from the configuration.
2. The ``chinesecalendar`` package, which carries the published schedules including moved
   working days (调休, e.g. Saturday 2026-10-10 is a working day). It has no data after the last
   year it knows and raises for later years.
3. A fallback for years neither knows: Monday–Friday, less the fixed-date statutory holidays
   (元旦 1 Jan, 劳动节 1 May — and 2 May from 2025, when the holiday rules gave it two days —
   国庆 1–3 Oct). Lunar holidays (春节, 清明, 端午, 中秋) and moved working days cannot be known
   without the schedule, so any deadline that counted a fallback day is marked
   ``provisional``: shown as 「暂定」 and meant to be recomputed once the schedule is known.

Nothing here raises for a date: an unknown year is provisional, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

import chinese_calendar

from core.clock import SHANGHAI
from core.settings import HolidayYear

Source = Literal["configured", "chinesecalendar", "fallback"]

END_OF_DAY = time(23, 59, 59)
# Statutory holidays with a fixed solar date (《全国年节及纪念日放假办法》).
_FIXED_HOLIDAYS = ((1, 1), (5, 1), (10, 1), (10, 2), (10, 3))
_FIXED_HOLIDAYS_FROM_2025 = ((5, 2),)


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    source: Source

    @property
    def provisional(self) -> bool:
        return self.source == "fallback"


@dataclass(frozen=True)
class WorkingDayResult:
    """The Nth working day after a start day, and whether a fallback day was counted."""

    day: date
    provisional: bool


def fixed_holidays(year: int) -> set[date]:
    days = {date(year, m, d) for m, d in _FIXED_HOLIDAYS}
    if year >= 2025:
        days |= {date(year, m, d) for m, d in _FIXED_HOLIDAYS_FROM_2025}
    return days


class WorkingCalendar:
    """Decides whether a day is a working day; one instance per configuration."""

    def __init__(self, configured: Mapping[int, HolidayYear] | None = None) -> None:
        self._configured: dict[int, tuple[frozenset[date], frozenset[date]]] = {
            int(year): (frozenset(spec.holidays), frozenset(spec.workdays))
            for year, spec in (configured or {}).items()
        }
        self._package_years: dict[int, bool] = {}

    def _package_knows(self, year: int) -> bool:
        known = self._package_years.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                known = True
            except Exception:  # NotImplementedError for years without data; never fatal
                known = False
            self._package_years[year] = known
        return known

    def source_of(self, year: int) -> Source:
        if year in self._configured:
            return "configured"
        if self._package_knows(year):
            return "chinesecalendar"
        return "fallback"

    def day_info(self, day: date) -> DayInfo:
        source = self.source_of(day.year)
        if source == "configured":
            holidays, workdays = self._configured[day.year]
            working = day in workdays or (day.weekday() < 5 and day not in holidays)
        elif source == "chinesecalendar":
            try:
                working = bool(chinese_calendar.is_workday(day))
            except Exception:
                return self._fallback(day)
        else:
            return self._fallback(day)
        return DayInfo(day, working, source)

    @staticmethod
    def _fallback(day: date) -> DayInfo:
        working = day.weekday() < 5 and day not in fixed_holidays(day.year)
        return DayInfo(day, working, "fallback")

    def is_working_day(self, day: date) -> bool:
        return self.day_info(day).working

    def add_working_days(self, start: date, count: int) -> WorkingDayResult:
        """The ``count``-th working day after ``start`` (``start`` itself never counts)."""
        if count < 1:
            raise ValueError(f"a working-day count must be at least 1, got {count}")
        day = start
        provisional = False
        found = 0
        while found < count:
            day += timedelta(days=1)
            info = self.day_info(day)
            provisional = provisional or info.provisional
            if info.working:
                found += 1
        return WorkingDayResult(day, provisional)

    def deadline(self, trigger: datetime, count: int) -> tuple[datetime, bool]:
        """End of the ``count``-th working day after the trigger's Shanghai date, in UTC."""
        if trigger.tzinfo is None:
            raise ValueError(f"naive trigger time {trigger.isoformat()} has no timezone")
        start = trigger.astimezone(SHANGHAI).date()
        result = self.add_working_days(start, count)
        return end_of_day(result.day).astimezone(UTC), result.provisional


def end_of_day(day: date) -> datetime:
    """23:59:59 Asia/Shanghai on ``day``, as a UTC-convertible aware datetime."""
    return datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)

"""Working days on the official calendar and the deadline of every obligation kind."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from alerts.calendar import WorkingCalendar
from alerts.deadlines import due
from core.clock import SHANGHAI
from core.settings import OBLIGATION_KINDS, DeadlineSettings, HolidayYear, ObligationSettings


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI).astimezone(UTC)


SETTINGS = ObligationSettings()


def test_every_kind_has_a_deadline_after_its_trigger() -> None:
    for kind in OBLIGATION_KINDS:
        deadline = due(kind, sh(2026, 3, 2, 10), SETTINGS)
        assert deadline.due_at > sh(2026, 3, 2, 10)
        assert deadline.due_at.tzinfo is not None
        assert deadline.rule_text


@pytest.mark.parametrize(
    ("kind", "hours"),
    [
        ("authoritative_release", 5),
        ("press_conference", 24),
        ("clarification", 24),
        ("response", 48),
    ],
)
def test_calendar_hour_kinds_run_through_nights_and_weekends(kind: str, hours: int) -> None:
    trigger = sh(2026, 10, 1, 21, 30)  # 国庆 holiday evening: the clock still runs
    deadline = due(kind, trigger, SETTINGS)
    assert deadline.due_at == trigger + timedelta(hours=hours)
    assert deadline.due_at.tzinfo == UTC
    assert not deadline.provisional
    assert f"{hours}小时" in deadline.rule_text


def test_calendar_hours_follow_the_configuration() -> None:
    settings = ObligationSettings(deadlines=DeadlineSettings(clarification=timedelta(hours=12)))
    assert due("clarification", sh(2026, 5, 6, 9), settings).due_at == sh(2026, 5, 6, 21)


def test_policy_interpretation_counts_working_days_after_the_trigger_day() -> None:
    # Published Monday 2026-03-02 at 08:00: Mon does not count; Tue, Wed, Thu → Thu 23:59:59.
    deadline = due("policy_interpretation", sh(2026, 3, 2, 8), SETTINGS)
    assert deadline.due_at == end_of(date(2026, 3, 5))
    # Late on Friday: the next Monday, Tuesday, Wednesday.
    assert due("policy_interpretation", sh(2026, 3, 6, 23, 50), SETTINGS).due_at == end_of(
        date(2026, 3, 11)
    )


def test_moved_working_saturday_counts_2026() -> None:
    # 2026-09-30 (Wed) before 国庆: Oct 1–7 off, Oct 8 Thu, Oct 9 Fri, Oct 10 Sat is a 调休
    # working day, so the third working day is Saturday 10 October.
    calendar = WorkingCalendar()
    assert calendar.is_working_day(date(2026, 10, 10))  # Saturday
    assert date(2026, 10, 10).weekday() == 5
    assert not calendar.is_working_day(date(2026, 10, 5))  # Monday in the holiday
    deadline = due("policy_interpretation", sh(2026, 9, 30, 16), SETTINGS)
    assert deadline.due_at == end_of(date(2026, 10, 10))
    assert not deadline.provisional


def test_moved_working_sunday_after_new_year_2026() -> None:
    # 2026-01-01..03 off, Sunday 2026-01-04 is a working day.
    deadline = due("policy_interpretation", sh(2025, 12, 31, 10), SETTINGS)
    assert deadline.due_at == end_of(date(2026, 1, 6))  # Jan 4 (Sun), 5, 6


def test_penalty_twenty_working_days_within_2026() -> None:
    deadline = due("penalty_disclosure", sh(2026, 11, 23, 15), SETTINGS)
    assert deadline.due_at == end_of(date(2026, 12, 21))
    assert not deadline.provisional
    assert "20个工作日" in deadline.rule_text


def test_penalty_crossing_into_2027_is_provisional_and_never_crashes() -> None:
    # 2027 has no schedule in chinesecalendar: Mon–Fri less 1 January.
    deadline = due("penalty_disclosure", sh(2026, 12, 10, 9), SETTINGS)
    # Dec 11, 14–18, 21–25, 28–31 = 15; Jan 1 2027 is 元旦; Jan 4–8 = 20.
    assert deadline.due_at == end_of(date(2027, 1, 8))
    assert deadline.provisional
    assert "暂定" in deadline.rule_text


def test_penalty_county_level_is_seven_working_days() -> None:
    deadline = due("penalty_disclosure", sh(2026, 11, 23, 15), SETTINGS, level="county")
    assert deadline.due_at == end_of(date(2026, 12, 2))
    assert "县级" in deadline.rule_text
    county = ObligationSettings(level="county")
    assert due("penalty_disclosure", sh(2026, 11, 23, 15), county).due_at == end_of(
        date(2026, 12, 2)
    )


def test_configured_holidays_make_a_later_year_exact() -> None:
    settings = ObligationSettings(
        holidays={
            2027: HolidayYear(
                holidays=[date(2027, 1, 1), date(2027, 1, 4)], workdays=[date(2027, 1, 9)]
            )
        }
    )
    deadline = due("policy_interpretation", sh(2026, 12, 31, 12), settings)
    # Jan 1 (Fri) off, Jan 4 (Mon) off by configuration, Jan 5, 6, 7.
    assert deadline.due_at == end_of(date(2027, 1, 7))
    assert not deadline.provisional
    calendar = WorkingCalendar(settings.holidays)
    assert calendar.is_working_day(date(2027, 1, 9))  # a configured working Saturday
    assert calendar.source_of(2027) == "configured"


def test_fallback_skips_fixed_date_holidays() -> None:
    calendar = WorkingCalendar()
    assert calendar.source_of(2030) == "fallback"
    assert not calendar.is_working_day(date(2030, 10, 1))  # Tuesday, 国庆
    assert not calendar.is_working_day(date(2030, 5, 2))  # Thursday, 劳动节 day 2
    assert calendar.is_working_day(date(2030, 10, 4))
    result = calendar.add_working_days(date(2030, 9, 30), 1)
    assert result.day == date(2030, 10, 4)
    assert result.provisional
    # Years before the package's data do not crash either.
    assert calendar.add_working_days(date(1999, 12, 30), 2).provisional


def test_implementation_report_next_of_july_and_november() -> None:
    assert due("implementation_report", sh(2026, 3, 1), SETTINGS).due_at == end_of(
        date(2026, 7, 10)
    )
    assert due("implementation_report", sh(2026, 7, 10, 18), SETTINGS).due_at == end_of(
        date(2026, 7, 10)
    )
    assert due("implementation_report", sh(2026, 7, 11), SETTINGS).due_at == end_of(
        date(2026, 11, 30)
    )
    assert due("implementation_report", sh(2026, 12, 1), SETTINGS).due_at == end_of(
        date(2027, 7, 10)
    )


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown obligation kind"):
        due("tweet", sh(2026, 3, 2), SETTINGS)
    with pytest.raises(ValueError, match="timezone"):
        due("response", datetime(2026, 3, 2), SETTINGS)
    with pytest.raises(ValueError, match="unknown level"):
        due("penalty_disclosure", sh(2026, 3, 2), SETTINGS, level="village")
    # A bad date is refused when the settings load, before any deadline is computed.
    with pytest.raises(ValueError, match="implementation_report_dates: expected 'MM-DD'"):
        DeadlineSettings(implementation_report_dates=["July 10"])
    unchecked = DeadlineSettings.model_construct(implementation_report_dates=["July 10"])
    bad = ObligationSettings.model_construct(deadlines=unchecked, level="province", holidays={})
    with pytest.raises(ValueError, match="implementation_report_dates"):
        due("implementation_report", sh(2026, 3, 2), bad)

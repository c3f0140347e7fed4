"""Publish-time parsing: every form Chinese sites, feeds and Weibo use, against a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import SHANGHAI
from crawlers.dates import DateParseError, find_datetime, parse_datetime

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=SHANGHAI)


def sh(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("刚刚", sh(2026, 11, 16, 12, 0)),
        ("30秒前", sh(2026, 11, 16, 11, 59, 30)),
        ("5分钟前", sh(2026, 11, 16, 11, 55)),
        ("2小时前", sh(2026, 11, 16, 10, 0)),
        ("半小时前", sh(2026, 11, 16, 11, 30)),
        ("今天 08:30", sh(2026, 11, 16, 8, 30)),
        ("昨天 23:10", sh(2026, 11, 15, 23, 10)),
        ("11-16", sh(2026, 11, 16)),
        ("11-17", sh(2025, 11, 17)),  # no year: the latest such date not after now
        ("07月23日 11:47", sh(2026, 7, 23, 11, 47)),
        ("12月01日", sh(2025, 12, 1)),
        ("2026年11月16日 10:35", sh(2026, 11, 16, 10, 35)),
        ("2026年11月16日", sh(2026, 11, 16)),
        ("2026年11月16日 10时35分12秒", sh(2026, 11, 16, 10, 35, 12)),
        ("2026-11-16 10:35", sh(2026, 11, 16, 10, 35)),
        ("2026-11-16 10:35:12", sh(2026, 11, 16, 10, 35, 12)),
        ("2026/1/5 9:05", sh(2026, 1, 5, 9, 5)),
        ("２０２６－１１－１６　１０：３５", sh(2026, 11, 16, 10, 35)),
        ("2026-11-16T02:35:00Z", sh(2026, 11, 16, 10, 35)),
        ("Mon, 16 Nov 2026 10:35:00 +0800", sh(2026, 11, 16, 10, 35)),
        ("Mon, 16 Nov 2026 02:35:00 GMT", sh(2026, 11, 16, 10, 35)),
        ("Mon, 16 Nov 2026 10:35:00", sh(2026, 11, 16, 10, 35)),  # naive: Beijing time
        ("Mon Nov 16 10:35:00 +0800 2026", sh(2026, 11, 16, 10, 35)),
        ("Mon Nov 16 10:35:00 CST 2026", sh(2026, 11, 16, 10, 35)),  # Java's China time
        ("1794798900", sh(2026, 11, 16, 11, 15)),
        ("1794798900000", sh(2026, 11, 16, 11, 15)),
        ("02-29", sh(2024, 2, 29)),
    ],
)
def test_forms(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, NOW)
    assert parsed == expected and parsed.tzinfo == UTC


def test_numbers_are_unix_time() -> None:
    assert parse_datetime(1794798900, NOW) == sh(2026, 11, 16, 11, 15)
    assert parse_datetime(1794798900123, NOW) == sh(2026, 11, 16, 11, 15) + timedelta(
        milliseconds=123
    )


@pytest.mark.parametrize(
    "text", ["", "上古时期", "13-45", "2026-02-30", "今天 25:10", "25:00", "abc", "Mon Foo 1"]
)
def test_garbage_is_refused(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_datetime(text, NOW)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_datetime("刚刚", datetime(2026, 11, 16))


def test_find_in_bylines() -> None:
    assert find_datetime("来源：江州日报 2026年11月16日 10:35 作者：张三", NOW) == sh(
        2026, 11, 16, 10, 35
    )
    assert find_datetime("发布时间：2026/11/16 10:35:00 来源：临川", NOW) == sh(
        2026, 11, 16, 10, 35
    )
    # Phone numbers and bare times are not dates.
    assert find_datetime("电话 0791-88888888 热线 10:35", NOW) is None


# ---- property: format an instant in each form, parse it back ----------------------------
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ABSOLUTE = {
    # name: (formatter of the Shanghai wall time, resolution)
    "iso-seconds": (lambda t: t.strftime("%Y-%m-%d %H:%M:%S"), timedelta(seconds=1)),
    "iso-minutes": (lambda t: t.strftime("%Y-%m-%d %H:%M"), timedelta(minutes=1)),
    "slashes": (
        lambda t: f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}", timedelta(minutes=1)
    ),
    "chinese": (lambda t: t.strftime("%Y年%m月%d日 %H:%M"), timedelta(minutes=1)),
    "chinese-day": (lambda t: t.strftime("%Y年%m月%d日"), timedelta(days=1)),
    "rfc822": (lambda t: format_datetime(t), timedelta(seconds=1)),
    "weibo": (
        lambda t: f"{_WEEKDAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:02d} "
        f"{t:%H:%M:%S} +0800 {t.year}",
        timedelta(seconds=1),
    ),
    "unix": (lambda t: str(int(t.timestamp())), timedelta(seconds=1)),
    "unix-ms": (lambda t: str(int(t.timestamp() * 1000)), timedelta(milliseconds=1)),
}  # fmt: skip
# Forms that need "now": (formatter of (instant, now), how far now may be after the instant).
RELATIVE = {
    "month-day": (lambda t, n: t.strftime("%m-%d"), timedelta(days=300), timedelta(days=1)),
    "month-day-time": (
        lambda t, n: t.strftime("%m月%d日 %H:%M"), timedelta(days=300), timedelta(minutes=1)
    ),
    "minutes-ago": (
        lambda t, n: f"{int((n - t).total_seconds() // 60)}分钟前",
        timedelta(minutes=59),
        timedelta(minutes=1),
    ),
    "hours-ago": (
        lambda t, n: f"{int((n - t).total_seconds() // 3600)}小时前",
        timedelta(hours=23),
        timedelta(hours=1),
    ),
    "seconds-ago": (
        lambda t, n: f"{int((n - t).total_seconds())}秒前",
        timedelta(seconds=59),
        timedelta(seconds=1),
    ),
    "just-now": (lambda t, n: "刚刚", timedelta(seconds=59), timedelta(minutes=1)),
}  # fmt: skip

instants = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


def floor(value: datetime, resolution: timedelta) -> datetime:
    """Truncate the Shanghai wall time to ``resolution`` (days at local midnight)."""
    wall = value.astimezone(SHANGHAI)
    if resolution >= timedelta(days=1):
        return wall.replace(hour=0, minute=0, second=0, microsecond=0)
    step = int(resolution / timedelta(microseconds=1))
    micros = wall.hour * 3_600_000_000 + wall.minute * 60_000_000 + wall.second * 1_000_000
    micros += wall.microsecond
    truncated = micros - micros % step
    return wall.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        microseconds=truncated
    )


@settings(max_examples=300, deadline=None)
@given(instant=instants, form=st.sampled_from(sorted(ABSOLUTE)))
def test_absolute_forms_round_trip(instant: datetime, form: str) -> None:
    formatter, resolution = ABSOLUTE[form]
    text = formatter(instant.astimezone(SHANGHAI))
    now = instant + timedelta(days=1)
    assert parse_datetime(text, now) == floor(instant, resolution)


@settings(max_examples=300, deadline=None)
@given(
    instant=instants,
    form=st.sampled_from(sorted(RELATIVE)),
    lag=st.floats(min_value=0, max_value=1, allow_nan=False),
)
def test_relative_forms_round_trip(instant: datetime, form: str, lag: float) -> None:
    formatter, span, resolution = RELATIVE[form]
    now = instant + span * lag
    text = formatter(instant.astimezone(SHANGHAI), now.astimezone(SHANGHAI))
    parsed = parse_datetime(text, now)
    if form.startswith("month-day"):
        assert parsed == floor(instant, resolution)
    else:
        # "N units ago" is exact to the unit: never before the instant, less than a unit after.
        assert timedelta(0) <= parsed - instant < resolution

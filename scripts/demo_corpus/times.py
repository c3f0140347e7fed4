"""Demo time as the material writes it: ``"Tue 19:40"`` and windows ``"Mon 12:30-15:00"``.

The demo week runs from Monday 2026-11-16 08:00 to Sunday 08:00 (Asia/Shanghai); a time is
turned into minutes after that start. Hours before 08:00 belong to the previous night.
"""

from __future__ import annotations

SPAN_MINUTES = 6 * 24 * 60
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_OF_MONTH = {day: 16 + index for index, day in enumerate(DAYS)}  # November 2026


def minute_of(when: str) -> int:
    """Minutes after the demo start for ``"Tue 19:40"`` (hours before 08:00 belong to the
    previous night, so ``"Tue 01:30"`` is Monday night)."""
    try:
        day, clock = when.split()
        hour, minute = (int(part) for part in clock.split(":"))
        value = DAYS.index(day) * 1440 + (hour - 8) * 60 + minute
    except ValueError:
        raise ValueError(f'{when!r} is not a demo time like "Tue 19:40"') from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"{when!r} is not a time of day")
    if not 0 <= value <= SPAN_MINUTES:
        raise ValueError(f"{when!r} is outside the demo span")
    return value


def morning(when: str) -> int:
    """Like ``minute_of`` for early-morning items, which on Monday wait for the demo start."""
    day, clock = when.split()
    if day == "Mon" and clock < "08:00":
        return 0
    return minute_of(when)


def window_bounds(spec: str) -> tuple[int, int]:
    """``"Mon 12:30-15:00"`` or ``"Mon 22:00-Tue 01:00"`` as minute bounds."""
    try:
        start, end = spec.split("-")
    except ValueError:
        raise ValueError(f'{spec!r} is not a window like "Mon 12:30-15:00"') from None
    if " " not in end:
        end = f"{start.split()[0]} {end}"
    low, high = minute_of(start), minute_of(end)
    if high < low:
        raise ValueError(f"window {spec!r} ends before it starts")
    return low, high

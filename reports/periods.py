"""The period a briefing covers, in Asia/Shanghai days, and the one before it (for 环比)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.clock import SHANGHAI, local

KINDS = ("daily", "weekly", "event")
KIND_LABELS = {"daily": "舆情日报", "weekly": "舆情周报", "event": "舆情专报"}
DAYS = {"daily": 1, "weekly": 7}


@dataclass(frozen=True)
class Period:
    """``[start, end)`` and the previous period of the same length, all UTC-aware."""

    kind: str
    start: datetime
    end: datetime
    previous_start: datetime
    last_day: date

    @property
    def key(self) -> str:
        """Stable name of the period: one report (and one sending) per key."""
        if self.kind == "weekly":
            first = self.last_day - timedelta(days=6)
            return f"weekly-{first:%Y%m%d}-{self.last_day:%Y%m%d}"
        return f"{self.kind}-{self.last_day:%Y%m%d}"

    @property
    def label(self) -> str:
        first = local(self.start).date()
        if first == self.last_day:
            return f"{self.last_day.year}年{self.last_day.month}月{self.last_day.day}日"
        return (
            f"{first.year}年{first.month}月{first.day}日至"
            f"{self.last_day.month}月{self.last_day.day}日"
        )

    @property
    def number(self) -> str:
        """编号 on the cover: the day of the year for a 日报, the ISO week for a 周报."""
        if self.kind == "weekly":
            year, week, _ = self.last_day.isocalendar()
            return f"{year}年第{week}期"
        return f"{self.last_day.year}年第{self.last_day.timetuple().tm_yday}期"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def period_for(kind: str, last_day: date) -> Period:
    """A 日报 covers ``last_day``; a 周报 the seven days ending with it."""
    if kind not in DAYS:
        raise ValueError(f"unknown report kind {kind!r}: expected daily or weekly")
    length = timedelta(days=DAYS[kind])
    end = day_start(last_day + timedelta(days=1))
    start = end - length
    return Period(kind, start, end, start - length, last_day)


def default_day(now: datetime) -> date:
    """Without --date: yesterday in Beijing (the day a morning briefing reports on)."""
    return local(now).date() - timedelta(days=1)


def event_period(first_seen: datetime, last_seen: datetime, now: datetime) -> Period:
    """A 专报 covers the event from its first detection up to now (at least one hour)."""
    end = max(now, first_seen + timedelta(hours=1))
    start = first_seen
    return Period("event", start, end, start - (end - start), local(end).date())

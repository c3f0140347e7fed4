"""How hot an event is at a given instant, whether it is bursting, and where in its life it is.

All three are functions of the event's mentions (their times and engagement) and of "now"
(the clock's time, never the wall clock), so replaying a recorded day gives the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Heat halves every HALF_LIFE. Six hours is judgement for a press office's "what is hot
# today" view: a mention from this morning counts half by lunch, yesterday's counts 1/16, a
# week-old story has cooled to nothing unless it is still being talked about. It also makes
# the trend test below work: pure decay over TREND_WINDOW (3 h) is a factor 0.71, clearly
# below DECLINE_RATIO, so a story nobody adds to reads "declining" within three hours.
HALF_LIFE = timedelta(hours=6)
# Trend: heat now against heat TREND_WINDOW ago (computed from the mentions published by then).
TREND_WINDOW = timedelta(hours=3)
# Heat growing by a quarter over the window is "growing"; falling by a fifth is "declining";
# in between, the event holds its level: "peak". Symmetric in log terms (1.25 ≈ 1/0.8).
GROW_RATIO = 1.25
DECLINE_RATIO = 0.8
# A new story stays "emerging" until it has this many mentions (one post and a couple of
# replies is not yet a trend) ...
EMERGING_MAX_MENTIONS = 5
# ... and an event whose heat fell below this (≈ one plain mention four half-lives old) is
# "closed", as is one with nothing new for longer than settings.nlp.event_window.
CLOSED_HEAT = 1.0 / 16.0
# Burst: mentions in the last BURST_WINDOW against the event's average per BURST_WINDOW over
# the BURST_BASELINE before it, the latter floored at one mention per window (so a brand new
# event with 12 mentions in three hours has burst 12, and a steady one has burst ~1).
BURST_WINDOW = timedelta(hours=3)
BURST_BASELINE = timedelta(hours=24)


@dataclass(frozen=True)
class Activity:
    """One mention as heat sees it."""

    at: datetime
    weight: float


def engagement_weight(metrics: Mapping[str, object]) -> float:
    """One mention counts 1, plus log(1 + reposts + comments + likes): a post shared ten
    thousand times is hotter than an unread one, but not ten thousand times hotter (log
    damping, as in Weibo's and Reddit's hot rankings)."""
    total = 0.0
    for key in ("reposts", "comments", "likes"):
        value = metrics.get(key)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            total += float(value)
    return 1.0 + math.log1p(total)


def heat_at(activities: Sequence[Activity], now: datetime) -> float:
    """Sum of weights, each decayed by its age at ``now``; mentions after ``now`` not counted."""
    half = HALF_LIFE.total_seconds()
    total = 0.0
    for item in activities:
        age = (now - item.at).total_seconds()
        if age < 0:
            continue
        total += item.weight * math.pow(0.5, age / half)
    return total


def burst_at(activities: Sequence[Activity], now: datetime) -> float:
    recent_start = now - BURST_WINDOW
    baseline_start = recent_start - BURST_BASELINE
    recent = sum(1 for item in activities if recent_start < item.at <= now)
    earlier = sum(1 for item in activities if baseline_start < item.at <= recent_start)
    windows = BURST_BASELINE / BURST_WINDOW
    return recent / max(earlier / windows, 1.0)


def status_at(
    activities: Sequence[Activity],
    now: datetime,
    last_seen: datetime,
    window: timedelta,
) -> tuple[str, float]:
    """Lifecycle status and the heat it was derived from."""
    heat = heat_at(activities, now)
    if now - last_seen > window or (heat < CLOSED_HEAT and now > last_seen):
        return "closed", heat
    before = heat_at(activities, now - TREND_WINDOW)
    if before <= 0:
        return ("emerging" if len(activities) < EMERGING_MAX_MENTIONS else "growing"), heat
    ratio = heat / before
    if ratio >= GROW_RATIO:
        if len(activities) < EMERGING_MAX_MENTIONS:
            return "emerging", heat
        return "growing", heat
    if ratio <= DECLINE_RATIO:
        return "declining", heat
    return "peak", heat

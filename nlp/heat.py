"""How hot an event is at a given instant, whether it is bursting, and where in its life it is.

All three are functions of the event's mentions (their times, weights and platforms) and of
"now" (the clock's time, never the wall clock), so replaying a recorded day gives the same
numbers.

Heat = (volume: each mention's weight, decayed by age) × (velocity: how many arrived in the
last few minutes) × (spread: on how many platforms the story is told). A mention's weight
is its engagement times its source's authority (``mention_weight``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from archive.metrics import count, total

if TYPE_CHECKING:
    from nlp.rumor.ced import Response, RumorInput

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


# Velocity: heat × (1 + VELOCITY_WEIGHT × ln(1 + mentions in the last VELOCITY_WINDOW)), so a
# story taking off now outranks one as big that has gone quiet. Tuned on the CED replay
# (benchmarks/nlp_events_bench.py, rank correlation of heat at one hour with the final number
# of responses): no velocity term 0.518; windows of 10 / 20 / 30 min with weight 1 gave 0.532 /
# 0.530 / 0.527 (weights up to 4 add < 0.003 more). 15 min: short enough to react, long
# enough that one quiet quarter-hour does not halve a live story's heat.
VELOCITY_WINDOW = timedelta(minutes=15)
VELOCITY_WEIGHT = 1.0
# Spread: heat × (1 + SPREAD_WEIGHT × (platforms − 1)) over the platforms with a mention in
# the last SPREAD_WINDOW: a story that left Weibo for the news sites and forums is a bigger
# one for a press office than the same volume on one platform. Judgement (CED holds one
# platform, so nothing here measures it): a second platform counts like a third more volume.
SPREAD_WINDOW = timedelta(hours=24)
SPREAD_WEIGHT = 1.0 / 3.0
# Authority: an official notice (an agency's own statement or penalty decision) and a news
# article reach more people than an average post, and a post's reach grows with its author's
# followers. Judgement, kept mild: on the CED replay, weighting posts by
# 1 + a·log10(1 + followers) did not raise the rank correlation (0.518 at a = 0, 0.517 at
# 0.5, 0.515 at 2), because at one hour the responses already say who was heard.
OFFICIAL_AUTHORITY = 2.0
NEWS_AUTHORITY = 1.5
FOLLOWER_AUTHORITY = 0.1  # per decade of followers: a million-follower account counts 1.6×
AUTHORITY_PLATFORMS = {"official": OFFICIAL_AUTHORITY, "news": NEWS_AUTHORITY}


@dataclass(frozen=True)
class Activity:
    """One mention as heat sees it."""

    at: datetime
    weight: float
    platform: str = ""


def engagement_weight(metrics: Mapping[str, object]) -> float:
    """One mention counts 1, plus log(1 + reposts + comments + likes): a post shared ten
    thousand times is hotter than an unread one, but not ten thousand times hotter (log
    damping, as in Weibo's and Reddit's hot rankings)."""
    engagement = total(metrics, ("reposts", "comments", "likes"))
    return 1.0 + math.log1p(engagement)


def authority_weight(platform: str, metrics: Mapping[str, object]) -> float:
    """How far a mention's source carries: by platform, and for posts by followers."""
    if platform in AUTHORITY_PLATFORMS:
        return AUTHORITY_PLATFORMS[platform]
    followers = count(metrics, "followers")
    if followers > 0:
        return 1.0 + FOLLOWER_AUTHORITY * math.log10(1.0 + followers)
    return 1.0


def mention_weight(platform: str, metrics: Mapping[str, object]) -> float:
    """What one mention adds to its event's heat, before decay."""
    return engagement_weight(metrics) * authority_weight(platform, metrics)


def heat_at(activities: Sequence[Activity], now: datetime) -> float:
    """Volume × velocity × spread at ``now`` (see the module docstring); mentions after
    ``now`` are not counted."""
    half = HALF_LIFE.total_seconds()
    velocity_start = now - VELOCITY_WINDOW
    spread_start = now - SPREAD_WINDOW
    volume = 0.0
    recent = 0
    platforms: set[str] = set()
    for item in activities:
        age = (now - item.at).total_seconds()
        if age < 0:
            continue
        volume += item.weight * math.pow(0.5, age / half)
        if item.at > velocity_start:
            recent += 1
        if item.at > spread_start and item.platform:
            platforms.add(item.platform)
    velocity = 1.0 + VELOCITY_WEIGHT * math.log1p(recent)
    spread = 1.0 + SPREAD_WEIGHT * max(len(platforms) - 1, 0)
    return volume * velocity * spread


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


def ced_activities(item: RumorInput, responses: Sequence[Response]) -> list[Activity]:
    """A CED post and ``responses`` as the stage would see them: the post weighted by its
    author's followers (its own repost/comment counts are not known while it is young; CED's
    responses carry no author figures, so each counts 1). For the benchmarks' replays."""
    weight = mention_weight("weibo", {"followers": item.user.get("followers") or 0})
    activities = [Activity(item.posted_at, weight, "weibo")] if item.posted_at else []
    activities += [Activity(r.at, 1.0, "weibo") for r in responses if r.at is not None]
    return activities

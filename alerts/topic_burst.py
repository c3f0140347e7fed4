"""Burst detection against a topic's own baseline: is this hour unusual *for this hour*?

Pure functions over counts (the archive queries live with the rule, alerts/volume_rules.py):
the count of the current window, the counts of the same window at the same time of day on
each of the previous days, and the hourly mean of the last 24 hours.

Why a seasonal baseline: relevant volume follows the day. In the CED Weibo timestamps
(benchmarks/topic_burst_bench.py) the busiest hour carries ~15 times the quietest one, so
against a plain 24 h mean every morning rise looks like a spike and a burst at 03:00 has to
be large before it clears the daily average.

Why a Poisson tail and a ratio: a ratio alone judges 3 posts against 0.5 the same as 300
against 50; a p-value alone flags a 10 % excess once counts are in the thousands, where real
streams are over-dispersed (one story draws a cascade of responses; some days run busier) and
the Poisson model is too confident. Requiring both keeps small counts honest (the p-value)
and large counts meaningful (the ratio); ``min_count`` keeps single posts out of the phone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

# scipy.special's Poisson tail: the same figure as scipy.stats.poisson.sf, a third of the import.
from scipy.special import pdtrc

# Defaults tuned on benchmarks/topic_burst_bench.py (the CED day-night profile, 200 topic-days
# of over-dispersed steady stream at 1, 5 and 20 mentions an hour, bursts of 3-40 extra
# mentions an hour for 3 hours): at p <= 1e-4, ratio >= 3 and count >= 5 the seasonal detector
# raises 0.02 / 0.13 / 0.03 false alarms per topic-day (the 24 h-mean rule, factor 3, min 10:
# 0.00 / 0.80 / 0.58, on the daily late-evening rise) and catches a burst of 10 extra an hour
# on a 5-an-hour topic in 0.80 of the cases, 0.96 at night (the old rule: 0.78, 0.57 at night).
DEFAULT_MAX_P_VALUE = 1e-4
DEFAULT_MIN_RATIO = 3.0
DEFAULT_MIN_COUNT = 5
# The expected count of a window is never taken below this: a topic silent at this hour all
# week would otherwise make any two posts "infinitely" unusual.
DEFAULT_FLOOR = 0.5
# The share of the last 24 h hourly mean the baseline never falls below (see seasonal_baseline).
DEFAULT_RECENT_WEIGHT = 0.2
# Fewer covered same-hour days than this and the week-old rhythm is not known: use the mean.
MIN_HISTORY_DAYS = 3
# The wider same-time window of earlier days, in hours, centred on the current hour.
AROUND_HOURS = 3


@dataclass(frozen=True)
class BurstThresholds:
    """When a window counts as a burst: all three must hold."""

    max_p_value: float = DEFAULT_MAX_P_VALUE
    min_ratio: float = DEFAULT_MIN_RATIO
    min_count: int = DEFAULT_MIN_COUNT
    floor: float = DEFAULT_FLOOR
    recent_weight: float = DEFAULT_RECENT_WEIGHT


@dataclass(frozen=True)
class Burst:
    count: int
    baseline: float  # expected count of the window
    ratio: float  # count / baseline
    p_value: float  # P(X >= count) for X ~ Poisson(baseline)
    bursting: bool
    seasonal: bool  # baseline from the same hour of earlier days (else from the 24 h mean)


def seasonal_baseline(
    same_hour: Sequence[int],
    recent_mean: float,
    *,
    around: Sequence[int] = (),
    floor: float = DEFAULT_FLOOR,
    recent_weight: float = DEFAULT_RECENT_WEIGHT,
) -> tuple[float, bool]:
    """The expected count of this window, and whether it came from the daily rhythm.

    ``same_hour``: the counts of the same window on each earlier day; ``around``: the counts
    of the ``AROUND_HOURS`` hours centred on it on those days (optional).

    The median of the same-hour counts carries the rhythm and ignores an earlier burst (up to
    three of seven days may be unusual without moving it), where a mean would let last
    Tuesday's incident hide this Tuesday's. Seven small counts make a noisy median, though
    (a topic at 6 an hour shows a median of 2 on some weeks, and then an ordinary hour is a
    "burst"); the 3-hour windows hold three times the data but blur a sharp daily peak (the
    CED talk falls from 2.6 to 0.7 times the mean between 00:00 and 01:00). Each fails where
    the other holds, so the larger of the two is taken: on the bench this cut false alarms of
    a 5-an-hour topic from 0.46 to 0.04 per topic-day at the same thresholds.

    The week knows nothing of the last day: a topic that has run hot since yesterday (an
    ongoing story) would keep "bursting" at every hour. So the baseline is never below
    ``recent_weight`` times the last 24 h hourly mean; the weight is small (0.2, about the
    trough-to-mean ratio of the CED profile, 0.17) so a quiet hour keeps its quiet baseline and
    a night burst is still judged against the night. With fewer than ``MIN_HISTORY_DAYS``
    same-hour counts (a new archive) there is no rhythm to use and the 24 h mean is the
    baseline, as the non-seasonal rule has it.
    """
    if len(same_hour) < MIN_HISTORY_DAYS:
        return max(float(recent_mean), floor), False
    typical = float(median(same_hour))
    if len(around) >= MIN_HISTORY_DAYS:
        typical = max(typical, float(median(around)) / AROUND_HOURS)
    return max(typical, recent_weight * float(recent_mean), floor), True


def poisson_tail(count: int, expected: float) -> float:
    """P(X >= count) for X ~ Poisson(expected): how surprising ``count`` is."""
    if count <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    return float(pdtrc(count - 1, expected))


def judge(
    count: int,
    same_hour: Sequence[int],
    recent_mean: float,
    thresholds: BurstThresholds | None = None,
    *,
    around: Sequence[int] = (),
) -> Burst:
    """Is ``count`` a burst against the seasonal baseline (see ``seasonal_baseline``)?"""
    t = thresholds or BurstThresholds()
    baseline, seasonal = seasonal_baseline(
        same_hour, recent_mean, around=around, floor=t.floor, recent_weight=t.recent_weight
    )
    return against(count, baseline, t, seasonal=seasonal)


def against(
    count: int, baseline: float, thresholds: BurstThresholds, *, seasonal: bool = False
) -> Burst:
    """Judge ``count`` against a given expected count (floored)."""
    expected = max(baseline, thresholds.floor, 1e-9)
    ratio = count / expected
    p_value = poisson_tail(count, expected)
    bursting = (
        count >= thresholds.min_count
        and ratio >= thresholds.min_ratio
        and p_value <= thresholds.max_p_value
    )
    return Burst(count, expected, ratio, p_value, bursting, seasonal)


# Powers of ten as a press officer says them (万分之一), for chances named in plain words: the
# alert's evidence (read on a phone) and the dashboard say 偶然可能, not "Poisson tail p=2.1e-05".
_ODDS = (
    (1e-6, "百万分之一"),
    (1e-5, "十万分之一"),
    (1e-4, "万分之一"),
    (1e-3, "千分之一"),
    (1e-2, "百分之一"),
)


def odds_text(limit: float) -> str:
    """A threshold chance in words: 1e-4 → 万分之一 (a value off the powers of ten as it is)."""
    for value, words in _ODDS:
        if math.isclose(limit, value):
            return words
    return f"{limit:.0%}" if limit >= 1e-2 else f"{limit:g}"


def chance_text(p_value: float) -> str:
    """How likely a count this high would be by coincidence, in words: 不到万分之一, 约3%.
    (The statistic is a Poisson tail probability; the dashboard's help names it.)"""
    if p_value >= 1e-2:
        return f"约{p_value:.0%}"
    # _ODDS runs from the smallest chance up: the first bound above the value names it.
    return next(f"不到{words}" for value, words in _ODDS if p_value < value)

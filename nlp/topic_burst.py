"""Burst detection against a topic's own baseline: is this hour unusual *for this hour*?

Pure functions over counts (the archive queries live with the rule, alerts/volume_rules.py):
the count of the current window, the counts of the same window at the same time of day on
each of the previous days, and the hourly mean of the last 24 hours.

Why a seasonal baseline: relevant volume follows the day. In the CED Weibo timestamps
(benchmarks/topic_burst_bench.py) the busiest hour carries about 8 times the quietest one, so
against a plain 24 h mean every morning rise looks like a spike and a burst at 03:00 has to
be large before it clears the daily average.

Why a Poisson tail and a ratio: a ratio alone judges 3 posts against 0.5 the same as 300
against 50; a p-value alone flags a 10 % excess once counts are in the thousands, where real
streams are over-dispersed (one story draws a cascade of responses; some days run busier) and
the Poisson model is too confident. Requiring both keeps small counts honest (the p-value)
and large counts meaningful (the ratio); ``min_count`` keeps single posts out of the phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

# scipy.special's Poisson tail: the same figure as scipy.stats.poisson.sf, a third of the import.
from scipy.special import pdtrc

# Defaults tuned on benchmarks/topic_burst_bench.py (CED day-night profile, 2000 topic-days of
# steady stream with +-30 % day-to-day level noise, bursts of 10-80 extra mentions in an hour).
# At p <= 1e-3, ratio >= 3 and count >= 5 the seasonal detector raises ~0.01 false alarms per
# topic-day and catches bursts of 20 extra mentions in every hour of the day; the 24 h-mean
# rule (factor 3, min 10) raises more on the morning rise and misses most night bursts.
DEFAULT_MAX_P_VALUE = 1e-3
DEFAULT_MIN_RATIO = 3.0
DEFAULT_MIN_COUNT = 5
# The expected count of a window is never taken below this: a topic silent at this hour all
# week would otherwise make any two posts "infinitely" unusual.
DEFAULT_FLOOR = 0.5
# The share of the last 24 h hourly mean the baseline never falls below (see seasonal_baseline).
DEFAULT_RECENT_WEIGHT = 0.2
# Fewer covered same-hour days than this and the week-old rhythm is not known: use the mean.
MIN_HISTORY_DAYS = 3


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
    floor: float = DEFAULT_FLOOR,
    recent_weight: float = DEFAULT_RECENT_WEIGHT,
) -> tuple[float, bool]:
    """The expected count of this window, and whether it came from the daily rhythm.

    The median of the same-hour counts carries the rhythm and ignores an earlier burst (up to
    three of seven days may be unusual without moving it), where a mean would let last
    Tuesday's incident hide this Tuesday's. The median of a week knows nothing of the last day,
    though: a topic that has run hot since yesterday (an ongoing story) would keep "bursting"
    at every hour. So the baseline is never below ``recent_weight`` times the last 24 h hourly
    mean. The weight is small (0.2: about the trough-to-mean ratio of the CED profile) so a
    quiet hour keeps its quiet baseline, and a night burst is still judged against the night.
    With fewer than ``MIN_HISTORY_DAYS`` same-hour counts (a new archive) there is no rhythm
    to use and the 24 h mean is the baseline, as the non-seasonal rule has it.
    """
    if len(same_hour) < MIN_HISTORY_DAYS:
        return max(float(recent_mean), floor), False
    typical = float(median(same_hour))
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
) -> Burst:
    """Is ``count`` a burst against the seasonal baseline of ``same_hour`` and ``recent_mean``?"""
    t = thresholds or BurstThresholds()
    baseline, seasonal = seasonal_baseline(
        same_hour, recent_mean, floor=t.floor, recent_weight=t.recent_weight
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


def format_p(p_value: float) -> str:
    """A p-value as people read it: 0.03, 2.1e-05, or < 1e-12."""
    if p_value < 1e-12:
        return "< 1e-12"
    if p_value >= 0.01:
        return f"{p_value:.2f}"
    return f"{p_value:.1e}"

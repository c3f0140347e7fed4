"""The seasonal Poisson burst detector (alerts/topic_burst.py) on counts alone."""

from __future__ import annotations

import pytest

from alerts.topic_burst import (
    MIN_HISTORY_DAYS,
    BurstThresholds,
    against,
    chance_text,
    judge,
    poisson_tail,
    seasonal_baseline,
)

WEEK_OF_NIGHTS = [1, 0, 2, 1, 0, 1, 1]  # 03:00-04:00 on the seven days before


def test_night_burst_is_judged_against_the_night() -> None:
    # The last 24 h ran at 20 an hour (the day's traffic); 15 at 03:00 is a third of the old
    # rule's bar (3 x 20 = 60) but fifteen times what this hour usually holds.
    burst = judge(15, WEEK_OF_NIGHTS, recent_mean=20.0)
    assert burst.seasonal and burst.bursting
    assert burst.baseline == pytest.approx(4.0)  # 0.2 x the 24 h mean: the night floor
    assert burst.ratio == pytest.approx(3.75)
    assert burst.p_value < 1e-3


def test_the_daily_morning_rise_is_not_a_burst() -> None:
    mornings = [30, 28, 35, 31, 29, 33, 30]  # 08:00-09:00 every day
    burst = judge(34, mornings, recent_mean=10.0)  # three times the night-heavy 24 h mean
    assert burst.baseline == pytest.approx(30.0)
    assert not burst.bursting
    assert burst.p_value > 0.1


def test_earlier_bursts_do_not_raise_the_baseline() -> None:
    # Two days with an incident at this hour: the median keeps the ordinary level.
    baseline, seasonal = seasonal_baseline([2, 2, 50, 2, 60, 2, 2], recent_mean=3.0)
    assert seasonal and baseline == pytest.approx(2.0)
    assert judge(20, [2, 2, 50, 2, 60, 2, 2], 3.0).bursting


def test_tiny_baselines_need_both_a_surprise_and_enough_posts() -> None:
    silent = [0] * 7
    three = judge(3, silent, recent_mean=0.0)
    assert three.baseline == pytest.approx(0.5)  # the floor
    assert three.ratio == pytest.approx(6.0)
    assert three.p_value == pytest.approx(0.01439, rel=1e-3)
    assert not three.bursting  # fewer than min_count and not surprising enough
    six = judge(6, silent, recent_mean=0.0)
    assert six.bursting and six.p_value < 1e-4


def test_large_counts_need_the_ratio_not_only_the_p_value() -> None:
    t = BurstThresholds()
    assert against(300, 100.0, t).bursting
    modest = against(1100, 1000.0, t)  # 10 % over a busy baseline
    assert modest.p_value < 1e-3 and not modest.bursting
    assert not against(250, 100.0, t).bursting  # 2.5 x: below the factor of 3


def test_zero_counts() -> None:
    burst = judge(0, [0] * 7, recent_mean=0.0)
    assert burst.count == 0 and burst.p_value == 1.0 and not burst.bursting
    assert poisson_tail(0, 3.0) == 1.0
    assert poisson_tail(1, 0.0) == 0.0
    assert judge(0, [5] * 7, 5.0).ratio == 0.0


def test_short_history_falls_back_to_the_recent_mean() -> None:
    days = [0] * (MIN_HISTORY_DAYS - 1)
    baseline, seasonal = seasonal_baseline(days, recent_mean=12.0)
    assert not seasonal and baseline == pytest.approx(12.0)
    assert not judge(20, days, 12.0).bursting


def test_an_ongoing_story_lifts_the_baseline() -> None:
    # The topic has run at 30 an hour since yesterday; its week-old hour said 1.
    burst = judge(12, [1] * 7, recent_mean=30.0)
    assert burst.baseline == pytest.approx(6.0)
    assert not burst.bursting


def test_thresholds_are_parameters() -> None:
    strict = BurstThresholds(max_p_value=1e-6, min_ratio=5.0, min_count=10)
    assert judge(15, WEEK_OF_NIGHTS, 20.0).bursting
    assert not judge(15, WEEK_OF_NIGHTS, 20.0, strict).bursting


def test_chances_read_as_a_press_officer_says_them() -> None:
    assert chance_text(0.0312) == "约3%"
    assert chance_text(2.14e-5) == "不到万分之一"
    assert chance_text(1e-20) == "不到百万分之一"


def test_a_noisy_hour_borrows_the_hours_around_it() -> None:
    # A 6-an-hour topic whose week happened to show little at this very hour.
    same = [1, 4, 2, 2, 8, 1, 3]
    around = [15, 16, 20, 18, 17, 14, 19]  # the three hours centred on it
    baseline, _ = seasonal_baseline(same, 5.0, around=around)
    assert baseline == pytest.approx(17 / 3)
    assert judge(12, same, 5.0).bursting  # against the median of 2 alone
    assert not judge(12, same, 5.0, around=around).bursting


def test_a_sharp_daily_peak_keeps_its_own_hour() -> None:
    # 00:00 holds 13 and the hour after it 4: the 3-hour windows say 6, the hour itself 13.
    same = [13, 12, 14, 13, 15, 12, 13]
    around = [19, 18, 20, 19, 21, 17, 19]
    baseline, _ = seasonal_baseline(same, 5.0, around=around)
    assert baseline == pytest.approx(13.0)
    assert not judge(25, same, 5.0, around=around).bursting

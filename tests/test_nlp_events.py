"""Heat, burst and lifecycle status, and clustering decisions on their own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nlp.heat import (
    HALF_LIFE,
    Activity,
    burst_at,
    engagement_weight,
    heat_at,
    status_at,
)
from tests.conftest import T0

WINDOW = timedelta(hours=72)


def at(hours: float, weight: float = 1.0) -> Activity:
    return Activity(T0 + timedelta(hours=hours), weight)


def test_heat_halves_every_half_life() -> None:
    activities = [at(0)]
    assert heat_at(activities, T0) == pytest.approx(1.0)
    assert heat_at(activities, T0 + HALF_LIFE) == pytest.approx(0.5)
    assert heat_at(activities, T0 + 2 * HALF_LIFE) == pytest.approx(0.25)
    # Mentions after "now" do not count (a replay never sees the future).
    assert heat_at([at(5)], T0) == 0


def test_engagement_counts_logarithmically() -> None:
    assert engagement_weight({}) == 1.0
    small = engagement_weight({"reposts": 10})
    big = engagement_weight({"reposts": 10_000, "comments": "500", "likes": True})
    assert 1.0 < small < big < 12.0


def test_burst_compares_recent_rate_with_earlier_rate() -> None:
    steady = [at(h) for h in range(0, 27)]  # one an hour for a day
    assert burst_at(steady, T0 + timedelta(hours=26)) == pytest.approx(1.0)
    sudden = [at(25 + i / 10) for i in range(12)]
    assert burst_at(sudden, T0 + timedelta(hours=27)) == pytest.approx(12.0)


def test_status_lifecycle() -> None:
    new = [at(0), at(0.5)]
    assert status_at(new, T0 + timedelta(hours=1), new[-1].at, WINDOW)[0] == "emerging"
    rising = [at(h / 4) for h in range(0, 24)]  # four an hour for six hours
    last = rising[-1].at
    assert status_at(rising, last, last, WINDOW)[0] == "growing"
    steady = [at(h / 2) for h in range(0, 96)]  # steady for two days
    last = steady[-1].at
    assert status_at(steady, last, last, WINDOW)[0] == "peak"
    assert status_at(steady, last + timedelta(hours=4), last, WINDOW)[0] == "declining"
    assert status_at(steady, last + WINDOW + timedelta(hours=1), last, WINDOW)[0] == "closed"

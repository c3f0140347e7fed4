"""B-cubed and Spearman, checked on cases worked by hand."""

from __future__ import annotations

import pytest

from nlp.training.cluster_metrics import bcubed, spearman


def test_bcubed_perfect_all_in_one_and_all_apart() -> None:
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    perfect = bcubed({"a": "x", "b": "x", "c": "y", "d": "y"}, gold)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    lumped = bcubed({k: "x" for k in gold}, gold)
    assert lumped.precision == 0.5 and lumped.recall == 1.0
    apart = bcubed({k: k for k in gold}, gold)
    assert apart.precision == 1.0 and apart.recall == 0.5


def test_bcubed_worked_example() -> None:
    # Gold {a,b,c} {d}; predicted {a,b} {c,d}.
    result = bcubed({"a": 1, "b": 1, "c": 2, "d": 2}, {"a": "g", "b": "g", "c": "g", "d": "h"})
    assert result.precision == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    assert result.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert result.items == 4


def test_spearman_ranks() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)

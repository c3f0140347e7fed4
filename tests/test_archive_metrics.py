"""One reading of engagement counts for heat, authority and alert reach."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from alerts.post_rules import reach
from archive.metrics import count, total
from archive.models import Mention
from nlp.heat import authority_weight, engagement_weight


def test_counts_are_non_negative_numbers_or_digit_strings() -> None:
    metrics: dict[str, object] = {
        "reposts": 12,
        "comments": "30",
        "likes": -5,
        "followers": True,
        "reach": float("nan"),
        "views": "1.2万",
    }
    assert count(metrics, "reposts") == 12 and count(metrics, "comments") == 30
    assert count(metrics, "likes") == 0 and count(metrics, "followers") == 0
    assert count(metrics, "reach") == 0 and count(metrics, "views") == 0
    assert count(metrics, "missing") == 0
    assert total(metrics, ("reposts", "comments", "likes")) == 42


def test_heat_authority_and_reach_agree_on_what_a_count_is() -> None:
    metrics: dict[str, object] = {"reposts": "9", "followers": "999", "likes": None}
    assert engagement_weight(metrics) == 1.0 + math.log1p(9)
    assert authority_weight("weibo", metrics) > authority_weight("weibo", {})
    mention = Mention(
        id="m1",
        source="weibo",
        platform="weibo",
        kind="post",
        url="https://weibo.example/1",
        title="",
        text="电梯困人",
        published_at=datetime(2026, 12, 1, tzinfo=UTC),
        fetched_at=datetime(2026, 12, 1, tzinfo=UTC),
        metrics=metrics,
    )
    assert reach(mention) == 1008
    mention.metrics = {"reach": 50, "followers": 10}
    assert reach(mention) == 50

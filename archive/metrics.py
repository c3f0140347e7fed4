"""Reading a mention's engagement figures (``Mention.metrics``) the same way everywhere.

Crawlers store counts as numbers, but mentions imported from files or older crawls may hold
them as digit strings ("120"), and a damaged record may hold anything. Heat, authority and an
alert's reach all read counts through ``count`` so that they agree on what a count is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping


def count(metrics: Mapping[str, object], key: str) -> float:
    """The non-negative count ``metrics[key]``, or 0 when it is missing or not a count
    (booleans, negative or non-finite numbers, text other than digits)."""
    value = metrics.get(key)
    if isinstance(value, str):
        value = int(value) if value.strip().isdigit() else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    number = float(value)
    return number if math.isfinite(number) and number > 0 else 0.0


def total(metrics: Mapping[str, object], keys: Iterable[str]) -> float:
    """The sum of the counts under ``keys``."""
    return sum(count(metrics, key) for key in keys)

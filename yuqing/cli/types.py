"""Click parameter types for what people type at the command line: times, durations, text.

Each converts once and, on bad input, fails the way click reports a bad option: exit 2 and one
line naming the option and the expected form, never a traceback. Bounds keep the arithmetic
that follows (deadlines, silences, replays) inside what ``datetime`` can hold.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import click

from core.clock import parse_instant
from core.settings import parse_duration

# The longest span any command is given (a silence, a replay window): ten years.
MAX_SPAN = timedelta(days=3650)


class InstantType(click.ParamType):
    """An ISO 8601 instant; naive means Beijing time."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return parse_instant(str(value))
        except ValueError as exc:
            self.fail(
                f"{value!r} is not a usable ISO 8601 time such as 2026-11-23T09:00 ({exc})",
                param,
                ctx,
            )


class DurationType(click.ParamType):
    """A positive duration such as 30s, 10m, 2h or 1d, at most ten years."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, timedelta):
            return value
        try:
            span = parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if span <= timedelta(0):
            self.fail(f"{value!r} must be longer than zero", param, ctx)
        if span > MAX_SPAN:
            self.fail(f"{value!r} is longer than {MAX_SPAN.days} days", param, ctx)
        return span


class TextType(click.ParamType):
    """Text that must say something: not empty, not only spaces."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value).strip()
        if not text:
            self.fail("must not be empty", param, ctx)
        return text


INSTANT = InstantType()
DURATION = DurationType()
TEXT = TextType()


# Short words for the obligation kinds, as press officers say them (beside each kind's label).
_KIND_WORDS = {
    "权威发布": "authoritative_release",
    "发布权威信息": "authoritative_release",
    "发布会": "press_conference",
    "新闻发布会": "press_conference",
    "澄清": "clarification",
    "辟谣": "clarification",
    "回应": "response",
    "回应关切": "response",
    "解读": "policy_interpretation",
    "政策解读": "policy_interpretation",
    "处罚公开": "penalty_disclosure",
    "行政处罚": "penalty_disclosure",
    "处罚": "penalty_disclosure",
    "年度报告": "implementation_report",
    "实施情况": "implementation_report",
}


class ObligationKindType(click.ParamType):
    """An obligation kind by its code (press_conference), its label (召开新闻发布会) or a short
    word (发布会, 澄清, 解读…)."""

    name = "kind"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from alerts.deadlines import KINDS

        text = str(value).strip()
        if text.casefold() in KINDS:
            return text.casefold()
        labels = {rule.label: kind for kind, rule in KINDS.items()}
        found = labels.get(text) or _KIND_WORDS.get(text)
        if found is None:
            valid = "、".join(f"{kind}（{rule.label}）" for kind, rule in KINDS.items())
            self.fail(f"{text!r} is not an obligation kind; valid: {valid}", param, ctx)
        return found


OBLIGATION_KIND = ObligationKindType()

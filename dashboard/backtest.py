"""Rule backtest over stored data: what would this rule have raised in a past window?

``alerts`` has no backtest operation yet, so this replays the rule classes themselves
(``alerts.rules.build_rule``) over the archive, read-only: rules report matches and never
write, so a rule "can be tested on stored data alone". The window is cut into steps (hours
for up to three days, days beyond); at the end of each step the rule sees the mentions
published in that step, with their analyses, and the events first seen by then.

Limits, shown on the page: events are judged as they are stored now (their heat, severity
and rumour score today, not as they were at each step), and at most ``MAX_MENTIONS``
mentions of the window are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts.rules import Match, RuleInput, build_rule
from archive.base import Archive
from archive.models import Analysis, Mention
from archive.search import SearchFilters, SearchRequest
from yuqing.settings import RuleSettings

MAX_MENTIONS = 20_000
PAGE = 1000
EVENT_LIMIT = 2000
MAX_STEPS = 24 * 31


@dataclass
class BacktestMatch:
    subject: str
    title: str
    level: str
    first_step: datetime  # the end of the step where the rule first matched
    steps: int  # how many steps it matched in
    event_id: str | None = None
    evidence: list[str] = field(default_factory=list)


@dataclass
class BacktestResult:
    rule: str
    since: datetime
    until: datetime
    step: timedelta
    steps: int
    mentions_read: int
    truncated: bool
    matches: list[BacktestMatch]
    errors: list[str] = field(default_factory=list)


def step_for(since: datetime, until: datetime) -> timedelta:
    return timedelta(hours=1) if until - since <= timedelta(days=3) else timedelta(days=1)


def _mentions(
    archive: Archive, since: datetime, until: datetime
) -> tuple[list[tuple[Mention, Analysis | None]], bool]:
    request = SearchRequest(filters=SearchFilters(since=since, until=until), limit=PAGE)
    found: list[tuple[Mention, Analysis | None]] = []
    while True:
        result = archive.search(request)
        found += [(hit.mention, hit.analysis) for hit in result.hits]
        if len(found) >= MAX_MENTIONS:
            return found[:MAX_MENTIONS], True
        if not result.next_cursor:
            return found, False
        request.after = result.next_cursor


def run_backtest(
    archive: Archive, rule_settings: RuleSettings, since: datetime, until: datetime
) -> BacktestResult:
    """Replay one rule over ``[since, until)``; the archive is only read."""
    if until <= since:
        raise ValueError("回测的结束时间须晚于开始时间")
    step = step_for(since, until)
    steps = min(MAX_STEPS, -(-(until - since) // step))
    rule = build_rule(rule_settings.model_copy(update={"enabled": True}))
    mentions, truncated = _mentions(archive, since, until)
    events = archive.list_events(active_since=since, limit=EVENT_LIMIT)
    found: dict[str, BacktestMatch] = {}
    errors: list[str] = []
    for index in range(steps):
        start = since + index * step
        end = min(until, start + step)
        batch = [(m, a) for m, a in mentions if start <= m.published_at < end]
        known = [e for e in events if e.first_seen < end]
        data = RuleInput(end, archive, known, batch)
        try:
            matches: list[Match] = rule.find(data)
        except Exception as exc:  # a broken rule is reported, not raised at the page
            errors.append(f"{end.isoformat()}: {exc}")
            continue
        for match in matches:
            seen = found.get(match.subject)
            if seen is None:
                found[match.subject] = BacktestMatch(
                    subject=match.subject,
                    title=match.title,
                    level=match.level,
                    first_step=end,
                    steps=1,
                    event_id=match.event_id,
                    evidence=[r.text for r in match.evidence[:5]],
                )
            else:
                seen.steps += 1
    return BacktestResult(
        rule=rule_settings.name,
        since=since,
        until=until,
        step=step,
        steps=steps,
        mentions_read=len(mentions),
        truncated=truncated,
        matches=sorted(found.values(), key=lambda m: m.first_step),
        errors=errors,
    )

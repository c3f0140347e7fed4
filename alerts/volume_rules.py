"""Volume rule types: how much is being said (spike) and what is new in it (new_term).

They ask the archive's search for counts instead of reading every mention, so they cost a few
queries per evaluation however large the archive is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import ClassVar

from alerts.rules import Match, RuleInput, RuleType, register_rule
from archive.models import Event, Reason
from archive.search import SearchFilters, SearchRequest
from yuqing.clock import SHANGHAI


def _as_query(word: str) -> str:
    return '"' + word.replace('"', " ").strip() + '"'


@register_rule
class SpikeRule(RuleType):
    """Relevant volume in the last hour against the hourly mean of the baseline before it.

    Fires when the last hour holds at least ``spike_factor`` times the baseline mean and at
    least ``min_mentions`` (default 10) mentions. A spike continuing within ``cooldown`` of the
    last one updates that alert instead of raising a new one.
    """

    type_name = "spike"
    needs_analysis: ClassVar[bool] = False
    default_baseline = timedelta(hours=24)
    default_minimum = 10

    def _count(self, data: RuleInput, since: datetime, until: datetime) -> int:
        f = self.settings.filters
        filters = SearchFilters(
            since=since,
            until=until,
            topics=list(f.topics),
            regions=list(f.regions),
            platforms=list(f.platforms),
            kinds=list(f.kinds),
            relevant_only=True,
        )
        return data.archive.search(SearchRequest(filters=filters, limit=1)).total

    def find(self, data: RuleInput) -> list[Match]:
        hour = timedelta(hours=1)
        baseline = self.settings.baseline or self.default_baseline
        current = self._count(data, data.now - hour, data.now)
        minimum = self.settings.min_mentions or self.default_minimum
        if current < minimum:
            return []
        before = self._count(data, data.now - hour - baseline, data.now - hour)
        mean = before / max(baseline / hour, 1.0)
        factor = self.settings.spike_factor or 3.0
        if current < factor * max(mean, 1.0):
            return []
        subject = self._episode(data)
        scope = "、".join(self.settings.filters.topics + self.settings.filters.regions) or "全部"
        text = f"近1小时相关信息 {current} 条，基线每小时 {mean:.1f} 条（{factor:g} 倍阈值）"
        return [
            Match(
                subject=subject,
                title=f"舆情量突增（{scope}）",
                level=self.settings.level,
                detected_at=data.now,
                last_at=data.now,
                evidence=[Reason("figure", text, float(current))],
            )
        ]

    def _episode(self, data: RuleInput) -> str:
        recent = [
            a
            for a in data.alerts.values()
            if a.subject.startswith("spike:")
            and a.last_at >= data.now - self.settings.cooldown - timedelta(hours=1)
        ]
        if recent:
            return max(recent, key=lambda a: a.last_at).subject
        return "spike:" + data.now.astimezone(SHANGHAI).strftime("%Y%m%d%H")


@register_rule
class NewTermRule(RuleType):
    """A noun (product, brand, company, place) among a new event's keywords that no mention
    held in the ``baseline`` before the event began."""

    type_name = "new_term"
    needs_analysis: ClassVar[bool] = False
    default_baseline = timedelta(days=7)
    keywords_per_event = 5

    def find(self, data: RuleInput) -> list[Match]:
        baseline = self.settings.baseline or self.default_baseline
        found = []
        for event in data.events:
            if event.first_seen < data.now - timedelta(hours=24) or not self.event_ok(event, data):
                continue
            for word in _nouns(event.keywords[: self.keywords_per_event]):
                subject = f"term:{word}"
                if subject in data.alerts or self._seen_before(data, word, event, baseline):
                    continue
                evidence = [
                    Reason("term", f"新出现的词：{word}", 1.0),
                    Reason("signal", f"首次出现于事件：{event.title}"),
                ]
                match = self.event_match(event, evidence)
                match.subject = subject
                match.title = f"新词“{word}”：{event.title}"
                found.append(match)
        return found

    @staticmethod
    def _seen_before(data: RuleInput, word: str, event: Event, baseline: timedelta) -> bool:
        filters = SearchFilters(since=event.first_seen - baseline, until=event.first_seen)
        try:
            result = data.archive.search(
                SearchRequest(query=_as_query(word), filters=filters, limit=1)
            )
        except ValueError:  # no searchable characters
            return True
        return result.total > 0


def _nouns(words: Iterable[str]) -> list[str]:
    """Keep keywords that jieba tags as nouns (n, nr, ns, nt, nz...) or Latin brand names."""
    import jieba.posseg as posseg

    from nlp.segment import ensure_loaded

    ensure_loaded()
    kept = []
    for word in words:
        word = word.strip()
        if len(word) < 2:
            continue
        flags = [pair.flag for pair in posseg.lcut(word)]
        if flags and (flags[-1].startswith("n") or flags[-1] == "eng"):
            kept.append(word)
    return kept

"""Volume rule types: how much is being said (spike) and what is new in it (new_term).

They ask the archive's search for counts instead of reading every mention, so they cost a few
queries per evaluation however large the archive is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from alerts.rule_base import Match, RuleInput, RuleType, register_rule
from alerts.topic_burst import AROUND_HOURS, Burst, BurstThresholds, chance_text, judge
from archive.base import Archive
from archive.models import Event, Reason
from archive.search import SearchFilters, SearchRequest
from core.clock import SHANGHAI
from core.settings_rules import NewTermRuleSettings, RuleSettingsBase, SpikeRuleSettings
from nlp.lexicon import TOPIC_LABELS


def _as_query(word: str) -> str:
    return '"' + word.replace('"', " ").strip() + '"'


@dataclass
class WindowCounts:
    """Counts behind a seasonal judgement, per topic (or ``ALL`` for the whole rule scope)."""

    current: dict[str, int]
    same_hour: dict[str, list[int]]  # one count per covered earlier day, most recent first
    around: dict[str, list[int]]  # the AROUND_HOURS hours centred on it, the same days
    recent_mean: dict[str, float]  # hourly mean of the 24 h before the current window

    def topics(self) -> list[str]:
        return sorted(self.current, key=lambda t: (-self.current[t], t))

    def judge(self, topic: str, thresholds: BurstThresholds) -> Burst:
        return judge(
            self.current.get(topic, 0),
            self.same_hour.get(topic, []),
            self.recent_mean.get(topic, 0.0),
            thresholds,
            around=self.around.get(topic, []),
        )


ALL = ""  # the key of the whole scope in WindowCounts when not per topic
HOUR = timedelta(hours=1)
RECENT = timedelta(hours=24)
# Topics counted per facet query: every topic of nlp.lexicon.TOPICS and some room for more.
FACET_SIZE = 100
DEFAULT_SEASONAL_DAYS = 7  # a week: every weekday once, and a median that ignores 3 odd days


def scope_filters(settings: RuleSettingsBase, since: datetime, until: datetime) -> SearchFilters:
    f = settings.filters
    return SearchFilters(
        since=since,
        until=until,
        topics=list(f.topics),
        regions=list(f.regions),
        platforms=list(f.platforms),
        kinds=list(f.kinds),
        relevant_only=True,
    )


def covered_days(archive: Archive, now: datetime, days: int) -> int:
    """How many of the previous ``days`` same-hour windows the archive was collecting for.

    A new archive holds nothing a week back; counting those windows as zero would make every
    topic look silent at this hour and every hour a burst. A day is covered when the archive
    holds any mention (relevant or not, any topic) older than that day's window.
    """
    for back in range(days, 0, -1):
        start = now - HOUR * (AROUND_HOURS + 1) / 2 - timedelta(days=back)
        older = archive.search(SearchRequest(filters=SearchFilters(until=start), limit=1))
        if older.total > 0:
            return back
    return 0


def window_counts(
    archive: Archive,
    settings: RuleSettingsBase,
    now: datetime,
    *,
    per_topic: bool,
    days: int,
    min_count: int = 0,
) -> WindowCounts:
    """The current hour, the same hour and the hours around it on each covered earlier day,
    and the 24 h before, counted with one facet query (or one count) per window:
    ``2 x days + 3`` queries at most, whatever the number of topics. Only topics with at
    least ``min_count`` mentions in the current hour are kept, and when there are none (most
    hours) the earlier windows are not read at all."""

    def counts(since: datetime, until: datetime) -> dict[str, int]:
        request = SearchRequest(filters=scope_filters(settings, since, until), limit=1)
        if not per_topic:
            return {ALL: archive.search(request).total}
        facets = archive.facets(request, ["topic"], size=FACET_SIZE)["topic"]
        wanted = set(settings.filters.topics)
        return {f.value: f.count for f in facets if f.value and (not wanted or f.value in wanted)}

    current = {t: n for t, n in counts(now - HOUR, now).items() if n >= min_count}
    if not current:
        return WindowCounts({}, {}, {}, {})
    recent = counts(now - HOUR - RECENT, now - HOUR)
    hours = RECENT / HOUR
    same_hour: dict[str, list[int]] = {topic: [] for topic in current}
    around: dict[str, list[int]] = {topic: [] for topic in current}
    side = HOUR * (AROUND_HOURS - 1) / 2
    for back in range(1, covered_days(archive, now, days) + 1):
        shift = timedelta(days=back)
        earlier = counts(now - HOUR - shift, now - shift)
        wider = counts(now - HOUR - side - shift, now + side - shift)
        for topic in current:
            same_hour[topic].append(earlier.get(topic, 0))
            around[topic].append(wider.get(topic, 0))
    return WindowCounts(
        current=current,
        same_hour=same_hour,
        around=around,
        recent_mean={topic: recent.get(topic, 0) / hours for topic in current},
    )


def topic_name(topic: str) -> str:
    """The Chinese name of a topic code, as the dashboard shows it (the code if it has none)."""
    return TOPIC_LABELS.get(topic, topic)


def burst_text(name: str, burst: Burst, days: int) -> str:
    basis = f"前{days}天同一时段" if burst.seasonal else "前24小时每小时均值"
    return (
        f"「{name}」近1小时相关信息 {burst.count} 条，基线 {burst.baseline:.1f} 条（{basis}），"
        f"为基线的 {burst.ratio:.1f} 倍，偶然出现的可能{chance_text(burst.p_value)}"
    )


@register_rule
class SpikeRule(RuleType):
    """Relevant volume in the last hour against a baseline.

    Without ``per_topic`` or ``seasonal`` (the original form): the whole scope's last hour
    against the hourly mean of ``baseline`` (24 h) before it; fires at ``spike_factor`` times
    the mean and at least ``min_mentions`` (default 10) mentions.

    ``per_topic: true``: each topic is judged on its own (one alert subject per topic,
    ``spike:<topic>:<episode>``), with counts from one facet query per window.
    ``seasonal: true`` (the default with ``per_topic``): the baseline is the same hour on the
    previous ``seasonal_days`` days (alerts/topic_burst.py), and a burst needs the ratio
    ``spike_factor``, a Poisson tail ``max_p_value`` and ``min_mentions`` at once.

    A spike of the same scope within ``group_within`` (24 h) — or ``cooldown``, if longer —
    of the last one updates that alert instead of raising a new one: the demo's whole-scope
    rule raised eight identical 舆情量突增（全部） alerts in six days, one per busy hour.
    """

    settings_model = SpikeRuleSettings
    settings: SpikeRuleSettings
    needs_analysis: ClassVar[bool] = False
    default_baseline = timedelta(hours=24)
    default_minimum = 10

    def _count(self, data: RuleInput, since: datetime, until: datetime) -> int:
        request = SearchRequest(filters=scope_filters(self.settings, since, until), limit=1)
        return data.archive.search(request).total

    def find(self, data: RuleInput) -> list[Match]:
        if self.settings.per_topic or self.settings.seasonal:
            return self._find_seasonal(data)
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
        subject = self._episode(data, "spike:")
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

    def thresholds(self) -> BurstThresholds:
        s = self.settings
        default = BurstThresholds()
        return BurstThresholds(
            max_p_value=s.max_p_value if s.max_p_value is not None else default.max_p_value,
            min_ratio=s.spike_factor or default.min_ratio,
            min_count=s.min_mentions or default.min_count,
        )

    def baseline_days(self) -> int:
        """Earlier days the seasonal baseline reads; 0 without it (per_topic, seasonal:
        false): the 24 h mean only."""
        s = self.settings
        return (s.seasonal_days or DEFAULT_SEASONAL_DAYS) if s.seasonal_baseline else 0

    def _find_seasonal(self, data: RuleInput) -> list[Match]:
        s = self.settings
        per_topic = s.per_topic
        days = self.baseline_days()
        thresholds = self.thresholds()
        counts = window_counts(
            data.archive,
            s,
            data.now,
            per_topic=per_topic,
            days=days,
            min_count=thresholds.min_count,
        )
        found = []
        for topic in counts.topics():
            burst = counts.judge(topic, thresholds)
            if not burst.bursting:
                continue
            if per_topic:
                name = topic_name(topic)
                prefix, title = f"spike:{topic}:", f"话题声量突增：{name}"
            else:
                scope = "、".join(s.filters.topics + s.filters.regions) or "全部"
                name = scope
                prefix, title = "spike:", f"舆情量突增（{scope}）"
            text = burst_text(name, burst, len(counts.same_hour.get(topic, [])))
            found.append(
                Match(
                    subject=self._episode(data, prefix),
                    title=title,
                    level=s.level,
                    detected_at=data.now,
                    last_at=data.now,
                    evidence=[Reason("figure", text, float(burst.count))],
                )
            )
        return found

    def _episode(self, data: RuleInput, prefix: str) -> str:
        """The subject of the episode a spike belongs to: the last one with this prefix if it
        was seen within ``group_within`` and not resolved, else a new one named by the hour
        (Beijing time)."""
        window = max(self.settings.cooldown, self.settings.group_within)
        recent = [
            a
            for a in data.alerts.values()
            if a.subject.startswith(prefix)
            and a.subject[len(prefix) :].isdigit()
            and a.status != "resolved"
            and a.last_at >= data.now - window - timedelta(hours=1)
        ]
        if recent:
            return max(recent, key=lambda a: a.last_at).subject
        return prefix + data.now.astimezone(SHANGHAI).strftime("%Y%m%d%H")


@register_rule
class NewTermRule(RuleType):
    """A noun (product, brand, company, place) among a new event's keywords that no mention
    held in the ``baseline`` before the event began."""

    settings_model = NewTermRuleSettings
    settings: NewTermRuleSettings
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

    from core.text.segment import ensure_loaded

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

"""The spike rule per topic and against the same hour of earlier days, on a real SQLite archive."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from alerts.rules import Match, RuleInput, build_rule
from alerts.volume_rules import window_counts
from archive import Archive
from archive.models import Alert, Analysis, Mention
from core.clock import SHANGHAI
from core.config import ConfigError, parse_config
from core.settings import parse_rule

NIGHT = datetime(2026, 7, 20, 4, 0, tzinfo=SHANGHAI)  # the current window is 03:00-04:00
MORNING = datetime(2026, 7, 20, 9, 0, tzinfo=SHANGHAI)  # 08:00-09:00
PER_TOPIC = {"name": "topic-spike", "type": "spike", "per_topic": True}
OLD_RULE = {"name": "spike", "type": "spike", "spike_factor": 3, "min_mentions": 10}


class Stream:
    """Writes ``n`` relevant mentions of a topic within an hour ending at a given time."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.serial = 0

    def add(self, topic: str, n: int, hour_end: datetime, *, relevant: bool = True) -> None:
        mentions, analyses = [], []
        for i in range(n):
            self.serial += 1
            mid = f"m{self.serial}"
            at = hour_end - timedelta(minutes=1 + (i * 57) // max(n, 1))
            mentions.append(
                Mention(
                    id=mid,
                    source="test",
                    platform="weibo",
                    kind="post",
                    url=f"https://example.com/{mid}",
                    text=f"帖子{mid}",
                    published_at=at,
                    fetched_at=at + timedelta(minutes=1),
                    region="浙江省杭州市",
                )
            )
            analyses.append(
                Analysis(mention_id=mid, relevant=relevant, relevance=0.9, topics=[topic])
            )
        self.archive.upsert_mentions(mentions)
        self.archive.upsert_analyses(analyses)

    def daily(self, topic: str, by_hour: dict[int, int], now: datetime, days: int) -> None:
        """``by_hour[h]`` mentions in hour h (Beijing) of every day from ``days`` back to now."""
        start = (now - timedelta(days=days)).replace(minute=0)
        at = start
        while at < now - timedelta(hours=1):
            n = by_hour.get(at.hour, 0)
            if n:
                self.add(topic, n, at + timedelta(hours=1))
            at += timedelta(hours=1)


def run(
    archive: Archive, rule: dict[str, object], now: datetime, alerts: list[Alert] | None = None
) -> list[Match]:
    settings = parse_rule(rule)
    data = RuleInput(now, archive, [], [], {a.subject: a for a in alerts or []})
    return build_rule(settings).find(data)


def test_night_burst_of_one_topic_is_its_own_alert(archive: Archive) -> None:
    stream = Stream(archive)
    days = {h: 6 for h in range(9, 23)} | {3: 1}  # busy days, a quiet 03:00
    stream.daily("food_safety", days, NIGHT, days=8)
    stream.daily("special_equipment", {h: 3 for h in range(24)}, NIGHT, days=8)
    stream.add("food_safety", 9, NIGHT)  # 03:00-04:00 tonight: nine posts
    stream.add("special_equipment", 3, NIGHT)  # as every hour
    stream.add("recall", 2, NIGHT, relevant=False)  # not relevant: not counted

    settings = parse_rule(PER_TOPIC)
    counts = window_counts(archive, settings, NIGHT, per_topic=True, days=7)
    assert counts.current == {"food_safety": 9, "special_equipment": 3}
    assert counts.same_hour["food_safety"] == [1] * 7
    assert counts.around["food_safety"] == [1] * 7  # 02:00-05:00: the 03:00 post only
    # A topic below the minimum in the current hour is not counted further back.
    fewer = window_counts(archive, settings, NIGHT, per_topic=True, days=7, min_count=5)
    assert list(fewer.current) == list(fewer.same_hour) == ["food_safety"]
    assert counts.recent_mean["food_safety"] == pytest.approx(
        (6 * 14 + 1) / 24
    )  # 03:00 yesterday is in

    [match] = run(archive, PER_TOPIC, NIGHT)
    assert match.subject == "spike:food_safety:2026072004"
    assert match.title == "话题声量突增：食品安全"
    text = match.evidence[0].text
    assert text.startswith("「食品安全」近1小时相关信息 9 条，基线 1.0 条（前7天同一时段）")
    assert "9.0 倍" in text and "偶然出现的可能不到" in text and "泊松" not in text
    # The old rule over both topics sees 12 posts against a day mean of 6.5: no spike.
    assert run(archive, OLD_RULE, NIGHT) == []


def test_the_morning_rise_is_not_a_spike_per_topic(archive: Archive) -> None:
    stream = Stream(archive)
    day = {7: 12, 8: 24, 9: 20, 10: 16} | {h: 2 for h in (11, 12, 13, 14, 15, 16, 17, 18)}
    stream.daily("special_equipment", day, MORNING, days=8)
    stream.add("special_equipment", 25, MORNING)
    # Against the 24 h mean (~3.8 an hour) 25 is a spike for the old rule, every morning.
    [old] = run(archive, OLD_RULE, MORNING)
    assert old.subject == "spike:2026072009"
    assert run(archive, PER_TOPIC, MORNING) == []
    # Per topic without the seasonal baseline it is a spike too: the rhythm is what helps.
    assert run(archive, PER_TOPIC | {"seasonal": False}, MORNING)


def test_a_young_archive_is_judged_against_the_recent_mean(archive: Archive) -> None:
    stream = Stream(archive)
    stream.daily("food_safety", {h: 1 for h in range(24)}, NIGHT, days=1)
    stream.add("food_safety", 9, NIGHT)
    counts = window_counts(archive, parse_rule(PER_TOPIC), NIGHT, per_topic=True, days=7)
    assert counts.same_hour["food_safety"] == []  # nothing stored a day back and earlier
    [match] = run(archive, PER_TOPIC, NIGHT)
    assert "（前24小时每小时均值）" in match.evidence[0].text


def test_a_continuing_spike_keeps_its_subject_and_topic_filters_apply(archive: Archive) -> None:
    stream = Stream(archive)
    stream.daily("food_safety", {3: 1, 4: 1}, NIGHT + timedelta(hours=1), days=8)
    stream.daily("recall", {3: 1, 4: 1}, NIGHT + timedelta(hours=1), days=8)
    stream.add("food_safety", 9, NIGHT)
    stream.add("food_safety", 9, NIGHT + timedelta(hours=1))
    stream.add("recall", 9, NIGHT + timedelta(hours=1))
    [first] = run(archive, PER_TOPIC | {"filters": {"topics": ["food_safety"]}}, NIGHT)
    earlier = Alert("topic-spike", first.subject, "warning", first.title, NIGHT, NIGHT)
    later = run(archive, PER_TOPIC, NIGHT + timedelta(hours=1), [earlier])
    assert sorted(m.subject for m in later) == [
        "spike:food_safety:2026072004",  # the same episode
        "spike:recall:2026072005",
    ]
    only = run(archive, PER_TOPIC | {"filters": {"topics": ["recall"]}}, NIGHT + timedelta(hours=1))
    assert [m.subject for m in only] == ["spike:recall:2026072005"]


def test_repeated_spikes_of_one_scope_update_one_alert_until_a_day_of_quiet(
    archive: Archive,
) -> None:
    stream = Stream(archive)
    stream.daily("food_safety", {h: 1 for h in range(24)}, NIGHT, days=1)
    stream.add("food_safety", 30, NIGHT)
    [first] = run(archive, OLD_RULE, NIGHT)
    earlier = Alert("spike", first.subject, "info", first.title, NIGHT, NIGHT)
    # Hours later (far past the one-hour cooldown) the same scope spikes again: same alert.
    later = NIGHT + timedelta(hours=9)
    stream.add("food_safety", 30, later)
    [again] = run(archive, OLD_RULE, later, [earlier])
    assert again.subject == first.subject == "spike:2026072004"
    # A spike after a day of quiet is a new wave: a new alert.
    quiet = NIGHT + timedelta(hours=27)
    stream.add("food_safety", 30, quiet)
    [new] = run(archive, OLD_RULE, quiet, [earlier])
    assert new.subject == "spike:2026072107"
    # A resolved alert is not continued.
    resolved = replace(earlier, status="resolved")
    assert run(archive, OLD_RULE, later, [resolved])[0].subject == "spike:2026072013"


def test_seasonal_whole_scope_rule(archive: Archive) -> None:
    stream = Stream(archive)
    stream.daily("food_safety", {h: 6 for h in range(9, 23)} | {3: 1}, NIGHT, days=8)
    stream.add("food_safety", 9, NIGHT)
    [match] = run(archive, {"name": "s", "type": "spike", "seasonal": True}, NIGHT)
    assert match.subject == "spike:2026072004"
    assert match.evidence[0].text.startswith("「全部」近1小时相关信息 9 条")


RULE_YAML = """\
rules:
  - name: topic-spike
    type: spike
    per_topic: true
{extra}"""


def problems(extra: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(RULE_YAML.format(extra=extra), "cfg.yaml")
    return caught.value.problems


def test_spike_settings_are_validated_with_file_key_and_form() -> None:
    ok = parse_config(RULE_YAML.format(extra="    max_p_value: 0.001\n    seasonal_days: 14\n"))
    assert ok.rules[0].seasonal_baseline and ok.rules[0].seasonal_days == 14
    [message] = problems("    max_p_value: 2\n")
    assert message.startswith("cfg.yaml:5: rules[0].max_p_value: ") and "less than 1" in message
    [message] = problems("    seasonal_days: 2\n")
    assert message.startswith("cfg.yaml:5: rules[0].seasonal_days: ") and "3" in message
    [message] = problems("    spike_factor: 0.5\n")
    assert message.startswith("cfg.yaml:5: rules[0].spike_factor: ") and "greater than 1" in message
    [message] = problems("    seasonal: false\n    seasonal_days: 7\n")
    assert message.startswith("cfg.yaml:2: rules[0]: ") and "'seasonal_days' needs" in message
    [message] = problems("    min_mentions: 0\n")
    assert "'min_mentions' must be at least 1" in message
    plain = "rules:\n  - name: s\n    type: spike\n    spike_factor: 3\n    max_p_value: 0.01\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(plain, "cfg.yaml")
    assert "'max_p_value' needs 'per_topic: true'" in caught.value.problems[0]
    wrong = "rules:\n  - name: t\n    type: threshold\n    min_heat: 5\n    per_topic: true\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(wrong, "cfg.yaml")
    assert "'per_topic' applies to spike rules only" in caught.value.problems[0]
    # The original form still needs its factor.
    with pytest.raises(ConfigError, match="needs 'spike_factor'"):
        parse_config("rules:\n  - name: s\n    type: spike\n", "cfg.yaml")

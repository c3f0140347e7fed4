"""Deterministic mention generator for the archive benchmark: stories and corpus (the words it
composes from are in ``archive_vocabulary``)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from archive.models import Analysis, Mention, Reason, stable_id
from benchmarks.archive_vocabulary import (
    BRANDS,
    CHATTER,
    DEFAULT_SENTIMENT,
    FOODS,
    GIVEN,
    INDUSTRIES,
    KINDS,
    NICK_HEADS,
    NICK_TAILS,
    OFFICIAL_OPENINGS,
    PLATFORM_WEIGHTS,
    PRODUCTS,
    RARE_BRAND,
    RARE_PLACE,
    RARE_PRODUCT,
    REGIONS,
    SENTIMENT_PRIOR,
    SOURCES,
    STREET_SUFFIXES,
    SURNAMES,
    SYLLABLES,
    TITLES,
    TOPIC_KEYWORDS,
    TOPIC_SENTENCES,
)

GENERATOR_VERSION = 1
DEFAULT_SEED = 20261116
BATCH_SIZE = 2_000
ANALYSED_SHARE = 0.6
REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO / "yuqing" / "demo" / "corpus.jsonl"
# Latest publication time; mentions spread over the year before it.
END = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
SPAN = timedelta(days=365)
SHANGHAI = timedelta(hours=8)
DAY_US = 86_400 * 1_000_000
SHANGHAI_US = 8 * 3_600 * 1_000_000

TARGET_SEARCH_P95_MS = 50.0
TARGET_FACETS_MS = 300.0

# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


@dataclass
class Story:
    """A happening many mentions talk about: shared topic, place, brand, time and event id."""

    event_id: str
    topic: str
    region: str
    brand: str
    product: str
    food: str
    company: str
    street: str
    peak: datetime
    spread_hours: float


@dataclass
class CorpusRecord:
    title: str
    sentences: list[str]
    region: str
    platform: str | None


@dataclass
class Batch:
    mentions: list[Mention]
    analyses: list[Analysis | None]  # one per mention: None for those not analysed
    text_bytes: list[int]  # UTF-8 bytes of title + text, per mention

    def tail(self, skip: int) -> Batch:
        """The batch without its first ``skip`` mentions (already stored before a resume)."""
        return Batch(self.mentions[skip:], self.analyses[skip:], self.text_bytes[skip:])


def load_corpus(path: Path) -> list[CorpusRecord]:
    """Records of the demo corpus (JSON lines with ``text``; ``title``, ``region``... optional)."""
    records: list[CorpusRecord] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                continue
            sentences = [s for s in re.split(r"(?<=[。！？!?\n])", item["text"]) if s.strip()]
            if not sentences:
                continue
            channel = str(item.get("platform") or item.get("channel") or "")
            if channel not in PLATFORM_WEIGHTS:
                channel = "weibo" if item.get("weibo") else ""
            records.append(
                CorpusRecord(
                    title=str(item.get("title") or ""),
                    sentences=sentences,
                    region=str(item.get("region") or ""),
                    platform=channel or None,
                )
            )
    return records


def _zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(count)]


class MentionGenerator:
    """Mention ``i`` depends only on the seed and ``i`` (one random stream per batch)."""

    def __init__(self, seed: int, corpus: list[CorpusRecord] | None) -> None:
        self.seed = seed
        self.corpus = corpus or None
        rng = random.Random(f"{seed}:setup")
        self.region_weights = _zipf_weights(len(REGIONS), 0.8)
        self.companies = [
            a + b + industry + "有限公司"
            for a in SYLLABLES
            for b in SYLLABLES
            if a != b
            for industry in INDUSTRIES
        ]
        rng.shuffle(self.companies)
        self.streets = [a + b + suffix for a in SYLLABLES for b in SYLLABLES for suffix in
                        STREET_SUFFIXES if a != b]  # fmt: skip
        rng.shuffle(self.streets)
        names = [s + g1 + g2 for s in SURNAMES for g1 in GIVEN for g2 in GIVEN]
        self.reporters = rng.sample(names, 400)
        self.nicknames = [
            f"{rng.choice(NICK_HEADS)}{rng.choice(NICK_TAILS)}{rng.randrange(10, 9999)}"
            for _ in range(8_000)
        ]
        topics = list(TOPIC_SENTENCES)
        self.stories: list[Story] = []
        for index in range(400):
            self.stories.append(
                Story(
                    event_id=f"evt-{index:04d}",
                    topic=rng.choice(topics),
                    region=rng.choices(REGIONS, self.region_weights)[0],
                    brand=rng.choice(BRANDS),
                    product=rng.choice(PRODUCTS),
                    food=rng.choice(FOODS),
                    company=rng.choice(self.companies),
                    street=rng.choice(self.streets),
                    peak=END - SPAN * rng.random(),
                    spread_hours=rng.expovariate(1 / 30),
                )
            )
        self.story_weights = _zipf_weights(len(self.stories), 0.9)
        self.sources = {
            name: [(source, weight) for source, plat, weight in SOURCES if plat == name]
            for name in PLATFORM_WEIGHTS
        }
        self.hour_weights = [0.3 if h < 7 else 1.4 if 9 <= h <= 22 else 0.8 for h in range(24)]
        self._place = re.compile("|".join(re.escape(r) for r in REGIONS))
        # Numbers, except those of dates and times (2025年, 11月16日, 8时).
        self._digits = re.compile(r"\d+(?![\d年月日号时点])")

    # -- helpers -------------------------------------------------------------------------
    def _slots(self, rng: random.Random, story: Story | None, region: str) -> dict[str, str]:
        def pick(values: Sequence[str], fixed: str | None) -> str:
            return fixed if fixed is not None and rng.random() < 0.85 else rng.choice(values)

        brand = pick(BRANDS, story.brand if story else None)
        product = pick(PRODUCTS, story.product if story else None)
        if rng.random() < 0.0005:
            brand = RARE_BRAND
        if rng.random() < 0.0005:
            product = RARE_PRODUCT
        return {
            "r": region,
            "s": pick(self.streets, story.street if story else None),
            "b": brand,
            "p": product,
            "f": pick(FOODS, story.food if story else None),
            "c": pick(self.companies, story.company if story else None),
        }

    def _time(self, rng: random.Random, story: Story | None) -> datetime:
        if story is not None:
            offset = timedelta(hours=rng.expovariate(1 / max(story.spread_hours, 1.0)))
            when = story.peak + offset - timedelta(hours=rng.random() * 3)
            if END - SPAN <= when < END:
                return when.replace(microsecond=rng.randrange(1_000_000))
        day = (END - SPAN + timedelta(days=rng.randrange(365))).replace(hour=0, minute=0)
        hour = rng.choices(range(24), self.hour_weights)[0]
        local = day + timedelta(hours=hour, seconds=rng.randrange(3600))
        return (local - SHANGHAI).replace(microsecond=rng.randrange(1_000_000))

    @staticmethod
    def _fill(rng: random.Random, template: str, slots: dict[str, str]) -> str:
        """``template`` with the mention's names and fresh numbers, dates and model codes."""
        return template.format(
            **slots,
            m=f"{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}-"
            f"{rng.randrange(100, 9999)}",
            d=f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日",
            n=rng.randrange(2, 60),
            n2=rng.randrange(10, 95),
            k=rng.randrange(100, 99_999),
        )

    def _builtin_text(
        self, rng: random.Random, topic: str, platform: str, slots: dict[str, str]
    ) -> tuple[str, str]:
        pool = TOPIC_SENTENCES[topic] if topic else CHATTER
        if platform == "weibo":
            count = rng.choice((1, 1, 2, 2, 3))
        elif platform == "official":
            count = rng.randrange(3, 6)
        else:
            count = rng.randrange(3, 8)
        chosen = [self._fill(rng, t, slots) for t in rng.sample(pool, min(count, len(pool)))]
        if topic and rng.random() < 0.25:  # other topics and chatter leak in
            other = rng.choice([*TOPIC_SENTENCES.values(), CHATTER])
            chosen.insert(rng.randrange(len(chosen) + 1), self._fill(rng, rng.choice(other), slots))
        if platform == "official":
            chosen.insert(0, self._fill(rng, rng.choice(OFFICIAL_OPENINGS), slots))
        title = "" if platform == "weibo" else self._fill(rng, rng.choice(TITLES[topic]), slots)
        return title, "".join(chosen)

    def _corpus_text(
        self, rng: random.Random, region: str, slots: dict[str, str]
    ) -> tuple[str, str, str | None]:
        assert self.corpus is not None
        record = rng.choice(self.corpus)
        kept = [s for s in record.sentences if rng.random() < 0.8] or record.sentences[:1]
        if len(kept) > 2 and rng.random() < 0.3:
            middle = kept[1:-1]
            rng.shuffle(middle)
            kept = [kept[0], *middle, kept[-1]]
        if rng.random() < 0.4:
            other = rng.choice(self.corpus).sentences
            kept.insert(rng.randrange(len(kept) + 1), rng.choice(other))
        if rng.random() < 0.3:
            pool = rng.choice(list(TOPIC_SENTENCES.values()))
            kept.append(self._fill(rng, rng.choice(pool), slots))
        text = "".join(kept)
        title = record.title
        places = [record.region] if record.region else []
        for place in places:
            text, title = text.replace(place, region), title.replace(place, region)
        text = self._place.sub(region, text).replace(region + region, region)

        def number(match: re.Match[str]) -> str:
            value = match.group(0)
            if value in ("12315", "12345", "3") or len(value) > 6:
                return value
            return str(rng.randrange(10 ** (len(value) - 1) if len(value) > 1 else 1,
                                     10 ** len(value)))  # fmt: skip

        return self._place.sub(region, title), self._digits.sub(number, text), record.platform

    @staticmethod
    def _classify(text: str) -> list[str]:
        found = [t for t, words in TOPIC_KEYWORDS.items() if any(w in text for w in words)]
        return found[:2]

    # -- one batch -----------------------------------------------------------------------
    def batch(self, index: int, start: int, stop: int) -> Batch:
        rng = random.Random(f"{self.seed}:{GENERATOR_VERSION}:batch:{index}")
        mentions: list[Mention] = []
        analyses: list[Analysis | None] = []
        text_bytes: list[int] = []
        platforms = list(PLATFORM_WEIGHTS)
        platform_weights = list(PLATFORM_WEIGHTS.values())
        for number in range(start, stop):
            story = (
                rng.choices(self.stories, self.story_weights)[0] if rng.random() < 0.45 else None
            )
            plat = rng.choices(platforms, platform_weights)[0]
            if story is not None:
                topic = story.topic
                region = story.region if rng.random() < 0.8 else rng.choice(REGIONS)
            else:
                chatter = 0.35 if plat == "weibo" else 0.04
                topic = "" if rng.random() < chatter else rng.choice(list(TOPIC_SENTENCES))
                region = rng.choices(REGIONS, self.region_weights)[0]
            slots = self._slots(rng, story, region)
            if self.corpus is not None:
                title, text, corpus_platform = self._corpus_text(rng, region, slots)
                plat = corpus_platform or plat
                topics = self._classify(title + text)
            else:
                title, text = self._builtin_text(rng, topic, plat, slots)
                topics = [topic] if topic else []
            if rng.random() < 0.0002:
                text += f"{RARE_PLACE}{slots['s']}附近也有居民反映类似情况。"
            sources = self.sources[plat]
            source = rng.choices([s for s, _ in sources], [w for _, w in sources])[0]
            kinds = KINDS[plat]
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            published = self._time(rng, story)
            metrics: dict[str, Any] = {}
            extra: dict[str, Any] = {}
            if plat == "weibo":
                author = rng.choice(self.nicknames)
                metrics = {
                    "reposts": int(rng.paretovariate(1.2)) - 1,
                    "comments": int(rng.paretovariate(1.3)) - 1,
                    "likes": int(rng.paretovariate(1.1)) - 1,
                    "followers": int(rng.paretovariate(0.8) * 50),
                    "verified": rng.random() < 0.08,
                }
                if topics and rng.random() < 0.5:
                    extra["hashtags"] = [topics[0]]
                    text = f"#{topics[0]}#{text}"
                if kind == "repost":
                    text = "转发微博 " + text
                elif kind == "comment":
                    text = f"回复@{rng.choice(self.nicknames)}：{text}"
            elif plat == "official":
                author = source
                extra["doc_type"] = "辟谣" if kind == "debunk" else "通报"
            else:
                author = rng.choice(self.reporters)
            mention_id = stable_id("bench", str(self.seed), str(number))
            mentions.append(
                Mention(
                    id=mention_id,
                    source=source,
                    platform=plat,
                    kind=kind,
                    url=f"https://{source}.example.cn/{published:%Y/%m%d}/{number}.html",
                    title=title,
                    text=text,
                    published_at=published,
                    fetched_at=published + timedelta(minutes=rng.randrange(1, 240)),
                    author=author,
                    region=region,
                    metrics=metrics,
                    extra=extra,
                )
            )
            text_bytes.append(len(title.encode()) + len(text.encode()) + 1)
            analysed = rng.random() < ANALYSED_SHARE
            analyses.append(
                self._analysis(rng, mention_id, plat, topic, topics, story, published)
                if analysed
                else None
            )
        return Batch(mentions, analyses, text_bytes)

    @staticmethod
    def _analysis(
        rng: random.Random,
        mention_id: str,
        plat: str,
        topic: str,
        topics: list[str],
        story: Story | None,
        published: datetime,
    ) -> Analysis:
        relevant = bool(topics) and rng.random() < 0.9
        prior = SENTIMENT_PRIOR.get(topic, DEFAULT_SENTIMENT)
        sentiment = rng.choices(("negative", "neutral", "positive"), prior)[0]
        rumor = None
        if plat == "weibo" or topic == "谣言辟谣":
            rumor = round(rng.betavariate(1.3, 4.0 if topic != "谣言辟谣" else 1.5), 3)
        return Analysis(
            mention_id=mention_id,
            relevant=relevant,
            relevance=round(rng.random() * (1.0 if relevant else 0.4), 3),
            topics=topics if relevant else [],
            sentiment=sentiment,
            rumor_score=rumor,
            event_id=story.event_id if story is not None and relevant else None,
            severity=rng.choice(("一般", "较大")) if relevant and rng.random() < 0.05 else None,
            reasons=[Reason(kind="term", text=topics[0], weight=0.5)] if topics else [],
            analyzed_at=published + timedelta(minutes=rng.randrange(1, 30)),
        )

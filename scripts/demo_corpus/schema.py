"""The schema of the demo corpus material (``material/*.yaml``), checked when it is loaded.

Every file is validated as a whole; a wrong file raises ``MaterialError`` listing each problem
as ``<file>: <record>: <field>: <what is wrong>`` (a record is e.g. ``items[12] (key E13)``),
so a typo in one of the ~300 records is found by name, not by a stack trace in the generator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from scripts.demo_corpus.times import minute_of, window_bounds

MATERIAL = Path(__file__).with_name("material")
WEEKDAY = Literal["Mon", "Tue", "Wed", "Thu", "Fri"]
DAY = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# Comments on a post written after the story's debunk_at come from this pool.
AFTER_DEBUNK = "after"


class MaterialError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Record(BaseModel):
    # Strict: a number where text belongs (or the reverse) is an error, not a conversion
    # that would change the corpus silently.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _time(value: str) -> str:
    minute_of(value)
    return value


class Stats(Record):
    reposts: int = Field(ge=0)
    comments: int = Field(ge=0)
    likes: int = Field(ge=0)


class Item(Record):
    """One hand-written post or article, placed at ``at``."""

    key: str | None = None  # for reposts and for the expected decisions of the demo
    at: str
    channel: Literal["news", "rss", "weibo", "official"]
    text: str
    # Weibo posts: the posting account, optional fixed engagement and comment pools.
    user: str | None = None
    stats: Stats | None = None
    pools: list[str] | None = None
    comment_count: int | None = Field(default=None, ge=0)
    repost_of: str | None = None
    # Articles.
    site: str | None = None  # rss articles are all on the one RSS site
    author: str | None = None
    title: str | None = None
    doc_type: Literal["policy", "interpretation", "penalty", "debunk", "notice"] | None = None
    region: str | None = None  # default: the story's

    @field_validator("at")
    @classmethod
    def check_at(cls, value: str) -> str:
        return _time(value)

    @model_validator(mode="after")
    def check_channel(self) -> Item:
        weibo = ["user", "stats", "pools", "comment_count", "repost_of"]
        article = ["site", "author", "title", "doc_type"]
        if self.channel == "weibo":
            required, forbidden = ["user"], article
        else:
            # An rss article is on the one RSS site; only official ones have a document type.
            required, forbidden = ["author", "title"], list(weibo)
            required += ["site"] if self.channel != "rss" else []
            forbidden += ["site"] if self.channel == "rss" else []
            required += ["doc_type"] if self.channel == "official" else []
            forbidden += ["doc_type"] if self.channel != "official" else []
        missing = [name for name in required if getattr(self, name) is None]
        extra = [name for name in forbidden if getattr(self, name) is not None]
        if missing or extra:
            wrong = [f"needs {', '.join(missing)}"] if missing else []
            wrong += [f"may not have {', '.join(extra)}"] if extra else []
            raise ValueError(f"a {self.channel} item {' and '.join(wrong)}")
        return self


class Fill(Record):
    """A filler Weibo post by an ordinary user, at a random minute of ``window``."""

    window: str
    text: str
    repost_of: str | None = None

    @field_validator("window")
    @classmethod
    def check_window(cls, value: str) -> str:
        window_bounds(value)
        return value


class Penalty(Record):
    """An administrative penalty decision; missing legal fields come from penalty_defaults."""

    at: str
    issuer: str
    docno: str
    party: str
    uscc: str
    rep_label: str
    rep: str
    addr: str
    facts: str
    mitigation: str
    result: str
    review: str
    date: str
    violated: str | None = None
    offense: str | None = None
    basis: str | None = None
    evidence: str | None = None

    @field_validator("at")
    @classmethod
    def check_at(cls, value: str) -> str:
        return _time(value)


class PenaltyDefaults(Record):
    violated: str
    offense: str
    basis: str
    evidence: str


class Story(Record):
    description: str
    region: str
    fill_region: str | None = None  # default: region
    tags: list[str] = Field(min_length=1)
    emoticons: list[str] = Field(min_length=1)
    debunk_at: str | None = None
    comment_pools: dict[str, list[str]]
    fill_pools: list[str] = Field(min_length=1)
    items: list[Item]
    penalty_defaults: PenaltyDefaults | None = None
    penalties: list[Penalty] = []
    fill: list[Fill] = []

    @field_validator("debunk_at")
    @classmethod
    def check_debunk(cls, value: str | None) -> str | None:
        return None if value is None else _time(value)

    @model_validator(mode="after")
    def check_pools(self) -> Story:
        known = set(self.comment_pools)
        used = [("fill_pools", self.fill_pools)]
        used += [(f"items[{i}].pools", item.pools or []) for i, item in enumerate(self.items)]
        for where, names in used:
            unknown = sorted(set(names) - known)
            if unknown:
                raise ValueError(f"{where}: no comment pool named {', '.join(unknown)}")
        if self.debunk_at is not None and AFTER_DEBUNK not in known:
            raise ValueError(f"debunk_at needs a comment pool named {AFTER_DEBUNK!r}")
        return self

    def penalty(self, penalty: Penalty) -> dict[str, str]:
        """A penalty's fields with penalty_defaults filled in."""
        fields = {k: v for k, v in penalty.model_dump().items() if v is not None}
        defaults = self.penalty_defaults.model_dump() if self.penalty_defaults else {}
        return defaults | fields

    @model_validator(mode="after")
    def check_penalties(self) -> Story:
        for index, penalty in enumerate(self.penalties):
            missing = sorted(set(PenaltyDefaults.model_fields) - set(self.penalty(penalty)))
            if missing:
                raise ValueError(
                    f"penalties[{index}]: needs {', '.join(missing)} (or penalty_defaults)"
                )
        return self


class Account(Record):
    verified: bool
    verified_type: int  # as on Weibo: -1 none, 0 personal, 1 government, 2 enterprise, ...
    followers: int = Field(ge=0)


class Corpus(Record):
    stories: list[str] = Field(min_length=1)
    accounts: dict[str, Account]
    generic_users: list[str] = Field(min_length=2)
    short_link_chars: str = Field(min_length=1)


class WeatherDay(Record):
    day: DAY
    conditions: str
    low: int
    high: int
    wind: str
    headline: str
    note: str
    extra: str
    tip: str


class VegetableDay(Record):
    day: WEEKDAY
    headline: str
    summary: str
    comment: str


class MarketDay(Record):
    day: WEEKDAY
    comment: str
    outlook: str


class Daily(Record):
    weather: list[WeatherDay]
    vegetable_days: list[VegetableDay]
    market_days: list[MarketDay]
    market_sectors: list[str] = Field(min_length=4)


@dataclass(frozen=True)
class Material:
    corpus: Corpus
    stories: dict[str, Story]  # in the order the generator draws its random numbers
    daily: Daily


M = TypeVar("M", bound=Record)


def load_material(folder: Path = MATERIAL) -> Material:
    """Read and validate every file; raise ``MaterialError`` with all the problems found."""
    problems: list[str] = []
    corpus = _load(folder / "corpus.yaml", Corpus, problems)
    daily = _load(folder / "daily.yaml", Daily, problems)
    stories: dict[str, Story] = {}
    names = corpus.stories if corpus else []
    for name in names:
        story = _load(folder / "stories" / f"{name}.yaml", Story, problems)
        if story is not None:
            stories[name] = story
    for path in sorted((folder / "stories").glob("*.yaml")):
        if corpus is not None and path.stem not in names:
            problems.append(f"{path}: not listed in corpus.yaml's stories")
    problems += _check_keys(folder, stories)
    if problems or corpus is None or daily is None:
        raise MaterialError(problems)
    return Material(corpus, stories, daily)


def _load(path: Path, model: type[M], problems: list[str]) -> M | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{path}: cannot be read: {exc}")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems += [f"{path}: {_where(data, e['loc'])}: {e['msg']}" for e in exc.errors()]
        return None


def _where(data: Any, loc: Iterable[int | str]) -> str:
    """``items[12] (key E13): at`` for the error location ``("items", 12, "at")``."""
    parts = list(loc)
    if len(parts) >= 2 and isinstance(parts[0], str) and isinstance(parts[1], int):
        record = f"{parts[0]}[{parts[1]}]"
        try:
            key = data[parts[0]][parts[1]].get("key")
        except (AttributeError, IndexError, KeyError, TypeError):
            key = None
        record += f" (key {key})" if key else ""
        field = ".".join(str(p) for p in parts[2:]) or "(the record)"
        return f"{record}: {field}"
    return ".".join(str(p) for p in parts) or "(the file)"


def _check_keys(folder: Path, stories: dict[str, Story]) -> list[str]:
    """Keys are unique across stories; a repost names a key that exists."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    for name, story in stories.items():
        for index, item in enumerate(story.items):
            if item.key is None:
                continue
            if item.key in owner:
                problems.append(
                    f"{folder / 'stories' / name}.yaml: items[{index}]: key: {item.key} is "
                    f"already used in {owner[item.key]}.yaml"
                )
            owner.setdefault(item.key, name)
    for name, story in stories.items():
        reposts = [(f"items[{i}]", item.repost_of) for i, item in enumerate(story.items)]
        reposts += [(f"fill[{i}]", entry.repost_of) for i, entry in enumerate(story.fill)]
        for record, key in reposts:
            if key is not None and key not in owner:
                problems.append(
                    f"{folder / 'stories' / name}.yaml: {record}: repost_of: no item has key {key}"
                )
    return problems

"""The expected decisions of a scenario: what a careful press officer would do, per story.

A scenario is a corpus file (``docs/scenarios.md``) and, beside it, ``<name>.expected.yaml``
written by reading its stories: the obligations each story should open (kind, the item that
fulfils it, on time or not), the kinds that must not open, the items that are false claims and
those that are explicitly not. The story of every item (the clustering ground truth) is the
corpus's own ``story`` field; ``noise_stories`` name the stories whose items belong to no event.

``load_expected`` checks the file against its corpus and raises ``ExpectedError`` naming the
file, the key path and what was wrong, so a typo never turns into a silently wrong figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from alerts.deadlines import KINDS
from yuqing.demo.corpus_check import check_corpus

__all__ = ["Expected", "ExpectedError", "ExpectedObligation", "StoryExpectation", "load_expected"]

STORY_KEYS = {
    "summary",
    "obligations",
    "allowed",
    "forbidden",
    "rumours",
    "not_rumours",
    "unit",
}
OBLIGATION_KEYS = {"kind", "fulfilled_by", "also_fulfilled_by", "on_time"}


class ExpectedError(ValueError):
    """A malformed expected-decisions file; ``str()`` names the file and the key."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{path}: {key}: {problem}")


@dataclass(frozen=True)
class ExpectedObligation:
    kind: str
    fulfilled_by: str | None  # the corpus item that fulfils it; None: never fulfilled
    also_fulfilled_by: tuple[str, ...] = ()  # other items that answer it (maybe late)
    on_time: bool = False  # whether ``fulfilled_by`` is published before the deadline


@dataclass(frozen=True)
class StoryExpectation:
    name: str
    summary: str = ""
    obligations: tuple[ExpectedObligation, ...] = ()
    allowed: frozenset[str] = frozenset()  # may open without counting as a false positive
    forbidden: frozenset[str] = frozenset()
    rumours: frozenset[str] = frozenset()
    not_rumours: frozenset[str] = frozenset()
    # The id of the unit (the demo's ``units:``) that handles the story (属地化); None: not
    # judged.
    unit: str | None = None


@dataclass
class Expected:
    """A scenario's corpus records and its expected decisions."""

    corpus_path: Path
    records: list[dict[str, Any]]
    noise_stories: frozenset[str]
    stories: dict[str, StoryExpectation] = field(default_factory=dict)

    def story_of(self) -> dict[str, str]:
        """Item id → story, for every top-level item."""
        return {r["id"]: r["story"] for r in self.records}

    def event_stories(self) -> list[str]:
        return [name for name in self.stories if name not in self.noise_stories]


def _ids(path: Path, key: str, value: Any, story: str | None, owner: dict[str, str]) -> set[str]:
    if value is None:
        return set()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ExpectedError(path, key, "must be a list of corpus item ids")
    for item in value:
        if item not in owner:
            raise ExpectedError(path, key, f"{item!r} is not an item of the corpus")
        if story is not None and owner[item] != story:
            raise ExpectedError(path, key, f"{item!r} belongs to story {owner[item]!r}")
    return set(value)


def _kinds(path: Path, key: str, value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or any(v not in KINDS for v in value):
        raise ExpectedError(path, key, f"must be a list of obligation kinds ({', '.join(KINDS)})")
    return frozenset(value)


def _obligation(path: Path, key: str, raw: Any, owner: dict[str, str]) -> ExpectedObligation:
    if not isinstance(raw, dict):
        raise ExpectedError(path, key, "must be a mapping {kind, fulfilled_by, on_time}")
    unknown = set(raw) - OBLIGATION_KEYS
    if unknown:
        raise ExpectedError(path, key, f"unknown key(s) {', '.join(sorted(unknown))}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ExpectedError(path, f"{key}.kind", f"must be one of {', '.join(KINDS)}")
    if "fulfilled_by" not in raw or "on_time" not in raw:
        raise ExpectedError(path, key, "needs fulfilled_by (an item id or null) and on_time")
    by = raw["fulfilled_by"]
    if by is not None:
        _ids(path, f"{key}.fulfilled_by", [by], None, owner)
    also = _ids(path, f"{key}.also_fulfilled_by", raw.get("also_fulfilled_by"), None, owner)
    on_time = raw["on_time"]
    if not isinstance(on_time, bool):
        raise ExpectedError(path, f"{key}.on_time", "must be true or false")
    if on_time and by is None:
        raise ExpectedError(path, f"{key}.on_time", "cannot be true without fulfilled_by")
    return ExpectedObligation(kind, by, tuple(sorted(also)), on_time)


def _story(path: Path, name: str, raw: Any, owner: dict[str, str]) -> StoryExpectation:
    key = f"stories.{name}"
    if not isinstance(raw, dict):
        raise ExpectedError(path, key, "must be a mapping")
    unknown = set(raw) - STORY_KEYS
    if unknown:
        raise ExpectedError(path, key, f"unknown key(s) {', '.join(sorted(unknown))}")
    obligations = raw.get("obligations") or []
    if not isinstance(obligations, list):
        raise ExpectedError(path, f"{key}.obligations", "must be a list")
    expected = tuple(
        _obligation(path, f"{key}.obligations[{i}]", ob, owner) for i, ob in enumerate(obligations)
    )
    allowed = _kinds(path, f"{key}.allowed", raw.get("allowed"))
    forbidden = _kinds(path, f"{key}.forbidden", raw.get("forbidden"))
    clash = forbidden & ({ob.kind for ob in expected} | allowed)
    if clash:
        raise ExpectedError(path, f"{key}.forbidden", f"also expected: {', '.join(sorted(clash))}")
    rumours = _ids(path, f"{key}.rumours", raw.get("rumours"), name, owner)
    not_rumours = _ids(path, f"{key}.not_rumours", raw.get("not_rumours"), name, owner)
    if rumours & not_rumours:
        both = ", ".join(sorted(rumours & not_rumours))
        raise ExpectedError(path, f"{key}.not_rumours", f"also listed as rumours: {both}")
    unit = raw.get("unit")
    if unit is not None and (not isinstance(unit, str) or not unit):
        raise ExpectedError(path, f"{key}.unit", "must be a unit id of the demo's units:")
    return StoryExpectation(
        name=name,
        summary=str(raw.get("summary") or ""),
        obligations=expected,
        allowed=allowed,
        forbidden=forbidden,
        rumours=frozenset(rumours),
        not_rumours=frozenset(not_rumours),
        unit=unit,
    )


def expected_path_for(corpus: Path) -> Path:
    """``x.jsonl`` → ``x.expected.yaml`` beside it."""
    return corpus.with_name(corpus.name.removesuffix(".jsonl") + ".expected.yaml")


def load_expected(path: str | Path) -> Expected:
    """The expected decisions in ``path``, checked against the corpus it names."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExpectedError(path, "(file)", "no such file") from None
    except yaml.YAMLError as exc:
        raise ExpectedError(path, "(file)", f"not YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ExpectedError(path, "(file)", "must be a mapping with corpus and stories")
    corpus_name = raw.get("corpus")
    if not isinstance(corpus_name, str) or not corpus_name:
        raise ExpectedError(path, "corpus", "must name the corpus file (relative to this file)")
    corpus_path = path.parent / corpus_name
    records = check_corpus(corpus_path)
    owner = {r["id"]: r["story"] for r in records}
    noise = raw.get("noise_stories") or []
    if not isinstance(noise, list) or not all(isinstance(n, str) for n in noise):
        raise ExpectedError(path, "noise_stories", "must be a list of story names")
    stories_raw = raw.get("stories")
    if not isinstance(stories_raw, dict) or not stories_raw:
        raise ExpectedError(path, "stories", "must map each story of the corpus to its decisions")
    in_corpus = set(owner.values())
    missing = in_corpus - set(stories_raw) - set(noise)
    if missing:
        raise ExpectedError(path, "stories", f"no entry for {', '.join(sorted(missing))}")
    extra = (set(stories_raw) | set(noise)) - in_corpus
    if extra:
        raise ExpectedError(
            path, "stories", f"not stories of the corpus: {', '.join(sorted(extra))}"
        )
    stories = {name: _story(path, name, value, owner) for name, value in stories_raw.items()}
    for name in noise:
        stories.setdefault(name, StoryExpectation(name=name, forbidden=frozenset(KINDS)))
    return Expected(corpus_path, records, frozenset(noise), stories)

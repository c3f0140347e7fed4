"""Word lists behind relevance, topics, sentiment, rumour signals and severity context.

The lists live in plain text files under ``nlp/resources/`` so that press-office analysts can
read and extend them without touching code; this module only parses and indexes them. They are
loaded once per process (``default_lexicon``) and are immutable afterwards, which keeps the
analysis deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# The topics' Chinese names, as the dashboard and alert messages show them, are kept with the
# archive's vocabularies, where search maps typed names to codes.
from archive.vocabulary import TOPIC_LABELS as TOPIC_LABELS

RESOURCES = Path(__file__).parent / "resources"

TOPICS = (
    "food_safety",
    "product_quality",
    "special_equipment",
    "recall",
    "counterfeit",
    "certification",
    "standards",
    "metrology",
    "inspection_quarantine",
    "agency_conduct",
)


class LexiconError(ValueError):
    """A resource file is malformed; the message names the file and line."""


def load_sections(path: Path) -> dict[str, dict[str, float]]:
    """Parse ``[section]`` headers and ``term [weight]`` lines (weight defaults to 1.0)."""
    sections: dict[str, dict[str, float]] = {}
    current: dict[str, float] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), {})
            continue
        if current is None:
            raise LexiconError(f"{path}:{number}: term {line!r} before any [section]")
        parts = line.split()
        if len(parts) > 2:
            raise LexiconError(f"{path}:{number}: expected 'term weight', got {line!r}")
        try:
            weight = float(parts[1]) if len(parts) == 2 else 1.0
        except ValueError:
            raise LexiconError(f"{path}:{number}: weight {parts[1]!r} is not a number") from None
        current[parts[0]] = weight
    return sections


@dataclass(frozen=True)
class Hit:
    """One occurrence of a lexicon term in a word sequence."""

    term: str
    start: int  # index of the first word
    length: int  # number of words the term spans


@dataclass
class TermMatcher:
    """Finds lexicon terms in jieba word sequences, whichever way jieba cut them.

    jieba's cut depends on context: 不作为 is one word alone but 不 / 作为 after 监管部门.
    So a term matches any run of consecutive words whose concatenation is the term, longest
    first, and a word used by one hit is not reused (食品安全 is not also counted as 食品).
    Terms never match across a word boundary inside a word (电梯 does not match in 电梯井 if
    jieba keeps 电梯井 whole; list such compounds separately when they matter).
    """

    terms: Mapping[str, float]
    _lookup: dict[str, str] = field(init=False, default_factory=dict)
    _longest: int = field(init=False, default=1)
    # Every prefix of every term ("" included): a run of words whose concatenation is none of
    # them cannot grow into a term, so the search from a word stops there (most words start
    # no term).
    _prefixes: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        for term in sorted(self.terms):
            self._lookup.setdefault(term.lower(), term)
        self._longest = max((len(term) for term in self._lookup), default=1)
        self._prefixes = frozenset(t[:i] for t in self._lookup for i in range(len(t) + 1))

    def find(self, words: Sequence[str]) -> list[Hit]:
        hits: list[Hit] = []
        index = 0
        prefixes = self._prefixes
        while index < len(words):
            if words[index] not in prefixes:  # no term starts with this word: the usual case
                index += 1
                continue
            best: Hit | None = None
            joined = ""
            for end in range(index, min(len(words), index + 8)):
                joined += words[end]
                if len(joined) > self._longest or joined not in prefixes:
                    break
                term = self._lookup.get(joined)
                if term is not None:
                    best = Hit(term, index, end - index + 1)
            if best is not None:
                hits.append(best)
                index += best.length
            else:
                index += 1
        return hits

    def weight(self, term: str) -> float:
        return self.terms[term]


def find_phrases(text: str, phrases: Mapping[str, float]) -> list[str]:
    """Phrases present as substrings, longest first, not counting one inside a longer hit."""
    lowered = text.lower()
    found: list[str] = []
    covered: list[tuple[int, int]] = []
    for phrase in sorted(phrases, key=lambda p: (-len(p), p)):
        start = lowered.find(phrase)
        while start >= 0:
            end = start + len(phrase)
            if not any(s <= start and end <= e for s, e in covered):
                covered.append((start, end))
                if phrase not in found:
                    found.append(phrase)
            start = lowered.find(phrase, end)
    return found


@dataclass(frozen=True)
class TermPair:
    """Two word lists that make a text relevant together (``resources/relevance_pairs.txt``):
    a subject word and an event word in one sentence."""

    name: str  # the file's GROUP: "special_equipment-ride"
    topic: str  # the topic its evidence goes to
    subjects: tuple[str, ...]
    events: tuple[str, ...]


PAIRS_FILE = "relevance_pairs.txt"


def load_pairs(path: Path) -> tuple[TermPair, ...]:
    """``[GROUP.subject]`` and ``[GROUP.event]`` sections, GROUP starting with a topic."""
    sections = load_sections(path)
    pairs: list[TermPair] = []
    for name in sorted({section.rsplit(".", 1)[0] for section in sections}):
        topic = name.split("-", 1)[0]
        if topic not in TOPICS:
            raise LexiconError(f"{path}: group {name!r} does not start with a topic")
        subjects, events = sections.get(f"{name}.subject"), sections.get(f"{name}.event")
        if not subjects or not events:
            raise LexiconError(f"{path}: group {name!r} needs a .subject and an .event section")
        pairs.append(TermPair(name, topic, tuple(subjects), tuple(events)))
    return tuple(pairs)


@dataclass(frozen=True)
class Lexicon:
    topics: dict[str, dict[str, float]]
    negative: dict[str, float]
    positive: dict[str, float]
    negation: frozenset[str]
    degree: dict[str, float]
    emoticons: dict[str, float]
    doubt: dict[str, float]
    refute: dict[str, float]
    alarmist: dict[str, float]
    source: dict[str, float]
    debunk_markers: tuple[str, ...]
    accident: tuple[str, ...]
    no_casualty: tuple[str, ...]
    statistics: tuple[str, ...]
    # Figures after these in a sentence are another time's or another country's accident
    # (历史上, 去年, 美国), until a word of the present (今天, 此次) brings the text back.
    elsewhere: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    pairs: tuple[TermPair, ...] = ()

    def topic_terms(self) -> dict[str, tuple[str, float]]:
        """Each term's (topic, weight); a term listed under two topics keeps the first."""
        out: dict[str, tuple[str, float]] = {}
        for topic in TOPICS:
            for term, weight in self.topics.get(topic, {}).items():
                out.setdefault(term, (topic, weight))
        return out


def _require(sections: dict[str, dict[str, float]], path: Path, names: Iterable[str]) -> None:
    missing = [name for name in names if name not in sections]
    if missing:
        raise LexiconError(f"{path}: missing section(s) {', '.join(missing)}")


def load_lexicon(directory: Path = RESOURCES) -> Lexicon:
    topics_path = directory / "topics.txt"
    topics = load_sections(topics_path)
    _require(topics, topics_path, TOPICS)
    unknown = sorted(set(topics) - set(TOPICS))
    if unknown:
        raise LexiconError(f"{topics_path}: unknown topic(s) {', '.join(unknown)}")
    sentiment_path = directory / "sentiment.txt"
    sentiment = load_sections(sentiment_path)
    _require(sentiment, sentiment_path, ("negative", "positive", "negation", "degree", "emoticon"))
    rumor_path = directory / "rumor.txt"
    rumor = load_sections(rumor_path)
    _require(rumor, rumor_path, ("doubt", "refute", "alarmist", "source", "debunk"))
    severity_path = directory / "severity.txt"
    severity = load_sections(severity_path)
    _require(severity, severity_path, ("accident", "no_casualty", "statistics"))
    pairs_path = directory / PAIRS_FILE
    return Lexicon(
        pairs=load_pairs(pairs_path) if pairs_path.exists() else (),
        topics=topics,
        negative=sentiment["negative"],
        positive=sentiment["positive"],
        negation=frozenset(sentiment["negation"]),
        degree=sentiment["degree"],
        emoticons=sentiment["emoticon"],
        doubt=rumor["doubt"],
        refute=rumor["refute"],
        alarmist=rumor["alarmist"],
        source=rumor["source"],
        debunk_markers=tuple(sorted(rumor["debunk"], key=lambda m: (-len(m), m))),
        accident=tuple(severity["accident"]),
        no_casualty=tuple(severity["no_casualty"]),
        statistics=tuple(severity["statistics"]),
        elsewhere=tuple(severity.get("elsewhere", {})),
        present=tuple(severity.get("present", {})),
    )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


@lru_cache(maxsize=1)
def topic_matcher() -> TermMatcher:
    return TermMatcher(
        {term: weight for term, (_, weight) in default_lexicon().topic_terms().items()}
    )


@lru_cache(maxsize=1)
def sentiment_matcher() -> TermMatcher:
    lexicon = default_lexicon()
    terms = {term: -weight for term, weight in lexicon.negative.items()}
    terms.update({term: weight for term, weight in lexicon.positive.items()})
    return TermMatcher(terms)

"""Watch schemes (监测方案) matched: which unit watches an event (属地化, issue 23).

Pure functions over the ``units:`` tree (``core.settings_units``, each unit's ``scheme:`` in
``core.settings_schemes``) and an event's member mentions, as ``alerts.units`` routes.

A mention matches a unit's effective scheme when it meets the positive parts down the unit's
chain (the top unit's own; below it, ``extend``: the parent's OR the unit's own, ``narrow``:
the parent's AND the unit's own; no positive part at all: everything) and contains none of the
exclusions of the unit or any ancestor. An event matches when at least ``SCHEME_SHARE`` of its
member mentions do: a story is what a good part of its mentions say, not what one repost in
passing says; a story that mostly says 演练 is a drill even if a repost of it does not.

The product rule (``watching_unit``): an event goes to the unit of its place
(``alerts.units.route``) only when that unit's scheme watches it; otherwise it stays with the
nearest ancestor whose scheme does — the superior unit still has it in view and the district
is not told of what it has said it does not watch (a station that watches only food is not
handed an elevator accident in its streets; its county is). An event no unit up the chain
watches is no unit's (None): its alerts go to the rules' recipients only, and on the dashboard
only users without a unit see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from alerts.units import UnitTree
from archive.models import Mention
from archive.vocabulary import TOPIC_LABELS
from core.keyword_expression import normalise, parse
from core.settings_schemes import SchemeSettings

# The same "a good part of the story, not a passing mention" share as alerts.units'
# DESCEND_SHARE, set on principle; measured with the routing figure of the decisions benchmark.
SCHEME_SHARE = 1 / 3
_TOPIC_CODES = {label: code for code, label in TOPIC_LABELS.items()}


@dataclass(frozen=True)
class Member:
    """What a scheme looks at in one mention: its title and text (normalised), its source
    and its topics (codes)."""

    text: str
    source: str = ""
    topics: frozenset[str] = frozenset()


def member(mention: Mention, topics: Iterable[str] = ()) -> Member:
    return Member(normalise(f"{mention.title}\n{mention.text}"), mention.source, frozenset(topics))


def has_schemes(tree: UnitTree) -> bool:
    return any(unit.scheme is not None for unit in tree.by_id.values())


def uses_topics(tree: UnitTree) -> bool:
    """Whether some scheme asks for topics (only then are the members' analyses read)."""
    return any(unit.scheme is not None and unit.scheme.topics for unit in tree.by_id.values())


def _contains(text: str, word: str) -> bool:
    return normalise(word) in text


def _own_positive(scheme: SchemeSettings, m: Member) -> bool:
    """Every positive part the scheme sets holds for ``m``."""
    if scheme.expression is not None and not parse(scheme.expression).matches(m.text):
        return False
    if scheme.any and not any(_contains(m.text, w) for w in scheme.any):
        return False
    if scheme.all and not all(_contains(m.text, w) for w in scheme.all):
        return False
    if scheme.topics and not {_TOPIC_CODES.get(t, t) for t in scheme.topics} & m.topics:
        return False
    return not (scheme.sources and m.source not in scheme.sources)


def watches(tree: UnitTree, unit_id: str, m: Member) -> bool:
    """Whether ``m`` matches the effective scheme of ``unit_id`` (see the module doc)."""
    positive: bool | None = None  # None: nothing restricts yet (everything is watched)
    for depth, unit in enumerate(reversed(tree.chain(unit_id))):
        scheme = unit.scheme
        if scheme is None:
            continue
        if any(_contains(m.text, w) for w in scheme.none):
            return False  # exclusions add up down the tree
        if not scheme.has_positive:
            continue
        own = _own_positive(scheme, m)
        if depth == 0 or scheme.inherit == "narrow":
            positive = own if positive is None else positive and own
        elif positive is not None:
            positive = positive or own  # extend; extending "everything" stays everything
    return positive is not False


def watches_event(tree: UnitTree, unit_id: str, members: Sequence[Member]) -> bool:
    """Whether at least ``SCHEME_SHARE`` of ``members`` (and one) match the unit's scheme;
    nothing to judge (no members read) is watched."""
    if not members:
        return True
    hits = sum(watches(tree, unit_id, m) for m in members)
    return hits >= 1 and hits >= SCHEME_SHARE * len(members)


def watching_unit(tree: UnitTree, unit_id: str, members: Sequence[Member]) -> str | None:
    """``unit_id`` if its scheme watches the event, else its nearest ancestor that does;
    None when none does."""
    if not has_schemes(tree):
        return unit_id
    for unit in tree.chain(unit_id):
        if watches_event(tree, unit.id, members):
            return unit.id
    return None

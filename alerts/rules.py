"""Rule types: one class each over a shared contract, one registry (the ElastAlert2 model).

A rule type gets its ``RuleSettings`` once and then, on every evaluation, a ``RuleInput``: the
active events, the mentions new or changed since the last evaluation with their analyses, the
rule's existing alerts and the archive for look-ups. It reports ``Match`` objects and never
writes: the stage decides what a match means (an alert, obligations, notifications), so a rule
can be tested on stored data alone. A new rule type is a settings model in
``core.settings_rules`` (its parameters and name) and a class naming it with ``@register_rule``.

Every match is keyed by a subject: ``event:<id>`` when it concerns a clustered event (so rumour
posts of one event make one alert), ``mention:<id>`` for a post outside any event, ``doc:<id>``
for an official document, ``term:<word>``, ``spike:<hour>`` and, per topic,
``spike:<topic>:<hour>`` for the volume rules. The
obligations a match opens are keyed by the same subject, so two rules on one event share them.

The contract is ``rule_base``; the types live by what they read: ``event_rules`` (hot and
graded events), ``post_rules`` (rumours, watched words), ``document_rules`` (official notices,
penalty decisions), ``volume_rules`` (spikes, new terms), ``complaint_rules`` (a company's
complaint surge) and ``inspection_rules`` (failed samples of local firms in 抽检 notices).
Importing this module loads them all and checks that every type settings may name
(``core.settings_rules``) has its class.
"""

from __future__ import annotations

# The rule types register themselves on import.
from alerts import (
    complaint_rules,
    document_rules,
    event_rules,
    inspection_rules,
    post_rules,
    volume_rules,
)
from alerts.rule_base import (
    ALERT_LEVELS,
    GRADE_LEVEL,
    RULE_CLASSES,
    Match,
    RuleInput,
    RuleType,
    grade_rank,
    max_level,
    register_rule,
)
from core.settings import RULE_TYPES, RuleSettings


def check_registry() -> None:
    """Every configurable rule type has a class (checked once all rule modules loaded)."""
    missing = [name for name in RULE_TYPES if name not in RULE_CLASSES]
    if missing:
        raise TypeError(f"rule types without a class: {', '.join(missing)}")


def build_rule(settings: RuleSettings) -> RuleType:
    try:
        cls = RULE_CLASSES[settings.type]
    except KeyError:
        raise ValueError(
            f"rule {settings.name!r}: type {settings.type!r} has no implementation "
            f"(known: {', '.join(RULE_CLASSES)})"
        ) from None
    return cls(settings)


check_registry()

__all__ = [
    "ALERT_LEVELS",
    "GRADE_LEVEL",
    "RULE_CLASSES",
    "Match",
    "RuleInput",
    "RuleType",
    "build_rule",
    "complaint_rules",
    "document_rules",
    "event_rules",
    "grade_rank",
    "inspection_rules",
    "max_level",
    "post_rules",
    "register_rule",
    "volume_rules",
]

"""Routing correctness (属地化, issue 23): are a scenario's events assigned to the right unit?

Each event of a run is mapped to its story by the majority of its members (as
``yuqing.demo.run_data`` does), and routed to a unit by ``alerts.unit_routing`` from what the
archive holds, exactly as the alert stage and the dashboard route it. A story's expected unit
is the ``unit`` of ``<scenario>.expected.yaml``, written by reading the story; events of noise
stories and of stories without one are not judged.

Two figures: the share of judged events routed right, and the share of their member mentions
(a big event weighs more than a two-post fragment).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from alerts.unit_routing import event_unit
from alerts.units import UnitTree
from archive.base import Archive
from core.settings import AuthoritySettings
from core.settings_units import UnitSettings
from nlp.rumor.context import Authorities
from yuqing.demo.expected import Expected
from yuqing.demo.run_data import ItemIndex, _all_mentions
from yuqing.demo.scoring import UNKNOWN, majority_story


def demo_tree(workdir: Path) -> UnitTree:
    """The units the run was configured with (its ``yuqing.yaml``), else the demo's own."""
    config = workdir / "yuqing.yaml"
    raw: Any = None
    authorities: Any = None
    if config.exists():
        loaded = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        raw = loaded.get("units")
        authorities = (loaded.get("nlp") or {}).get("authorities")
    if raw is None:
        from yuqing.demo.run import demo_units

        raw = demo_units()
    known = AuthoritySettings.model_validate(authorities) if authorities else None
    return UnitTree(UnitSettings.model_validate(raw), Authorities.from_settings(known))


def event_stories(archive: Archive, expected: Expected) -> dict[str, tuple[str, int]]:
    """Event id → (its majority story, its members among the scenario's items)."""
    index = ItemIndex(expected)
    story_of = {i: expected.story_of()[index.top[i]] for i in index.top}
    mentions = _all_mentions(archive)
    analyses = archive.get_analyses([m.id for m in mentions])
    members: dict[str, list[str]] = defaultdict(list)
    for mention in mentions:
        item = index.item_of(mention.url)
        analysis = analyses.get(mention.id)
        if item is not None and analysis is not None and analysis.event_id:
            members[analysis.event_id].append(story_of[item])
    return {
        event: (majority_story(stories, expected.noise_stories), len(stories))
        for event, stories in members.items()
    }


def score_units(archive: Archive, expected: Expected, tree: UnitTree) -> dict[str, Any]:
    """The routing figures of one run (see the module doc)."""
    rows: list[dict[str, Any]] = []
    for event_id, (story, size) in sorted(event_stories(archive, expected).items()):
        wanted = expected.stories.get(story)
        if story == UNKNOWN or wanted is None or wanted.unit is None:
            continue
        event = archive.get_event(event_id)
        if event is None:
            continue
        routed = event_unit(archive, tree, event) or "(none)"  # no unit's scheme watches it
        rows.append(
            {"event": event_id, "story": story, "mentions": size}
            | {"expected": wanted.unit, "routed": routed, "right": routed == wanted.unit}
        )
    right = [r for r in rows if r["right"]]
    mentions = sum(r["mentions"] for r in rows)
    return {
        "events": len(rows),
        "right": len(right),
        "accuracy": len(right) / len(rows) if rows else None,
        "mention_weighted": sum(r["mentions"] for r in right) / mentions if mentions else None,
        "rows": rows,
    }

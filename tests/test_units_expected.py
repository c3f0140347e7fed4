"""The expected unit of each scenario story (issue 23's routing figure): checked when the file
loads, and always a unit of the demo's own ``units:``."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.units import UnitTree
from core.settings_units import UnitSettings
from tests.test_scenarios import _expected_file
from yuqing.demo.expected import ExpectedError, expected_path_for, load_expected
from yuqing.demo.run import demo_units
from yuqing.demo.unit_scoring import demo_tree

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [
    ROOT / "yuqing" / "demo" / "corpus.jsonl",
    *sorted((ROOT / "scenarios").glob("*.jsonl")),
]


def test_a_malformed_unit_names_the_key(tmp_path: Path) -> None:
    assert load_expected(_expected_file(tmp_path, {"unit": "baisha"})).stories["fire"].unit == (
        "baisha"
    )
    with pytest.raises(ExpectedError) as caught:
        load_expected(_expected_file(tmp_path, {"unit": ["baisha"]}))
    assert caught.value.key == "stories.fire.unit"


@pytest.mark.parametrize("corpus", SCENARIOS, ids=lambda p: p.stem)
def test_every_story_names_a_unit_of_the_demo(corpus: Path) -> None:
    tree = UnitTree(UnitSettings.model_validate(demo_units()))
    expected = load_expected(expected_path_for(corpus))
    for name in expected.event_stories():
        unit = expected.stories[name].unit
        assert unit in tree.by_id, f"{corpus.name}: story {name} names unit {unit!r}"


def test_the_score_reads_the_runs_own_units(tmp_path: Path) -> None:
    assert demo_tree(tmp_path).root.id == "jiangzhou"  # no yuqing.yaml: the demo's units
    (tmp_path / "yuqing.yaml").write_text(
        "units: {id: other, name: 其他市场监管局, level: city}\n", encoding="utf-8"
    )
    assert demo_tree(tmp_path).root.id == "other"

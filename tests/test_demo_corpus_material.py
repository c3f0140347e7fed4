"""The demo corpus material (scripts/demo_corpus/material): validated at load, and a wrong
record is named by file, record and field, every problem at once."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.demo_corpus.schema import MATERIAL, MaterialError, load_material


def edit(folder: Path, name: str, change: Any) -> Path:
    path = folder / "stories" / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def material(tmp_path: Path) -> Path:
    folder = tmp_path / "material"
    shutil.copytree(MATERIAL, folder)
    return folder


def test_the_committed_material_loads() -> None:
    loaded = load_material()
    # The order the generator draws its random numbers in, as corpus.yaml lists it.
    assert list(loaded.stories) == [
        "elevator_accident",
        "food_rumor",
        "recall",
        "counterfeit",
        "policy",
        "complaint",
        "chatter",
    ]
    assert loaded.stories["food_rumor"].debunk_at == "Wed 15:30"
    penalties = loaded.stories["counterfeit"].penalties
    assert len(penalties) == 10
    # Legal fields left out of a decision come from the story's penalty_defaults.
    filled = loaded.stories["counterfeit"].penalty(penalties[0])
    assert filled["basis"] == "《中华人民共和国商标法》第六十条第二款"


def test_every_problem_is_named_by_file_record_and_field(material: Path) -> None:
    def elevator(data: dict[str, Any]) -> None:
        data["items"][0]["at"] = "Mon 25:61"
        data["items"][1]["stats"]["likes"] = "many"
        data["items"][2]["title"] = "a Weibo post has no title"
        data["items"][3]["colour"] = "red"
        data["fill"][0]["repost_of"] = "E999"

    def recall(data: dict[str, Any]) -> None:
        data["items"][0]["channel"] = "fax"

    def policy(data: dict[str, Any]) -> None:
        # Checked once every field of the file is right (pydantic's "after" validators).
        data["fill_pools"] = [*data["fill_pools"], "nonexistent"]

    elevator_path = edit(material, "elevator_accident", elevator)
    recall_path = edit(material, "recall", recall)
    policy_path = edit(material, "policy", policy)
    with pytest.raises(MaterialError) as caught:
        load_material(material)
    problems = caught.value.problems
    text = "\n".join(problems)
    assert f"{elevator_path}: items[0] (key E01): at: Value error, 'Mon 25:61' is not" in text
    assert f"{elevator_path}: items[1] (key E02): stats.likes: Input should be a valid integer" in (
        text
    )
    assert (
        f"{elevator_path}: items[2] (key E03): (the record): "
        "Value error, a weibo item may not have title"
    ) in text
    assert f"{elevator_path}: items[3] (key E04): colour: Extra inputs are not permitted" in text
    assert f"{recall_path}: items[0] (key R01): channel: Input should be" in text
    assert (
        f"{policy_path}: (the file): Value error, fill_pools: no comment pool named nonexistent"
    ) in text
    # The repost check runs across stories, so it needs the files that did load.
    assert not any("E999" in p for p in problems)


def test_a_repost_of_a_missing_key_and_an_unlisted_file(material: Path) -> None:
    def elevator(data: dict[str, Any]) -> None:
        data["fill"][0]["repost_of"] = "E999"

    path = edit(material, "elevator_accident", elevator)
    (material / "stories" / "extra.yaml").write_text("region: x\n", encoding="utf-8")
    with pytest.raises(MaterialError) as caught:
        load_material(material)
    assert caught.value.problems == [
        f"{material / 'stories' / 'extra.yaml'}: not listed in corpus.yaml's stories",
        f"{path}: fill[0]: repost_of: no item has key E999",
    ]


def test_a_file_that_is_not_yaml(material: Path) -> None:
    path = material / "daily.yaml"
    path.write_text("weather: [unclosed\n", encoding="utf-8")
    with pytest.raises(MaterialError) as caught:
        load_material(material)
    assert caught.value.problems[0].startswith(f"{path}: cannot be read: ")

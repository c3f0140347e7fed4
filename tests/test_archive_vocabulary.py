"""What people type for closed fields maps to the stored codes; unknown values are errors."""

from __future__ import annotations

import pytest

from archive.query import QueryError, parse_query
from archive.vocabulary import VocabularyError, canonical, region_forms


@pytest.mark.parametrize(
    ("field", "typed", "code"),
    [
        ("topic", "食品安全", "food_safety"),
        ("topic", "FOOD_SAFETY", "food_safety"),
        ("topic", "食安", "food_safety"),
        ("sentiment", "负面", "negative"),
        ("sentiment", "积极", "positive"),
        ("platform", "微博", "weibo"),
        ("platform", "Weibo", "weibo"),
        ("platform", "官网", "official"),
        ("kind", "辟谣", "debunk"),
    ],
)
def test_names_and_synonyms_map_to_codes(field: str, typed: str, code: str) -> None:
    assert canonical(field, typed) == [code]


def test_an_unknown_value_lists_the_valid_ones() -> None:
    with pytest.raises(VocabularyError, match=r"weibo（微博）"):
        canonical("platform", "抖音")
    with pytest.raises(QueryError, match=r"topic:电梯事故 is not a known value.*食品安全"):
        parse_query("电梯 topic:电梯事故")


def test_a_region_matches_with_or_without_its_suffix() -> None:
    assert set(region_forms("江州")) >= {"江州", "江州市", "江州区", "江州县"}
    assert set(region_forms("江州市")) >= {"江州", "江州市"}
    assert region_forms("白沙区")[:2] == ["白沙区", "白沙"]
    parsed = parse_query("region:江州")
    assert {f.value for f in parsed.filters} >= {"江州", "江州市"}


def test_free_fields_are_kept_as_typed() -> None:
    assert canonical("source", "JZRB-news") == ["JZRB-news"]
    assert canonical("author", "江州发布") == ["江州发布"]

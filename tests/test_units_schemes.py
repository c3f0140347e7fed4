"""Per-unit watch schemes (监测方案) and the routing floor (issue 23): a unit is handed an event
only when its scheme watches it, else the nearest ancestor that does; entering a district needs
two mentions naming it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from alerts.schemes import Member, member, watches, watching_unit
from alerts.units import UnitTree, place_of, route
from archive.models import Event, Mention
from core.clock import SHANGHAI
from core.config import ConfigError, parse_config
from core.keyword_expression import ExpressionError, normalise, parse
from core.settings import Settings

AT = datetime(2026, 11, 16, 12, tzinfo=SHANGHAI)


def units(**schemes: Any) -> dict[str, Any]:
    """The city, 临川区 (with a station) and 白沙区; ``schemes``: unit id → its scheme."""

    def unit(uid: str, name: str, level: str, names: list[str], **more: Any) -> dict[str, Any]:
        found = {"scheme": schemes[uid]} if uid in schemes else {}
        return {"id": uid, "name": name, "level": level, "region_names": names, **found, **more}

    station = unit("jinjiang", "临川区锦江市场监管所", "station", ["锦江街道"])
    return unit(
        "jiangzhou",
        "江州市市场监督管理局",
        "city",
        ["江州市", "江州"],
        children=[
            unit("linchuan", "临川区市场监督管理局", "county", ["临川区"], children=[station]),
            unit("baisha", "白沙区市场监督管理局", "county", ["白沙区"]),
        ],
    )


def tree_with(**schemes: Any) -> UnitTree:
    settings = Settings.model_validate(
        {
            "sources": [
                {"name": "baisha-news", "type": "rss", "start_urls": ["http://127.0.0.1/rss"]}
            ],
            "units": units(**schemes),
        }
    )
    assert settings.units is not None
    return UnitTree(settings.units)


def mention(mid: int, text: str, source: str = "news") -> Mention:
    return Mention(
        id=f"m{mid}",
        source=source,
        platform="news",
        kind="article",
        url=f"http://127.0.0.1/{mid}",
        text=text,
        published_at=AT,
        fetched_at=AT,
    )


def handled(tree: UnitTree, texts: list[str], **route_args: Any) -> str | None:
    """The unit an event of these member texts goes to (place, then scheme)."""
    members = [mention(i, text) for i, text in enumerate(texts)]
    event = Event(id="e", title=texts[0], first_seen=AT, last_seen=AT)
    place = route(tree, place_of(tree, event, members), **route_args)
    return watching_unit(tree, place, [member(m) for m in members])


def test_keyword_expressions_parse_with_precedence_exclusion_and_full_width_operators() -> None:
    lift = parse("(电梯|扶梯) & (事故|故障) & !演练")
    assert lift.matches(normalise("临川区一商场扶梯突发故障"))
    assert not lift.matches(normalise("扶梯故障应急演练"))
    assert not lift.matches(normalise("电梯广告"))
    # & binds tighter than |; full-width operators from a Chinese IME read as ASCII ones.
    assert parse("燃气 | 电梯 & 事故").matches("燃气")
    assert parse("（电梯｜扶梯）＆！演练").matches("电梯")
    # Brands match whatever their case or width; quotes hold spaces and operators.
    assert parse('"ＡＢＣ 奶粉" | "A&B"').matches(normalise("abc 奶粉召回"))
    for bad, where in [("(电梯 & 事故", "character"), ("电梯 扶梯", "character 4"), ("", "")]:
        with pytest.raises(ExpressionError, match="expected a keyword expression") as caught:
            parse(bad)
        assert where in str(caught.value)


def test_schemes_inherit_extend_narrow_and_exclusions_add_up() -> None:
    tree = tree_with(
        jiangzhou={"any": ["电梯", "燃气"], "none": ["演练"]},
        linchuan={"any": ["奶粉"], "inherit": "extend"},  # the city's words and its own
        baisha={"expression": "燃气 & (爆炸|泄漏)"},  # narrow (the default): gas only
        jinjiang={"none": ["广告"]},  # only an exclusion: the district's scheme, less adverts
    )

    def who(text: str) -> set[str]:
        return {u for u in tree.by_id if watches(tree, u, Member(normalise(text)))}

    everyone = {"jiangzhou", "linchuan", "jinjiang", "baisha"}
    assert who("白沙区燃气爆炸") == everyone
    assert who("电梯困人") == {"jiangzhou", "linchuan", "jinjiang"}  # 白沙 narrowed to gas
    assert who("奶粉配方谣言") == {"linchuan", "jinjiang"}  # only 临川 extended to it
    assert who("燃气泄漏演练") == set()  # the city's exclusion holds all the way down
    assert who("电梯广告") == {"jiangzhou", "linchuan"}


def test_topics_and_sources_narrow_what_a_unit_watches() -> None:
    tree = tree_with(baisha={"topics": ["特种设备"], "sources": ["baisha-news"]})
    lift = frozenset({"special_equipment"})
    assert watches(tree, "baisha", Member("电梯", "baisha-news", lift))
    assert not watches(tree, "baisha", Member("电梯", "other", lift))  # another source
    assert not watches(tree, "baisha", Member("电梯", "baisha-news", frozenset({"food_safety"})))
    # The city has no scheme: it watches everything, and the district's parts are its own.
    assert watches(tree, "jiangzhou", Member("电梯", "other"))
    tree = tree_with(baisha={"topics": ["special_equipment"]})  # the code works too
    assert watches(tree, "baisha", Member("电梯", "", lift))


def test_an_event_goes_to_the_nearest_unit_whose_scheme_watches_it() -> None:
    tree = tree_with(
        jiangzhou={"any": ["电梯", "燃气", "奶粉"], "none": ["演练"]},
        baisha={"any": ["燃气"], "inherit": "narrow"},
    )
    gas = ["白沙区人民路餐馆燃气爆炸", "白沙区消防赶到", "白沙区燃气公司回应"]
    assert handled(tree, gas) == "baisha"  # two of three say 燃气: the story is gas
    lift = ["白沙区一小区电梯坠落", "白沙区电梯事故致2人受伤"]
    assert handled(tree, lift) == "jiangzhou"  # 白沙 does not watch lifts: the city keeps it
    drill = ["白沙区燃气泄漏应急演练", "白沙区开展燃气演练"]
    assert handled(tree, drill) is None  # nobody watches drills: no unit's
    # A story only one mention in four says is about gas is not what the scheme watches.
    mixed = ["白沙区一商铺起火", "白沙区商铺火灾", "白沙区火灾现场", "白沙区燃气瓶未见异常"]
    assert handled(tree, mixed) is None
    # Without schemes the place decides alone.
    assert handled(tree_with(), lift) == "baisha"


def test_one_mention_naming_a_district_does_not_take_the_story_there() -> None:
    tree = tree_with()
    # baisha_gas's formula rumour: a city-wide story, one early post naming a 临川区 shop.
    rumour = ["江州网传某品牌奶粉配方有毒", "临川区一母婴店店主称已下架", "江州宝妈群热传"]
    assert handled(tree, rumour) == "jiangzhou"
    # A second mention naming the district: now it is the district's.
    assert handled(tree, [*rumour, "临川区市场监管局到店检查"]) == "linchuan"
    # The floor is configurable per unit and inherited by the units below.
    assert handled(tree_with(), rumour, floor=False) == "linchuan"
    lower = units()
    lower["children"][0]["route_min_mentions"] = 1
    assert handled(tree_from(lower), rumour) == "linchuan"
    higher = units()
    higher["route_min_mentions"] = 3
    assert handled(tree_from(higher), [*rumour, "临川区市场监管局到店检查"]) == "jiangzhou"


def test_baisha_gas_formula_rumour_stays_with_the_city_as_it_grows() -> None:
    # The scenario's own posts, in order: the story is the city's (江州's 贝乐安 brand); the
    # one news report visiting 临川区's shops took it to 临川区 while the event was small.
    corpus = Path(__file__).resolve().parents[1] / "scenarios" / "baisha_gas.jsonl"
    items = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    story = sorted(
        (i for i in items if i.get("story") == "formula_rumor"), key=lambda i: i["offset_minutes"]
    )
    texts = [f"{i.get('title') or ''}\n{i.get('text') or ''}" for i in story]
    first_report = next(n for n, text in enumerate(texts) if "临川区" in text)
    for size in range(first_report + 1, len(texts) + 1):
        assert handled(tree_with(), texts[:size]) == "jiangzhou", size
    # Without the floor the small event went to 临川区 (the known misroute).
    assert handled(tree_with(), texts[: first_report + 1], floor=False) == "linchuan"


def tree_from(raw: dict[str, Any]) -> UnitTree:
    settings = Settings.model_validate({"units": raw})
    assert settings.units is not None
    return UnitTree(settings.units)


CONFIG = """\
sources:
  - name: baisha-news
    type: rss
    start_urls: [http://127.0.0.1/rss]
units:
  id: jiangzhou
  name: 江州市市场监督管理局
  level: city
  children:
    - id: baisha
      name: 白沙区市场监督管理局
      level: county
      route_min_mentions: {floor}
      scheme:
        expression: "{expression}"
        any: [{word}]
        sources: [{source}]
        inherit: {inherit}
"""


def problem(**values: str) -> str:
    fields = {
        "floor": "2",
        "expression": "燃气 & !演练",
        "word": "爆炸",
        "source": "baisha-news",
        "inherit": "narrow",
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(CONFIG.format(**(fields | values)), "cfg.yaml")
    [found] = caught.value.problems
    return found


def test_scheme_errors_name_the_file_line_key_and_expected_form() -> None:
    good = CONFIG.format(
        floor="2", expression="燃气 & !演练", word="爆炸", source="baisha-news", inherit="narrow"
    )
    scheme = parse_config(good, "cfg.yaml").units.children[0].scheme  # type: ignore[union-attr]
    assert scheme is not None and scheme.inherit == "narrow"

    found = problem(expression="(燃气 & ")
    assert found.startswith("cfg.yaml:15: units.children[0].scheme.expression:")
    assert "expected a keyword expression such as '(电梯|扶梯) & (事故|故障) & !演练'" in found
    found = problem(source="weibo")
    assert found.startswith("cfg.yaml:17: units.children[0].scheme.sources[0]:")
    assert "unknown source 'weibo' (known: baisha-news)" in found
    found = problem(word='" "')
    assert "units.children[0].scheme.any[0]" in found and "non-empty word" in found
    found = problem(inherit="replace")
    assert "units.children[0].scheme.inherit" in found and "'extend' or 'narrow'" in found
    # Extending a parent that watches everything would add nothing: refused, not ignored.
    found = problem(inherit="extend")
    assert found.startswith("cfg.yaml:18: units.children[0].scheme.inherit:")
    assert "expected 'narrow'" in found
    found = problem(floor="0")
    assert "units.children[0].route_min_mentions" in found

"""Units (属地化, issue 23): the ``units:`` tree, routing by region, handling deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from alerts.units import (
    Place,
    UnitTree,
    handling_due,
    place_of,
    route,
    unit_recipients,
    user_unit,
)
from archive.models import EntityCount, Event, Mention
from core.clock import SHANGHAI
from core.config import ConfigError, parse_config
from core.passwords import hash_password
from core.settings import Settings

UNITS = {
    "id": "nanling",
    "name": "南岭省市场监督管理局",
    "level": "province",
    "region_names": ["南岭省"],
    "recipients": ["province-duty"],
    "handling": {"特别重大": "2h", "重大": "4h", "较大": "24h", "一般": "72h"},
    "children": [
        {
            "id": "jiangzhou",
            "name": "江州市市场监督管理局",
            "level": "city",
            "region_names": ["江州市", "江州"],
            "recipients": ["city-duty"],
            "handling": {"一般": "48h"},
            "children": [
                {
                    "id": "linchuan",
                    "name": "江州市临川区市场监督管理局",
                    "level": "county",
                    "region_names": ["临川区", "临川"],
                    "recipients": ["linchuan-duty"],
                    "handling_clock": "working_hours",
                    "children": [
                        {
                            "id": "linchuan-jinjiang",
                            "name": "临川区锦江市场监管所",
                            "level": "station",
                            "region_names": ["锦江街道"],
                        }
                    ],
                },
                {
                    "id": "baisha",
                    "name": "江州市白沙区市场监督管理局",
                    "level": "county",
                    "region_names": ["白沙区", "白沙"],
                    "recipients": ["baisha-duty"],
                },
            ],
        },
        {
            "id": "hangzhou",
            "name": "杭州市市场监督管理局",
            "level": "city",
            "region_codes": ["330100"],
            "region_names": ["杭州"],
            "children": [
                {
                    "id": "xihu",
                    "name": "杭州市西湖区市场监督管理局",
                    "level": "county",
                    "region_codes": ["330106"],
                }
            ],
        },
    ],
}


def settings_with(units: dict, **extra: object) -> Settings:
    recipients = ["province-duty", "city-duty", "linchuan-duty", "baisha-duty"]
    return Settings.model_validate(
        {
            "recipients": [{"name": n, "role": "duty"} for n in recipients],
            "units": units,
            **extra,
        }
    )


@pytest.fixture
def tree() -> UnitTree:
    units = settings_with(UNITS).units
    assert units is not None
    return UnitTree(units)


def mention(mid: str, text: str, region: str = "") -> Mention:
    at = datetime(2026, 11, 16, 12, tzinfo=SHANGHAI)
    return Mention(
        id=mid,
        source="s",
        platform="news",
        kind="article",
        url=f"http://127.0.0.1/{mid}",
        text=text,
        region=region,
        published_at=at,
        fetched_at=at,
    )


def event(
    title: str = "事件", region: str = "", entities: list[EntityCount] | None = None
) -> Event:
    at = datetime(2026, 11, 16, 12, tzinfo=SHANGHAI)
    return Event(
        id="e1", title=title, first_seen=at, last_seen=at, region=region, entities=entities
    )


def test_an_event_goes_to_the_district_its_mentions_name(tree: UnitTree) -> None:
    members = [
        mention("a", "江州市临川区锦江国际广场一部电梯坠落", "江州"),
        mention("b", "临川区消防救援大队赶到现场"),
        # Naming only the city never holds the event back from its district.
        mention("c", "江州市市场监管局连夜部署电梯安全检查", "江州"),
        mention("d", "伤者被送往云溪区人民医院"),  # not a unit here: no weight
    ]
    assert route(tree, place_of(tree, event(), members)) == "linchuan"
    # A station's own area inside the district routes to the station.
    members.append(mention("e", "锦江街道市场监管所执法人员到场"))
    members.append(mention("f", "锦江街道商户称"))
    assert route(tree, place_of(tree, event(), members)) == "linchuan-jinjiang"


def test_a_story_spread_over_districts_stays_with_their_parent(tree: UnitTree) -> None:
    members = [
        mention("a", "临川区查获假冒白酒"),
        mention("b", "临川区一仓库"),
        mention("c", "白沙区两家超市下架"),
        mention("d", "江州全市开展专项整治"),
    ]
    assert route(tree, place_of(tree, event(), members)) == "jiangzhou"
    # One passing reference to a sibling is not a spread (below a third of the top).
    members = [mention(str(i), "白沙区人民路餐馆爆炸") for i in range(7)]
    members.append(mention("x", "临川区的亲属赶来"))
    assert route(tree, place_of(tree, event(), members)) == "baisha"


def test_a_city_story_naming_a_district_in_passing_stays_with_the_city(tree: UnitTree) -> None:
    members = [mention(str(i), "江州市出台校园食品安全实施意见", "江州") for i in range(6)]
    members.append(mention("x", "临川区一所小学的食堂负责人表示欢迎", "临川"))
    assert route(tree, place_of(tree, event(), members)) == "jiangzhou"
    # The publishing source's region is where it publishes, not where the story happens.
    members = [mention(str(i), "江州市通报紫菜抽检结果", "临川") for i in range(3)]
    assert route(tree, place_of(tree, event(), members)) == "jiangzhou"


def test_codes_route_by_gbt_2260_containment_and_unknown_places_go_to_the_root(
    tree: UnitTree,
) -> None:
    city = event(entities=[EntityCount("region", "杭州市", "330100", 4)])
    assert route(tree, place_of(tree, city)) == "hangzhou"
    district = event(entities=[EntityCount("region", "西湖区", "330106", 2)])
    assert route(tree, place_of(tree, district)) == "xihu"
    elsewhere = event("广州某餐馆食物中毒", entities=[EntityCount("region", "广州市", "440100", 3)])
    assert route(tree, place_of(tree, elsewhere)) == "nanling"
    assert route(tree, Place()) == "nanling"
    # Without members, the event's title and region stand in, as one mention: below the
    # floor of two mentions naming a unit to enter it, the top unit keeps it.
    titled = place_of(tree, event("白沙区燃气爆炸", "江州"))
    assert route(tree, titled) == "nanling"
    assert route(tree, titled, floor=False) == "baisha"


def test_major_and_above_also_notify_the_parent_unit(tree: UnitTree) -> None:
    assert unit_recipients(tree, "baisha", "较大") == ["baisha-duty"]
    assert unit_recipients(tree, "baisha", "重大") == ["baisha-duty", "city-duty"]
    assert unit_recipients(tree, "baisha", "特别重大") == ["baisha-duty", "city-duty"]
    assert unit_recipients(tree, "nanling", "特别重大") == ["province-duty"]  # the top unit
    assert tree.unit("linchuan-jinjiang").obligation_level == "county"


def test_graded_handling_deadlines_inherit_and_run_on_the_working_calendar(
    tree: UnitTree,
) -> None:
    friday = datetime(2026, 11, 20, 20, tzinfo=SHANGHAI)
    # Baisha sets nothing: the city's 48 h for 一般, the province's 4 h for 重大, on the clock.
    assert handling_due(tree, "baisha", "一般", friday) == friday + timedelta(hours=48)
    assert handling_due(tree, "baisha", "重大", friday) == friday + timedelta(hours=4)
    assert handling_due(tree, "baisha", None, friday) is None
    # Linchuan counts working hours: Friday 22:00 + 4 h is 2 h on Friday, then Saturday and
    # Sunday do not count, and 2 h on Monday.
    due = handling_due(tree, "linchuan", "重大", friday + timedelta(hours=2))
    assert due == datetime(2026, 11, 23, 2, tzinfo=SHANGHAI)
    # The station inherits the district's working-hour clock and the province's 2 h.
    due = handling_due(tree, "linchuan-jinjiang", "特别重大", friday - timedelta(hours=1))
    assert due == datetime(2026, 11, 20, 21, tzinfo=SHANGHAI)


def test_users_see_the_unit_named_on_them_or_listing_them(tree: UnitTree) -> None:
    users = [("ana", "baisha"), ("bo", None)]
    assert user_unit(users, tree, "ana") == "baisha"
    assert user_unit(users, tree, "bo") is None
    assert tree.subtree("linchuan") == {"linchuan", "linchuan-jinjiang"}
    assert tree.subtree("jiangzhou") == {"jiangzhou", "linchuan", "linchuan-jinjiang", "baisha"}


CONFIG = """\
recipients:
  - name: duty
units:
  id: jiangzhou
  name: 江州市市场监督管理局
  level: city
  region_codes: ["360100"]
  recipients: [duty]
  children:
    - id: linchuan
      name: 临川区市场监督管理局
      level: {level}
      region_codes: [{code}]
      recipients: [{recipient}]
      handling: {{重大: {hours}}}
"""


def config_problems(**values: str) -> list[str]:
    fields = {"level": "county", "code": '"360102"', "recipient": "duty", "hours": "4h"}
    with pytest.raises(ConfigError) as caught:
        parse_config(CONFIG.format(**(fields | values)), "cfg.yaml")
    return caught.value.problems


def test_config_errors_name_file_line_key_and_expected_form() -> None:
    fields = {"level": "county", "code": '"360102"', "recipient": "duty", "hours": "4h"}
    parsed = parse_config(CONFIG.format(**fields), "cfg.yaml")
    assert parsed.units is not None and parsed.units.children[0].id == "linchuan"

    [problem] = config_problems(code='"3601"')
    assert problem.startswith("cfg.yaml:13: units.children[0].region_codes[0]:")
    assert "six-digit GB/T 2260 code" in problem
    [problem] = config_problems(code='"440101"')
    assert problem.startswith("cfg.yaml:13: units.children[0].region_codes[0]:")
    assert "not inside its parent 'jiangzhou'" in problem
    [problem] = config_problems(level="province")
    assert problem.startswith("cfg.yaml:12: units.children[0].level:")
    assert "expected a level below it" in problem
    [problem] = config_problems(recipient="nobody")
    assert "units.children[0].recipients[0]: unit 'linchuan' names unknown recipient" in problem
    [problem] = config_problems(hours="soon")
    assert "units.children[0].handling.重大" in problem and "'30s', '10m' or '2h'" in problem
    [problem] = config_problems(level="town")
    assert "units.children[0].level" in problem and "'station'" in problem


def test_user_units_must_exist_and_agree() -> None:
    user = {
        "username": "ana",
        "password_hash": hash_password("x" * 12, log_n=10),
        "unit": "nowhere",
    }
    with pytest.raises(ValueError, match="user 'ana' names unknown unit 'nowhere'"):
        settings_with(UNITS, users=[user])
    with pytest.raises(ValueError, match="no 'units:' are configured"):
        Settings.model_validate({"users": [user]})
    units = dict(UNITS, users=["ana"])
    with pytest.raises(ValueError, match="has unit 'baisha' but unit 'nanling' lists it"):
        settings_with(units, users=[dict(user, unit="baisha")])
    twice = dict(UNITS, id="jiangzhou")
    with pytest.raises(ValueError, match="duplicate unit id 'jiangzhou'"):
        settings_with(twice)

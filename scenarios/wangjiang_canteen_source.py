"""Generator of the ``wangjiang_canteen`` scenario, ``scenarios/wangjiang_canteen.jsonl``.

The fourth scenario, held out (issue 16): written by reading the stories as the press officer
of the 江州市市场监督管理局 would, its expected file frozen before the first replay and the
pipeline measured on it unchanged. Six days in 江州市 (the demo's city, sites and units, Monday
2026-11-16 08:00 to Sunday 08:00), in areas and with incidents and wording the other scenarios
do not have:

- ``kinder_poison``: a salmonella food poisoning at 望江区晨曦幼儿园 on Tuesday, 61 children to
  hospital (the city's Ⅱ-level response); parents, a nurse and witnesses write what they see;
  one false claim ("已经死了两个孩子", "医院封锁消息") is refuted that night; the bureau's
  情况通报 within 5 h and the city's press conference the next morning.
- ``powerbank_rumor``: an old video of an e-bike fire sold as a 速电宝 shared power bank
  exploding at a metro station, with "3C认证是假证"; no incident; the bureau's 辟谣 within 24 h.
- ``ride_stuck``: 白沙欢乐谷's 大摆锤 stops in mid-air, 16 riders stuck 50 minutes, one scratch:
  public concern below the major level, answered within 48 h.
- ``fuel_cheat`` and ``bakery_penalty``: the city's penalty decision (late under 20 working
  days) and 云溪区's (on time under the county rule's 7).
- ``prepaid_policy``: a normative document Wednesday, its interpretation Friday (on time).
- ``chatter``: weather, traffic, markets, sport, adverts, other cities' poisoning and escalator
  news, and complaints that are other agencies' (express delivery, property, ride-hailing).

The text is in ``wangjiang_canteen_material.py`` (the people and the poisoning),
``wangjiang_canteen_stories.py`` and ``wangjiang_canteen_noise.py``; ``scenario_builder`` places
it in time and draws comments with one seed, so ``python scenarios/wangjiang_canteen_source.py``
rewrites the file byte for byte; ``--keys`` prints each keyed item's id (``w0001``…).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario_builder
from wangjiang_canteen_material import ACCOUNTS, KINDER, POOLS, USERS
from wangjiang_canteen_noise import CHATTER
from wangjiang_canteen_stories import BAKERY, FUEL, POLICY, POWERBANK, RIDE

SEED = 20261117
PATH = Path(__file__).with_name("wangjiang_canteen.jsonl")
STORIES: dict[str, list[dict[str, Any]]] = {
    "kinder_poison": KINDER,
    "powerbank_rumor": POWERBANK,
    "ride_stuck": RIDE,
    "fuel_cheat": FUEL,
    "bakery_penalty": BAKERY,
    "prepaid_policy": POLICY,
    "chatter": CHATTER,
}
MATERIAL = scenario_builder.Material(STORIES, ACCOUNTS, USERS, POOLS, SEED, prefix="w")


def build() -> tuple[list[dict[str, Any]], dict[str, str]]:
    return scenario_builder.build(MATERIAL)


if __name__ == "__main__":
    raise SystemExit(scenario_builder.main(MATERIAL, PATH, sys.argv))

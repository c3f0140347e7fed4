"""Generator of the ``cuihu_ebike`` scenario, ``scenarios/cuihu_ebike.jsonl``.

The fifth scenario, held out: written by reading the stories as the press officer of the
江州市市场监督管理局 would and frozen with its expected file before it was ever replayed, so it
judges the pipeline as tuned on the four earlier scenarios. Six days in 江州市 (the demo's city,
sites and units, Monday 2026-11-16 08:00 to Sunday 08:00), with a county the configuration does
not list (松岭县) and incidents the others do not have:

- ``ebike_fire``: an e-bike charging in a corridor of 白沙区翠湖苑小区 catches fire Tuesday
  02:41; 2 dead, 6 hurt (一般, not 重大: no 5 h release or press conference). The battery was an
  assembled pack a repair shop fitted; residents and a newspaper ask who checks such shops
  (response, Thursday's crackdown); a marketing account says a brand's original battery burnt
  and the regulator ordered a recall (false; the bureau's 【辟谣】 Wednesday 11:00).
- ``elevator_trap``: a residential elevator in 松岭县 slides from the 11th floor to the 2nd,
  its inspection three months overdue; the public asks the regulator, who answers only on
  Saturday — a response published late.
- ``price_rebate``: a complaint wave: a 云溪区 appliance store raised prices before the
  trade-in subsidy; the bureau responds on time.
- ``toy_penalty``, ``county_penalty``: the city's decision on toys with excess phthalates (on
  time) and 松岭县's decision on substandard fertiliser, the 8th working day (late under the
  county rule of 7).
- ``livestream_policy``: a normative document Monday whose interpretation never comes.
- ``chatter``: weather, traffic, markets, adverts, another city's e-bike fire and escalator.

The text is in ``cuihu_ebike_material.py``, ``cuihu_ebike_stories.py`` and
``cuihu_ebike_noise.py``; ``python scenarios/cuihu_ebike_source.py`` rewrites the file byte for
byte; ``--keys`` prints each keyed item's id (``c0001``…), which is how
``cuihu_ebike.expected.yaml`` was written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario_builder
from cuihu_ebike_material import ACCOUNTS, FIRE, POOLS, USERS
from cuihu_ebike_noise import CHATTER
from cuihu_ebike_stories import COUNTY_PENALTY, ELEVATOR, POLICY, PRICE, TOY

SEED = 20261119
PATH = Path(__file__).with_name("cuihu_ebike.jsonl")
STORIES: dict[str, list[dict[str, Any]]] = {
    "ebike_fire": FIRE,
    "elevator_trap": ELEVATOR,
    "price_rebate": PRICE,
    "toy_penalty": TOY,
    "county_penalty": COUNTY_PENALTY,
    "livestream_policy": POLICY,
    "chatter": CHATTER,
}
MATERIAL = scenario_builder.Material(STORIES, ACCOUNTS, USERS, POOLS, SEED, prefix="c")


def build() -> tuple[list[dict[str, Any]], dict[str, str]]:
    return scenario_builder.build(MATERIAL)


if __name__ == "__main__":
    raise SystemExit(scenario_builder.main(MATERIAL, PATH, sys.argv))

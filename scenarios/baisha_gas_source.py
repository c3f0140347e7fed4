"""Generator of the ``baisha_gas`` scenario, ``scenarios/baisha_gas.jsonl``.

Six days in 江州市 (the demo's city and sites, Monday 2026-11-16 08:00 to Sunday 08:00), other
incidents than the demo's, written as they happen in such cases:

- ``gas_explosion``: a bottled-LPG explosion in a 白沙区 restaurant at Tuesday lunchtime; the
  death toll rises to 10 by the evening (重大); a false "三十多人死亡、官方瞒报" claim spreads and
  is refuted by the city; the cylinder came from an unlicensed filling point in 云溪区.
- ``formula_rumor``: a mother's post that 贝乐安 infant formula "contains hormones" and causes
  precocious puberty; the bureau's 情况说明 comes late (37 h after the first post).
- ``fake_cert``: false inspection reports and forged CCC marks; three penalty decisions on the
  bureau's site, one a district decision published after the county rule's 7 working days.
- ``gas_meter``: a complaint surge that new smart gas meters in 望江区 "run fast"; the bureau's
  metrology check answers within 48 h of the media report.
- ``policy``: a policy document on individual businesses with its interpretation published
  five minutes later (同步解读).
- ``chatter``: weather, traffic, sport, markets, routine bureau notices: no event.

The text is hand-written in ``baisha_gas_material.py``; ``scenario_builder`` places it in time,
adds Weibo engagement and draws comments from each story's pools with one
``random.Random(SEED)``, so ``python scenarios/baisha_gas_source.py`` rewrites the file byte for
byte. Item ids are opaque (``b0001``…, by time); ``--keys`` prints the material key of each
keyed item, which is how ``baisha_gas.expected.yaml`` was written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario_builder
from baisha_gas_material import ACCOUNTS, POOLS, STORIES, USERS

SEED = 20261117
PATH = Path(__file__).with_name("baisha_gas.jsonl")
MATERIAL = scenario_builder.Material(STORIES, ACCOUNTS, USERS, POOLS, SEED, prefix="b")


def build() -> tuple[list[dict[str, Any]], dict[str, str]]:
    return scenario_builder.build(MATERIAL)


if __name__ == "__main__":
    raise SystemExit(scenario_builder.main(MATERIAL, PATH, sys.argv))

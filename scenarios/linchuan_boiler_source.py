"""Generator of the ``linchuan_boiler`` scenario, ``scenarios/linchuan_boiler.jsonl``.

A held-out scenario: written by reading the stories as the press officer of the 江州市市场监督管理局
would, never by looking at what the pipeline outputs, so it can judge changes to clustering,
rumour scoring and obligations that were tuned on the demo and on ``baisha_gas``. Six days in
江州市 (the demo's city, sites and units, Monday 2026-11-16 08:00 to Sunday 08:00):

- ``boiler_blast``: a gas-fired steam boiler explodes at a dyeing plant in 临川经济开发区 on
  Wednesday 09:20; 11 dead by the evening (重大). The bureau (the regulator of boilers) publishes
  its 情况通报 within 5 h and speaks at the city's press conference the next morning; two
  hearsay threads ("当场没了五十多个", "死伤上百") are refuted by the city that evening and the
  first poster is detained.
- ``water_rumor``: a doctored test-report screenshot says a local brand of bottled water
  carries a carcinogen "十几倍" over the limit; the bureau's 辟谣 comes 19 h after the first post,
  with a science account's explanation and the brand's statement.
- ``kids_cup``: the bureau's sampling inspection of children's water cups (5 of 60 batches
  fail) and three penalty decisions: the city's, 白沙区's within the county rule's 7 working
  days, and 临川区's published on the 11th working day (late under the county rule).
- ``elder_health``: families say health-food "讲座" in 云溪区 prey on the elderly and their 12315
  complaints go unanswered; the bureau responds within 48 h.
- ``policy``: a normative document on Monday whose 政策解读 comes on Friday (late).
- ``chatter``: weather, traffic, markets, sport, another city's gas leak: no event.

The text is in ``linchuan_boiler_material.py``; ``scenario_builder`` places it in time and draws
comments with one seed, so ``python scenarios/linchuan_boiler_source.py`` rewrites the file byte
for byte; ``--keys`` prints each keyed item's id (``l0001``…), which is how
``linchuan_boiler.expected.yaml`` was written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario_builder
from linchuan_boiler_material import ACCOUNTS, POOLS, STORIES, USERS

SEED = 20261118
PATH = Path(__file__).with_name("linchuan_boiler.jsonl")
MATERIAL = scenario_builder.Material(STORIES, ACCOUNTS, USERS, POOLS, SEED, prefix="l")


def build() -> tuple[list[dict[str, Any]], dict[str, str]]:
    return scenario_builder.build(MATERIAL)


if __name__ == "__main__":
    raise SystemExit(scenario_builder.main(MATERIAL, PATH, sys.argv))

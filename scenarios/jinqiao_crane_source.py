"""Generator of the ``jinqiao_crane`` scenario, ``scenarios/jinqiao_crane.jsonl``.

The seventh scenario, held out: written by reading the stories as the press officer of the
江州市市场监督管理局 would and frozen with its expected file before it was ever replayed, so it
judges the pipeline as tuned on the six earlier scenarios. Six days in 江州市 (the demo's city,
sites and units, Monday 2026-11-16 08:00 to Sunday 08:00), with situations the others do not
have:

- ``crane_collapse``: a gantry crane of 临川区金桥钢材物流园 topples on Tuesday, four dead: a
  较大 special-equipment accident (no 5 h release, no press conference) with a false "十几个"
  toll that would make it 重大 if believed; the crane driver's operator certificate turns out
  bought online and the public asks who checks them (the bureau's Thursday 【回应】).
- ``vendor_fine``: the public's anger at the bureau's own district's fine (5,000 yuan for 92
  yuan of home-pickled radish), a false "罚5万、掀摊扣车、住院" claim, the district's statement
  that makes it worse, the city's 通报 revoking the fine (the clarification late); the
  province's own policy document the next day (no interpretation is the city's).
- ``open_gov_report``: the year's work-plan implementation report (政务公开工作要点落实情况),
  due 30 November, published on Friday.
- ``lift_policy``: a policy document interpreted by a 答记者问 inside three working days.
- ``helmet_penalty`` and ``optician_penalty``: a city decision published on the 20th working day
  after it and a district decision on the 7th — the last day of each deadline.
- ``chatter``: weather, traffic, adverts, other agencies' complaints, a port's crane drill the
  day before, another city's tower-crane accident, the bureau's routine notice.

The text is in ``jinqiao_crane_material.py``, ``jinqiao_crane_stories.py`` and
``jinqiao_crane_noise.py``; ``python scenarios/jinqiao_crane_source.py`` rewrites the file byte
for byte; ``--keys`` prints each keyed item's id (``j0001``…), which is how
``jinqiao_crane.expected.yaml`` was written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario_builder
from jinqiao_crane_material import ACCOUNTS, CRANE, POOLS, USERS
from jinqiao_crane_noise import CHATTER
from jinqiao_crane_stories import HELMET, OPTICIAN, POLICY, REPORT, VENDOR

SEED = 20261207
PATH = Path(__file__).with_name("jinqiao_crane.jsonl")
STORIES: dict[str, list[dict[str, Any]]] = {
    "crane_collapse": CRANE,
    "vendor_fine": VENDOR,
    "open_gov_report": REPORT,
    "lift_policy": POLICY,
    "helmet_penalty": HELMET,
    "optician_penalty": OPTICIAN,
    "chatter": CHATTER,
}
MATERIAL = scenario_builder.Material(STORIES, ACCOUNTS, USERS, POOLS, SEED, prefix="j")


def build() -> tuple[list[dict[str, Any]], dict[str, str]]:
    return scenario_builder.build(MATERIAL)


if __name__ == "__main__":
    raise SystemExit(scenario_builder.main(MATERIAL, PATH, sys.argv))

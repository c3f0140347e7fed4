"""Generator of the ``qingping_ropeway`` scenario, ``scenarios/qingping_ropeway.jsonl``.

The sixth scenario, held out: written by reading the stories as the press officer of the
江州市市场监督管理局 would and frozen with its expected file before it was ever replayed, so it
judges the pipeline as tuned on the five earlier scenarios. Six days in 江州市 (the demo's city,
sites and units, Monday 2026-11-16 08:00 to Sunday 08:00), with situations the others do not
have:

- ``ropeway``: the passenger ropeway of 临川区青屏山景区 stops Thursday 14:20 with 86 tourists
  in its cabins, rescued by rope until 20:40: a 一般 special-equipment accident with nobody
  dead or hurt (no 5 h release, no press conference), routed to 临川区 while the province
  watches; a false "the cable snapped, two dead" (clarified by the bureau's 21:30 通报); the
  public asks how it passed its inspection (the bureau's Saturday 【回应】).
- ``cert_fake``: a testing company sells CMA reports without testing, from a complaint to an
  undercover report; the bureau responds on time; an anonymous post accuses the bureau itself
  (a section chief's relative), clarified only after a discipline check: late.
- ``seat_recall``: a foreign brand's child-seat recall and a false death claim about it.
- ``old_video``: an old video from another province passed off as a local market (旧闻新炒),
  on a Saturday.
- ``ip_policy``: a policy document Wednesday interpreted Saturday, inside three working days.
- ``penalty_change``: a penalty decision changed after administrative review, published on
  the 4th working day after the change (the original decision is three months old).
- ``chatter``: weather, traffic, adverts, other agencies' complaints, the ropeway's own drill
  on Monday, another city's Ferris wheel and fake test reports.

The text is in ``qingping_ropeway_material.py``, ``qingping_ropeway_stories.py`` and
``qingping_ropeway_noise.py``; ``python scenarios/qingping_ropeway_source.py`` rewrites the file
byte for byte; ``--keys`` prints each keyed item's id (``q0001``…), which is how
``qingping_ropeway.expected.yaml`` was written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario_builder
from qingping_ropeway_material import ACCOUNTS, POOLS, ROPEWAY, USERS
from qingping_ropeway_noise import CHATTER
from qingping_ropeway_stories import CERT, OLD_VIDEO, PENALTY_CHANGE, POLICY, RECALL

SEED = 20261121
PATH = Path(__file__).with_name("qingping_ropeway.jsonl")
STORIES: dict[str, list[dict[str, Any]]] = {
    "ropeway": ROPEWAY,
    "cert_fake": CERT,
    "seat_recall": RECALL,
    "old_video": OLD_VIDEO,
    "ip_policy": POLICY,
    "penalty_change": PENALTY_CHANGE,
    "chatter": CHATTER,
}
MATERIAL = scenario_builder.Material(STORIES, ACCOUNTS, USERS, POOLS, SEED, prefix="q")


def build() -> tuple[list[dict[str, Any]], dict[str, str]]:
    return scenario_builder.build(MATERIAL)


if __name__ == "__main__":
    raise SystemExit(scenario_builder.main(MATERIAL, PATH, sys.argv))

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

The text is hand-written below; the generator places it in time, adds Weibo engagement and
draws comments from each story's pools with one ``random.Random(SEED)``, so
``python scenarios/baisha_gas_source.py`` rewrites the file byte for byte. Item ids are
opaque (``b0001``…, by time); ``--keys`` prints the material key of each keyed item, which is
how ``baisha_gas.expected.yaml`` was written.
"""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baisha_gas_material import ACCOUNTS, POOLS, STORIES, USERS

from scripts.demo_corpus.times import minute_of

SEED = 20261117
PATH = Path(__file__).with_name("baisha_gas.jsonl")


class Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.records: list[dict[str, Any]] = []
        self.keys: dict[str, int] = {}
        self.reposts: dict[int, str] = {}

    def profile(self, name: str) -> dict[str, Any]:
        if name in ACCOUNTS:
            verified, kind, followers = ACCOUNTS[name]
        else:
            verified, kind = False, -1
            followers = int(self.rng.lognormvariate(6.2, 1.1)) + 8
        return {"name": name, "verified": verified, "verified_type": kind, "followers": followers}

    def comments(self, story: str, offset: int, author: str, count: int) -> list[dict[str, Any]]:
        pool = POOLS[story]
        chosen = self.rng.sample(pool, min(count, len(pool)))
        out = []
        for text in chosen:
            user = self.rng.choice([u for u in USERS if u != author])
            at = min(8640, offset + 2 + int(self.rng.expovariate(1 / 60)))
            out.append({"user": user, "text": text, "offset_minutes": at})
        return sorted(out, key=lambda c: c["offset_minutes"])

    def add(self, story: str, item: dict[str, Any]) -> None:
        offset = minute_of(item["at"])
        channel = item["ch"]
        record: dict[str, Any] = {
            "id": "",
            "channel": channel,
            "story": story,
            "offset_minutes": offset,
            "title": item.get("title", ""),
            "text": item["text"],
            "author": item["by"],
            "site": item.get("site", "weibo" if channel == "weibo" else ""),
            "region": item.get("region", "江州市"),
            "doc_type": item.get("doc") if channel == "official" else None,
            "weibo": None,
            "comments": [],
        }
        if channel == "rss":
            record["site"] = "民生财经"
        if channel == "official" and not record["site"]:
            record["site"] = "江州市市场监督管理局"
        if channel == "weibo":
            profile = self.profile(item["by"])
            replies = [
                {"user": u, "text": t, "offset_minutes": offset + d}
                for d, u, t in item.get("cm", [])
            ]
            replies += self.comments(
                story, offset, item["by"], item.get("nc", self.rng.randint(0, 3))
            )
            replies.sort(key=lambda c: c["offset_minutes"])
            scale = math.log10(profile["followers"] + 10)
            reposts = int(self.rng.lognormvariate(scale * 1.1 - 2.2, 0.9))
            record["weibo"] = {
                "user": profile,
                "reposts": reposts,
                "comments": len(replies) + int(self.rng.lognormvariate(scale - 2.0, 0.8)),
                "likes": int(reposts * self.rng.uniform(1.5, 6.0)) + self.rng.randint(0, 15),
                "retweet_of": None,
            }
            record["comments"] = replies
        index = len(self.records)
        self.records.append(record)
        if "key" in item:
            if item["key"] in self.keys:
                raise ValueError(f"duplicate key {item['key']}")
            self.keys[item["key"]] = index
        if "rt" in item:
            self.reposts[index] = item["rt"]

    def finish(self) -> list[dict[str, Any]]:
        order = sorted(
            range(len(self.records)), key=lambda i: (self.records[i]["offset_minutes"], i)
        )
        for number, index in enumerate(order, 1):
            self.records[index]["id"] = f"b{number:04d}"
        for index, key in self.reposts.items():
            original = self.records[self.keys[key]]
            if original["offset_minutes"] >= self.records[index]["offset_minutes"]:
                raise ValueError(f"repost of {key} is not after it")
            self.records[index]["weibo"]["retweet_of"] = original["id"]
        return [self.records[i] for i in order]


def build() -> tuple[list[dict[str, Any]], dict[str, str]]:
    builder = Builder()
    for story, items in STORIES.items():
        for item in items:
            builder.add(story, item)
    records = builder.finish()
    keys = {key: builder.records[index]["id"] for key, index in builder.keys.items()}
    return records, keys


def main() -> int:
    records, keys = build()
    if "--keys" in sys.argv:
        for key, item in sorted(keys.items(), key=lambda kv: kv[1]):
            print(item, key)
        return 0
    PATH.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    print(f"wrote {len(records)} records to {PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Shared generator of the hand-written scenarios (``baisha_gas``, ``linchuan_boiler``).

A scenario's material module holds its text (``STORIES``: story → items), the verified
accounts (``ACCOUNTS``), the ordinary users who comment (``USERS``) and each story's comment
pool (``POOLS``). ``build`` places every item in time, adds Weibo engagement and draws comments
with one ``random.Random(seed)``, so a scenario's file is rewritten byte for byte every run.

Each item: ``ch`` channel, ``at`` "Day HH:MM" (Beijing time), ``by`` author, ``text``; articles
have ``title`` and ``site``; official items ``doc``; Weibo items may have ``key`` (to be
reposted or cited by the expected file), ``rt`` (the key they repost), ``cm`` explicit comments
(minutes after, user, text) and ``nc`` the number of comments drawn from the story's pool.
Item ids are opaque (``<prefix>0001``…, by time); ``--keys`` prints the material key of each
keyed item, which is how an expected-decisions file is written.
"""

from __future__ import annotations

import json
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.demo_corpus.times import minute_of


@dataclass(frozen=True)
class Material:
    """One scenario's hand-written text and the people in it."""

    stories: dict[str, list[dict[str, Any]]]
    accounts: dict[str, tuple[bool, int, int]]  # name: (verified, verified_type, followers)
    users: tuple[str, ...]
    pools: dict[str, list[str]]
    seed: int
    prefix: str  # item ids are prefix + a four-digit number, by time


class Builder:
    def __init__(self, material: Material) -> None:
        self.material = material
        self.rng = random.Random(material.seed)
        self.records: list[dict[str, Any]] = []
        self.keys: dict[str, int] = {}
        self.reposts: dict[int, str] = {}

    def profile(self, name: str) -> dict[str, Any]:
        if name in self.material.accounts:
            verified, kind, followers = self.material.accounts[name]
        else:
            verified, kind = False, -1
            followers = int(self.rng.lognormvariate(6.2, 1.1)) + 8
        return {"name": name, "verified": verified, "verified_type": kind, "followers": followers}

    def comments(self, story: str, offset: int, author: str, count: int) -> list[dict[str, Any]]:
        pool = self.material.pools[story]
        chosen = self.rng.sample(pool, min(count, len(pool)))
        out = []
        for text in chosen:
            user = self.rng.choice([u for u in self.material.users if u != author])
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
            self.records[index]["id"] = f"{self.material.prefix}{number:04d}"
        for index, key in self.reposts.items():
            original = self.records[self.keys[key]]
            if original["offset_minutes"] >= self.records[index]["offset_minutes"]:
                raise ValueError(f"repost of {key} is not after it")
            self.records[index]["weibo"]["retweet_of"] = original["id"]
        return [self.records[i] for i in order]


def build(material: Material) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The scenario's records in time order and each material key's item id."""
    builder = Builder(material)
    for story, items in material.stories.items():
        for item in items:
            builder.add(story, item)
    records = builder.finish()
    keys = {key: builder.records[index]["id"] for key, index in builder.keys.items()}
    return records, keys


def main(material: Material, path: Path, argv: list[str]) -> int:
    """Write the scenario to ``path``, or with ``--keys`` print each keyed item's id."""
    records, keys = build(material)
    if "--keys" in argv:
        for key, item in sorted(keys.items(), key=lambda kv: kv[1]):
            print(item, key)
        return 0
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    print(f"wrote {len(records)} records to {path}")
    return 0

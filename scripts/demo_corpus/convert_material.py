"""One-off conversion of ``yuqing/demo/corpus_material.py`` (Python dict literals) into the YAML
files of ``scripts/demo_corpus/material/``; kept in history beside the commit that made them.

Run from the repository root: ``python -m scripts.demo_corpus.convert_material``. It checks
that every value reads back from the YAML equal to the Python literal it came from.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from yuqing.demo import corpus_material as m

OUT = Path(__file__).with_name("material")
SOURCE = Path(m.__file__)
# Item keys of the Python material -> field names of the YAML schema, in the order written.
ITEM_FIELDS = (
    ("key", "key"),
    ("at", "at"),
    ("ch", "channel"),
    ("user", "user"),
    ("site", "site"),
    ("author", "author"),
    ("region", "region"),
    ("doc", "doc_type"),
    ("stats", "stats"),
    ("pools", "pools"),
    ("nc", "comment_count"),
    ("rt", "repost_of"),
    ("title", "title"),
    ("text", "text"),
)
PENALTY_DEFAULTS = {
    "violated": m.PENALTY_TRADEMARK_VIOLATED,
    "offense": m.PENALTY_TRADEMARK_OFFENSE,
    "basis": m.PENALTY_TRADEMARK_BASIS,
    "evidence": m.PENALTY_EVIDENCE,
}


class Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so paragraphs read as paragraphs."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _text)


def plain(value: Any) -> Any:
    """Tuples as lists, recursively: YAML has one sequence type."""
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def story_descriptions() -> dict[str, str]:
    """The comment block above each story in the Python material, by story name."""
    found = {}
    pattern = re.compile(r"^# \d\. (\w+): (.*?)\n# -{10,}", re.M | re.S)
    for match in pattern.finditer(SOURCE.read_text(encoding="utf-8")):
        lines = [line.removeprefix("#").strip() for line in match.group(2).splitlines()]
        found[match.group(1)] = " ".join(lines)
    return found


def item(raw: dict[str, Any]) -> dict[str, Any]:
    unknown = set(raw) - {old for old, _ in ITEM_FIELDS}
    assert not unknown, unknown
    out: dict[str, Any] = {}
    for old, new in ITEM_FIELDS:
        if old not in raw:
            continue
        value = raw[old]
        if old == "stats":
            value = dict(zip(("reposts", "comments", "likes"), value, strict=True))
        out[new] = plain(value)
    return out


def fill(entry: tuple[str, ...]) -> dict[str, str]:
    out = {"window": entry[0], "text": entry[1]}
    if len(entry) > 2:
        out["repost_of"] = entry[2]
    return out


def penalty(raw: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in raw.items() if PENALTY_DEFAULTS.get(k) != v}


def story(name: str, material: dict[str, Any], description: str) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "region": material["region"]}
    if "fill_region" in material:
        out["fill_region"] = material["fill_region"]
    out["tags"] = plain(material["tags"])
    out["emoticons"] = plain(material["emo"])
    if name == "food_rumor":
        out["debunk_at"] = m.FOOD_DEBUNK_AT
    out["comment_pools"] = plain(material["pools"])
    out["fill_pools"] = plain(material["fill_pools"])
    out["items"] = [item(i) for i in material["items"]]
    if name == "counterfeit":
        out["penalty_defaults"] = PENALTY_DEFAULTS
        out["penalties"] = [penalty(p) for p in m.PENALTIES]
    out["fill"] = [fill(e) for e in material["fill"]]
    return out


def corpus() -> dict[str, Any]:
    accounts = {
        name: {"verified": v, "verified_type": t, "followers": f}
        for name, (v, t, f) in m.ACCOUNTS.items()
    }
    return {
        "stories": list(m.STORIES),
        "accounts": accounts,
        "generic_users": list(m.GENERIC_USERS),
        "short_link_chars": m.SHORT_LINK_CHARS,
    }


def daily() -> dict[str, Any]:
    weather_fields = ("day", "conditions", "low", "high", "wind", "headline", "note", "extra")
    return {
        "weather": [dict(zip((*weather_fields, "tip"), w, strict=True)) for w in m.WEATHER],
        "vegetable_days": [
            dict(zip(("day", "headline", "summary", "comment"), v, strict=True)) for v in m.VEG_DAYS
        ],
        "market_days": [
            dict(zip(("day", "comment", "outlook"), s, strict=True)) for s in m.STOCK_DAYS
        ],
        "market_sectors": list(m.STOCK_SECTORS),
    }


HEADERS = {
    "corpus": (
        "The demo corpus's shared material: the stories in the order the generator draws its\n"
        "random numbers (one file each in stories/), the Weibo accounts that post under their own\n"
        "name, the ordinary users (authors of filler posts and comments) and the characters of\n"
        "made-up t.cn short links. verified_type follows Weibo: -1 none, 0 personal,\n"
        "1 government, 2 enterprise, 3 media, 7 organisation,\n"
        "220 grass-roots 达人 (not verified).\n"
        "Everything is invented for the demo: 南岭省, 江州市 and its districts, every company,\n"
        "brand, account and person."
    ),
    "daily": (
        "The daily series of the chatter story: weather (江州日报 and @江州气象, every day),\n"
        "vegetable prices (临川新闻网, Monday to Friday) and market closes (民生财经, Monday to\n"
        "Friday, sector names drawn from market_sectors). The generator fills the templates."
    ),
    "story": (
        "One story of the demo corpus (schema: scripts/demo_corpus/schema.py). Times are\n"
        '"Tue 19:40" (a weekday of the demo week, Monday 2026-11-16 to Sunday 2026-11-22,\n'
        'Asia/Shanghai; hours before 08:00 belong to the night before), windows "Mon 12:30-15:00"\n'
        'or "Mon 22:00-Tue 01:00". {tag}, {emo} and {url} in Weibo texts are filled in by the\n'
        "generator from the story's tags, emoticons and a made-up t.cn short link. Items without\n"
        "stats get drawn engagement; fill posts are placed at random in their window."
    ),
}


def write(path: Path, header: str, data: dict[str, Any]) -> None:
    text = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(comment + text, encoding="utf-8", newline="\n")
    if yaml.safe_load(path.read_text(encoding="utf-8")) != data:
        raise SystemExit(f"{path} does not read back as written")


def main() -> int:
    descriptions = story_descriptions()
    assert set(descriptions) == set(m.STORIES), descriptions.keys()
    write(OUT / "corpus.yaml", HEADERS["corpus"], corpus())
    write(OUT / "daily.yaml", HEADERS["daily"], daily())
    for name, material in m.STORIES.items():
        data = story(name, material, descriptions[name])
        write(OUT / "stories" / f"{name}.yaml", HEADERS["story"], data)
    print(f"wrote {2 + len(m.STORIES)} files to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

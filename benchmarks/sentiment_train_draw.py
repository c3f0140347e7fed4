"""Candidate texts for the hand-labelled TRAINING set of the sentiment model.

``nlp/training/sentiment_hand_labels.json`` holds pointers into ../shared/datasets and labels
written by reading (no text). This script draws the candidates it was labelled from, in
batches, and prints them for reading: ``python benchmarks/sentiment_train_draw.py BATCH``.

Where the texts come from (``POOLS``), chosen so the training set has what the weak labels lack:
plain reports of incidents, police and weather notices and tips (neutral in the sample's sense
although their words are incident words), and complaints (negative) beside praise:

- ``notice``: non-rumour posts of CED, Weibo21 and mm17 opening as a notice or a report
  (``NOTICE_OPENING`` in their first ``NOTICE_WINDOW`` characters), read as ``official_notice``;
- ``post``: other posts of the three sets, read as ``weibo_post``; Weibo21's 社会生活 and
  灾难事故 domains and posts with complaint words (``COMPLAINT``) drawn first;
- ``comment``: CED responses with at least ``MIN_CHARS`` characters of their own;
- ``news``: food-safety reports, their first ``NEWS_CHARS`` characters.

Never drawn: any line of the evaluation samples (benchmarks/sentiment_labels.json and
topics_sentiment_labels.json), any response of a CED post they draw from, and any text that is a
near-copy of one of their texts (``nlp.training.sentiment_train.NearCopies``, the check the
training uses).
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.training.evaluation import dataset_path, read_lines
from nlp.training.sentiment_train import (
    LABELS,
    OLD_LABELS,
    SOURCES,
    NearCopies,
    sample_items,
    sample_texts,
)

SEED = 20261208
BATCH = 50
MIN_CHARS = 6
NEWS_CHARS = 300
POST_CHARS = 300
NOTICE_WINDOW = 30
NOTICE_OPENING = re.compile(
    "通报|公告|通告|情况说明|声明|警情|提醒|提示|发布|警方|公安|消防|法院|气象|预警|天气|"
    "记者|讯|据|昨日|今日|今天|昨天|日前|近日|发生|事故|快讯|最新"
)
COMPLAINT = re.compile(
    "投诉|差评|退货|退款|维权|质量问题|坑|欺骗|上当|骗子|假货|黑心|无良|客服|态度"
)
# Each batch of BATCH: how many of each pool (the rest of a short pool goes to the next).
MIX = (("notice", 18), ("post", 14), ("comment", 10), ("news", 8))
KIND = {"notice": "official_notice", "post": "weibo_post", "comment": "comment", "news": "news"}
REPOST_CHAIN = re.compile(r"//\s*@")


def excluded() -> tuple[set[tuple[str, int]], set[str], NearCopies]:
    items = sample_items(LABELS)
    old = json.loads(OLD_LABELS.read_text(encoding="utf-8"))["sentiment"]
    lines = {(str(i["source"]), int(i["line"])) for i in [*items, *old]}
    posts = {str(i["id"]) for i in [*items, *old] if i["source"] == "ced"}
    old = [{**i, "kind": i.get("kind", "weibo_post")} for i in old]
    return lines, posts, NearCopies(sample_texts(items) + sample_texts(old))


def pools() -> dict[str, list[dict[str, Any]]]:
    lines, posts, near = excluded()
    rng = random.Random(SEED)
    out: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in MIX}
    first: list[dict[str, Any]] = []
    for source in ("ced", "weibo21", "mm17"):
        for number, record in read_lines(dataset_path(SOURCES[source])):
            text = str(record.get("text") or "")
            if (source, number) in lines or len(text) < MIN_CHARS or text in near:
                continue
            pointer = {"source": source, "line": number, "id": str(record.get("id"))}
            if record.get("label") == "non-rumor" and NOTICE_OPENING.search(text[:NOTICE_WINDOW]):
                out["notice"].append({**pointer, "kind": "official_notice"})
            elif record.get("domain") in ("社会生活", "灾难事故") or COMPLAINT.search(text):
                first.append({**pointer, "kind": "weibo_post"})
            else:
                out["post"].append({**pointer, "kind": "weibo_post"})
            if source != "ced" or str(record.get("id")) in posts:
                continue
            responses: list[dict[str, Any]] = record.get("responses") or []  # type: ignore[assignment]
            if not responses:
                continue
            index = rng.randrange(len(responses))
            own = REPOST_CHAIN.split(str(responses[index].get("text") or ""), maxsplit=1)[0]
            if len(own.strip()) >= MIN_CHARS and own not in near:
                mid = responses[index].get("mid")
                out["comment"].append({**pointer, "kind": "comment", "mid": mid, "index": index})
    for number, record in read_lines(dataset_path(SOURCES["food_safety"])):
        text = str(record.get("text") or "")[:NEWS_CHARS]
        if ("food_safety", number) not in lines and text not in near:
            out["news"].append({"source": "food_safety", "line": number, "kind": "news"})
    for name in out:
        rng.shuffle(out[name])
    rng.shuffle(first)
    out["post"] = first + out["post"]
    return out


def batch(number: int) -> list[dict[str, Any]]:
    cache = Path("/tmp/sent2/pools.json")
    if cache.exists():
        drawn = json.loads(cache.read_text())
    else:
        drawn = pools()
        cache.write_text(json.dumps(drawn))
    chosen: list[dict[str, Any]] = []
    for name, n in MIX:
        chosen.extend(drawn[name][number * n : (number + 1) * n])
    return chosen


def main() -> None:
    number = int(sys.argv[1])
    items = batch(number)
    texts = sample_texts(items)
    for position, (item, text) in enumerate(zip(items, texts, strict=True)):
        shown = text if item["kind"] == "comment" else text[:POST_CHARS]
        shown = re.sub(r"\s+", " ", shown)[:POST_CHARS]
        print(f"{position:2d} [{item['kind'][:7]}] {shown}")


if __name__ == "__main__":
    main()

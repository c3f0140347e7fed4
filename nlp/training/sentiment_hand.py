"""Training texts labelled by reading, for ``yuqing train sentiment``.

``nlp/training/sentiment_hand_labels.json`` holds pointers into ../shared/datasets (the same
form as the evaluation sample, benchmarks/sentiment_labels.json: ``source``, ``line``, ``id``,
and for a CED response its ``mid`` and ``index``) and a stance read one by one
(by the project's helper agents, AI), never the
texts. They were drawn by benchmarks/sentiment_train_draw.py away from both evaluation
samples and their near-copies, so the held-out figure stays a figure on unseen texts. The weak
labels (emoticons, where a post comes from) teach what opinion words look like; these teach
what the weak labels cannot: plain incident reports, police and weather notices and tips that
are neutral, complaints without an emoticon that are negative.

A malformed item stops the load with the file, the item and what is wrong: a label file is
written by hand, and a silently skipped label would shift the figures unnoticed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.sentiment_model import CLASSES
from nlp.training.evaluation import CED, FOOD_SAFETY, dataset_path, read_lines

HAND_LABELS = Path(__file__).with_name("sentiment_hand_labels.json")
# The evaluation sample's kinds of text (benchmarks/sentiment_labels.json "kinds").
KINDS = frozenset(["weibo_post", "comment", "news", "official_notice"])
PATHS = {
    "ced": CED,
    "food_safety": FOOD_SAFETY,
    "weibo21": "rumor_more/weibo21.jsonl.gz",
    "mm17": "rumor_more/mm17.jsonl.gz",
}
SOURCES = frozenset(PATHS)
NEWS_CHARS = 300  # headline and lead: what was read, as the evaluation sample reads news


class HandLabelError(ValueError):
    """A hand label file that cannot be read as pointers and stances."""


@dataclass(frozen=True)
class HandLabel:
    item: dict[str, Any]  # the pointer, as sentiment_train.sample_texts reads it
    label: int  # index into CLASSES
    batch: int | None = None  # the draw batch (benchmarks/sentiment_train_draw.py)

    @property
    def key(self) -> tuple[str, int, int | None]:
        return self.item["source"], self.item["line"], self.item.get("index")


def load_hand_labels(path: Path = HAND_LABELS) -> list[HandLabel]:
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise HandLabelError(f"{path}: cannot read the hand labels ({exc})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("items"), list):
        raise HandLabelError(f"{path}: expected an object with a list under 'items'")
    labels: list[HandLabel] = []
    seen: set[tuple[str, int, int | None]] = set()
    for number, item in enumerate(spec["items"]):
        labels.append(_checked(path, number, item))
        if labels[-1].key in seen:
            raise HandLabelError(f"{path}: items[{number}] points at a text already labelled")
        seen.add(labels[-1].key)
    return labels


def _checked(path: Path, number: int, item: Any) -> HandLabel:
    where = f"{path}: items[{number}]"
    if not isinstance(item, dict):
        raise HandLabelError(f"{where}: expected an object, got {item!r}")
    if item.get("source") not in SOURCES:
        raise HandLabelError(f"{where}: source {item.get('source')!r} not one of {sorted(SOURCES)}")
    if not isinstance(item.get("line"), int) or item["line"] < 0:
        raise HandLabelError(f"{where}: line {item.get('line')!r} is not a line number")
    if item.get("kind") not in KINDS:
        raise HandLabelError(f"{where}: kind {item.get('kind')!r} not one of {sorted(KINDS)}")
    if item.get("sentiment") not in CLASSES:
        raise HandLabelError(f"{where}: sentiment {item.get('sentiment')!r} not one of {CLASSES}")
    if "index" in item and (item["source"] != "ced" or not isinstance(item["index"], int)):
        raise HandLabelError(f"{where}: a response index belongs to a CED post, got {item!r}")
    if "batch" in item and not isinstance(item["batch"], int):
        raise HandLabelError(f"{where}: batch {item['batch']!r} is not a batch number")
    pointer = {k: item[k] for k in ("kind", "source", "line", "id", "mid", "index") if k in item}
    return HandLabel(pointer, CLASSES.index(item["sentiment"]), item.get("batch"))


def hand_texts(labels: list[HandLabel], root: Path | None = None) -> list[str]:
    """The labelled texts, read from the data sets in the labels' order; a pointer whose line,
    id or response is not there is an error naming it (the data set changed under it)."""
    wanted: dict[str, dict[int, list[int]]] = {}
    for position, hand in enumerate(labels):
        wanted.setdefault(hand.item["source"], {}).setdefault(hand.item["line"], []).append(
            position
        )
    texts: list[str | None] = [None] * len(labels)
    for source, lines in wanted.items():
        for number, record in read_lines(dataset_path(PATHS[source], root)):
            for position in lines.get(number, []):
                texts[position] = _text(labels[position].item, record)
    for hand, text in zip(labels, texts, strict=True):
        if not text:
            raise HandLabelError(f"hand label {hand.item}: no such text in {hand.item['source']}")
    return [t or "" for t in texts]


def _text(item: dict[str, Any], record: dict[str, Any]) -> str | None:
    if "id" in item and str(record.get("id")) != str(item["id"]):
        return None
    if "index" in item:
        responses = record.get("responses") or []
        if item["index"] >= len(responses):
            return None
        response = responses[item["index"]]
        if item.get("mid") and response.get("mid") != item["mid"]:
            return None
        return str(response.get("text") or "") or None
    text = str(record.get("text") or "")
    return (text[:NEWS_CHARS] if item["kind"] == "news" else text) or None

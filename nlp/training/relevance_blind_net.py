"""The second blind relevance sample: posts where the field is common, plus a random part
(issue 22, fifth pass; drawn by ``relevance_net_draw``).

Pointers only (``relevance_net_blind_labels.json``: CED ``ced:LINE`` or Weibo21 / mm17 ids,
never text), labelled by the project's relevance helper, an AI agent reading each post, not by
a person, **before** any scorer was run on one of them; scored once, after all tuning.

Two parts: ``blind_core``, 320 posts of the ``CORE`` word net, and ``blind_random``, 120 posts
drawn uniformly from all unread posts. Figures are given per part and weighted to the stream
(``weighted``): the unread posts split into the ``CORE`` stratum and the rest (sizes in the
file's ``strata``); every sampled post of a stratum (the random part's core posts count in the
core stratum) stands for ``stratum size / sampled posts of the stratum`` posts, so the weighted
precision is the one on the real mix and the weighted recall counts the relevant posts outside
the net that only the random part can find. Training never sees these posts nor their
near-copies (``relevance_train.kept_out_groups``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.training.evaluation import CED, Example, dataset_path, read_lines
from nlp.training.rumor_more import MM17, WEIBO21

BLIND_FILE = Path(__file__).with_name("relevance_net_blind_labels.json")
VALUES = ("relevant", "not_relevant", "ambiguous")


@dataclass(frozen=True)
class Pointer:
    key: str
    part: str  # "blind_core" or "blind_random"
    in_core: bool
    label: str | None  # None until read


@lru_cache(maxsize=2)
def pointers(path: Path = BLIND_FILE) -> tuple[Pointer, ...]:
    posts = json.loads(path.read_text(encoding="utf-8"))["posts"]
    out = tuple(Pointer(key, part, where == "in_core", label) for key, part, where, label in posts)
    wrong = [p.key for p in out if p.label not in (*VALUES, None)]
    if wrong:
        raise ValueError(f"{path}: labels not among {VALUES}: {wrong[:5]}")
    return out


def strata(path: Path = BLIND_FILE) -> dict[str, int]:
    """Unread posts in the core stratum and outside it, when the sample was drawn."""
    return dict(json.loads(path.read_text(encoding="utf-8"))["strata"])


def kept_out_keys() -> frozenset[str]:
    """Every pointer of the sample (ambiguous ones included): never trained on."""
    return frozenset(p.key for p in pointers())


@dataclass(frozen=True)
class BlindPost:
    example: Example
    part: str
    in_core: bool


def net_blind_sample(root: Path | None = None) -> list[BlindPost]:
    """The labelled posts (ambiguous and unread ones left out), source ``net_blind``."""
    wanted = {p.key: p for p in pointers() if p.label in ("relevant", "not_relevant")}
    texts: dict[str, str] = {}
    for number, record in read_lines(dataset_path(CED, root)):
        if f"ced:{number}" in wanted:
            texts[f"ced:{number}"] = str(record["text"])
    for relative in (WEIBO21, MM17):
        for _, record in read_lines(dataset_path(relative, root)):
            if str(record["id"]) in wanted:
                texts[str(record["id"])] = str(record.get("text") or "")
    return [
        BlindPost(Example("net_blind", key, texts[key], p.label == "relevant"), p.part, p.in_core)
        for key, p in wanted.items()
    ]


@dataclass(frozen=True)
class Weighted:
    precision: float
    recall: float
    relevant_share: float  # estimated share of relevant posts in the stream


def weighted(
    posts: list[BlindPost],
    predict: Callable[[Example], bool],
    sizes: dict[str, int] | None = None,
) -> Weighted:
    """Precision and recall on the stream's mix, each post weighed by its stratum's size
    (``sizes``: "core" and "rest", the file's ``strata`` by default)."""
    sizes = sizes or strata()
    sampled = {True: sum(p.in_core for p in posts), False: sum(not p.in_core for p in posts)}
    weight = {c: sizes["core" if c else "rest"] / max(sampled[c], 1) for c in (True, False)}
    tp = fp = fn = total = 0.0
    for post in posts:
        w = weight[post.in_core]
        total += w
        fired = predict(post.example)
        tp += w * (fired and post.example.relevant)
        fp += w * (fired and not post.example.relevant)
        fn += w * (not fired and post.example.relevant)
    return Weighted(
        precision=tp / (tp + fp) if tp + fp else 0.0,
        recall=tp / (tp + fn) if tp + fn else 0.0,
        relevant_share=(tp + fn) / total if total else 0.0,
    )

"""A post's own stance against its label, and the shipped model across domains.

    .venv/bin/python benchmarks/nlp_rumor_stance_bench.py [--model PATH]

On CED (the training data) and on rumor_more (Weibo21 and the MM17 Weibo set: other domains
and periods, never trained on): how many posts ask about a claim (``nlp.rumor.stance.asks``:
求证, 求辟谣, 是不是谣言) or refute one (``refutes``: 【辟谣】, 系谣言, 经抽检, 不实) or
disbelieve it (``disbelieves``), by label, with the likelihood ratio rumour : non-rumour of
each; then the model's accuracy from the post alone (0 h, the CED calibration, threshold 0.5)
on every post and on the refuting ones, against the context rule of ``nlp.rumor.context``
(a refuting post is not a claim: capped at REFUTATION_MAX). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from nlp.rumor.ced import RumorInput
from nlp.rumor.context import REFUTATION_MAX
from nlp.rumor.features import normalise
from nlp.rumor.model import MODEL_PATH, RumorModel
from nlp.rumor.stance import asks, disbelieves, refutes
from nlp.training.evaluation import DatasetMissing, dataset_path

SETS = {
    "ced_dev": "ced/ced_dev.jsonl.gz",
    "weibo21": "rumor_more/weibo21.jsonl.gz",
    "mm17": "rumor_more/mm17.jsonl.gz",
}


def _user(record: dict) -> dict:
    if isinstance(record.get("user"), dict):
        return record["user"]
    meta = record.get("meta") or {}
    keys = {"verified_type": "verified_type", "followers": "followers", "friends": "friends"}
    user = {k: meta[v] for k, v in keys.items() if meta.get(v) is not None}
    if isinstance(user.get("verified_type"), int):
        user["verified"] = user["verified_type"] >= 0
    return user


def _inputs(path: Path) -> list[RumorInput]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return [
        RumorInput(id=str(r["id"]), text=r["text"] or "", user=_user(r), label=r["label"])
        for r in records
    ]


def _ratio(c: Counter, key: str) -> float | None:
    rumour, other = (
        c[(key, "rumor")] / max(c["rumor"], 1),
        c[(key, "non-rumor")] / max(c["non-rumor"], 1),
    )
    return round(rumour / other, 3) if other else None


def _accuracy(pairs: list[tuple[float, str]]) -> float | None:
    if not pairs:
        return None
    return round(sum((p >= 0.5) == (label == "rumor") for p, label in pairs) / len(pairs), 4)


def post_alone_scores(items: list[RumorInput], model: RumorModel) -> list[float]:
    """Each post's probability from the post alone (responses are not in rumor_more; CED's
    are dropped to compare alike)."""
    bare = [RumorInput(id=i.id, text=i.text, user=i.user, label=i.label) for i in items]
    return [s.probability for s in model.score(bare, max_reasons=0)]


def rows_per_set(
    evaluate: Callable[[str, list[RumorInput], RumorModel], dict[str, object]], model_path: Path
) -> list[dict[str, object]]:
    """``evaluate`` on each labelled set of ``SETS`` with the model at ``model_path``; exits
    with the data set's message when one is missing."""
    model = RumorModel.load(model_path)
    rows = []
    for name, relative in SETS.items():
        try:
            items = _inputs(dataset_path(relative))
        except DatasetMissing as exc:
            sys.exit(str(exc))
        rows.append(evaluate(name, items, model))
    return rows


def evaluate(name: str, items: list[RumorInput], model: RumorModel) -> dict[str, object]:
    c: Counter = Counter()
    for item in items:
        text = normalise(item.text)
        c[item.label] += 1
        for key, found in (("asks", asks), ("refutes", refutes), ("disbelieves", disbelieves)):
            if found(text) and (key == "asks" or not asks(text)):
                c[(key, item.label)] += 1
    scores = post_alone_scores(items, model)
    pairs = [(p, str(i.label)) for p, i in zip(scores, items, strict=True)]
    stance = [disbelieves(normalise(i.text)) and not asks(normalise(i.text)) for i in items]
    refuting = [pair for pair, s in zip(pairs, stance, strict=True) if s]
    in_context = [
        (min(p, REFUTATION_MAX) if s else p, lab) for (p, lab), s in zip(pairs, stance, strict=True)
    ]
    return {
        "set": name,
        "posts": len(items),
        "rumours": c["rumor"],
        **{
            f"{key}_{label}": c[(key, label)]
            for key in ("asks", "refutes", "disbelieves")
            for label in ("rumor", "non-rumor")
        },
        "lr_asks": _ratio(c, "asks"),
        "lr_refutes": _ratio(c, "refutes"),
        "lr_disbelieves": _ratio(c, "disbelieves"),
        "model_accuracy_0h": _accuracy(pairs),
        "model_accuracy_refuting": _accuracy(refuting),
        "context_accuracy_refuting": _accuracy(
            [(min(p, REFUTATION_MAX), lab) for p, lab in refuting]
        ),
        "context_accuracy_0h": _accuracy(in_context),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    rows = rows_per_set(evaluate, args.model)
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()

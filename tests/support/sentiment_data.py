"""Tiny data sets for the sentiment training tests: data-set files written in their own format
(gzipped JSON lines, as ../shared/datasets holds them) and a training set of short texts."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp.text import document_from_text
from nlp.training.sentiment_train import TrainingSet


def write_jsonl_gz(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def training_set(groups: Sequence[Sequence[str]], kind: str) -> TrainingSet:
    """Each group's texts labelled by its place (negative, neutral, positive), three times
    each (the model's minimum document frequency), all of ``kind``."""
    data = TrainingSet()
    for label, group in enumerate(groups):
        for text in list(group) * 3:
            data.clauses.append(document_from_text(text).sentiment_clauses)
            data.labels.append(label)
            data.weights.append(1.0)
            data.kinds.append(kind)
    return data

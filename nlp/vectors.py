"""Sparse TF-IDF term vectors for event clustering and representative titles.

The IDF table is jieba's own (``jieba/analyse/idf.txt``, ~270,000 words, built by jieba's
authors from a large general Chinese corpus) rather than one fitted on our archive: a fixed
table keeps the vectors of a mention the same whatever else has been collected, which is what
makes event clustering deterministic and independent of batch boundaries. Words missing from
the table get its median IDF, as ``jieba.analyse`` does.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from nlp.text import Document

Vector = dict[str, float]

# Words that carry no subject: single characters (mostly function words and measure words),
# numbers, and the frequent two-character words in resources/stopwords.txt (jieba's own stop
# list is English).
_NUMBER = re.compile(r"^[\d.,%]+$")
_STOPWORDS = Path(__file__).parent / "resources" / "stopwords.txt"
# The title's words count double in a mention's vector, as in relevance (a headline names
# the happening).
TITLE_WEIGHT = 2.0


@lru_cache(maxsize=1)
def _idf() -> tuple[Mapping[str, float], float]:
    import jieba.analyse

    table = jieba.analyse.default_tfidf
    return table.idf_freq, float(table.median_idf)


def idf(word: str) -> float:
    table, median = _idf()
    return float(table.get(word, median))


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    lines = _STOPWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def keep_word(word: str) -> bool:
    return len(word) >= 2 and word not in _stop() and not _NUMBER.match(word)


def term_vector(document: Document) -> Vector:
    """L2-normalised TF-IDF over the title (double) and body words."""
    counts: dict[str, float] = defaultdict(float)
    for word in document.title_words:
        if keep_word(word):
            counts[word] += TITLE_WEIGHT
    for word in document.body_words:
        if keep_word(word):
            counts[word] += 1.0
    return normalise({word: (1.0 + math.log(count)) * idf(word) for word, count in counts.items()})


def normalise(vector: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(value * value for value in vector.values()))
    if norm == 0:
        return {}
    return {word: value / norm for word, value in vector.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two vectors; ``a`` normalised, ``b`` any length (normalised here)."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(value * b.get(word, 0.0) for word, value in a.items())
    if dot == 0:
        return 0.0
    norm_a = math.sqrt(sum(v * v for v in a.values()))
    norm_b = math.sqrt(sum(v * v for v in b.values()))
    return dot / (norm_a * norm_b)


def add_into(total: dict[str, float], vector: Mapping[str, float], sign: float = 1.0) -> None:
    for word, value in vector.items():
        updated = total.get(word, 0.0) + sign * value
        if abs(updated) < 1e-12:
            total.pop(word, None)
        else:
            total[word] = updated


def top_terms(vector: Mapping[str, float], size: int) -> list[str]:
    return [word for word, _ in sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))[:size]]


def centroid(vectors: Iterable[Mapping[str, float]]) -> Vector:
    total: dict[str, float] = {}
    for vector in vectors:
        add_into(total, vector)
    return total

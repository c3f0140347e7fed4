"""Near-duplicate texts: one article reprinted by other sites, one post copied and pasted.

A reprint is rarely byte-identical: the outlet adds "来源：" and an editor's line, trims a
paragraph, fixes a typo, or rewrites the lead. So texts are compared as sets of character
3-grams (Chinese has no spaces to split words on, and 3-grams survive small edits), estimated
with MinHash and looked up with LSH banding, so each new text is compared only with the few
stored texts that share a band rather than with all of them.

With 64 hashes in 16 bands of 4, two texts share a band with probability 1-(1-J⁴)¹⁶: 0.64 at
Jaccard 0.4, 0.96 at 0.6, 0.9997 at 0.8. A candidate counts as a copy when its estimated
Jaccard reaches ``threshold``; the default (0.4) and these numbers were chosen with
``benchmarks/crawl_neardup_bench.py`` (edited copies of real news reports).
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

__all__ = ["Match", "NearDuplicateIndex", "shingles", "signature"]

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
_PRIME = (1 << 61) - 1
_NOT_WORDLIKE = re.compile(r"[^\w\u3400-\u9fff]+", re.UNICODE)
# Fixed seeds: signatures must mean the same in every process and every run.
_RNG = np.random.default_rng(20261116)
_A = _RNG.integers(1, _PRIME, size=NUM_PERM, dtype=np.uint64)
_B = _RNG.integers(0, _PRIME, size=NUM_PERM, dtype=np.uint64)
_MASK32 = np.uint64(0xFFFFFFFF)


def _normalise(text: str) -> str:
    return _NOT_WORDLIKE.sub("", unicodedata.normalize("NFKC", text).lower())


def shingles(text: str) -> set[int]:
    """The text's character 3-grams (after width, case and punctuation are normalised)."""
    normal = _normalise(text)
    if len(normal) < SHINGLE:
        return {zlib.crc32(normal.encode("utf-8"))} if normal else set()
    return {
        zlib.crc32(normal[i : i + SHINGLE].encode("utf-8"))
        for i in range(len(normal) - SHINGLE + 1)
    }


def signature(text: str) -> np.ndarray:
    """MinHash signature: for each of ``NUM_PERM`` hash functions, the least shingle hash."""
    grams = np.fromiter(shingles(text), dtype=np.uint64)
    if grams.size == 0:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint64)
    # (a·x + b) mod p on 32-bit shingles; uint64 products of a 61-bit a and a 32-bit x can
    # wrap, which only makes the hash functions different ones, still fixed by the seeds.
    hashed = (np.outer(_A, grams) + _B[:, None]) % np.uint64(_PRIME)
    return (hashed & _MASK32).min(axis=1)


def _band_keys(sig: np.ndarray) -> list[bytes]:
    return [bytes([band]) + sig[band * ROWS : (band + 1) * ROWS].tobytes() for band in range(BANDS)]


@dataclass(frozen=True)
class Match:
    original: str
    similarity: float


class NearDuplicateIndex:
    """Signatures of recently stored texts, bounded, safe to share between crawl threads."""

    def __init__(self, threshold: float = 0.4, capacity: int = 200_000) -> None:
        self.threshold = threshold
        self._capacity = capacity
        self._signatures: OrderedDict[str, np.ndarray] = OrderedDict()
        self._buckets: dict[bytes, list[str]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, mention_id: str) -> bool:
        return mention_id in self._signatures

    def find(self, text: str, exclude: str = "") -> Match | None:
        """The stored text most like ``text`` if it is a near-duplicate, else None."""
        return self._find(signature(text), exclude)

    def add(self, mention_id: str, text: str) -> Match | None:
        """Remember ``text``; return the original it copies (None when it is an original)."""
        sig = signature(text)
        with self._lock:
            if mention_id in self._signatures:
                return None
            match = self._find(sig, mention_id)
            self._signatures[mention_id] = sig
            for key in _band_keys(sig):
                self._buckets.setdefault(key, []).append(mention_id)
            if len(self._signatures) > self._capacity:
                self._forget_oldest()
            return match

    def _find(self, sig: np.ndarray, exclude: str) -> Match | None:
        candidates: dict[str, None] = {}
        for key in _band_keys(sig):
            for other in self._buckets.get(key, ()):
                if other != exclude:
                    candidates.setdefault(other, None)
        best: Match | None = None
        for other in candidates:
            stored = self._signatures.get(other)
            if stored is None:
                continue
            similarity = float(np.mean(stored == sig))
            # Ties go to the earliest stored text: the first one seen is the original.
            if similarity >= self.threshold and (best is None or similarity > best.similarity):
                best = Match(original=other, similarity=round(similarity, 3))
        return best

    def _forget_oldest(self) -> None:
        oldest, sig = self._signatures.popitem(last=False)
        for key in _band_keys(sig):
            bucket = self._buckets.get(key)
            if bucket is None:
                continue
            try:
                bucket.remove(oldest)
            except ValueError:
                continue
            if not bucket:
                del self._buckets[key]

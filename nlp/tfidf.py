"""TF-IDF blocks stored as arrays: the rumour model's two ways of reading text, character
n-grams and jieba-word n-grams, over a fixed vocabulary (``nlp.rumor.model`` re-exports the
block; ``nlp.training.rumor_counts`` chooses the vocabulary and its IDF)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer


def segment(text: str) -> list[str]:
    """jieba words with the domain dictionary (the analysis stage's own segmentation)."""
    from core.text.segment import words

    return words(text)


def counter_for(analyzer: str, ngram_range: tuple[int, int], **options: Any) -> CountVectorizer:
    """Character n-grams, or jieba-word n-grams: the two ways the model reads text."""
    if analyzer == "char":
        return CountVectorizer(
            analyzer="char", ngram_range=ngram_range, lowercase=False, dtype=np.float64, **options
        )
    if analyzer == "word":
        return CountVectorizer(
            tokenizer=segment,
            token_pattern=None,
            ngram_range=ngram_range,
            lowercase=False,
            dtype=np.float64,
            **options,
        )
    raise ValueError(f"unknown analyzer {analyzer!r}")


@dataclass
class TfidfBlock:
    """N-gram TF-IDF (sublinear tf, l2 norm) over a fixed vocabulary."""

    ngram_range: tuple[int, int]
    terms: np.ndarray  # str array, column order
    idf: np.ndarray
    analyzer: str = "char"
    _counter: CountVectorizer | None = field(default=None, repr=False)
    _vocabulary: dict[str, int] = field(default_factory=dict, repr=False)

    def counter(self) -> CountVectorizer:
        if self._counter is None:
            self._vocabulary = {str(term): i for i, term in enumerate(self.terms)}
            self._counter = counter_for(
                self.analyzer, self.ngram_range, vocabulary=self._vocabulary
            )
        return self._counter

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """``CountVectorizer.transform`` with the same analyzer, counting n-grams with a
        ``Counter`` and looking up each distinct one once: scikit-learn looks up every
        occurrence in Python, and a post with its responses has thousands (the same matrix,
        checked by tests/test_nlp_rumor_model.py; 1-hour scoring ~15 % faster)."""
        analyze = self.counter().build_analyzer()
        vocabulary = self._vocabulary
        indices: list[int] = []
        values: list[int] = []
        indptr = [0]
        for text in texts:
            for term, n in Counter(analyze(text)).items():
                column = vocabulary.get(term)
                if column is not None:
                    indices.append(column)
                    values.append(n)
            indptr.append(len(indices))
        matrix = sp.csr_matrix(
            (np.asarray(values, dtype=np.float64), np.asarray(indices, dtype=np.int32), indptr),
            shape=(len(texts), len(self.terms)),
        )
        matrix.sort_indices()
        return matrix

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        # Works on the CSR arrays in place: the same numbers as TfidfTransformer(sublinear_tf,
        # norm="l2"), without its intermediate matrices (scoring one post is on the hot path).
        return sublinear_tfidf(self.counts(texts), self.idf)


def sublinear_tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Term counts (float CSR, one row per text) → sublinear tf × idf, rows l2-normalised,
    in place: the weighting of ``TfidfTransformer(sublinear_tf=True, norm="l2")``."""
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    lengths = np.diff(counts.indptr)
    rows = np.repeat(np.arange(counts.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=counts.data**2, minlength=counts.shape[0]))
    norms[norms == 0] = 1.0
    counts.data /= norms[rows]
    return counts


def smoothed_idf(document_frequency: np.ndarray, texts: int) -> np.ndarray:
    """The smoothed IDF of scikit-learn's TfidfTransformer, ln((1 + n) / (1 + df)) + 1, so a
    block fitted here weighs terms as a fitted vectorizer would."""
    return np.log((1 + texts) / (1 + document_frequency)) + 1.0

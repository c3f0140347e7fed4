"""Term counts computed once per training run and reused by every fold and horizon.

Tokenising is most of the cost of training: the responses of a post run to thousands of
characters, and jieba segments every post. Cross-validation used to tokenise the same texts
again for each fold and horizon. Here each text is counted once over the vocabulary of the
whole file; a fold's vocabulary is then the columns its training rows keep (seen in ≥ min_df
of them), with the IDF of those rows — the same numbers as fitting a vectorizer on the fold
(``tests/test_nlp_rumor_model.py`` checks the matrix against ``RumorModel.matrix``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from nlp.rumor.model import Rows
from nlp.tfidf import TfidfBlock, counter_for, smoothed_idf, sublinear_tfidf


@dataclass
class Counts:
    """Raw term counts of one text field over the whole file's vocabulary."""

    matrix: sp.csr_matrix
    terms: np.ndarray
    ngram_range: tuple[int, int]
    analyzer: str


def count(texts: Sequence[str], ngram: tuple[int, int], analyzer: str = "char") -> Counts:
    counter = counter_for(analyzer, ngram)
    if not any(texts):  # a vectorizer cannot fit on nothing: one placeholder term
        counter.fit(["\x00"])
        matrix = sp.csr_matrix((len(texts), 1), dtype=np.float64)
    else:
        matrix = sp.csr_matrix(counter.fit_transform(texts), dtype=np.float64)
    terms = np.asarray(counter.get_feature_names_out(), dtype=str)
    return Counts(matrix, terms, ngram, analyzer)


def recount(texts: Sequence[str], like: Counts) -> sp.csr_matrix:
    """Counts of other texts (the same field at another horizon) over ``like``'s vocabulary."""
    vocabulary = {str(term): i for i, term in enumerate(like.terms)}
    counter = counter_for(like.analyzer, like.ngram_range, vocabulary=vocabulary)
    return sp.csr_matrix(counter.transform(texts), dtype=np.float64)


def block_of(
    counts: sp.csr_matrix, whole: Counts, min_df: int, max_features: int | None
) -> tuple[TfidfBlock, np.ndarray]:
    """The block a vectorizer fitted on these rows would choose, and its columns in ``whole``.

    As scikit-learn's CountVectorizer: terms in ≥ min_df rows, then the ``max_features`` most
    frequent of them; IDF smoothed as its TfidfTransformer, ln((1 + n) / (1 + df)) + 1.
    """
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    columns = np.flatnonzero(document_frequency >= min_df)
    if max_features is not None and len(columns) > max_features:
        frequency = np.asarray(counts.sum(axis=0)).ravel()[columns]
        columns = np.sort(columns[np.argsort(-frequency, kind="stable")[:max_features]])
    idf = smoothed_idf(document_frequency[columns], counts.shape[0])
    block = TfidfBlock(whole.ngram_range, whole.terms[columns], idf, analyzer=whole.analyzer)
    return block, columns


def tfidf(counts: sp.csr_matrix, columns: np.ndarray, idf: np.ndarray) -> sp.csr_matrix:
    """``TfidfBlock.transform`` of texts whose counts over the whole vocabulary are known."""
    return sublinear_tfidf(sp.csr_matrix(counts[:, columns], dtype=np.float64), idf)


@dataclass
class Prepared:
    """Every post's rows and counts at each horizon, computed once."""

    rows: dict[float | None, Rows]
    post: Counts
    words: Counts
    response: Counts  # vocabulary of the last (widest) horizon
    responses: dict[float | None, sp.csr_matrix]


def prepare(
    rows: dict[float | None, Rows],
    post_ngram: tuple[int, int],
    word_ngram: tuple[int, int],
    response_ngram: tuple[int, int],
) -> Prepared:
    """Counts of the posts (the same text at every horizon) and of the responses per horizon.

    ``rows`` must hold "all responses" (None) or its widest horizon last: the response
    vocabulary is taken from it, and every earlier horizon's responses are a subset.
    """
    horizons = list(rows)
    widest = None if None in rows else horizons[-1]
    posts = rows[horizons[0]].posts
    response = count(rows[widest].responses, response_ngram)
    return Prepared(
        rows=rows,
        post=count(posts, post_ngram),
        words=count(posts, word_ngram, "word"),
        response=response,
        responses={
            h: response.matrix if h == widest else recount(r.responses, response)
            for h, r in rows.items()
        },
    )

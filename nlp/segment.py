"""Chinese word segmentation with jieba and the agency's domain dictionary.

Loaded once per process. The archive indexes ``index_tokens`` (jieba's search mode, which also
emits the shorter words inside long ones, so a search for 电梯 finds 电梯井) and parses queries
with ``query_tokens`` (precise mode), the combination jieba documents for search engines.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba

_DICTIONARY = Path(__file__).parent / "resources" / "domain_dict.txt"
_LOCK = threading.Lock()
_READY = False
# Runs of letters/digits/CJK; everything else (punctuation, emoji, spaces) separates tokens.
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)

jieba.setLogLevel(logging.WARNING)


def ensure_loaded(extra_dictionary: Path | None = None) -> None:
    """Initialise jieba and load the domain dictionary (and an optional site dictionary)."""
    global _READY
    with _LOCK:
        if _READY and extra_dictionary is None:
            return
        if not _READY:
            jieba.initialize()
            if _DICTIONARY.exists():
                jieba.load_userdict(str(_DICTIONARY))
            _READY = True
        if extra_dictionary is not None:
            jieba.load_userdict(str(extra_dictionary))
            # Words cut before the site dictionary may be cut differently now.
            _remembered.cache_clear()
            query_tokens.cache_clear()


def _keep(token: str) -> bool:
    return bool(token.strip()) and _WORDLIKE.search(token) is not None


def index_tokens(text: str) -> list[str]:
    """Tokens to index: search mode, lower-cased, punctuation dropped."""
    ensure_loaded()
    return [t.lower() for t in jieba.cut_for_search(text) if _keep(t)]


def cut_words(text: str) -> list[str]:
    """Precise-mode words, punctuation dropped: what analysis and queries use."""
    ensure_loaded()
    return [t.lower() for t in jieba.cut(text) if _keep(t)]


def words(text: str) -> list[str]:
    """``cut_words``, remembered for the last few thousand texts: the rumour model re-reads a
    post's text each time its replies re-score it."""
    ensure_loaded()
    return list(_remembered(text))


@lru_cache(maxsize=4096)
def _remembered(text: str) -> tuple[str, ...]:
    return tuple(cut_words(text))


def clause_words(text: str, breaks: re.Pattern[str]) -> list[list[str]]:
    """``words(text)`` cut into clauses at the tokens ``breaks`` matches, in one jieba pass.

    jieba never joins characters across punctuation or white space (it segments each run of
    Han characters and letters on its own), so this equals segmenting each clause separately,
    and the concatenated clauses equal ``words(text)``.
    """
    ensure_loaded()
    out: list[list[str]] = [[]]
    for token in jieba.cut(text):
        if _keep(token):
            out[-1].append(token.lower())
        elif breaks.search(token) and out[-1]:
            out.append([])
    return [clause for clause in out if clause]


@lru_cache(maxsize=4096)
def query_tokens(term: str) -> tuple[str, ...]:
    """Tokens of one query word or phrase (cached: dashboards repeat queries)."""
    return tuple(words(term))

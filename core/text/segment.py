"""Chinese word segmentation with jieba's dictionary and the agency's domain dictionary.

Loaded once per process. The archive indexes ``index_tokens`` (jieba's search mode, which also
emits the shorter words inside long ones, so a search for 电梯 finds 电梯井) and parses queries
with ``query_tokens`` (precise mode), the combination jieba documents for search engines.

Words come from rjieba (jieba-rs, jieba's algorithm and dictionary in Rust), ~9x faster than
jieba itself on one core. Two things make its words jieba's: tokens without a Han character
are split as jieba's HMM step splits them (t.cn -> t . cn, peng_iris -> peng _ iris; jieba-rs
keeps them whole), and search mode is jieba's own rule (a long word's in-dictionary 2- and
3-grams before it) on top of precise mode. On the CED posts and responses plus the food-safety
news (19,077 texts, benchmarks/nlp_throughput_bench.py) the words then equal jieba's in all but
3 texts, each an exact tie between two cuts of a repeated character (帅帅帅帅帅, 盒八八八).
jieba stays loaded for part-of-speech tagging (``jieba.posseg``, used on short spans).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba
import jieba.posseg as posseg
import rjieba

_DICTIONARY = Path(__file__).parent / "resources" / "domain_dict.txt"
_LOCK = threading.Lock()
_READY = False
# Runs of letters/digits/CJK; everything else (punctuation, emoji, spaces) separates tokens.
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
# jieba's own patterns (jieba/finalseg): Han characters, and the Latin/digit runs its HMM step
# keeps whole (3.5%, abc123) while it yields whatever lies between them (. _ -) on its own.
_HAN = re.compile("[\u4e00-\u9fd5]")
_LATIN_RUN = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# A user-dictionary line as jieba.load_userdict reads it: word, optional frequency and tag.
_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")

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
                _load_dictionary(_DICTIONARY)
            _READY = True
        if extra_dictionary is not None:
            _load_dictionary(extra_dictionary)
            # Words cut before the site dictionary may be cut differently now.
            _remembered.cache_clear()
            query_tokens.cache_clear()


def word_tags() -> dict[str, str]:
    """jieba's word -> part-of-speech table, with the tags of the user dictionaries in it.

    jieba.posseg moves the words ``load_userdict``/``add_word`` tagged into its table only at
    its next cut, so a table read before any cut in this process lacks them: an entity rule
    reading it then gave a text different firms depending on what the process had tagged
    before (a fresh analysis helper and the leaseholder disagreed, 维保 a firm or not)."""
    ensure_loaded()
    posseg.dt.makesure_userdict_loaded()
    table: dict[str, str] = posseg.dt.word_tag_tab
    return table


def _load_dictionary(path: Path) -> None:
    """Add a user dictionary to both segmenters (jieba for tagging, rjieba for words)."""
    jieba.load_userdict(str(path))
    for word, freq, tag in dictionary_entries(path):
        rjieba.add_word(word, freq, tag)


def dictionary_entries(path: Path) -> list[tuple[str, int | None, str | None]]:
    """A user dictionary's (word, frequency, tag) lines, parsed as jieba.load_userdict does
    (a missing frequency lets the segmenter suggest one that keeps the word whole)."""
    entries: list[tuple[str, int | None, str | None]] = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        match = _USERDICT_LINE.match(line) if line else None
        if match:
            word, freq, tag = match.groups()
            entries.append((word, int(freq) if freq else None, tag.strip() if tag else None))
    return entries


def _split_like_jieba(token: str) -> list[str]:
    if len(token) == 1 or _HAN.search(token) or _LATIN_RUN.fullmatch(token):
        return [token]
    return [part for part in _LATIN_RUN.split(token) if part]


def _cut(text: str) -> list[str]:
    """Precise-mode tokens, punctuation and spaces included: jieba.cut(text)'s output."""
    return [part for token in rjieba.cut(text) for part in _split_like_jieba(token)]


def _cut_for_search(text: str) -> list[str]:
    """jieba.cut_for_search(text): each word preceded by its in-dictionary 2- and 3-grams."""
    out: list[str] = []
    for word in _cut(text):
        for n in (2, 3):
            if len(word) > n:
                grams = (word[i : i + n] for i in range(len(word) - n + 1))
                out.extend(gram for gram in grams if rjieba.has_word(gram))
        out.append(word)
    return out


def _keep(token: str) -> bool:
    return bool(token.strip()) and _WORDLIKE.search(token) is not None


def index_tokens(text: str) -> list[str]:
    """Tokens to index: search mode, lower-cased, punctuation dropped."""
    ensure_loaded()
    return [t.lower() for t in _cut_for_search(text) if _keep(t)]


def cut_words(text: str) -> list[str]:
    """Precise-mode words, punctuation dropped: what analysis and queries use."""
    ensure_loaded()
    return [t.lower() for t in _cut(text) if _keep(t)]


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
    for token in _cut(text):
        if _keep(token):
            out[-1].append(token.lower())
        elif breaks.search(token) and out[-1]:
            out.append([])
    return [clause for clause in out if clause]


@lru_cache(maxsize=4096)
def query_tokens(term: str) -> tuple[str, ...]:
    """Tokens of one query word or phrase (cached: dashboards repeat queries)."""
    return tuple(words(term))

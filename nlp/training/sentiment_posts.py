"""Weak labels of original posts for ``yuqing train sentiment``: their own emoticons, and
reporting without a stance as neutral.

Posts by their own emoticons (``emoticon_posts``): an original post of CED, Weibo21 or mm17 whose
own words carry an emoticon of one side's list only is an example of that side, the emoticons
removed from the text the model reads, as for the responses. Posts are the kind the responses
teach least (a post reports, a response reacts), so these few hundred count as posts do.

The emoticon labels of CED's responses only say negative or positive; a response without an
emoticon is not neutral (it holds much unmarked anger and sarcasm, see
``nlp.training.sentiment_train``). Neutral here is what the press office reads as plain
reporting or informing: a tech or business report, an entertainment item, an exam notice, a
weather warning, a tip. Such posts are neutral by where they come from and how they are
written, not by a reader's judgement:

- non-rumour posts of Weibo21's domains that are mostly reports (``REPORT_DOMAINS``: 科技,
  财经商业, 文体娱乐, 教育考试, 军事); the incident domains (灾难事故, 社会生活, 医药健康, 政治)
  are left out, their reports are mostly about harm, which the sample calls negative;
- non-rumour posts of CED, Weibo21 and mm17 that open as a notice or a tip (``NOTICE``:
  提醒, 提示, 发布, 预警, 通知, 公告...) in their first ``OPENING`` characters;
- and of those, only posts that take no side by the signs a reader sees: no emoticon of either
  side's list and no opinion word of the lexicon (``|net polarity| < NEUTRAL_BAND`` of
  ``nlp.sentiment``), no exclamation run, no question mark (a question is usually a complaint
  or a taunt on Weibo).

Disaster reports (``disaster_posts``): Weibo21's 灾难事故 posts as negative, by the sample's
definition (alarm, harm, an accident is negative news whoever reports it).

Kept out like every other training text: the posts the labelled samples draw from and near-copies
of any sample text (``NearCopies``, passed in by the caller).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from nlp.sentiment import NEUTRAL_BAND, lexicon_sentiment
from nlp.text import EMOTICON, Document, document_from_text
from nlp.training.evaluation import CED, dataset_path, read_lines

WEIBO21 = "rumor_more/weibo21.jsonl.gz"
MM17 = "rumor_more/mm17.jsonl.gz"
REPORT_DOMAINS = frozenset(["科技", "财经商业", "文体娱乐", "教育考试", "军事"])
DISASTER_DOMAIN = "灾难事故"
NOTICE = re.compile("提醒|提示|发布|预警|通知|公告|通告|温馨|注意|小贴士|指南|天气|气象")
OPENING = 30
# Reports are long; the sample's posts are one or two sentences to a few hundred characters.
MAX_CHARS = 300
MIN_CHARS = 10
_LOUD = re.compile(r"[!！]{2,}|[?？]")


def _takes_no_side(text: str, document: Document, polar_codes: frozenset[str]) -> bool:
    if _LOUD.search(text):
        return False
    if any(m.group(1).lower() in polar_codes for m in EMOTICON.finditer(text)):
        return False
    return abs(lexicon_sentiment(document).score) < NEUTRAL_BAND


def emoticon_posts(
    root: Path | None,
    skip: set[tuple[str, int]],
    is_near: Callable[[str], bool],
    label_of: Callable[[str], int | None],
    counts: Counter[str],
) -> Iterator[tuple[tuple[tuple[str, ...], ...], int]]:
    """(sentiment clauses, 0 negative or 2 positive) of each post its own emoticons label
    (``label_of``: the responses' ``weak_label``)."""
    for source, relative in (("ced", CED), ("weibo21", WEIBO21), ("mm17", MM17)):
        for number, record in read_lines(dataset_path(relative, root)):
            text = str(record.get("text") or "")
            label = label_of(text) if EMOTICON.search(text) else None
            if label not in (0, 2):
                continue
            if (source, number) in skip or is_near(text):
                counts["emoticon_posts_skipped_in_sample"] += 1
                continue
            counts[f"emoticon_posts_{source}"] += 1
            yield document_from_text(text).sentiment_clauses, int(label or 0)


def neutral_posts(
    root: Path | None,
    skip: set[tuple[str, int]],
    is_near: Callable[[str], bool],
    polar_codes: frozenset[str],
    counts: Counter[str],
) -> Iterator[tuple[tuple[str, ...], ...]]:
    """The sentiment clauses of each weak neutral post, counting why others were left out.
    ``skip`` holds (source, line) pairs the labelled samples draw from."""
    for source, relative in (("ced", CED), ("weibo21", WEIBO21), ("mm17", MM17)):
        for number, record in read_lines(dataset_path(relative, root)):
            text = str(record.get("text") or "")[:MAX_CHARS]
            if record.get("label") != "non-rumor" or len(text) < MIN_CHARS:
                continue
            by_domain = record.get("domain") in REPORT_DOMAINS
            if not (by_domain or NOTICE.search(text[:OPENING])):
                continue
            if (source, number) in skip or is_near(text):
                counts["neutral_skipped_in_sample"] += 1
                continue
            document = document_from_text(text)
            if not _takes_no_side(text, document, polar_codes):
                counts["neutral_skipped_takes_a_side"] += 1
                continue
            counts[f"neutral_{source}"] += 1
            yield document.sentiment_clauses


def disaster_posts(
    root: Path | None,
    skip: set[tuple[str, int]],
    is_near: Callable[[str], bool],
    counts: Counter[str],
) -> Iterator[tuple[tuple[str, ...], ...]]:
    """The sentiment clauses of Weibo21's 灾难事故 posts (true or not: a disaster or accident
    report is alarm or harm either way, which the sample labels negative)."""
    for number, record in read_lines(dataset_path(WEIBO21, root)):
        text = str(record.get("text") or "")[:MAX_CHARS]
        if record.get("domain") != DISASTER_DOMAIN or len(text) < MIN_CHARS:
            continue
        if ("weibo21", number) in skip or is_near(text):
            counts["disaster_skipped_in_sample"] += 1
            continue
        counts["disaster_weibo21"] += 1
        yield document_from_text(text).sentiment_clauses

"""The main text of an article page, chosen per page among three extractors by their agreement.

Three readings of the page, each good where the others fail:

- **trafilatura** (maintained, rule-based, handles most modern layouts, but often runs on into
  "related news" lists or stops at a caption);
- **the densest block**: the element whose own paragraphs (``<p>`` children, or text between
  ``<br>`` in ``<td>``/``<div>`` bodies of old table layouts) hold the most text that is not
  link text; exact on CMS pages, lost when the body is split over several containers;
- **readability-lxml** (Mozilla Readability's scoring of candidate containers), read only when
  the first two disagree, since it is the slowest of the three.

The criterion, measured per page: each reading's character F1 against the others, and the
reading that agrees most with the rest wins (the "medoid": what two independent methods both
found is rarely boilerplate, and a reading that went astray, a comment list or another
article, agrees with nobody). A reading with almost no text does not vote. When the winner
holds the densest block almost entirely and that block is at least half of it, the block is
the tighter answer and wins. Comments are kept out by all three: trafilatura drops them,
Readability's class weights sink them, and the densest block skips comment containers.
When the chosen text starts far from the title the extractor found, the text under the title
is used instead (``anchored_body``). Measured on the tuning part of the development pages
(``benchmarks/extract_bench.py``, 51 pages with a labelled body): mean body F1 0.892 with the
previous trafilatura-then-paragraphs chain, 0.940 with the agreement choice, 0.969 with the
title anchor; readability-lxml alone 0.915, trafilatura alone 0.819.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from lxml import html as lxml_html
from parsel import Selector

from crawlers.boilerplate import trim_edges
from crawlers.page_layout import Layout, after_title
from crawlers.text import clean_text

__all__ = [
    "anchored_body",
    "choose_body",
    "containment",
    "densest_block",
    "readability_text",
]

# A reading with fewer letters than this does not vote (an empty or caption-only result).
_MIN_READING = 30
# Two readings at this F1 or above agree: Readability is not needed to settle it.
_AGREE = 0.9
# Scores within this margin are a tie, settled by the order readability, block, trafilatura
# (Readability was the best single reading on the tuning pages).
_TIE = 0.05
# The densest block replaces the winner when the winner holds this share of its letters and
# the block has at least this share of the winner's length (0.5; 0.8 lost sina/2, whose
# winner carried a caption and an editor's note around a 192-letter body).
_INSIDE = 0.9
_TIGHTER = 0.5
# A body that starts more than this many text nodes below its title is somewhere else.
_FAR = 40
# Link texts this long are headlines; a line whose letters are half link text is a list item.
_MIN_LINK_CHARS = 4
_LINKED_SHARE = 0.5
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_COMMENT = re.compile(r"(?i)comment|reply|replies|pinglun|discuss|remark")
_INLINE = {"font", "span", "b", "strong", "em", "i", "u", "a", "small", "big", "center"}
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "pre", "blockquote"}


def wordlike(text: str) -> str:
    return "".join(_WORDLIKE.findall(text))


def containment(part: str, whole: str) -> float:
    """Share of ``part``'s letters (as a multiset) that ``whole`` also has."""
    mine, theirs = Counter(wordlike(part)), Counter(wordlike(whole))
    return sum((mine & theirs).values()) / max(sum(mine.values()), 1)


def agreement(a: str, b: str) -> float:
    """Character F1 of two readings (letters as multisets)."""
    mine, theirs = Counter(wordlike(a)), Counter(wordlike(b))
    overlap = sum((mine & theirs).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(mine.values()), overlap / sum(theirs.values())
    return 2 * precision * recall / (precision + recall)


def choose_body(page: Selector, html: str, trafilatura_text: str) -> tuple[str, str]:
    """The main text and the reading it came from ("paragraphs", "trafilatura", "readability")."""
    anchors = _anchor_texts(page)
    readings = {
        "paragraphs": _tidy(densest_block(page.root), anchors),
        "trafilatura": _tidy(clean_text(trafilatura_text), anchors),
    }
    block, traf = readings["paragraphs"], readings["trafilatura"]
    if agreement(block, traf) < _AGREE or len(wordlike(block)) < _MIN_READING:
        readings["readability"] = _tidy(readability_text(html), anchors)
    voters = {k: v for k, v in readings.items() if len(wordlike(v)) >= _MIN_READING}
    if not voters:  # a brief: the tightest reading that has any text
        name = next((n for n in readings if wordlike(readings[n])), "trafilatura")
        return readings[name], name
    pick = _medoid(voters)
    if (
        pick != "paragraphs"
        and "paragraphs" in voters
        and containment(block, voters[pick]) >= _INSIDE
        and len(wordlike(block)) >= _TIGHTER * len(wordlike(voters[pick]))
    ):
        pick = "paragraphs"
    return voters[pick], pick


def anchored_body(layout: Layout, chosen: str) -> str:
    """The text under the title, when the chosen body is somewhere else on the page.

    A page whose densest container is not the article (a feed of other stories under a short
    post, a quote box) fools all three readings alike; the title the extractor found says
    where the article is. Used only when the chosen body starts far from the title (more
    than ``_FAR`` text nodes below it, above it, or below a comment block) and the text under
    the title is a different text of some length.
    """
    if not layout.title_found or layout.title_node is None:
        return ""
    found, title = layout.body_found, layout.title_node
    if found is None:
        return ""
    # A comment block between the title and the chosen body: the body is under the comments.
    commented = any(flags[2] for flags in layout.flags[title + 1 : found])
    if 0 <= found - title <= _FAR and not commented:
        return ""
    text = trim_edges(clean_text(after_title(layout)))
    if len(wordlike(text)) < _MIN_READING or containment(text, chosen) >= _INSIDE:
        return ""
    return text


def _medoid(voters: dict[str, str]) -> str:
    order = ("readability", "paragraphs", "trafilatura")
    names = [n for n in order if n in voters]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        a, b = names
        if agreement(voters[a], voters[b]) >= 0.5:
            return a
        # Two readings that disagree: the longer one, the other probably caught a fragment.
        return a if len(wordlike(voters[a])) >= len(wordlike(voters[b])) else b
    scores = {n: sum(agreement(voters[n], voters[m]) for m in names if m != n) for n in names}
    best = max(scores.values())
    return next(n for n in names if scores[n] >= best - _TIE)


def _tidy(text: str, anchors: set[str]) -> str:
    return trim_edges(_without_link_lines(text, anchors))


def _anchor_texts(page: Selector) -> set[str]:
    anchors = {wordlike(a.text_content()) for a in page.root.iter("a")}
    return {a for a in anchors if len(a) >= _MIN_LINK_CHARS}


def _without_link_lines(text: str, anchors: set[str]) -> str:
    """Drop the lines before and after the body that are mostly link text: headline lists.

    Only the edges: inside the body a line may quote a linked headline (and 原标题 lines
    repeat the page's own title, which other pages link to).
    """

    def is_links(line: str) -> bool:
        letters = wordlike(line)
        if not letters or line.lstrip().startswith(("原标题", "（原标题")):
            return False
        return sum(len(a) for a in anchors if a in letters) >= _LINKED_SHARE * len(letters)

    lines = text.split("\n")
    start, end = 0, len(lines)
    while start < end and is_links(lines[start]):
        start += 1
    while end > start and is_links(lines[end - 1]):
        end -= 1
    return "\n".join(lines[start:end])


def densest_block(root: Any) -> str:
    """The container whose own paragraphs hold the most text that is not link text.

    A container with ``<p>`` children is read through them (modern CMS bodies); one without
    (old table layouts: text and ``<br>`` straight in a ``<td>``, or ``<font>`` runs) is read
    through its own text and inline children. Comment blocks are never candidates.
    """
    best, best_score = "", 0
    skipped = _comment_subtrees(root)
    for element in root.iter():
        if not isinstance(element.tag, str) or element in skipped:
            continue
        children = [c for c in element if isinstance(c.tag, str)]
        has_p = any(c.tag == "p" for c in children)
        if not has_p and not any(c.tag == "br" for c in children) and element.tag != "td":
            continue
        parts, score = _own_text(element, children, has_p)
        if score > best_score:
            best, best_score = "\n".join(parts), score
    return clean_text(best)


def _own_text(element: Any, children: list[Any], has_p: bool) -> tuple[list[str], int]:
    parts: list[str] = []
    score = 0
    line = [] if has_p else [element.text or ""]
    for child in children:
        if child.tag == "p" or (not has_p and child.tag in _INLINE):
            text = child.text_content()
            linked = sum(len(wordlike(a.text_content())) for a in child.iter("a"))
            score += len(wordlike(text)) - linked
            if child.tag == "p":
                parts.append(" ".join(text.split()))
            else:
                line.append(text)
        elif child.tag == "br" and line:
            parts.append(" ".join("".join(line).split()))
            line = []
        if not has_p and child.tail:
            line.append(child.tail)
    if line:
        parts.append(" ".join("".join(line).split()))
    if not has_p:
        score += len(wordlike((element.text or "") + "".join(c.tail or "" for c in children)))
    return [p for p in parts if p], score


def _comment_subtrees(root: Any) -> set[Any]:
    found: set[Any] = set()
    for element in root.iter():
        if element in found or not isinstance(element.tag, str):
            continue
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if _COMMENT.search(names):
            found.update(element.iter())
    return found


def readability_text(html: str) -> str:
    """readability-lxml's main content, as text with a line per block."""
    from readability import Document  # imported here: only pages the others disagree on

    try:
        summary = Document(html).summary(html_partial=True)
        tree = lxml_html.fromstring(summary)
    except Exception:  # readability and lxml raise many types on hostile markup
        return ""
    for block in tree.iter(*_BLOCKS):
        block.tail = "\n" + (block.tail or "")
    return clean_text(tree.text_content())

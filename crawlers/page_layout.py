"""Where a piece of visible text sits on an article page: before the title, in the header
block between the title and the body, in the body, after it; inside a link, a list, a
comment block or a footer.

The page's visible text is read once, node by node, into one string with each node's offset,
so a caller can run a regular expression over the whole text (a date split over two
``<span>`` elements still matches) and ask, for any offset, where on the page it is. The
title and the body are located by the text the extractor already chose for them, which works
on layouts without ``<h1>`` (old table pages put the title in ``<td><font><b>``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from crawlers.dates import normalise_digits

__all__ = ["Layout", "Spot", "after_title", "read_layout"]

_SKIP = {"script", "style", "noscript", "head", "title", "select", "option", "textarea"}
_LIST_TAGS = {"li", "ul", "ol", "dl", "dd", "dt"}
# Class or id words of the blocks that hold other texts' times: comments and replies,
# footers, "related" and "recommended" lists, sidebars.
_COMMENT = re.compile(r"(?i)comment|reply|replies|pinglun|discuss|review|remark|feedback")
_FOOTER = re.compile(r"(?i)foot|copyright|bottom|banquan")
_RELATED = re.compile(r"(?i)related|relate|recommend|tuijian|xiangguan|hot|rank|sidebar|aside")
# Class or id words of the elements that hold the byline.
_INFO = re.compile(r"(?i)time|date|info|source|author|byline|pub|meta|laiyuan|blow|attr")
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
# A title match needs this many letters; shorter strings are too common to locate anything.
_MIN_TITLE = 4
# Without a located body, the header block is this many text nodes after the title.
_HEADER_NODES = 15
_HEADER_GUESS = 8
# Letters of a body line searched for, and the length of a node that is a sentence, not a
# byline piece.
_PROBE = 10
_SENTENCE = 50
_BYLINE_LINES = 5


@dataclass(frozen=True)
class Spot:
    """Where an offset of the page's text is."""

    region: str  # "before" (the title), "header", "body", "after", or "page" (no title found)
    node: int  # index of the text node, counted from the title node when there is one
    in_link: bool = False
    in_list: bool = False
    in_comment: bool = False
    in_footer: bool = False
    in_related: bool = False
    in_info: bool = False


@dataclass
class Layout:
    text: str  # the visible text, normalised for date matching, nodes joined by " "
    starts: list[int] = field(default_factory=list)  # offset of each node in ``text``
    flags: list[tuple[bool, ...]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)  # each node's text as the page has it
    title_node: int | None = None
    title_found: bool = False  # False: title_node is a guess above the body
    body_found: int | None = None  # the node where the extracted body's first line is
    body_start: int | None = None  # where the header block ends
    body_end: int | None = None

    def node_text(self, offset: int) -> str:
        """The text of the node at ``offset``."""
        index = max(bisect_right(self.starts, offset) - 1, 0)
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[index] : end] if self.starts else ""

    def spot(self, offset: int) -> Spot:
        index = max(bisect_right(self.starts, offset) - 1, 0)
        link, listed, comment, footer, related, info = (
            self.flags[index] if self.flags else ((False,) * 6)
        )
        region, node = "page", index
        if self.title_node is not None:
            node = index - self.title_node
            if index <= self.title_node:
                region = "before" if index < self.title_node else "header"
            elif self.body_start is None:
                region = "header" if node <= _HEADER_NODES else "after"
            elif index < self.body_start:
                region = "header"
            elif self.body_end is None or index <= self.body_end:
                region = "body"
            else:
                region = "after"
        return Spot(region, node, link, listed, comment, footer, related, info)


def _wordlike(text: str) -> str:
    return "".join(_WORDLIKE.findall(text))


def read_layout(root: Any, title: str, body: str) -> Layout:
    """The page's visible text with node offsets, and where the title and the body sit."""
    nodes: list[str] = []
    raw: list[str] = []
    flags: list[tuple[bool, ...]] = []
    cache: dict[Any, tuple[bool, ...]] = {}
    for node in root.xpath("//body//text()") or root.xpath("//text()"):
        parent = node.getparent()
        if parent is None:
            continue
        holder = parent.getparent() if node.is_tail else parent
        if holder is None:
            continue
        found = _flags(holder, cache)
        if found[-1] or (not node.is_tail and parent.tag in _SKIP):
            continue
        text = " ".join(str(node).split())
        if not text:
            continue
        nodes.append(normalise_digits(text))
        raw.append(text)
        flags.append(found[:-1])
    layout = Layout(text="", flags=flags, raw=raw)
    offset = 0
    for text in nodes:
        layout.starts.append(offset)
        offset += len(text) + 1
    layout.text = " ".join(nodes)
    _locate(layout, nodes, title, body)
    return layout


def _flags(element: Any, cache: dict[Any, tuple[bool, ...]]) -> tuple[bool, ...]:
    """(link, list, comment, footer, related, info, hidden) for the element and its ancestors;
    hidden: inside a script, a style or the head, whose text no reader sees."""
    if element in cache:
        return cache[element]
    parent = element.getparent()
    inherited = _flags(parent, cache) if parent is not None else (False,) * 7
    tag = element.tag if isinstance(element.tag, str) else "#"
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    own = (
        tag == "a",
        tag in _LIST_TAGS,
        bool(_COMMENT.search(names)),
        tag == "footer" or bool(_FOOTER.search(names)),
        tag == "aside" or bool(_RELATED.search(names)),
        bool(_INFO.search(names)) or tag == "time",
        tag in _SKIP or tag == "#",
    )
    result = tuple(a or b for a, b in zip(inherited, own, strict=True))
    cache[element] = result
    return result


def _locate(layout: Layout, nodes: list[str], title: str, body: str) -> None:
    """Find the title's node and the body's span, by the letters the extractor chose.

    The page's letters are searched as one stream, so a body line split over several nodes
    is still found. The title is the last node matching it at or before the body's first
    line (a breadcrumb repeats the title earlier); a body whose first line begins with the
    title starts at the next occurrence. The header block also ends at the first sentence-long
    node after the title: bylines are short, and some bodies begin with their byline.
    """
    letters = [_wordlike(text) for text in nodes]
    offsets, total = [], 0
    for part in letters:
        offsets.append(total)
        total += len(part)
    stream = "".join(letters)

    def node_at(position: int) -> int:
        return max(bisect_right(offsets, position) - 1, 0)

    title_letters = _wordlike(normalise_digits(title))
    lines = [_wordlike(normalise_digits(line)) for line in body.split("\n")]
    lines = [line for line in lines if len(line) >= _MIN_TITLE]
    first = lines[0][:_PROBE] if lines else ""
    found = stream.find(first) if first else -1
    start = node_at(found) if found >= 0 else None
    layout.body_found = start
    titles = []
    if len(title_letters) >= _MIN_TITLE:
        titles = [i for i, t in enumerate(letters) if _is_title(t, title_letters)]
    before = [i for i in titles if start is None or i <= start]
    if before:
        layout.title_node, layout.title_found = before[-1], True
        if start is not None and start == layout.title_node and layout.title_node + 1 < len(nodes):
            again = stream.find(first, offsets[layout.title_node + 1])
            start = node_at(again) if again >= 0 else layout.title_node + 1
    elif titles and start is not None and titles[0] - start <= _HEADER_NODES:
        # The body began with its own heading.
        layout.title_node, layout.title_found, start = titles[0], True, None
    elif start is not None:
        # No title found: the few nodes above the body stand for the header block.
        layout.title_node = max(start - _HEADER_GUESS, 0)
    if layout.title_node is not None:
        stop = min(len(letters), layout.title_node + 1 + _HEADER_NODES)
        sentence = next(
            (i for i in range(layout.title_node + 1, stop) if len(letters[i]) >= _SENTENCE), None
        )
        # A body that begins with a few short lines (its byline, a dateline) starts, for the
        # header block, at its first sentence.
        if sentence is not None and (start is None or sentence <= start + _BYLINE_LINES):
            start = sentence
    layout.body_start = start
    if start is not None and lines:
        last = stream.find(lines[-1][-_PROBE:], offsets[start])
        layout.body_end = node_at(last) if last >= 0 else None


def _is_title(node: str, title: str) -> bool:
    if len(node) < _MIN_TITLE:
        return False
    if node == title or (title in node and len(node) <= len(title) + 12):
        return True
    return node in title and len(node) >= 0.6 * len(title)


def after_title(layout: Layout) -> str:
    """The text that follows the title up to the first link, list, footer or comment node.

    What a reader sees under the headline; the body of a page whose main container is
    something else (a feed of other articles, a player) starts here.
    """
    if layout.title_node is None or not layout.title_found:
        return ""
    lines: list[str] = []
    for index in range(layout.title_node + 1, len(layout.raw)):
        link, listed, comment, footer, related, _ = layout.flags[index]
        if link or comment or footer or related or (listed and lines):
            break
        lines.append(layout.raw[index])
    return "\n".join(lines)

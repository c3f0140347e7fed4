"""Pages nested deeper than the HTML parser follows, flattened before extraction.

libxml2 (under lxml, parsel and trafilatura) stops building the tree a few hundred elements
deep and drops what lies below: a page of thousands of nested ``<div>`` lost its whole body
without a word. Such pages (broken generators, hostile markup) are rare, so the check is a
cheap count first; a deep page loses its wrapper tags (the text, paragraphs, headings and links
stay), which is all the extractors need.
"""

from __future__ import annotations

import re

# libxml2's HTML parser gives up at depth 256; keep well clear of it.
MAX_DEPTH = 200
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# Wrappers whose removal keeps the text and its reading order.
_WRAPPERS = re.compile(
    r"</?(?:div|span|font|section|article|center|blockquote|main|aside|b|i|em|strong|u|small)"
    r"\b[^>]*>",
    re.IGNORECASE,
)
# What is kept when wrappers alone are not enough: the parts extraction reads.
_KEEP = re.compile(
    r"</?(?:html|head|title|meta|body|p|br|h[1-6]|a|time|li|ul|ol|table|tr|td|th|pre)\b[^>]*>",
    re.IGNORECASE,
)


def nesting_depth(html: str) -> int:
    """The deepest element nesting in ``html`` (void and self-closed elements do not nest)."""
    depth = deepest = 0
    for closing, name, self_closed in _TAG.findall(html):
        if name.lower() in _VOID or self_closed:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def flatten_deep_nesting(html: str) -> str:
    """``html`` unchanged when the parser can follow it, else without its wrapper tags."""
    if html.count("<") < MAX_DEPTH or nesting_depth(html) <= MAX_DEPTH:
        return html
    flat = _WRAPPERS.sub(" ", html)
    if nesting_depth(flat) <= MAX_DEPTH:
        return flat
    return _TAG.sub(lambda m: m.group(0) if _KEEP.fullmatch(m.group(0)) else " ", flat)

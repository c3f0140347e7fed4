"""Article extraction: title, main text, author and publish time from one news or official page.

Each field goes down a fallback chain and the first stage that yields something wins:
site ``selectors`` from the configuration (the operator knows the site best), then trafilatura
(a maintained extractor that handles most layouts), then a simple <p>-density heuristic so
that a page trafilatura rejects still gives its text. Publish times get special care because
trafilatura's date is day-precise and Chinese pages print the minute next to the title.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from configparser import ConfigParser
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import trafilatura
from parsel import Selector
from trafilatura.settings import use_config

from crawlers.boilerplate import trim_edges
from crawlers.nesting import flatten_deep_nesting
from crawlers.pubtime import find_published
from crawlers.text import clean_text

__all__ = ["Article", "extract_article", "select_text"]

# Elements whose class or id says they hold the byline or the time.
_INFO_XPATH = (
    "//*[self::div or self::span or self::p or self::em or self::time or self::small]"
    "[re:test(concat(@class, ' ', @id),"
    " '(?i)(time|date|info|source|author|byline|pub|meta|laiyuan)')]"
)
_NAME = r"[\u4e00-\u9fff·]{2,5}"
_AUTHOR = re.compile(
    r"(?:作者|记者|撰稿|文\s*[/／|｜])\s*[:：]?\s*(" + _NAME + r"(?:[ 、，,]" + _NAME + r"){0,3})"
)
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|｜—]+)\s*")


# Below this many characters a trafilatura result is checked against the <p> heuristic.
_SHORT_TEXT = 200
# A <p> container is the body when it has this many letters and trafilatura's text holds at
# least this share of them (0.9: below it the container held more than the article on the
# GNE pages, e.g. a comment list; see benchmarks/extract_bench.py).
_MIN_BODY = 100
_INSIDE = 0.9
# Link texts this long are headlines; a line whose letters are half link text is a list item.
_MIN_LINK_CHARS = 4
_LINKED_SHARE = 0.5
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


@dataclass
class Article:
    title: str = ""
    text: str = ""
    author: str = ""
    published_at: datetime | None = None
    published_raw: str = ""
    # Which stage supplied the text: "selectors", "trafilatura" or "paragraphs".
    method: str = ""


def extract_article(
    html: str, url: str, now: datetime, selectors: Mapping[str, str] | None = None
) -> Article:
    """Extract what a mention needs from ``html``; missing fields stay empty, never invented."""
    html = flatten_deep_nesting(html)
    page = Selector(text=html)
    selectors = selectors or {}
    document = _trafilatura(html, url)
    article = Article()
    article.title = _title(page, selectors, document)
    article.text, article.method = _main_text(page, selectors, document)
    article.text = _without_heading(article.text, article.title)
    article.author = _author(page, selectors, document)
    article.published_at, article.published_raw = find_published(
        page, selectors, document, now, select_text
    )
    return article


def select_text(page: Selector, query: str) -> str:
    """Text of every node a CSS or XPath query matches (XPath when it starts with / or ()."""
    nodes = page.xpath(query) if query.lstrip().startswith(("/", "(")) else page.css(query)
    parts: list[str] = []
    for node in nodes:
        if isinstance(node.root, str):
            parts.append(node.root)
        else:
            parts.append("\n".join(node.xpath(".//text()[normalize-space()]").getall()))
    return clean_text("\n".join(parts))


def _trafilatura_config() -> ConfigParser:
    """trafilatura's defaults, tuned for Chinese news.

    Its minimum of 250 extracted characters suits English; a complete Chinese news brief
    (快讯) is often 100 characters, and below the minimum trafilatura falls back to the whole
    page, navigation and all. The signal-based timeout is off: crawls run in a thread.
    htmldate's extensive search runs dateparser over every text node (60 ms a page) to find
    what ``_published`` already read from the byline; its quick search is kept as a fallback.
    """
    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "20")
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "10")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return config


_CONFIG = _trafilatura_config()


def _trafilatura(html: str, url: str) -> dict[str, Any]:
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=False,
            include_comments=False,
            include_tables=False,
            config=_CONFIG,
        )
    except Exception:  # trafilatura raises many types on hostile markup; fall back instead
        return {}
    if document is None:
        return {}
    return document if isinstance(document, dict) else document.as_dict()


def _title(page: Selector, selectors: Mapping[str, str], document: Mapping[str, Any]) -> str:
    if selectors.get("title"):
        chosen = select_text(page, selectors["title"])
        if chosen:
            return chosen.splitlines()[0]
    head_title = clean_text(page.xpath("string(//title)").get() or "")
    # The heading's own text: on broken pages an unclosed <h1> holds the whole article.
    candidates = [clean_text("".join(h.xpath("./text()").getall())) for h in page.xpath("//h1")]
    candidates += [
        clean_text(t)
        for t in page.xpath("//h1//text()[normalize-space()]/..").xpath("string(.)").getall()
    ]
    candidates += [
        clean_text(page.xpath("//meta[@property='og:title']/@content").get() or ""),
        clean_text(str(document.get("title") or "")),
    ]
    candidates = [c for c in candidates if 4 <= len(c) <= 120]
    # The article's own heading is the one the <title> repeats; a logo <h1> is not.
    for candidate in candidates:
        if candidate in head_title:
            return candidate
    if candidates:
        return candidates[0]
    pieces = [p for p in _TITLE_SPLIT.split(head_title) if p]
    return max(pieces, key=len) if pieces else ""


def _main_text(
    page: Selector, selectors: Mapping[str, str], document: Mapping[str, Any]
) -> tuple[str, str]:
    if selectors.get("text"):
        chosen = select_text(page, selectors["text"])
        if chosen:
            return chosen, "selectors"
    text = trim_edges(_without_link_lines(clean_text(str(document.get("text") or "")), page))
    paragraphs = trim_edges(_without_link_lines(_paragraph_text(page), page))
    # trafilatura finds the article but often runs on into "related news" lists; the densest
    # container of <p> is the body itself when trafilatura's text holds it (measured on the
    # GNE pages: body char-F1 0.83 with trafilatura alone, 0.97 with this choice).
    if len(_wordlike(paragraphs)) >= _MIN_BODY and _containment(paragraphs, text) >= _INSIDE:
        return paragraphs, "paragraphs"
    if len(text) >= _SHORT_TEXT:
        return text, "trafilatura"
    # A short result may be a brief, or trafilatura may have picked a caption or a footer
    # (it does on WeChat pages): the paragraphs win when they hold clearly more text.
    if len(paragraphs) > 2 * len(text):
        return paragraphs, "paragraphs"
    return text, "trafilatura"


def _wordlike(text: str) -> str:
    return "".join(_WORDLIKE.findall(text))


def _containment(part: str, whole: str) -> float:
    """Share of ``part``'s letters (as a multiset) that ``whole`` also has."""
    mine, theirs = Counter(_wordlike(part)), Counter(_wordlike(whole))
    return sum((mine & theirs).values()) / max(sum(mine.values()), 1)


def _without_link_lines(text: str, page: Selector) -> str:
    """Drop the lines before and after the body that are mostly link text: headline lists.

    Only the edges: inside the body a line may quote a linked headline (and 原标题 lines
    repeat the page's own title, which other pages link to).
    """
    anchors = {_wordlike(t) for t in page.xpath("//a").xpath("string(.)").getall()}
    anchors = {a for a in anchors if len(a) >= _MIN_LINK_CHARS}

    def is_links(line: str) -> bool:
        letters = _wordlike(line)
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


def _without_heading(text: str, title: str) -> str:
    """Drop a first line that only repeats the title: the body is what follows it."""
    first, _, rest = text.partition("\n")
    if title and first.strip() == title.strip() and rest.strip():
        return rest.strip()
    return text


def _paragraph_text(page: Selector) -> str:
    """The container whose direct <p> children hold the most text: the article body."""
    best, best_length = "", 0
    for container in page.xpath("//*[p]"):
        paragraphs = [clean_text(p.xpath("string(.)").get() or "") for p in container.xpath("./p")]
        paragraphs = [p for p in paragraphs if p]
        length = sum(len(p) for p in paragraphs)
        if length > best_length:
            best, best_length = "\n".join(paragraphs), length
    return best


def _info_text(page: Selector) -> list[str]:
    namespaces = {"re": "http://exslt.org/regular-expressions"}
    texts = page.xpath(_INFO_XPATH, namespaces=namespaces).xpath("string(.)").getall()
    return [clean_text(t) for t in texts if t.strip()]


def _author(page: Selector, selectors: Mapping[str, str], document: Mapping[str, Any]) -> str:
    if selectors.get("author"):
        chosen = select_text(page, selectors["author"])
        if chosen:
            return _AUTHOR.sub(r"\1", chosen).strip()
    for text in _info_text(page):
        match = _AUTHOR.search(text)
        if match:
            return match.group(1).strip()
    meta = page.xpath("//meta[@name='author']/@content").get()
    if meta and meta.strip():
        return clean_text(meta)
    return clean_text(str(document.get("author") or ""))

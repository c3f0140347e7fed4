"""Article extraction: title, main text, author and publish time from one news or official page.

Site ``selectors`` from the configuration come first for every field (the operator knows the
site best). Without them: the main text is chosen per page among trafilatura, the densest
text block and readability-lxml by their agreement (``crawlers.body``); the publish time is
the best-scored of every time on the page, by where it sits relative to the title and the body
(``crawlers.pubtime``, ``crawlers.page_layout``); title and author come from the headings,
the byline and the metadata.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from configparser import ConfigParser
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import trafilatura
from parsel import Selector
from trafilatura.settings import use_config

from crawlers.body import anchored_body, choose_body
from crawlers.nesting import flatten_deep_nesting
from crawlers.page_layout import read_layout
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


@dataclass
class Article:
    title: str = ""
    text: str = ""
    author: str = ""
    published_at: datetime | None = None
    published_raw: str = ""
    # Which reading supplied the text: "selectors", "paragraphs", "trafilatura", "readability".
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
    article.text, article.method = _main_text(page, html, selectors, document)
    article.text = _without_heading(article.text, article.title)
    layout = read_layout(page.root, article.title, article.text)
    if article.method != "selectors":
        anchored = anchored_body(layout, article.text)
        if anchored:
            article.text, article.method = anchored, "title"
            layout = read_layout(page.root, article.title, article.text)
    article.author = _author(page, selectors, document)
    article.published_at, article.published_raw = find_published(
        page, selectors, document, now, select_text, layout, url
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
    page: Selector, html: str, selectors: Mapping[str, str], document: Mapping[str, Any]
) -> tuple[str, str]:
    if selectors.get("text"):
        chosen = select_text(page, selectors["text"])
        if chosen:
            return chosen, "selectors"
    return choose_body(page, html, str(document.get("text") or ""))


def _without_heading(text: str, title: str) -> str:
    """Drop a first line that only repeats the title: the body is what follows it."""
    first, _, rest = text.partition("\n")
    if title and first.strip() == title.strip() and rest.strip():
        return rest.strip()
    return text


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

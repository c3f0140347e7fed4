"""The publish time of an article page, to the minute when the page shows the minute.

Candidates come from four places, and the order in which they are trusted was measured on the
62 real pages of ``../shared/datasets/news_pages`` (``benchmarks/extract_bench.py``):

1. the byline a reader sees (text after the headline, elements classed time/date/info/source,
   lines labelled 发布时间/时间/日期): it is what the newsroom printed, and where it disagrees
   with the metadata the byline was right (sina's ``article:published_time`` is a later
   re-publication; the byline and ``weibo: article:create_at`` agree);
2. ``<meta>`` tags and ``<time datetime>``;
3. data the page's scripts carry (WeChat's ``var ct``, ``"pubtime"``, ``"datePublished"``,
   ``data-ptime``), which is where pages that render their byline by script keep it;
4. trafilatura's day, as a last resort.

A byline with only a day is completed by a minute-precise candidate from 2–3 on the same day.
Relative words (昨天) are used only when nothing absolute exists: they mean something only
against the time the page was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parsel import Selector

from crawlers.dates import DateParseError, find_dated, parse_datetime
from crawlers.text import clean_text
from yuqing.clock import SHANGHAI

__all__ = ["find_published"]

_META_TIME_NAMES = (
    "article:published_time",
    "og:article:published_time",
    "og:release_date",
    "publishdate",
    "pubdate",
    "publish_date",
    "publishtime",
    "publish-time",
    "firstpublishedtime",
    "weibo:article:create_at",
    "weibo: article:create_at",
    "dc.date.issued",
    "dc.date",
    "date",
)
_META_ITEMPROPS = ("datePublished", "dateCreated", "dateUpdate", "dateModified")
# Elements whose class or id says they hold the byline or the time.
_INFO_XPATH = (
    "//*[self::div or self::span or self::p or self::em or self::time or self::small"
    " or self::a or self::b or self::font or self::td or self::h6]"
    "[re:test(concat(@class, ' ', @id),"
    " '(?i)(time|date|info|source|author|byline|pub|meta|laiyuan|blow)')]"
)
_NAMESPACES = {"re": "http://exslt.org/regular-expressions"}
# A label and then a colon or the date itself: "时间" inside a sentence is not a byline.
_LABELLED = re.compile(r"(?:发布时间|发布日期|发表时间|发表于|更新时间|时间|日期)\s*(?:[:：]|\d)")
# Longer texts are prose that happens to contain a label.
_MAX_LABELLED = 80
_SCRIPT_DATA = re.compile(
    r"""(?:\bvar\s+ct\s*=\s*|["'](?:pubtime|pubDate|publish_time|publishTime|datePublished"""
    r"""|ptime|pub_time)["']\s*:\s*)["']?([0-9][0-9: TZ+\-/.]{8,30})["']?"""
)
_VISIBLE_TEXT = "//body//text()[not(ancestor::script) and not(ancestor::style)][normalize-space()]"
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")


@dataclass(frozen=True)
class _Candidate:
    at: datetime
    raw: str
    precision: str  # "minute", "day" or "relative"


def find_published(
    page: Selector,
    selectors: Mapping[str, str],
    document: Mapping[str, Any],
    now: datetime,
    select_text: Any,
) -> tuple[datetime | None, str]:
    """The publish time (aware) and the text it was read from; ``(None, raw)`` when none."""
    if selectors.get("published"):
        chosen = select_text(page, selectors["published"])
        found = _parse_any(chosen, now) if chosen else None
        if found is not None:
            return found.at, found.raw
    visible = list(_visible(page, now))
    recorded = [*_meta(page, now), *_scripts(page, now)]
    absolute = [c for c in visible if c.precision != "relative"]
    minute = next((c for c in absolute if c.precision == "minute"), None)
    if minute is not None:
        return minute.at, minute.raw
    day = absolute[0] if absolute else None
    if day is not None:
        day_of = _local_day(day.at)
        same_day = (c for c in recorded if c.precision == "minute" and _local_day(c.at) == day_of)
        completed = next(same_day, None)
        return (completed.at, completed.raw) if completed else (day.at, day.raw)
    best = next((c for c in recorded if c.precision == "minute"), None)
    best = best or next(iter(recorded), None)
    if best is not None:
        return best.at, best.raw
    relative = next((c for c in visible if c.precision == "relative"), None)
    if relative is not None:
        return relative.at, relative.raw
    trafilatura_day = str(document.get("date") or "")
    if trafilatura_day:
        found = _parse_any(trafilatura_day, now)
        if found is not None:
            return found.at, found.raw
    return None, ""


def _local_day(value: datetime) -> Any:
    return value.astimezone(SHANGHAI).date()


def _parse_any(raw: str, now: datetime) -> _Candidate | None:
    """A whole value (meta content, script datum) or, failing that, a date inside it."""
    text = raw.strip()
    if not text:
        return None
    try:
        at = parse_datetime(text, now)
    except DateParseError:
        found = find_dated(text, now)
        return _Candidate(at=found[0], raw=text[:100], precision=found[1]) if found else None
    precision = "minute" if _HAS_TIME.search(text) or text.isdigit() else "day"
    return _Candidate(at=at, raw=text[:100], precision=precision)


def _visible(page: Selector, now: datetime) -> Iterable[_Candidate]:
    """Dates in the byline, in the order a reader meets them."""
    for text in (*_near_heading(page), *_info_text(page), *_labelled(page)):
        found = find_dated(text, now)
        if found is not None:
            at, precision, raw = found
            yield _Candidate(at=at, raw=raw.strip(), precision=precision)


def _near_heading(page: Selector) -> list[str]:
    """Text right after the first <h1>: where Chinese pages print 时间 and 来源."""
    heading = page.xpath("(//h1)[1]")
    if not heading:
        return []
    following = heading.xpath("following::text()[normalize-space()]").getall()[:12]
    # Byline pieces are short; a long text node is the article, whose dates are not its own.
    return [clean_text(" ".join(t for t in following if len(t.strip()) <= _MAX_LABELLED))]


def _info_text(page: Selector) -> list[str]:
    texts = page.xpath(_INFO_XPATH, namespaces=_NAMESPACES).xpath("string(.)").getall()
    return [clean_text(t) for t in texts if t.strip()][:40]


def _labelled(page: Selector) -> list[str]:
    """The first visible texts labelled 发布时间 / 时间 / 日期, with what follows them."""
    texts = page.xpath(_VISIBLE_TEXT).getall()
    found = []
    for index, text in enumerate(texts):
        if len(text) <= _MAX_LABELLED and _LABELLED.search(text):
            found.append(clean_text(" ".join(texts[index : index + 3])))
            if len(found) >= 3:
                break
    return found


def _meta(page: Selector, now: datetime) -> Iterable[_Candidate]:
    # One pass over the page's <meta> tags (an XPath per name cost more than the rest here).
    by_name: dict[str, list[str]] = {}
    for meta in page.xpath("//meta[@content]"):
        attrib = meta.attrib
        key = (attrib.get("name") or attrib.get("property") or "").lower()
        prop = attrib.get("itemprop") or ""
        if key in _META_TIME_NAMES:
            by_name.setdefault(key, []).append(attrib["content"])
        elif prop in _META_ITEMPROPS:
            by_name.setdefault(prop, []).append(attrib["content"])
    names = (*_META_TIME_NAMES, *_META_ITEMPROPS)
    values = [v for name in names for v in by_name.get(name, [])]
    values.extend(page.xpath("//time/@datetime").getall())
    for value in values:
        found = _parse_any(value, now)
        if found is not None:
            yield found


def _scripts(page: Selector, now: datetime) -> Iterable[_Candidate]:
    values = page.xpath("//@data-ptime | //@data-pubtime").getall()
    for script in page.xpath("//script/text()").getall():
        values.extend(m.group(1) for m in _SCRIPT_DATA.finditer(script))
    for value in values:
        found = _parse_any(value, now)
        if found is not None:
            yield found

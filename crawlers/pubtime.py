"""The publish time of an article page, to the minute when the page shows the minute.

Every time the page carries is a candidate, and each gets a score from what is known to tell a
publish time from the other times on a page (the ideas of GNE, htmldate and trafilatura, with
weights of our own, tuned on the tuning part of the development pages, see
``benchmarks/extract_bench.py``):

- **where it is**: the header block between the title and the first line of the body is
  where newsrooms print the time (GNE's observation); then ``<meta>`` tags and JSON-LD, which
  CMSs fill in but sometimes with a re-publication or update time; then data in scripts (pages
  that render the byline by script); then elements classed time/date/info; then the rest of
  the page; the URL's date is the weakest evidence (a folder date, day-precise);
- **the words before it**: 发布时间, 来源, 日期, 时间： raise it; 推荐, 相关, 评论, 更新, 引用
  lower it (htmldate's idea of labelled dates);
- **what it is inside**: links, lists, comment blocks, footers and related-article blocks hold
  other texts' times (trafilatura and readability prune these blocks for the same reason);
- **plausibility**: never before 1995; after the time the page was read only when nothing
  trusted says otherwise (then validation keeps the page aside with the reason).

A day-precise winner is completed by a minute-precise candidate of the same day from a
trusted place (the header, meta tags, scripts). Relative words (昨天) score low: they mean
something only against the time the page was read. Per-site selectors override everything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from parsel import Selector

from core.clock import SHANGHAI
from crawlers.dates import DateParseError, find_dated, iter_dated, parse_datetime
from crawlers.page_layout import Layout, Spot, read_layout

__all__ = ["find_published"]

_META_TIME_NAMES = {
    "article:published_time": 0,
    "og:article:published_time": 0,
    "og:release_date": 0,
    "publishdate": 0,
    "pubdate": 0,
    "publish_date": 0,
    "publishtime": 0,
    "publish-time": 0,
    "firstpublishedtime": 0,
    "weibo:article:create_at": 0,
    "weibo: article:create_at": 0,
    "dc.date.issued": 0,
    "dc.date": -5,
    "date": -5,
    "datepublished": 0,
    "datecreated": -5,
    # An update time is the publish time only when nothing says better.
    "dateupdate": -25,
    "datemodified": -25,
    "article:modified_time": -25,
    "lastmodified": -25,
}
_SCRIPT_DATA = re.compile(
    r"""(?:\bvar\s+ct\s*=\s*|["'](?:pubtime|pubDate|publish_time|publishTime|datePublished"""
    r"""|ptime|pub_time)["']\s*:\s*)["']?([0-9][0-9: TZ+\-/.]{8,30})["']?"""
)
_URL_DATE = re.compile(
    r"(?<!\d)((?:199\d|20[0-3]\d))[-/_]?(0[1-9]|1[0-2])[-/_]?/?(0[1-9]|[12]\d|3[01])(?!\d)"
)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)

# Base score by where the candidate was found (tuned on the tuning pages; the order is the
# issue's: header block, then meta and JSON-LD, then the page's scripts, then the URL).
_WHERE = {
    "header": 100,
    "meta": 70,
    "script": 60,
    "info": 55,
    "before": 30,
    "after": 25,
    "page": 25,
    "body": 10,
    "url": 15,
    "trafilatura": 5,
}
# Words in the 12 characters before a visible date.
_CONTEXT = 12
_LABEL = re.compile(
    r"(?:发布|发表|发稿|时间|日期|来源|来自|刊发|出版|posted|published|更新于|于)\s*[:：|]?\s*$",
    re.I,
)
_OTHER_TEXT = re.compile(r"推荐|相关|热门|热点|评论|回复|引用|上一篇|下一篇|修改|截至|截止")
_BONUS_LABEL = 30
_PENALTY = {"link": 40, "list": 20, "comment": 70, "footer": 50, "related": 40, "other": 45}
_BONUS_MINUTE = 5
_PENALTY_RELATIVE = 15
_PENALTY_DISTANCE = 0.5  # per text node below the title inside the header block
# A minute-precise candidate completes a day-precise winner when it scores at least this.
_COMPLETES = 50


@dataclass(frozen=True)
class Candidate:
    at: datetime
    raw: str
    precision: str  # "minute", "day" or "relative"
    score: float
    where: str


def find_published(
    page: Selector,
    selectors: Mapping[str, str],
    document: Mapping[str, Any],
    now: datetime,
    select_text: Any,
    layout: Layout | None = None,
    url: str = "",
) -> tuple[datetime | None, str]:
    """The publish time (aware) and the text it was read from; ``(None, "")`` when none."""
    if selectors.get("published"):
        chosen = select_text(page, selectors["published"])
        found = _parse_value(chosen, now, "selectors", 0) if chosen else None
        if found is not None:
            return found.at, found.raw
    seen = [
        c
        for c in (
            *_visible(layout or read_layout(page.root, "", ""), now),
            *_meta(page, now),
            *_json_ld(page, now),
            *_scripts(page, now),
            *_from_url(url, now),
            *_trafilatura(document, now),
        )
        if c.at >= _EARLIEST
    ]
    candidates = [c for c in seen if c.at <= now]
    # A time after the page was read is passed over for a plausible one from a trusted place;
    # when nothing trusted is plausible, it is returned, so that validation keeps the page
    # aside saying its publish time is in the future (a byline with a wrong year is news to
    # the operator, not something to paper over with the URL's day).
    if not candidates or max(c.score for c in candidates) < _COMPLETES:
        candidates = seen
    if not candidates:
        return None, ""
    # max() keeps the first of equal scores: the visible ones, in reading order, come first.
    best = max(candidates, key=lambda c: c.score)
    if best.precision == "day":
        day = _local_day(best.at)
        same_day = [
            c
            for c in candidates
            if c.precision == "minute" and c.score >= _COMPLETES and _local_day(c.at) == day
        ]
        if same_day:
            completing = max(same_day, key=lambda c: c.score)
            return completing.at, completing.raw
    return best.at, best.raw


def _local_day(value: datetime) -> Any:
    return value.astimezone(SHANGHAI).date()


def _visible(layout: Layout, now: datetime) -> Iterable[Candidate]:
    for offset, at, precision, raw in iter_dated(layout.text, now):
        if precision == "relative" and ":" not in raw and len(layout.node_text(offset)) > 12:
            continue  # 今天 in a sentence is not a byline; a byline's 昨天 stands alone
        spot = layout.spot(offset)
        before = layout.text[max(offset - _CONTEXT, 0) : offset]
        yield Candidate(at, raw, precision, _score(spot, before, precision), spot.region)


def _score(spot: Spot, before: str, precision: str) -> float:
    where = "info" if spot.in_info and spot.region not in ("header", "body") else spot.region
    score = float(_WHERE[where])
    if spot.region == "header":
        score -= _PENALTY_DISTANCE * max(spot.node, 0)
    if _LABEL.search(before):
        score += _BONUS_LABEL
    if _OTHER_TEXT.search(before):
        score -= _PENALTY["other"]
    for flag, name in (
        (spot.in_link, "link"),
        (spot.in_list, "list"),
        (spot.in_comment, "comment"),
        (spot.in_footer, "footer"),
        (spot.in_related, "related"),
    ):
        if flag:
            score -= _PENALTY[name]
    if precision == "minute":
        score += _BONUS_MINUTE
    elif precision == "relative":
        score -= _PENALTY_RELATIVE
    return score


def _parse_value(raw: str, now: datetime, where: str, adjust: float) -> Candidate | None:
    """A whole value (meta content, script datum) or, failing that, a date inside it."""
    text = raw.strip()
    if not text:
        return None
    base = _WHERE.get(where, 0) + adjust
    try:
        at = parse_datetime(text, now)
    except DateParseError:
        found = find_dated(text, now)
        if found is None:
            return None
        return Candidate(found[0], text[:100], found[1], base, where)
    precision = "minute" if _HAS_TIME.search(text) or text.isdigit() else "day"
    bonus = _BONUS_MINUTE if precision == "minute" else 0
    return Candidate(at, text[:100], precision, base + bonus, where)


def _meta(page: Selector, now: datetime) -> Iterable[Candidate]:
    # One pass over the page's <meta> tags (an XPath per name cost more than the rest here).
    for meta in page.xpath("//meta[@content]"):
        attrib = meta.attrib
        key = (attrib.get("name") or attrib.get("property") or attrib.get("itemprop") or "").lower()
        if key in _META_TIME_NAMES:
            found = _parse_value(attrib["content"], now, "meta", _META_TIME_NAMES[key])
            if found is not None:
                yield found
    for value in page.xpath("//time/@datetime").getall():
        found = _parse_value(value, now, "meta", -5)
        if found is not None:
            yield found


def _json_ld(page: Selector, now: datetime) -> Iterable[Candidate]:
    for script in page.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                continue
            for key in ("datePublished", "dateCreated", "dateModified"):
                value = item.get(key)
                if isinstance(value, str):
                    found = _parse_value(value, now, "meta", _META_TIME_NAMES[key.lower()])
                    if found is not None:
                        yield found


def _scripts(page: Selector, now: datetime) -> Iterable[Candidate]:
    values = page.xpath("//@data-ptime | //@data-pubtime").getall()
    for script in page.xpath("//script[not(@type='application/ld+json')]/text()").getall():
        values.extend(m.group(1) for m in _SCRIPT_DATA.finditer(script))
    for value in values:
        found = _parse_value(value, now, "script", 0)
        if found is not None:
            yield found


def _from_url(url: str, now: datetime) -> Iterable[Candidate]:
    """A date in the URL's path (/2024-05/13/, /n1/2024/0510/, t20240513_): a day at best."""
    path = url.split("?", 1)[0].split("://", 1)[-1].partition("/")[2]
    match = _URL_DATE.search(path)
    if match:
        found = _parse_value("-".join(match.groups()), now, "url", 0)
        if found is not None:
            yield found


def _trafilatura(document: Mapping[str, Any], now: datetime) -> Iterable[Candidate]:
    day = str(document.get("date") or "")
    found = _parse_value(day, now, "trafilatura", 0) if day else None
    if found is not None:
        yield found

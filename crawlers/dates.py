"""Publish times as Chinese sites, feeds and Weibo write them, parsed into aware UTC instants.

Relative forms (刚刚, 5分钟前, 今天 08:30) and forms without a year (11-16, 07月23日 11:47) only
mean something against the crawl's "now", which comes from the crawl's clock so that simulated
time gives the same answer every run. Naive times are Asia/Shanghai, as everywhere in Yuqing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime

from core.clock import SHANGHAI

__all__ = [
    "DateParseError",
    "find_dated",
    "find_datetime",
    "iter_dated",
    "normalise_digits",
    "parse_datetime",
]


class DateParseError(ValueError):
    """The text is not a publish time in any form we know; the message quotes it."""


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_UNIT_SECONDS = {"秒": 1, "分钟": 60, "分": 60, "小时": 3600, "天": 86400}
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2}

# Time of day as Chinese pages write it: 10:35, 10:35:12, 10时35分, 10点35分.
# 上午/下午 (a.m./p.m.) as Hong Kong and Taiwan pages write it: 下午2:05.
_HMS = (
    r"(?P<ampm>上午|下午|早上|晚上|中午|凌晨)?\s*"
    r"(?P<h>\d{1,2})\s*[:时点]\s*(?P<mi>\d{1,2})\s*分?(?:\s*:?\s*(?P<s>\d{1,2})\s*秒?)?"
)
# A weekday may stand between the date and the time: 2024年5月20日週一 下午2:05.
_WEEKDAY = r"(?:\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?)?"

_FULL_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<mo>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})"
    r"(?!\d)\s*日?" + _WEEKDAY + r"(?:[\sT]*" + _HMS + r")?"
)
_MONTH_DAY = re.compile(r"(?P<mo>\d{1,2})\s*(?:-|月)\s*(?P<d>\d{1,2})\s*日?\s*(?:" + _HMS + r")?")
_RELATIVE = re.compile(r"(?P<n>\d+|半)\s*(?P<unit>秒|分钟|分|小时|天)\s*前")
_DAY_WORD = re.compile(r"(?P<word>今天|昨天|前天)\s*(?:" + _HMS + r")?")
# Weibo's and Java's Date.toString(): "Mon Nov 16 10:35:00 +0800 2026" / "... CST 2026".
_WEIBO = re.compile(
    r"^[A-Za-z]{3}\s+(?P<mon>[A-Za-z]{3})\s+(?P<d>\d{1,2})\s+(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"\s+(?P<zone>[+-]\d{4}|CST|UTC|GMT)\s+(?P<y>\d{4})$"
)
_EPOCH = re.compile(r"^\d{9,14}(?:\.\d+)?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def parse_datetime(text: str | int | float, now: datetime) -> datetime:
    """Parse a publish time in any of the forms listed in the module docstring.

    ``now`` (aware) anchors relative and year-less forms: those resolve to the latest matching
    instant that is not after ``now``. Raises ``DateParseError`` for anything else, so the
    caller can keep the record aside with the reason instead of inventing a time.
    """
    if now.tzinfo is None:
        raise ValueError("parse_datetime needs an aware 'now'")
    if isinstance(text, bool):
        raise DateParseError(f"not a publish time: {text!r}")
    if isinstance(text, int | float):
        return _from_epoch(float(text))
    cleaned = _clean(text)
    if not cleaned:
        raise DateParseError("empty publish time")
    for parser in _PARSERS:
        result = parser(cleaned, now)
        if result is not None:
            return result.astimezone(UTC)
    raise DateParseError(f"not a publish time: {text!r}")


def find_datetime(text: str, now: datetime) -> datetime | None:
    """The first publish time with a date inside free text such as "发布时间：2026-11-16 10:35".

    Only forms that carry a date are searched for, so a stray "10:35" or a phone number in an
    info line cannot become a publish time.
    """
    cleaned = _clean(text)
    for pattern in (_FULL_DATE, _DAY_WORD):
        match = pattern.search(cleaned)
        if match:
            try:
                return parse_datetime(match.group(0), now)
            except DateParseError:
                continue
    return None


def find_dated(text: str, now: datetime) -> tuple[datetime, str, str] | None:
    """Like ``find_datetime``, also saying how precise the find is and what text it read.

    The precision is "minute" for a full date with a time of day, "day" for a date alone, and
    "relative" for 今天/昨天/前天, whose meaning depends on when the page was read.
    """
    cleaned = _clean(text)
    for pattern in (_FULL_DATE, _DAY_WORD):
        for match in pattern.finditer(cleaned):
            try:
                found = parse_datetime(match.group(0), now)
            except DateParseError:
                continue
            if pattern is _DAY_WORD:
                return found, "relative", match.group(0)
            precision = "minute" if match.group("h") is not None else "day"
            return found, precision, match.group(0)
    return None


def iter_dated(text: str, now: datetime) -> Iterator[tuple[int, datetime, str, str]]:
    """Every dated time in ``text`` (already through ``normalise_digits``), in order.

    Yields the match's offset, the instant, its precision ("minute", "day" or "relative")
    and the text read. Offsets are into ``text`` itself, so a caller can map them back.
    """
    for pattern in (_FULL_DATE, _DAY_WORD):
        for match in pattern.finditer(text):
            raw = match.group(0).strip()
            try:
                found = parse_datetime(raw, now)
            except DateParseError:
                continue
            if pattern is _DAY_WORD:
                yield match.start(), found, "relative", raw
            else:
                precision = "minute" if match.group("h") is not None else "day"
                yield match.start(), found, precision, raw


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", normalise_digits(str(text))).strip()


# Chinese numerals in dates: 二〇〇五年三月二十一日, 十一时三十分.
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_CN_NUMBER = re.compile(r"[〇零一二两三四五六七八九十]+(?=\s*[年月日时点分秒])")
# Traditional forms of the characters dates are written with (the rest are shared).
_TRADITIONAL = str.maketrans({"時": "时", "點": "点", "週": "周", "禮": "礼", "兩": "两"})


def normalise_digits(text: str) -> str:
    """Dates in one written form: ASCII digits, Simplified time words, same length or shorter.

    NFKC turns full-width digits and colons (１０：３５) into ASCII ones; Chinese numerals
    in front of 年/月/日/时/分 become digits, Traditional time words Simplified ones.
    """
    text = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    if "十" in text or "〇" in text or "年" in text:
        return _CN_NUMBER.sub(_cn_number, text)
    return text


def _cn_number(match: re.Match[str]) -> str:
    word = match.group(0)
    if "十" not in word:  # digit by digit: 二〇〇五 -> 2005
        return "".join(str(_CN_DIGITS[c]) for c in word)
    tens, _, units = word.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return word
    value = (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return str(value)


def _from_epoch(value: float) -> datetime:
    if value > 1e11:  # milliseconds: any time after 1973 in ms exceeds this
        value /= 1000.0
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise DateParseError(f"not a Unix time: {value!r}") from exc


def _local(day: date, hms: re.Match[str] | None) -> datetime:
    """A Shanghai wall-clock time on ``day``; raises DateParseError when out of range."""
    try:
        moment = time(0, 0)
        if hms is not None and hms.group("h") is not None:
            hour = int(hms.group("h"))
            if hms.group("ampm") in ("下午", "晚上") and hour < 12:
                hour += 12
            moment = time(hour, int(hms.group("mi")), int(hms.group("s") or 0))
        return datetime.combine(day, moment, tzinfo=SHANGHAI)
    except ValueError as exc:
        raise DateParseError(str(exc)) from exc


def _parse_now_words(text: str, now: datetime) -> datetime | None:
    return now if text in ("刚刚", "刚才") else None


def _parse_relative(text: str, now: datetime) -> datetime | None:
    match = _RELATIVE.fullmatch(text)
    if not match:
        return None
    count = 0.5 if match.group("n") == "半" else int(match.group("n"))
    return now - timedelta(seconds=count * _UNIT_SECONDS[match.group("unit")])


def _parse_day_word(text: str, now: datetime) -> datetime | None:
    match = _DAY_WORD.fullmatch(text)
    if not match:
        return None
    day = now.astimezone(SHANGHAI).date() - timedelta(days=_DAY_WORDS[match.group("word")])
    return _local(day, match)


def _parse_epoch(text: str, now: datetime) -> datetime | None:
    return _from_epoch(float(text)) if _EPOCH.match(text) else None


def _parse_iso(text: str, now: datetime) -> datetime | None:
    if not _ISO.match(text):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)


def _parse_full_date(text: str, now: datetime) -> datetime | None:
    match = _FULL_DATE.fullmatch(text)
    if not match:
        return None
    try:
        day = date(int(match.group("y")), int(match.group("mo")), int(match.group("d")))
    except ValueError as exc:
        raise DateParseError(f"not a calendar date: {text!r}") from exc
    return _local(day, match)


def _parse_month_day(text: str, now: datetime) -> datetime | None:
    match = _MONTH_DAY.fullmatch(text)
    if not match:
        return None
    month, day_of_month = int(match.group("mo")), int(match.group("d"))
    year = now.astimezone(SHANGHAI).year
    # The latest such date not after now; Feb 29 may need to go back to a leap year.
    for candidate_year in range(year, year - 9, -1):
        try:
            candidate = _local(date(candidate_year, month, day_of_month), match)
        except (ValueError, DateParseError):
            continue
        if candidate <= now:
            return candidate
    raise DateParseError(f"not a calendar date: {text!r}")


def _parse_weibo(text: str, now: datetime) -> datetime | None:
    match = _WEIBO.match(text)
    if not match or match.group("mon").lower() not in _MONTHS:
        return None
    zone = match.group("zone")
    offset = timedelta(hours=8) if zone == "CST" else timedelta(0)
    if zone[0] in "+-":
        sign = 1 if zone[0] == "+" else -1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    try:
        naive = datetime(
            int(match.group("y")),
            _MONTHS[match.group("mon").lower()],
            int(match.group("d")),
            int(match.group("h")),
            int(match.group("mi")),
            int(match.group("s")),
        )
    except ValueError as exc:
        raise DateParseError(f"not a calendar date: {text!r}") from exc
    return (naive - offset).replace(tzinfo=UTC)


def _parse_rfc822(text: str, now: datetime) -> datetime | None:
    if not re.search(r"[A-Za-z]{3}", text):
        return None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)


_PARSERS: tuple[Callable[[str, datetime], datetime | None], ...] = (
    _parse_now_words,
    _parse_relative,
    _parse_day_word,
    _parse_epoch,
    _parse_iso,
    _parse_full_date,
    _parse_month_day,
    _parse_weibo,
    _parse_rfc822,
)

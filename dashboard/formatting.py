"""Text for the screen: countdowns, urgency, times, and user text made safe for Markdown.

Everything that comes from the archive (titles, posts, author names) is crawled from the
internet, so it is never rendered as HTML and never read as Markdown: ``md_escape`` turns every
ASCII punctuation mark into a literal, which also disarms Streamlit's own directives
(``:red[…]``, ``:material/…:``, ``$…$``) and links or images that would load from elsewhere;
bare URLs and e-mail addresses get an invisible word joiner so they are not auto-linked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from alerts.topic_burst import chance_text as chance_text
from alerts.topic_burst import odds_text as odds_text
from core.clock import local

# CommonMark lets any ASCII punctuation be escaped with a backslash.
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_SPACES = re.compile(r"\s+")
_WWW = re.compile(r"(www)(?=\\\.)", re.IGNORECASE)
_JOINER = "\u2060"  # WORD JOINER: zero width, invisible

URGENT = timedelta(hours=2)
SOON = timedelta(hours=12)


def md_escape(text: str) -> str:
    """``text`` as literal Markdown: shown exactly as written, one line."""
    return _escape(_SPACES.sub(" ", text).strip())


def _escape(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    # GitHub-flavoured autolinks are found in the parsed text, after escapes are resolved:
    # an invisible word joiner after "http:", "@" and "www" keeps URLs and e-mail addresses
    # in crawled text from becoming links.
    escaped = escaped.replace("\\:", "\\:" + _JOINER).replace("\\@", "\\@" + _JOINER)
    return _WWW.sub("\\1" + _JOINER, escaped)


def fmt_time(value: datetime | None, seconds: bool = False) -> str:
    """Beijing time, as the staff read it."""
    if value is None:
        return ""
    return local(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def duration_text(delta: timedelta) -> str:
    """2天3小时, 2小时15分, 3小时, 15分, 不足1分 (whole minutes, rounded down)."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分" if mins else f"{hours}小时"
    return f"{mins}分" if mins else "不足1分"


def countdown(due_at: datetime, now: datetime) -> str:
    """剩余 2小时15分 until the deadline, 已逾期 3小时 after it (met up to ``due_at``)."""
    if now > due_at:
        return f"已逾期 {duration_text(now - due_at)}"
    return f"剩余 {duration_text(due_at - now)}"


@dataclass(frozen=True)
class Urgency:
    rank: int  # 0 is the most urgent
    color: str  # a Streamlit Markdown colour
    label: str


OVERDUE = Urgency(0, "red", "已逾期")
URGENT_SOON = Urgency(1, "orange", "2小时内到期")
DUE_TODAY = Urgency(2, "yellow", "12小时内到期")
ON_TRACK = Urgency(3, "green", "时间充裕")
CLOSED = Urgency(4, "gray", "已结束")


def urgency(due_at: datetime, now: datetime, active: bool = True) -> Urgency:
    """Overdue red, under 2 hours orange, under 12 hours yellow, otherwise green."""
    if not active:
        return CLOSED
    left = due_at - now
    if left < timedelta(0):
        return OVERDUE
    if left < URGENT:
        return URGENT_SOON
    if left < SOON:
        return DUE_TODAY
    return ON_TRACK


def safe_url(url: str) -> str | None:
    """The URL when it is a plain web address; None for javascript:, data: and the like."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def _match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping spans of ``terms`` in ``text`` (case-insensitive, longest first)."""
    lowered = text.lower()
    taken = [False] * len(text)
    spans: list[tuple[int, int]] = []
    for term in sorted({t.strip().lower() for t in terms if t.strip()}, key=len, reverse=True):
        start = lowered.find(term)
        while start >= 0:
            end = start + len(term)
            if not any(taken[start:end]):
                spans.append((start, end))
                for index in range(start, end):
                    taken[index] = True
            start = lowered.find(term, end)
    return sorted(spans)


def snippet(text: str, terms: list[str], width: int = 160) -> str:
    """About ``width`` characters of ``text`` around the first matched term, on one line."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    spans = _match_spans(flat, terms)
    start = max(0, spans[0][0] - width // 4) if spans else 0
    end = min(len(flat), start + width)
    start = max(0, end - width)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def highlight(text: str, terms: list[str]) -> str:
    """Markdown of ``text`` with the matched terms on a highlighted background.

    Every piece of ``text`` goes through ``md_escape``; only the highlight markup is ours.
    """
    flat = _SPACES.sub(" ", text).strip()
    out: list[str] = []
    position = 0
    for start, end in _match_spans(flat, terms):
        out.append(_escape(flat[position:start]))
        out.append(f":orange-background[{_escape(flat[start:end])}]")
        position = end
    out.append(_escape(flat[position:]))
    return "".join(out)

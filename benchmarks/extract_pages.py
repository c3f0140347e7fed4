"""The development pages of article extraction, their labels, and a fixed tuning / held-out split.

Two data sets (``../shared/datasets/README.md``): ``news_pages`` (62 pages of the GNE tests;
publish times labelled by hand in ``extract_labels.json``, bodies from GNE's own answers for 20
of them) and ``news_pages_more`` (73 pages in four source sets with their own labels: full
bodies, body snippets and exclusions, publish times), plus this project's hand-read publish
times for the ``magic-html`` pages, which their source does not label
(``extract_labels_more.json``: the time a reader sees under the title, read from the page; the
tuning pages' while tuning, the held-out pages' after the code was frozen at commit eea799c
and before anything was measured on them; no time for pages that show none: a journal
index, an encyclopaedia entry, a poem page whose only date is the day's calendar).

The split was fixed before any held-out page was opened and must never change: within each
source set (``news_pages``, ``magic-html``, ``htmldate``, ``twnews``, ``readability``) the
pages are grouped by site (the ``news_pages`` folder, else the registered domain of the
page's URL) so that two pages of one site's template never sit on both sides, the groups are
ordered by SHA-256 of ``SEED/set/group``, and groups are taken into the held-out part in that
order until it holds a third of the set's pages.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from core.clock import SHANGHAI
from crawlers.dates import DateParseError, parse_datetime

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"
SEED = "yuqing-issue-21"
HELD_OUT_SHARE = 1 / 3
_BLOCK = re.compile(r">{5,}(.*?)>{5,}\s*(\{.*?\})\s*<{5,}", re.S)
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
# Second-level labels under which a country code's sites register (sina.com.cn, udn.com.tw).
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "co", "ac"}


@dataclass
class Page:
    source_set: str  # news_pages, magic-html, htmldate, twnews, readability
    name: str  # path inside its data set, e.g. "163/1.html" or "twnews/3.html"
    path: Path
    url: str = ""
    group: str = ""
    published_at: str | None = None  # as labelled: "YYYY-MM-DD" or "YYYY-MM-DD HH:MM[:SS]"
    body: str | None = None  # the full main text, where labelled
    edges: tuple[str, str] | None = None  # hashes of the body's first and last 8 letters
    snippets: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    part: str = ""  # "tuning" or "held-out"


def chars(text: str) -> str:
    """Letters, digits and CJK only: bodies are compared without spaces and punctuation."""
    return "".join(_WORDLIKE.findall(text))


def char_f1(found: str, expected: str) -> float:
    a, b = Counter(chars(found)), Counter(chars(expected))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def edges(text: str) -> tuple[str, str]:
    """SHA-1 prefixes of the first and last 8 letters, as ``extract_labels.json`` keeps them."""
    letters = chars(text)
    return (
        hashlib.sha1(letters[:8].encode()).hexdigest()[:12],
        hashlib.sha1(letters[-8:].encode()).hexdigest()[:12],
    )


def same_time(found: datetime | None, expected: str, now: datetime) -> bool:
    """Exact to the label's precision: the day (Beijing time) or the minute."""
    if found is None:
        return False
    try:
        want = parse_datetime(expected, now)
    except DateParseError:
        return False
    if ":" not in expected:
        return found.astimezone(SHANGHAI).date() == want.astimezone(SHANGHAI).date()
    return found.replace(second=0, microsecond=0) == want.replace(second=0, microsecond=0)


def site_of(url: str) -> str:
    """The registered domain: news.sina.com.cn -> sina.com.cn, hk.news.yahoo.com -> yahoo.com."""
    host = (urlsplit(url).hostname or "").lower()
    if "web.archive.org" in host:  # a Wayback capture: the site is the captured one
        return site_of(urlsplit(url).path.split("/", 3)[-1])
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def _order(source_set: str, group: str) -> str:
    return hashlib.sha256(f"{SEED}/{source_set}/{group}".encode()).hexdigest()


def assign_parts(pages: list[Page]) -> None:
    """Set ``part`` on every page: the seeded, site-grouped split the module docstring gives."""
    for source_set in sorted({p.source_set for p in pages}):
        members = [p for p in pages if p.source_set == source_set]
        groups = sorted({p.group for p in members}, key=lambda g: _order(source_set, g))
        held: set[str] = set()
        held_pages = 0
        for group in groups:
            if held_pages >= HELD_OUT_SHARE * len(members):
                break
            held.add(group)
            held_pages += sum(p.group == group for p in members)
        for page in members:
            page.part = "held-out" if page.group in held else "tuning"


def _news_pages(root: Path, labels_file: Path) -> list[Page]:
    base = root / "news_pages"
    labels = json.loads(labels_file.read_text(encoding="utf-8")) if labels_file.exists() else {}
    peers: dict[str, str] = {}
    peer_file = base / "gne_result.txt"
    if peer_file.exists():
        for name, answer in _BLOCK.findall(peer_file.read_text(encoding="utf-8")):
            peers[name.strip().removeprefix("tests/")] = json.loads(answer)["content"]
    pages = []
    for path in sorted(base.glob("*/*.html")):
        name = str(path.relative_to(base))
        truth = labels.get(name, {})
        timed = truth.get("published_at") if not truth.get("relative") else None
        pages.append(
            Page(
                "news_pages",
                name,
                path,
                group=name.split("/")[0],
                published_at=timed,
                body=peers.get(name),
                edges=(truth["start"], truth["end"]) if truth.get("start") else None,
            )
        )
    return pages


def _news_pages_more(root: Path, extra_times: Path) -> list[Page]:
    base = root / "news_pages_more"
    times = json.loads(extra_times.read_text(encoding="utf-8")) if extra_times.exists() else {}
    pages = []
    for line in (base / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        name = record["file"]
        url = record.get("url") or ""
        published = record.get("published_at") or times.get(name)
        pages.append(
            Page(
                record["source"],
                name,
                base / name,
                url=url,
                group=site_of(url) if url else name,
                published_at=published,
                body=record.get("body"),
                snippets=list(record.get("body_snippets") or []),
                excludes=list(record.get("body_excludes") or []),
            )
        )
    return pages


def load_pages(root: Path = DATASETS) -> list[Page]:
    """Every development page with its labels and part; only the sets that are present."""
    here = Path(__file__).resolve().parent
    pages: list[Page] = []
    if (root / "news_pages").exists():
        pages += _news_pages(root, here / "extract_labels.json")
    if (root / "news_pages_more" / "labels.jsonl").exists():
        pages += _news_pages_more(root, here / "extract_labels_more.json")
    assign_parts(pages)
    return pages

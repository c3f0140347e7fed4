"""Article extraction on the development pages, beside trafilatura, readability-lxml and htmldate.

Pages and labels: ``benchmarks/extract_pages.py`` (``news_pages`` and ``news_pages_more``, split
by a seeded hash of the site into a tuning part and a held-out part). For every page the same
decoded text goes to four extractors:

- ``yuqing``: ``crawlers.extract.extract_article`` (what the crawler runs);
- ``trafilatura``: ``bare_extraction`` with its defaults (text and its htmldate day);
- ``readability``: readability-lxml's ``Document.summary()``, as text (body only);
- ``htmldate``: ``find_date(original_date=True)`` with its extensive search (time only).

Figures, per part (tuning, held-out) and per source set:
- publish time exact to the label's precision (the day, or the minute when the label has
  one), over the pages whose publish time is labelled, and how many have at least the right
  day (trafilatura's and often htmldate's answer is a day);
- body character F1 (letters, digits and CJK; spaces and punctuation ignored), over the pages
  with a full body label (for ``news_pages`` that is GNE's own answer on 20 pages: a peer,
  not ground truth);
- on pages labelled with snippets only: the share of snippets the text contains, and the
  share of pages whose text contains none of the labelled exclusions;
- on ``news_pages``: whether the body starts and ends where the person who labelled it saw it
  start and end (``extract_labels.json`` keeps a hash of the first and last 8 letters).

``news_pages`` was tuned on as a whole before this split existed, so its held-out part is not
unseen: the figure that counts is the held-out part of ``news_pages_more``.

Run: ``.venv/bin/python benchmarks/extract_bench.py [--part tuning|held-out] [--dump FILE]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import extract_pages  # noqa: E402
from benchmarks.extract_pages import Page, chars, load_pages  # noqa: E402
from crawlers.encoding import decode_html  # noqa: E402
from crawlers.extract import extract_article  # noqa: E402

# Later than any page was saved: a publish time after it is impossible.
NOW = datetime(2030, 1, 1, tzinfo=UTC)
EXTRACTORS = ("yuqing", "trafilatura", "readability", "htmldate")


def char_f1(found: str, expected: str) -> float:
    return extract_pages.char_f1(found, expected)


def same_time(found: datetime | None, expected: str) -> bool:
    return extract_pages.same_time(found, expected, NOW)


def peer_answers(root: Path) -> dict[str, dict[str, str]]:
    """GNE's answers in ``news_pages/gne_result.txt``, by page name."""
    text = (root / "gne_result.txt").read_text(encoding="utf-8")
    return {
        name.strip().removeprefix("tests/"): json.loads(answer)
        for name, answer in extract_pages._BLOCK.findall(text)
    }


@dataclass
class Answer:
    text: str | None = None  # None: this extractor gives no body
    published_at: datetime | None = None
    gives_time: bool = True
    seconds: float = 0.0


def _yuqing(html: str, page: Page) -> Answer:
    article = extract_article(html, page.url or "http://example.cn/", NOW)
    return Answer(article.text, article.published_at)


def _trafilatura(html: str, page: Page) -> Answer:
    import trafilatura

    document = trafilatura.bare_extraction(html, url=page.url or None, with_metadata=True)
    if document is None:
        return Answer("", None)
    found = document if isinstance(document, dict) else document.as_dict()
    return Answer(str(found.get("text") or ""), _day(str(found.get("date") or "")))


def _readability(html: str, page: Page) -> Answer:
    from lxml import html as lxml_html
    from readability import Document

    summary = Document(html).summary(html_partial=True)
    tree = lxml_html.fromstring(summary)
    for block in tree.iter("p", "div", "br", "li", "h1", "h2", "h3", "tr"):
        block.tail = "\n" + (block.tail or "")
    return Answer(tree.text_content(), None, gives_time=False)


def _htmldate(html: str, page: Page) -> Answer:
    from htmldate import find_date

    found = find_date(
        html,
        url=page.url or None,
        original_date=True,
        extensive_search=True,
        outputformat="%Y-%m-%d %H:%M",
    )
    return Answer(None, _day(found or ""))


def _day(value: str) -> datetime | None:
    from crawlers.dates import DateParseError, parse_datetime

    if not value:
        return None
    try:
        return parse_datetime(value, NOW)
    except DateParseError:
        return None


_RUNNERS: dict[str, Callable[[str, Page], Answer]] = {
    "yuqing": _yuqing,
    "trafilatura": _trafilatura,
    "readability": _readability,
    "htmldate": _htmldate,
}


@dataclass
class Tally:
    timed: int = 0
    time_ok: int = 0
    day_ok: int = 0
    bodies: int = 0
    f1: float = 0.0
    edged: int = 0
    starts: int = 0
    ends: int = 0
    snippet_pages: int = 0
    snippets: float = 0.0
    clean: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, page: Page, answer: Answer) -> None:
        if page.published_at and answer.gives_time:
            self.timed += 1
            ok = extract_pages.same_time(answer.published_at, page.published_at, NOW)
            self.time_ok += ok
            self.day_ok += extract_pages.same_time(answer.published_at, page.published_at[:10], NOW)
            if not ok:
                self.misses.append(f"{page.name}: time {answer.published_at}")
        if answer.text is None:
            return
        if page.edges:
            self.edged += 1
            found = extract_pages.edges(answer.text)
            self.starts += found[0] == page.edges[0]
            self.ends += found[1] == page.edges[1]
        if page.body:
            self.bodies += 1
            score = char_f1(answer.text, page.body)
            self.f1 += score
            if score < 0.9:
                self.misses.append(f"{page.name}: body F1 {score:.2f}")
        elif page.snippets:
            self.snippet_pages += 1
            text = chars(answer.text)
            self.snippets += sum(chars(s) in text for s in page.snippets) / len(page.snippets)
            self.clean += not any(chars(s) in text for s in page.excludes if chars(s))

    def line(self) -> str:
        parts = []
        if self.timed:
            parts.append(
                f"time {self.time_ok / self.timed:.3f} ({self.time_ok}/{self.timed}, "
                f"right day {self.day_ok})"
            )
        if self.bodies:
            parts.append(f"body F1 {self.f1 / self.bodies:.3f} ({self.bodies})")
        if self.edged:
            parts.append(f"body starts/ends as labelled {self.starts}+{self.ends}/{self.edged}")
        if self.snippet_pages:
            parts.append(
                f"snippets {self.snippets / self.snippet_pages:.3f}, "
                f"no excluded text {self.clean}/{self.snippet_pages}"
            )
        return "; ".join(parts) or "-"


def run(pages: list[Page], names: tuple[str, ...], dump: Any) -> dict[str, dict[str, Tally]]:
    """Tallies by scope ("tuning", "held-out", "held-out/magic-html", ...) and extractor."""
    tallies: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    seconds: dict[str, float] = defaultdict(float)
    for page in pages:
        html = decode_html(page.path.read_bytes())
        for name in names:
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    answer = _RUNNERS[name](html, page)
                except Exception as exc:  # a comparator failing on a page scores nothing there
                    print(f"{name} failed on {page.name}: {exc!r}", file=sys.stderr)
                    answer = Answer("" if name != "htmldate" else None, None, name != "readability")
            seconds[name] += time.perf_counter() - started
            scopes = [page.part, f"{page.part}/{page.source_set}", f"all/{page.source_set}"]
            if page.source_set != "news_pages":  # the pages never tuned on before the split
                scopes.append(f"{page.part}/news_pages_more")
            for scope in scopes:
                tallies[scope][name].add(page, answer)
            if dump and name == "yuqing":
                record = {
                    "page": f"{page.source_set}:{page.name}",
                    "part": page.part,
                    "published_at": answer.published_at.isoformat()
                    if answer.published_at
                    else None,
                    "label_time": page.published_at,
                    "text": answer.text,
                }
                dump.write(json.dumps(record, ensure_ascii=False) + "\n")
    for name in names:
        print(f"{name}: {len(pages) / max(seconds[name], 1e-9):.1f} pages/s", file=sys.stderr)
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("tuning", "held-out"), help="only this part")
    parser.add_argument("--only", choices=EXTRACTORS, action="append", help="only these")
    parser.add_argument("--misses", action="store_true", help="list yuqing's misses")
    parser.add_argument("--dump", type=Path, help="write yuqing's extraction of every page here")
    args = parser.parse_args()
    pages = load_pages()
    if not pages:
        sys.exit(f"no data set under {extract_pages.DATASETS} (see its README.md)")
    if args.part:
        pages = [p for p in pages if p.part == args.part]
    names = tuple(args.only or EXTRACTORS)
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    tallies = run(pages, names, dump)
    for scope in sorted(tallies, key=lambda s: (s.count("/"), s)):
        print(f"== {scope} ({sum(1 for p in pages if _in(p, scope))} pages)")
        for name in names:
            print(f"  {name:<12} {tallies[scope][name].line()}")
        if args.misses and "/" not in scope:
            for miss in tallies[scope]["yuqing"].misses:
                print("     miss:", miss)


def _in(page: Page, scope: str) -> bool:
    part, _, source_set = scope.partition("/")
    in_part = part == "all" or page.part == part
    if source_set == "news_pages_more":
        return in_part and page.source_set != "news_pages"
    return in_part and (not source_set or page.source_set == source_set)


if __name__ == "__main__":
    main()

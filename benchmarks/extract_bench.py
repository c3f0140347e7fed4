"""Article extraction on the 62 real pages of ``../shared/datasets/news_pages``.

Two references, printed separately:
- ``gne_result.txt``: GeneralNewsExtractor's answers for 20 pages (a peer, not ground truth):
  title exact, publish time exact to the minute (or to the day when it gives only a day),
  body F1 over characters (letters, digits and CJK; spaces and punctuation ignored).
- ``benchmarks/extract_labels.json``: what a person read on each page (labelled by inspection
  for this project; no page text is stored, only the publish time shown on the page, or null
  when the page shows none, and a SHA-1 of the body's first and last 8 characters): publish
  time exact to the minute on pages that show one, and whether the body starts and ends
  where the person saw it start and end.

Run: ``.venv/bin/python benchmarks/extract_bench.py [--dump FILE] [--pages DIR]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.dates import DateParseError, parse_datetime  # noqa: E402
from crawlers.encoding import decode_html  # noqa: E402
from crawlers.extract import extract_article  # noqa: E402

PAGES = ROOT.parent / "shared" / "datasets" / "news_pages"
LABELS = Path(__file__).with_name("extract_labels.json")
NOW = datetime(2030, 1, 1, tzinfo=UTC)
_BLOCK = re.compile(r">{5,}(.*?)>{5,}\s*(\{.*?\})\s*<{5,}", re.S)
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
EDGE = 8


def peer_answers(root: Path) -> dict[str, dict[str, str]]:
    text = (root / "gne_result.txt").read_text(encoding="utf-8")
    return {name.strip().removeprefix("tests/"): json.loads(a) for name, a in _BLOCK.findall(text)}


def chars(text: str) -> str:
    return "".join(_WORDLIKE.findall(text))


def char_f1(found: str, expected: str) -> float:
    a, b = Counter(chars(found)), Counter(chars(expected))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def edge_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def edges(text: str) -> tuple[str, str]:
    body = chars(text)
    return edge_hash(body[:EDGE]), edge_hash(body[-EDGE:])


def same_time(found: datetime | None, expected: str) -> bool:
    if found is None:
        return False
    try:
        want = parse_datetime(expected, NOW)
    except DateParseError:
        return False
    if ":" not in expected:  # a day-precise answer: compare days in Beijing time
        from yuqing.clock import SHANGHAI

        return found.astimezone(SHANGHAI).date() == want.astimezone(SHANGHAI).date()
    return found.replace(second=0) == want.replace(second=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--dump", type=Path, help="write every page's extraction here (JSONL)")
    args = parser.parse_args()
    if not args.pages.exists():
        sys.exit(f"data set {args.pages} is missing (see ../shared/datasets/README.md)")
    peers = peer_answers(args.pages)
    labels = json.loads(LABELS.read_text(encoding="utf-8")) if LABELS.exists() else {}
    pages = sorted(args.pages.glob("*/*.html"))
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    peer = {"n": 0, "title": 0, "time": 0, "f1": 0.0}
    label = {
        "n": 0,
        "timed": 0,
        "time": 0,
        "start": 0,
        "end": 0,
        "body_n": 0,
        "untimed_ok": 0,
        "relative": 0,
    }
    misses: list[str] = []
    started = time.perf_counter()
    for path in pages:
        name = str(path.relative_to(args.pages))
        article = extract_article(decode_html(path.read_bytes()), "http://example.cn/", NOW)
        if dump:
            record = {
                "page": name,
                "title": article.title,
                "published_at": article.published_at.isoformat() if article.published_at else None,
                "raw": article.published_raw,
                "author": article.author,
                "method": article.method,
                "text": article.text,
            }
            dump.write(json.dumps(record, ensure_ascii=False) + "\n")
        answer = peers.get(name)
        if answer:
            peer["n"] += 1
            peer["title"] += article.title == answer["title"].strip()
            peer["time"] += same_time(article.published_at, answer["publish_time"])
            peer["f1"] += char_f1(article.text, answer["content"])
        truth = labels.get(name)
        if truth is None:
            continue
        label["n"] += 1
        if truth.get("relative"):
            label["relative"] += 1  # only "昨天": right or wrong depends on when it was saved
        elif truth.get("published_at"):
            label["timed"] += 1
            ok = same_time(article.published_at, truth["published_at"])
            label["time"] += ok
            if not ok:
                misses.append(f"{name}: time {article.published_at} != {truth['published_at']}")
        else:
            label["untimed_ok"] += article.published_at is None
        if truth.get("start"):
            label["body_n"] += 1
            start, end = edges(article.text)
            label["start"] += start == truth["start"]
            label["end"] += end == truth["end"]
            if (start, end) != (truth["start"], truth["end"]):
                misses.append(
                    f"{name}: body edges start={start == truth['start']} end={end == truth['end']}"
                )
    seconds = time.perf_counter() - started
    n = max(peer["n"], 1)
    print(f"pages: {len(pages)} in {seconds:.1f} s ({len(pages) / seconds:.0f} pages/s)")
    print(
        f"vs GNE ({peer['n']} pages): title exact {peer['title'] / n:.2%}, "
        f"publish time exact {peer['time'] / n:.2%}, body char-F1 {peer['f1'] / n:.3f}"
    )
    if label["n"]:
        timed, body = max(label["timed"], 1), max(label["body_n"], 1)
        print(
            f"vs labels ({label['n']} pages): publish time exact {label['time']}/"
            f"{label['timed']} = {label['time'] / timed:.2%} of pages that show one; "
            f"no time invented on {label['untimed_ok']}/"
            f"{label['n'] - label['timed'] - label['relative']} "
            f"pages without one; body starts right {label['start']}/{label['body_n']} "
            f"= {label['start'] / body:.2%}, ends right {label['end']}/{label['body_n']} "
            f"= {label['end'] / body:.2%}"
        )
        for miss in misses:
            print("  miss:", miss)


if __name__ == "__main__":
    main()

"""Stance on real news pages: the separate "news pages" group of issue 22.

    nice -n 19 .venv/bin/python benchmarks/sentiment_news_pages.py           # the row (~30 s)
    nice -n 19 .venv/bin/python benchmarks/sentiment_news_pages.py --errors  # + its mistakes

The food-safety reports of benchmarks/sentiment_labels.json are incident reports, nearly all
negative by the written definition; news as a press office reads it is wider (politics,
economy, sport, achievements, accidents). This group is the 111 news pages of
../shared/datasets/news_pages and news_pages_more labelled in
``benchmarks/sentiment_news_pages_labels.json`` (labelled by an AI helper agent reading each
text, not by a person, before any model scored them; its "about" says how). It is reported as
its own row beside the food-safety news row, never merged into it; nothing is tuned on it.

Each page goes the crawl's way: ``crawlers.extract.extract_article`` on the saved HTML, the
title and the body's first ``LEAD_CHARS`` characters as the lead, read by the analyser as a
mention of kind "article" (``document_from_text(lead, title, kind="article")`` and
``score_sentiment``), beside the lexicon alone and always-negative. A page whose extracted text
no longer matches the digest it was labelled on is refused: its label was for another text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import warnings
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.extract_pages import DATASETS, load_pages
from benchmarks.sentiment_eval import scores
from crawlers.encoding import decode_html
from crawlers.extract import extract_article
from nlp.sentiment import SENTIMENTS, lexicon_sentiment, score_sentiment
from nlp.text import document_from_text

LABELS = Path(__file__).with_name("sentiment_news_pages_labels.json")
LEAD_CHARS = 300  # as the food-safety row reads headline and lead
# A fixed "now" for the extractor's relative dates; the text does not depend on it.
NOW = datetime(2026, 12, 7, tzinfo=UTC)


class NewsPageLabelError(ValueError):
    pass


def page_text(path: Path, url: str) -> tuple[str, str]:
    """(title, lead) of a saved page as the crawl's extractor reads it."""
    html = decode_html(path.read_bytes())
    with warnings.catch_warnings():  # the extractor's libraries warn on odd markup
        warnings.simplefilter("ignore")
        article = extract_article(html, url, NOW)
    return article.title, article.text[:LEAD_CHARS]


def digest(title: str, lead: str) -> str:
    return hashlib.sha256(f"{title}\n{lead}".encode()).hexdigest()[:12]


def labelled_pages(root: Path = DATASETS, path: Path = LABELS) -> list[tuple[str, str, str, str]]:
    """(page, gold, title, lead) of every kept page; a changed text or label is refused."""
    items = json.loads(path.read_text(encoding="utf-8"))["items"]
    pages = {f"{p.source_set}:{p.name}": p for p in load_pages(root)}
    out = []
    for item in items:
        if "excluded" in item:
            continue
        name, gold = item["page"], item.get("sentiment")
        if gold not in SENTIMENTS:
            raise NewsPageLabelError(f"{path.name}: {name}: unknown sentiment {gold!r}")
        if name not in pages:
            raise NewsPageLabelError(f"{path.name}: {name}: no such page under {root}")
        title, lead = page_text(pages[name].path, pages[name].url)
        if digest(title, lead) != item["text_sha256"]:
            raise NewsPageLabelError(
                f"{path.name}: {name}: the extracted text changed since it was labelled"
            )
        out.append((name, gold, title, lead))
    return out


def news_pages_figures(show_errors: bool = False, root: Path = DATASETS) -> dict[str, Any]:
    """The news-pages row: model, lexicon and always-negative accuracy / macro-F1."""
    rows = []
    for name, gold, title, lead in labelled_pages(root):
        document = document_from_text(lead, title, kind="article")
        rows.append(
            (name, gold, score_sentiment(document).label, lexicon_sentiment(document).label, title)
        )
    row = {
        "model": scores([(gold, model) for _, gold, model, _, _ in rows]),
        "lexicon": scores([(gold, lexicon) for _, gold, _, lexicon, _ in rows]),
        "always_negative": scores([(gold, "negative") for _, gold, _, _, _ in rows]),
    }
    print(f"\nnews pages ({LABELS.name}; a group of its own, not the food-safety news row)")
    print(f"  {'group':<25}{'n':>4}{'model':>14}{'lexicon':>14}{'always neg':>14}")
    print(
        f"  {'news_pages':<25}{len(rows):>4}"
        + "".join(f"{a:>8.3f}/{f:.3f}" for a, f in row.values())
    )
    counts = Counter((gold, model) for _, gold, model, _, _ in rows)
    print("  confusion (rows gold, columns model):" + "".join(f"{s:>10}" for s in SENTIMENTS))
    for gold in SENTIMENTS:
        print(f"  {gold:>37}" + "".join(f"{counts[(gold, s)]:>10}" for s in SENTIMENTS))
    if show_errors:
        for name, gold, model, _, title in rows:
            if model != gold:
                print(f"  {name}: gold {gold} model {model} {title[:50]!r}")
    figures: dict[str, Any] = {"stance_news_pages_n": len(rows)}
    for scorer, (accuracy, macro) in row.items():
        figures[f"stance_news_pages_{scorer}_accuracy"] = round(accuracy, 4)
        figures[f"stance_news_pages_{scorer}_macro_f1"] = round(macro, 4)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the group's mistakes")
    args = parser.parse_args()
    try:
        figures = news_pages_figures(args.errors)
    except NewsPageLabelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

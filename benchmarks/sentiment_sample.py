"""The sentiment evaluation sample: how it was drawn, and reading its texts back.

``benchmarks/sentiment_labels.json`` holds pointers into ../shared/datasets and the labels, no
text. Four kinds of text, each from its own source:

- ``comment``: a CED response (repost or comment) with at least ``MIN_CHARS`` characters of its
  own (before any ``//@`` chain), from ``COMMENT_POSTS`` CED posts drawn at random,
  ``PER_POST`` responses each; every response of those posts is kept out of training
  (nlp/training/sentiment_train.py), not only the drawn ones.
- ``weibo_post``: an original post, half from CED, half from rumor_more (Weibo21 and mm17), by
  an account that is not government-verified.
- ``official_notice``: a post that opens as an official statement (``NOTICE_OPENING`` in its
  first ``NOTICE_WINDOW`` characters: 通报, 公告, 辟谣, 警方, 市场监管...) and that the data set
  labels ``non-rumor``, from CED or rumor_more: police, courts, regulators, official media.
  (A first draw took "government-verified accounts" instead, CED ``user.verified_type`` 1 and
  mm17 ``verified_type`` 1; read, they were ordinary viral posts, so they count as
  ``weibo_post``: ``VERIFIED_POSTS`` of them.)
- ``news``: a food-safety news report (its first ``NEWS_CHARS`` characters: headline and lead).

Lines labelled in benchmarks/topics_sentiment_labels.json are not drawn again.
``python benchmarks/sentiment_sample.py`` prints the draw (for labelling by reading).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.training.evaluation import CED, FOOD_SAFETY, dataset_path, read_lines

WEIBO21 = "rumor_more/weibo21.jsonl.gz"
MM17 = "rumor_more/mm17.jsonl.gz"
SOURCES = {"ced": CED, "food_safety": FOOD_SAFETY, "weibo21": WEIBO21, "mm17": MM17}
KINDS = ("weibo_post", "comment", "news", "official_notice")
SEED = 20261207
COMMENT_POSTS = 50
PER_POST = 4
CED_POSTS = 80
MORE_POSTS = 80
VERIFIED_POSTS = 100
NOTICES = 100
NOTICE_WINDOW = 30
NOTICE_OPENING = re.compile(
    "通报|公告|通告|辟谣|情况说明|声明|警情|提醒|提示|回应|发布|警方|公安|法院|政府|市场监管|食药监|质监|工商"
)
NEWS = 150
MIN_CHARS = 6
# Headline and lead of a report: what a reader (and the press office) judges it by.
NEWS_CHARS = 300
OLD_LABELS = Path(__file__).with_name("topics_sentiment_labels.json")
# Texts this alike (character 3-shingle Jaccard) are one story told twice: same split.
NEAR = 0.3
REPOST_CHAIN = re.compile(r"//\s*@")


@dataclass(frozen=True)
class Pointer:
    kind: str
    source: str
    line: int
    id: str | None  # the record's id (CED, rumor_more); None for food_safety
    mid: str | None = None  # a CED response's mid
    index: int | None = None  # that response's position in the post's responses

    def key(self) -> str:
        return f"{self.source}:{self.line}" + (f":{self.index}" if self.index is not None else "")


def own_text(text: str) -> str:
    """A response's own words: what precedes its ``//@`` repost chain."""
    return REPOST_CHAIN.split(text, maxsplit=1)[0].strip()


def old_lines() -> set[tuple[str, int]]:
    spec = json.loads(OLD_LABELS.read_text(encoding="utf-8"))
    return {(r["source"], r["line"]) for task in ("topics", "sentiment") for r in spec[task]}


def _rows(source: str) -> list[tuple[int, dict[str, Any]]]:
    return list(read_lines(dataset_path(SOURCES[source])))


def _is_government(record: dict[str, Any], source: str) -> bool:
    if source == "ced":
        user = record.get("user")
        return isinstance(user, dict) and user.get("verified_type") == 1
    if source == "mm17":
        return (record.get("meta") or {}).get("verified_type") == 1
    return False


def draw() -> list[Pointer]:
    rng = random.Random(SEED)
    taken = old_lines()
    pointers: list[Pointer] = []
    ced = _rows("ced")
    candidates = [(n, r) for n, r in ced if ("ced", n) not in taken]
    comment_posts: set[int] = set()
    for number, record in rng.sample(candidates, len(candidates)):
        if len(comment_posts) == COMMENT_POSTS:
            break
        usable = [
            i
            for i, response in enumerate(record.get("responses") or [])
            if len(own_text(str(response.get("text") or ""))) >= MIN_CHARS
        ]
        if len(usable) < PER_POST:
            continue
        comment_posts.add(number)
        for i in sorted(rng.sample(usable, PER_POST)):
            mid = str(record["responses"][i].get("mid"))
            pointers.append(Pointer("comment", "ced", number, str(record["id"]), mid, i))
    government = [(s, n, r) for s in ("ced", "mm17") for n, r in _rows_cached(s, ced)]
    notices = [(s, n, r) for s, n, r in government if _is_government(r, s)]
    notices = [(s, n, r) for s, n, r in notices if (s, n) not in taken and n not in comment_posts]
    for source, number, record in rng.sample(notices, min(VERIFIED_POSTS, len(notices))):
        pointers.append(Pointer("weibo_post", source, number, str(record["id"])))
    posts = [
        (n, r)
        for n, r in candidates
        if n not in comment_posts and not _is_government(r, "ced") and str(r.get("text") or "")
    ]
    for number, record in rng.sample(posts, CED_POSTS):
        pointers.append(Pointer("weibo_post", "ced", number, str(record["id"])))
    more = [
        (s, n, r)
        for s in ("weibo21", "mm17")
        for n, r in _rows(s)
        if not _is_government(r, s) and str(r.get("text") or "").strip()
    ]
    for source, number, record in rng.sample(more, MORE_POSTS):
        pointers.append(Pointer("weibo_post", source, number, str(record["id"])))
    news = [n for n, _ in _rows("food_safety") if ("food_safety", n) not in taken]
    for number in rng.sample(news, NEWS):
        pointers.append(Pointer("news", "food_safety", number, None))
    drawn = {(p.source, p.line) for p in pointers} | taken | {("ced", n) for n in comment_posts}
    official = [
        (s, n, r)
        for s in ("ced", "weibo21", "mm17")
        for n, r in _rows_cached(s, ced)
        if (s, n) not in drawn and r.get("label") == "non-rumor" and _is_notice(r)
    ]
    for source, number, record in rng.sample(official, min(NOTICES, len(official))):
        pointers.append(Pointer("official_notice", source, number, str(record["id"])))
    return pointers


def _is_notice(record: dict[str, Any]) -> bool:
    return bool(NOTICE_OPENING.search(str(record.get("text") or "")[:NOTICE_WINDOW]))


def _rows_cached(
    source: str, ced: list[tuple[int, dict[str, Any]]]
) -> list[tuple[int, dict[str, Any]]]:
    return ced if source == "ced" else _rows(source)


def read_texts(pointers: Iterable[Pointer]) -> dict[str, str]:
    """Each pointer's text, by ``Pointer.key``; an id or mid that differs is an error."""
    wanted: dict[str, dict[int, list[Pointer]]] = {}
    for pointer in pointers:
        wanted.setdefault(pointer.source, {}).setdefault(pointer.line, []).append(pointer)
    texts: dict[str, str] = {}
    for source, lines in wanted.items():
        for number, record in read_lines(dataset_path(SOURCES[source])):
            for pointer in lines.get(number, []):
                texts[pointer.key()] = _text_of(pointer, record)
        missing = [p.key() for line in lines.values() for p in line if p.key() not in texts]
        if missing:
            raise ValueError(f"{SOURCES[source]} has no line for {missing[:5]}: the file is short")
    return texts


def _text_of(pointer: Pointer, record: dict[str, Any]) -> str:
    where = f"{SOURCES[pointer.source]} line {pointer.line}"
    if pointer.id is not None and str(record.get("id")) != pointer.id:
        raise ValueError(f"{where} has id {record.get('id')!r}, the labels say {pointer.id!r}")
    if pointer.index is None:
        text = str(record.get("text") or "")
        return text[:NEWS_CHARS] if pointer.kind == "news" else text
    responses = record.get("responses") or []
    if pointer.index >= len(responses) or str(responses[pointer.index].get("mid")) != pointer.mid:
        raise ValueError(f"{where}: response {pointer.index} is not mid {pointer.mid!r}")
    return str(responses[pointer.index].get("text") or "")


def shingles(text: str, n: int = 3) -> set[str]:
    cleaned = re.sub(r"\[[^\[\]]{1,8}\]|@\S+|https?://\S+|[\W_]+", "", text)
    return {cleaned[i : i + n] for i in range(max(1, len(cleaned) - n + 1))}


def splits(pointers: list[Pointer], texts: dict[str, str]) -> list[str]:
    """``held_out`` or ``tuning`` for each pointer, near-copies and one post's comments together.

    Groups: the responses of one CED post; texts whose character 3-shingle Jaccard is at least
    ``NEAR``. A group is held out when its first member's draw position modulo 5 is 3 or 4.
    """
    parent = list(range(len(pointers)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    grams = [shingles(texts[p.key()]) for p in pointers]
    first_of_post: dict[tuple[str, int], int] = {}
    for i, pointer in enumerate(pointers):
        if pointer.index is not None:
            j = first_of_post.setdefault((pointer.source, pointer.line), i)
            parent[find(i)] = find(j)
        for j in range(i):
            union = len(grams[i] | grams[j])
            if union and len(grams[i] & grams[j]) / union >= NEAR:
                parent[find(i)] = find(j)
    return ["held_out" if find(i) % 5 in (3, 4) else "tuning" for i in range(len(pointers))]


def main() -> int:
    pointers = draw()
    texts = read_texts(pointers)
    for number, pointer in enumerate(pointers):
        text = re.sub(r"\s+", " ", texts[pointer.key()])
        print(json.dumps({"n": number, "kind": pointer.kind, "text": text}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

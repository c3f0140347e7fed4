"""Near-duplicate recall and precision on edited copies of real texts.

Originals: news reports from ``../shared/datasets/food_safety`` (long texts, one topic, so
unrelated originals are alike in vocabulary, which is what makes precision hard) and Weibo
posts from ``../shared/datasets/ced`` (short texts). Each original gets edited copies of the
kinds reprints and copy-pastes really show (seeded, so every run makes the same ones):

- ``reprint``: a source line before and an editor's line after;
- ``trimmed``: every fifth sentence dropped;
- ``typos``: 3 % of the characters replaced;
- ``truncated``: the first 60 %;
- ``new_lead``: the first sentence rewritten and two sentences swapped;
- ``heavy``: trimmed, typos and reprint lines together.

The originals are indexed first (in a random order), then each copy is looked up. Recall:
copies linked to their own original. Precision: links that point to the right original.
Also counted: originals linked to another original (false links among unrelated texts).
Originals that are themselves copies of one another (the data sets hold real reprints) are
removed first with difflib, independently of the code measured.

Run: ``.venv/bin/python benchmarks/crawl_neardup_bench.py [--news N] [--posts N]``
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.neardup import NearDuplicateIndex  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
_SENTENCE = re.compile(r"(?<=[。！？!?；;])")
_FILLER = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"  # noqa: E501


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()]


def reprint(text: str, rng: random.Random) -> str:
    outlet = rng.choice(["江州日报", "临川新闻网", "东江晚报", "中国质量新闻网"])
    return f"来源：{outlet}\n{text}\n（责任编辑：{rng.choice(['张伟', '李娜', '王芳'])}）"


def trimmed(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    offset = rng.randrange(5)
    return "".join(s for i, s in enumerate(parts) if (i + offset) % 5 != 0 or len(parts) < 3)


def typos(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) * 3 // 100)):
        chars[rng.randrange(len(chars))] = rng.choice(_FILLER)
    return "".join(chars)


def truncated(text: str, rng: random.Random) -> str:
    return text[: max(10, len(text) * 6 // 10)]


def new_lead(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    lead = "据多家媒体报道，这一消息引发网友广泛关注。"
    if len(parts) >= 4:
        parts[1], parts[2] = parts[2], parts[1]
    return lead + "".join(parts[1:]) if len(parts) > 1 else lead + text


def heavy(text: str, rng: random.Random) -> str:
    return reprint(typos(trimmed(text, rng), rng), rng)


EDITS: dict[str, Callable[[str, random.Random], str]] = {
    "reprint": reprint,
    "trimmed": trimmed,
    "typos": typos,
    "truncated": truncated,
    "new_lead": new_lead,
    "heavy": heavy,
}


def load_texts(news: int, posts: int) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {"news": [], "posts": []}
    with gzip.open(DATASETS / "food_safety" / "food_safety_news.jsonl.gz", "rt") as lines:
        for line in lines:
            text = json.loads(line)["text"].strip()
            if len(text) >= 200:
                texts["news"].append(text)
            if len(texts["news"]) >= 3 * news:
                break
    with gzip.open(DATASETS / "ced" / "ced_dev.jsonl.gz", "rt") as lines:
        for line in lines:
            text = json.loads(line)["text"].strip()
            if len(text) >= 30:  # the dedup pipeline's minimum (MIN_FINGERPRINT_CHARS)
                texts["posts"].append(text)
            if len(texts["posts"]) >= 3 * posts:
                break
    return {"news": distinct(texts["news"], news), "posts": distinct(texts["posts"], posts)}


def distinct(texts: list[str], limit: int) -> list[str]:
    """Texts that are not copies of one another, judged by difflib (not by the code measured).

    The data sets hold real reprints and copy-pastes (the same rumour posted by many users);
    left in, a copy's link to the "wrong" original would be counted as an error when it is
    right. A text is dropped when its first 300 letters match an earlier one's by a
    SequenceMatcher ratio of 0.5 or more.
    """
    kept: list[str] = []
    heads: list[str] = []
    for text in texts:
        head = re.sub(r"[^\w]", "", text)[:300]
        similar = False
        for other in heads:
            matcher = difflib.SequenceMatcher(None, head, other, autojunk=False)
            if (
                matcher.real_quick_ratio() >= 0.5
                and matcher.quick_ratio() >= 0.5 <= matcher.ratio()
            ):
                similar = True
                break
        if not similar:
            kept.append(text)
            heads.append(head)
        if len(kept) >= limit:
            break
    return kept


def measure(originals: list[str], threshold: float, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    index = NearDuplicateIndex(threshold=threshold)
    order = list(range(len(originals)))
    rng.shuffle(order)
    false_among_originals = 0
    started = time.perf_counter()
    for i in order:
        false_among_originals += index.add(f"o{i}", originals[i]) is not None
    per_kind: dict[str, list[int]] = {}
    linked = correct = total = 0
    for i, text in enumerate(originals):
        for kind, edit in EDITS.items():
            copy = edit(text, rng)
            match = index.find(copy)
            total += 1
            right = match is not None and match.original == f"o{i}"
            linked += match is not None
            correct += right
            per_kind.setdefault(kind, [0, 0])
            per_kind[kind][0] += right
            per_kind[kind][1] += 1
    seconds = time.perf_counter() - started
    return {
        "recall": correct / total,
        "precision": correct / linked if linked else 1.0,
        "false_among_originals": false_among_originals,
        "per_kind": {k: v[0] / v[1] for k, v in per_kind.items()},
        "texts_per_second": (len(originals) + total) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--news", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (DATASETS / "food_safety").exists() or not (DATASETS / "ced").exists():
        sys.exit(f"data sets missing under {DATASETS} (see ../shared/datasets/README.md)")
    texts = load_texts(args.news, args.posts)
    for name, originals in texts.items():
        print(f"{name}: {len(originals)} originals, {len(EDITS)} edited copies each")
        for threshold in (float(t) for t in args.thresholds.split(",")):
            r = measure(originals, threshold, args.seed)
            kinds = " ".join(f"{k}={v:.2f}" for k, v in r["per_kind"].items())  # type: ignore[attr-defined]
            print(
                f"  threshold {threshold:.1f}: recall {r['recall']:.3f} precision "
                f"{r['precision']:.3f} false links among originals {r['false_among_originals']}"
                f" ({r['texts_per_second']:.0f} texts/s) | {kinds}"
            )


if __name__ == "__main__":
    main()

"""Drawing posts where the field is common: a word net, plus a random part (issue 22, fifth pass).

    python -m nlp.training.relevance_net_draw PART BATCH   # print a batch of a part for reading

Random draws of Weibo posts hold few of the agency's posts (3.7 % of the fourth pass's 1,445),
too few to train on or to measure recall. This draw never looks at a scorer; it splits the
posts no one has read (CED, Weibo21 of every domain, mm17; one per near-copy group, none in
the group of an evaluation post or of a post read before) into two strata by ``NET``, a broad
net of field words (food, drugs, prices, products, shops, complaints, scams, recalls, fires of
goods...: far wider than the lexicon, and chosen before any post was read), and draws:

* ``blind_random``: ``RANDOM_SIZE`` posts uniformly from all candidates: the stream's real mix,
  so that precision is measured on what the stage sees;
* ``train_net``: ``TRAIN_SIZE`` net posts, read first, for training and tuning;
* ``blind_core``: ``BLIND_CORE_SIZE`` posts that ``CORE`` matches, neither read for training nor
  in the random part, drawn with ``random.Random(CORE_SEED)``, for the blind figure's recall.

``CORE`` was written after the training part was read (not the blind parts): 24 of its 200
posts were relevant (12 %), too few to reach 80 relevant blind posts in a reading budget; the
net's noisy words (爆炸 of terror attacks, 酒 of drunk driving, 油 of 加油, 食 of recipes,
奶 of 奶奶) went, and on the training part the core kept 23 of the 24 relevant posts in 91
(25 %). The blind figures are weighted to the stream (``relevance_blind_net``): the strata are
the candidates in ``CORE`` and the rest; a sampled post stands for its stratum's size over the
sampled posts of that stratum (the random part's core posts count in the core stratum).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from nlp.training import relevance_labels as hand
from nlp.training.relevance_draw import post_domains, read_for_training
from nlp.training.rumor_more import clean_text

SEED = 20261209
RANDOM_SIZE = 120
TRAIN_SIZE = 200
# The first draw (train_net, blind_random) used SEED; the core part, added after the training
# part was read, its own seed so that the first two parts stay as they were read.
CORE_SEED = 202612091
BLIND_CORE_SIZE = 360
# The first draw's net sample: train_net is its first TRAIN_SIZE posts; the other 330 were
# meant as a blind net part, never read nor used (the core part replaced them).
FIRST_NET_DRAW = 530
BATCH = 110
PARTS = ("train_net", "blind_random", "blind_core")
# Field words, written before reading: every kind of good, food and drug, price, shop and
# buyer, complaint, scam, recall and the regulators' names; 食 and 药 alone catch 食品, 食物,
# 药品, 农药. Broad on purpose: what it misses is measured by the random part.
NET = re.compile(
    "食|药|奶|肉|油|饮料|酒|蛋|虾|蔬菜|水果|大米|面粉|假冒|山寨|伪劣|有毒|致癌|超标|添加|质量"
    "|产品|商品|厂家|品牌|价格|涨价|收费|消费|商家|超市|商场|网购|淘宝|维权|投诉|召回|爆炸"
    "|电梯|充电|燃气|锅炉|化妆品|面膜|牙膏|疫苗|保健|传销|广告|工商|质监|监管|3\\.?15|三一五"
    "|诈骗|骗局|不合格|检测|检出"
)
CORE = re.compile(
    "食品|食物|食用|食安|药品|药店|药监|农药|假药|添加剂|奶粉|牛奶|饮料|猪肉|牛肉|羊肉|蔬菜|水果"
    "|大米|面粉|假冒|山寨|伪劣|有毒|致癌|超标|质量|产品|商品|厂家|品牌|价格|涨价|收费|消费|商家"
    "|超市|商场|网购|淘宝|维权|投诉|召回|电梯|充电|燃气|锅炉|化妆品|面膜|牙膏|疫苗|保健|传销"
    "|虚假广告|工商|质监|监管|3\\.?15|三一五|骗局|不合格|检测|检出|地沟油|病死|寄生虫|细菌"
)


@dataclass(frozen=True)
class Candidate:
    key: str  # "ced:LINE" or the Weibo21 / mm17 id
    source: str  # "ced", a Weibo21 domain, or "mm17"
    text: str
    in_net: bool


@dataclass(frozen=True)
class Draw:
    parts: dict[str, list[Candidate]]
    core: int  # candidates in CORE, the training part left out
    rest: int  # the other candidates, the training part left out


def candidates(root: Path | None = None) -> list[Candidate]:
    """Every unread post, one per near-copy group, away from every labelled post's group."""
    from nlp.training.relevance_train import drawn_groups, kept_out_groups, weibo_posts

    posts = weibo_posts(root)
    excluded = kept_out_groups(posts, net_blind=False)
    # the fourth pass's drawn posts only: the fifth pass's own labels came after this draw
    excluded |= set(drawn_groups(posts, files=((hand.DRAWN_FILE, "drawn"),)))
    excluded |= read_for_training(posts)
    domain = post_domains(root)
    out: list[Candidate] = []
    seen = set(excluded)
    for i, (number, text) in enumerate(posts.ced):
        if posts.group(i) not in seen:
            seen.add(posts.group(i))
            out.append(Candidate(f"ced:{number}", "ced", text, bool(NET.search(text))))
    for i, (key, raw) in enumerate(posts.more):
        group = posts.group(i, more=True)
        if group not in seen:
            seen.add(group)
            text = clean_text(raw)
            out.append(Candidate(key, domain[key], text, bool(NET.search(text))))
    return out


def draw(root: Path | None = None) -> Draw:
    pool = candidates(root)
    rng = random.Random(SEED)
    chosen = rng.sample(pool, RANDOM_SIZE)
    taken = {c.key for c in chosen}
    net = [c for c in pool if c.in_net and c.key not in taken]
    net_draw = rng.sample(net, FIRST_NET_DRAW)
    train = net_draw[:TRAIN_SIZE]
    taken |= {c.key for c in train}
    core = [c for c in pool if in_core(c) and c.key not in taken]
    parts = {
        "train_net": train,
        "blind_random": chosen,
        "blind_core": random.Random(CORE_SEED).sample(core, BLIND_CORE_SIZE),
    }
    stream = [c for c in pool if c.key not in {t.key for t in train}]
    in_stream_core = sum(in_core(c) for c in stream)
    return Draw(parts, in_stream_core, len(stream) - in_stream_core)


def in_core(candidate: Candidate) -> bool:
    return bool(CORE.search(candidate.text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("part", choices=PARTS)
    parser.add_argument("batch", type=int, help="batch number (BATCH posts each)")
    args = parser.parse_args(argv)
    drawn = draw().parts[args.part]
    chosen = drawn[args.batch * BATCH : (args.batch + 1) * BATCH]
    print(f"# {args.part} batch {args.batch}: {len(chosen)} of {len(drawn)}", file=sys.stderr)
    for candidate in chosen:
        text = " ".join(candidate.text.split())[:400]
        print(f"{candidate.key}\t{candidate.source}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

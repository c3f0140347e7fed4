"""Drawing more Weibo posts to read and label for the relevance model (issue 22, fourth pass).

    python -m nlp.training.relevance_draw BATCH     # print batch BATCH (0, 1, …) for reading

The draw never looks at a scorer: candidates are chosen by data set and domain only, so that
the labels are made by reading before any model scores the posts. Candidates:

* CED lines after ``relevance_labels.READ_UP_TO`` (the part never read for training);
* Weibo21 posts of the domains where the field's posts are (``QUOTA``'s: 医药健康, 社会生活,
  财经商业, 灾难事故 — accidents hold the special-equipment and product-fire posts);
* mm17 posts (2012–2016, many food and product rumours);

minus every post in the near-copy group (``rumor_train.near_duplicate_groups`` over CED,
Weibo21 and mm17 together, as training groups them) of an evaluation post (the older samples
and the blind one: ``relevance_train.kept_out_groups``) or of a post already read for training
(CED lines up to ``READ_UP_TO``, ``relevance_labels.WEIBO21_READ``); one post per group.
Each source gives ``QUOTA`` posts drawn with ``random.Random(SEED)``; the draws are then
shuffled together (same seed), so every prefix of batches is a random draw of the same mix:
reading stops after any batch without biasing what was read.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.training import relevance_labels as hand
from nlp.training.evaluation import dataset_path, read_lines
from nlp.training.rumor_more import MM17, WEIBO21, clean_text

if TYPE_CHECKING:  # imported lazily below: relevance_train is heavy
    from nlp.training.relevance_train import _Weibo

SEED = 20261208
# Posts per source. 医药健康 has fewer left than its quota (the blind sample and the second
# pass drew most of it): all of them are taken.
QUOTA = {
    "ced": 250,
    "医药健康": 200,
    "社会生活": 400,
    "财经商业": 200,
    "灾难事故": 200,
    "mm17": 350,
}
BATCH = 100


@dataclass(frozen=True)
class Candidate:
    key: str  # "ced:LINE" or the Weibo21 / mm17 id
    source: str  # "ced", a Weibo21 domain, or "mm17"
    text: str


def read_for_training(posts: _Weibo) -> set[int]:
    """The near-copy groups of the posts the second pass read for training: CED lines up to
    ``READ_UP_TO`` and the Weibo21 posts of ``WEIBO21_READ``."""
    groups = {posts.group(i) for i, (n, _) in enumerate(posts.ced) if n <= hand.READ_UP_TO}
    groups |= {
        posts.group(i, more=True)
        for i, (key, _) in enumerate(posts.more)
        if key in hand.WEIBO21_READ
    }
    return groups


def post_domains(root: Path | None = None) -> dict[str, str]:
    """Each Weibo21 post's domain by its id, and "mm17" for mm17's posts."""
    return {
        str(r["id"]): (str(r.get("domain") or "mm17"))
        for relative in (WEIBO21, MM17)
        for _, r in read_lines(dataset_path(relative, root))
    }


def draw(root: Path | None = None) -> list[Candidate]:
    """Every drawn post, in reading order."""
    from nlp.training.relevance_train import kept_out_groups, weibo_posts

    posts = weibo_posts(root)
    excluded = kept_out_groups(posts, net_blind=False) | read_for_training(posts)
    domain = post_domains(root)
    pools: dict[str, list[Candidate]] = {name: [] for name in QUOTA}
    seen: set[int] = set(excluded)
    for i, (number, text) in enumerate(posts.ced):
        group = posts.group(i)
        if number > hand.READ_UP_TO and group not in seen:
            seen.add(group)
            pools["ced"].append(Candidate(f"ced:{number}", "ced", text))
    for i, (key, text) in enumerate(posts.more):
        group = posts.group(i, more=True)
        source = domain[key]
        if source in pools and group not in seen:
            seen.add(group)
            pools[source].append(Candidate(key, source, clean_text(text)))
    rng = random.Random(SEED)
    drawn: list[Candidate] = []
    for name, quota in QUOTA.items():
        pool = pools[name]
        drawn.extend(rng.sample(pool, min(quota, len(pool))))
    rng.shuffle(drawn)
    return drawn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("batch", type=int, help="batch number (BATCH posts each)")
    args = parser.parse_args(argv)
    drawn = draw()
    chosen = drawn[args.batch * BATCH : (args.batch + 1) * BATCH]
    print(f"# batch {args.batch}: {len(chosen)} of {len(drawn)} drawn posts", file=sys.stderr)
    for candidate in chosen:
        text = " ".join(candidate.text.split())
        print(f"{candidate.key}\t{candidate.source}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Training the relevance model (``yuqing train relevance``) and comparing it with the lexicon
on the labelled sample of ``nlp.training.evaluation`` (``yuqing evaluate relevance``).

The training set (no line of the labelled sample, and no near-copy of one, is trained on):

- **positives**: the food-safety news reports (``../shared/datasets/food_safety``, their first
  ``NEWS_CHARS`` characters: headline and lead); the CED posts read and labelled relevant by
  hand (``relevance_labels``), and the Weibo21 posts read and labelled relevant the same way;
  the CED posts past the read part, and the other Weibo21 and mm17 posts
  (``../shared/datasets/rumor_more``), that the lexicon scores relevant (its precision on the
  older labelled sample is 1.0, on the hand-read training posts 0.70-0.76); each domain
  lexicon term of weight ≥ ``MIN_TERM_WEIGHT`` as a
  one-term text (topics with no training text, such as elevators or metrology, are not unknown);
- **negatives**: the CED and Weibo21 posts read and not labelled relevant; past the read
  part, CED posts the lexicon gives at most ``NEGATIVE_BELOW``; Weibo21 and mm17 posts
  without any lexicon term (the lexicon's weak field words, 微波炉 or 过期, keep a post
  out); and ``NEWS_PAGE_CHARS``-character pieces of the unrelated articles of
  ``../shared/datasets/news_pages`` (without them the model learnt "news style = relevant",
  since all news in the positives is food news, and flagged 13 of 57 other articles).

The drawn posts read in the fourth pass (``relevance_labels.drawn_labels``: CED, Weibo21 and
mm17, each label holding for its near-copy group) are hand labels too (kinds ``drawn_hand_*``),
weighed like the others times ``DRAWN_WEIGHT``; so are the fifth pass's 200 word-net posts
(``relevance_net_draw``'s training part, ``relevance_labels.NET_FILE``, kinds ``net_hand_*``).
The second blind sample (``relevance_blind_net``) and its near-copies are kept out too.

Hand-read Weibo positives weigh ``WEIBO_POSITIVE_WEIGHT`` each, the lexicon's
``LEXICON_POSITIVE_WEIGHT``: they are a few hundred beside 2,500 reports, and they are what the
model must read. Knobs are chosen on the tuning part (``relevance_tuning``: the hand-read posts
out of fold) and the ``ced`` sample. Near-copies: ``rumor_train``'s grouping
(character 3-shingle Jaccard ≥ 0.5) over CED, Weibo21 and mm17 together: no post of an
evaluation sample (``evaluation``'s and the blind ``relevance_blind``), nor any near-copy of
one in any of the three files, is trained on; a hand label holds for its near-copies. The
held-out evaluation part (``ced_holdout``) was looked
at once, after every knob here had been chosen on the tuning part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlp.lexicon import default_lexicon
from nlp.normalise import normalise
from nlp.relevance import LexiconRelevanceScorer
from nlp.relevance_model import NGRAMS, RelevanceModel, TrainedRelevanceScorer
from nlp.text import document_from_text
from nlp.training import relevance_blind as blind
from nlp.training import relevance_blind_net as blind_net
from nlp.training import relevance_labels as hand
from nlp.training.evaluation import (
    CED,
    CED_LINES,
    FOOD_SAFETY,
    FOOD_SAFETY_LINES,
    HOLDOUT_LINES,
    Example,
    Scores,
    dataset_path,
    evaluate,
    read_lines,
    relevance_sample,
)
from nlp.training.relevance_blind import blind_sample
from nlp.training.rumor_more import MM17, WEIBO21
from nlp.training.rumor_train import near_duplicate_groups

# Chosen on the tuning split (2026-12-07): C 4 / 8 / 16 and weights 1 / 5 / 20 compared, 8 and
# 20 found the most relevant tuning posts (16 of 19) with no false hit.
C = 8.0
WEIBO_POSITIVE_WEIGHT = 20.0
# Posts labelled relevant by the lexicon alone weigh less than the hand-read ones: on the
# hand-read posts the lexicon's precision is 0.70-0.76, not the 1.0 of the older sample.
# Chosen on the tuning part (``relevance_tuning``, out of fold, 2026-12-07, third pass): 5
# instead of 20, with CED's weak negatives only where the lexicon finds nothing (as Weibo21's),
# moved lexicon+model from P 0.776 / R 0.667 to 0.806 / 0.692 (0.812 / 0.718 with the
# @-account rule).
LEXICON_POSITIVE_WEIGHT = 5.0
MAX_FEATURES = 100_000
MIN_TERM_WEIGHT = 0.6
NEWS_CHARS = 200
# A CED post past the read part is a weak negative only when the lexicon finds no term at all:
# a weak field word (微波炉, 过期) says the post may be one the lexicon misses.
NEGATIVE_BELOW = 0.0
# The drawn posts' labels (fourth pass) weigh like the earlier hand labels times this; 0 keeps
# them out of training but in the tuning part's scored posts (the figure without them). On the
# tuning part out of fold (2026-12-07): 0 -> 1 moved the first 1,547 posts from P 0.800 / R
# 0.718 to 0.836 / 0.718 and the drawn ones from 0.596 / 0.509 to 0.608 / 0.564; positives at
# 10 or 40 instead of 20 gave the same figures.
DRAWN_WEIGHT = 1.0
NEWS_PAGES = "news_pages"
NEWS_PAGE_CHARS = 200
NEWS_PAGE_PIECES = 10
# Articles of news_pages read as about the field, left out of the negatives: a power-bank
# price rise (price supervision) and a developer's building-quality complaints.
NEWS_PAGES_ABOUT_THE_FIELD = frozenset({"thepaper/1.html", "163/1.html"})


@dataclass
class TrainingSet:
    texts: list[str]
    labels: list[int]
    counts: dict[str, int]
    weights: list[float] = field(default_factory=list)
    # Per text: where it came from and its near-copy group (-1: none), so that the tuning
    # cross-validation (``relevance_tuning``) can hold the hand-labelled posts out by group.
    kinds: list[str] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)

    def add(self, text: str, label: int, kind: str, weight: float = 1.0, group: int = -1) -> None:
        self.texts.append(text)
        self.labels.append(label)
        self.weights.append(weight)
        self.kinds.append(kind)
        self.groups.append(group)
        self.counts[kind] = self.counts.get(kind, 0) + 1


def _news(data: TrainingSet, root: Path | None) -> None:
    held = set(FOOD_SAFETY_LINES)
    for number, record in read_lines(dataset_path(FOOD_SAFETY, root)):
        if number not in held:
            data.add(str(record["text"])[:NEWS_CHARS], 1, "news")


def _read(number: int, lexicon_score: float) -> bool:
    """Whether the line was read by hand (``relevance_labels``)."""
    if number > hand.READ_UP_TO or number in hand.UNREAD:
        return False
    return number >= hand.SHOWN_ALL_FROM or lexicon_score < 0.5


@dataclass
class _Weibo:
    """Every Weibo post of the data sets, with one near-copy group number across all of them."""

    ced: list[tuple[int, str]]  # (line, text)
    more: list[tuple[str, str]]  # (Weibo21 / mm17 id, text)
    groups: np.ndarray  # CED posts first, then ``more`` in order

    def group(self, index: int, more: bool = False) -> int:
        return int(self.groups[len(self.ced) + index if more else index])


def weibo_posts(root: Path | None = None) -> _Weibo:
    ced = [(number, str(r["text"])) for number, r in read_lines(dataset_path(CED, root))]
    more = [
        (str(r["id"]), str(r.get("text") or ""))
        for relative in (WEIBO21, MM17)
        for _, r in read_lines(dataset_path(relative, root))
    ]
    texts = [text for _, text in ced] + [text for _, text in more]
    return _Weibo(ced, more, near_duplicate_groups(texts))


def kept_out_groups(posts: _Weibo, net_blind: bool = True) -> set[int]:
    """Near-copy groups of every evaluation post: the older samples and the blind samples
    (``net_blind=False``: without the fifth pass's, as the draws made before it saw them)."""
    lines = set(CED_LINES) | set(HOLDOUT_LINES) | set(blind.CED_LINES)
    keys = set(blind.WEIBO21_IDS)
    if net_blind:
        net_keys = blind_net.kept_out_keys()
        lines |= {int(k[4:]) for k in net_keys if k.startswith("ced:")}
        keys |= {k for k in net_keys if not k.startswith("ced:")}
    out = {posts.group(i) for i, (number, _) in enumerate(posts.ced) if number in lines}
    out |= {posts.group(i, more=True) for i, (key, _) in enumerate(posts.more) if key in keys}
    return out


# Label files of drawn posts and the kind prefix of their training texts: the fourth pass's
# domain draw, the fifth pass's word-net draw (``relevance_net_draw``).
LABEL_FILES = ((hand.DRAWN_FILE, "drawn"), (hand.NET_FILE, "net"))


def drawn_groups(
    posts: _Weibo, files: tuple[tuple[Path, str], ...] = LABEL_FILES
) -> dict[int, tuple[str, str]]:
    """Near-copy group → (its drawn post's label, the kind prefix of its label file)."""
    out: dict[int, tuple[str, str]] = {}
    for path, prefix in files:
        labels = hand.drawn_labels(path)
        for i, (n, _) in enumerate(posts.ced):
            if f"ced:{n}" in labels:
                out[posts.group(i)] = (labels[f"ced:{n}"], prefix)
        for i, (key, _) in enumerate(posts.more):
            if key in labels:
                out[posts.group(i, more=True)] = (labels[key], prefix)
    return out


def _add_drawn(data: TrainingSet, text: str, drawn: tuple[str, str], group: int) -> None:
    label, prefix = drawn
    if label == "relevant":
        weight = WEIBO_POSITIVE_WEIGHT * DRAWN_WEIGHT
        data.add(text, 1, f"{prefix}_hand_positive", weight, group)
    elif label == "not_relevant":
        data.add(text, 0, f"{prefix}_hand_negative", DRAWN_WEIGHT, group)
    # ambiguous: left out, as the earlier passes' ambiguous posts


def _ced(
    data: TrainingSet,
    posts: _Weibo,
    kept_out: set[int],
    lexicon: LexiconRelevanceScorer,
    drawn: dict[int, tuple[str, str]],
) -> None:
    line_group = {number: posts.group(i) for i, (number, _) in enumerate(posts.ced)}
    relevant = {line_group[n] for n in hand.RELEVANT}
    ambiguous = {line_group[n] for n in hand.AMBIGUOUS}
    for i, (number, text) in enumerate(posts.ced):
        group = posts.group(i)
        if group in kept_out:
            data.counts["ced_near_sample"] = data.counts.get("ced_near_sample", 0) + 1
        elif group in drawn:
            _add_drawn(data, text, drawn[group], group)
        elif group in ambiguous:
            continue
        elif group in relevant:
            data.add(text, 1, "ced_hand_positive", WEIBO_POSITIVE_WEIGHT, group)
        else:
            score = lexicon.score(document_from_text(text)).score
            if _read(number, score):
                data.add(text, 0, "ced_hand_negative", group=group)
            elif score >= 0.5:
                data.add(text, 1, "ced_lexicon_positive", LEXICON_POSITIVE_WEIGHT, group)
            elif score <= NEGATIVE_BELOW:
                data.add(text, 0, "ced_lexicon_negative", group=group)


def _more(
    data: TrainingSet,
    posts: _Weibo,
    kept_out: set[int],
    lexicon: LexiconRelevanceScorer,
    drawn: dict[int, tuple[str, str]],
) -> None:
    key_group = {key: posts.group(i, more=True) for i, (key, _) in enumerate(posts.more)}
    relevant = {key_group[k] for k in hand.WEIBO21_RELEVANT}
    ambiguous = {key_group[k] for k in hand.WEIBO21_AMBIGUOUS}
    read = {key_group[k] for k in hand.WEIBO21_READ}
    for i, (_, text) in enumerate(posts.more):
        group = posts.group(i, more=True)
        if group in kept_out:
            data.counts["weibo_near_sample"] = data.counts.get("weibo_near_sample", 0) + 1
        elif group in drawn:
            _add_drawn(data, text, drawn[group], group)
        elif group in ambiguous:
            continue
        elif group in relevant:
            data.add(text, 1, "weibo_hand_positive", WEIBO_POSITIVE_WEIGHT, group)
        elif group in read:
            data.add(text, 0, "weibo_hand_negative", group=group)
        else:
            score = lexicon.score(document_from_text(text)).score
            if score >= 0.5:
                data.add(text, 1, "weibo_lexicon_positive", LEXICON_POSITIVE_WEIGHT, group)
            elif score == 0.0:
                data.add(text, 0, "weibo_lexicon_negative", group=group)


def add_weibo(data: TrainingSet, root: Path | None, lexicon: LexiconRelevanceScorer) -> None:
    """The CED, Weibo21 and mm17 training posts: evaluation posts and their near-copies left out."""
    posts = weibo_posts(root)
    kept_out = kept_out_groups(posts)
    drawn = drawn_groups(posts)
    _ced(data, posts, kept_out, lexicon, drawn)
    _more(data, posts, kept_out, lexicon, drawn)


def news_page_texts(root: Path | None = None) -> Iterator[tuple[str, str]]:
    """(relative path, main text) of the saved articles of ``news_pages``, by trafilatura."""
    import trafilatura

    folder = dataset_path(NEWS_PAGES, root)
    for path in sorted(folder.rglob("*.html")):
        raw = path.read_bytes()
        try:
            html = raw.decode("utf-8")
        except UnicodeDecodeError:
            html = raw.decode("gb18030", errors="replace")
        text = trafilatura.extract(html) or ""
        if len(text) >= 50:
            yield path.relative_to(folder).as_posix(), text


def _news_pages(data: TrainingSet, root: Path | None) -> None:
    for name, text in news_page_texts(root):
        if name in NEWS_PAGES_ABOUT_THE_FIELD:
            continue
        for start in range(0, min(len(text), NEWS_PAGE_CHARS * NEWS_PAGE_PIECES), NEWS_PAGE_CHARS):
            data.add(text[start : start + NEWS_PAGE_CHARS], 0, "news_page_pieces")


def training_set(
    root: Path | None = None, progress: Callable[[str], None] | None = None
) -> TrainingSet:
    data = TrainingSet([], [], {})
    lexicon = LexiconRelevanceScorer()
    _news(data, root)
    add_weibo(data, root, lexicon)
    _news_pages(data, root)
    for term, (_, weight) in sorted(default_lexicon().topic_terms().items()):
        if weight >= MIN_TERM_WEIGHT:
            data.add(term, 1, "terms")
    if progress:
        progress(f"training set: {data.counts}")
    return data


def fit(data: TrainingSet) -> RelevanceModel:
    vectoriser = TfidfVectorizer(
        analyzer="char",
        ngram_range=NGRAMS,
        sublinear_tf=True,
        min_df=2,
        max_features=MAX_FEATURES,
        lowercase=False,
    )
    weights = data.weights or [1.0] * len(data.texts)
    keep = [i for i, w in enumerate(weights) if w > 0.0]  # weight 0: scored, never trained on
    matrix = vectoriser.fit_transform([normalise(data.texts[i]) for i in keep])
    classifier = LogisticRegression(C=C, solver="liblinear", class_weight="balanced")
    labels = [data.labels[i] for i in keep]
    classifier.fit(matrix, labels, sample_weight=np.asarray([weights[i] for i in keep]))
    terms = vectoriser.get_feature_names_out()
    coef = classifier.coef_.ravel()
    nonzero = coef != 0.0  # n-grams with no weight change nothing but the norm's set-up
    return RelevanceModel(
        terms=np.asarray(terms)[nonzero],
        idf=vectoriser.idf_[nonzero],
        coef=coef[nonzero],
        intercept=float(classifier.intercept_[0]),
        meta={"counts": data.counts, "C": C, "news_chars": NEWS_CHARS},
    )


def compare(model: RelevanceModel, root: Path | None = None) -> dict[str, dict[str, Scores]]:
    """Precision/recall per sample subset for the lexicon, the model and their combination."""
    examples = relevance_sample(root) + blind_sample(root)
    # the second blind sample's two parts pooled (unweighted; the bench weighs them to the
    # stream); kept out of "all" so that it stays comparable with the earlier cards
    net_blind = [post.example for post in blind_net.net_blind_sample(root)]
    lexicon = LexiconRelevanceScorer()
    combined = TrainedRelevanceScorer(model, lexicon)
    predictors: dict[str, Callable[[Example], bool]] = {
        "lexicon": lambda e: lexicon.score(document_from_text(e.text)).score >= 0.5,
        "model": lambda e: model.probability(document_from_text(e.text).full_text) >= 0.5,
        "lexicon+model": lambda e: combined.score(document_from_text(e.text)).score >= 0.5,
    }
    out: dict[str, dict[str, Scores]] = {}
    for subset in ("food_safety", "ced", "ced_holdout", "weibo_blind", "net_blind", "all"):
        pool = net_blind if subset == "net_blind" else examples
        chosen = [e for e in pool if subset == "all" or e.source == subset]
        out[subset] = {name: evaluate(chosen, p)[0] for name, p in predictors.items()}
    return out


def table(results: dict[str, dict[str, Scores]]) -> str:
    lines = [
        "| subset | scorer | tp | fp | fn | tn | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for subset, by_scorer in results.items():
        for name, s in by_scorer.items():
            lines.append(
                f"| {subset} | {name} | {s.tp} | {s.fp} | {s.fn} | {s.tn} "
                f"| {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |"
            )
    return "\n".join(lines)


def as_json(results: dict[str, dict[str, Scores]]) -> dict[str, Any]:
    return {
        subset: {
            name: {
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
            }
            for name, s in by_scorer.items()
        }
        for subset, by_scorer in results.items()
    }

"""The trained rumour model: features, a linear model, Platt calibration, reasons, storage.

Everything here is plain arrays, so the shipped model (``nlp/models/rumor.npz``) loads with
``numpy.load(allow_pickle=False)``: vocabularies as string arrays, IDF weights, coefficients,
the feature scaling and the calibration. Nothing is unpickled, and the transform used at
scoring time is the very code used while training (``TfidfBlock.transform``), so the stored
numbers mean the same thing in both places.

Features, all available when the post is scored (the record's final repost/comment/like counts
are not: they leak the future, and the model never sees them):
- the post: character 1–3-grams (TF-IDF, sublinear), which need no segmentation and survive
  the spelling games of Weibo;
- the responses that exist so far (reposts and comments): character 1–2-grams of their text,
  and counts of responses that doubt (求证, 真的吗) or refute (辟谣, 假的, 谣言) the post;
- the author: verified, organisation account, followers, friends, posts, account age, profile
  description, gender — any of which may be missing (a missing figure contributes nothing).
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from archive.models import Mention, Reason
from nlp.ced import Response, RumorInput

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).parent / "models" / "rumor.npz"
FORMAT = "yuqing-rumor-linear/1"

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_CHAIN_USER = re.compile(r"//\s*@[^\s:：/@]{1,30}\s*[:：]?")
_AT = re.compile(r"@[\w\u3400-\u9fff\-]{1,30}")
_SPACES = re.compile(r"\s+")
# The model reads at most this many responses of a post, the earliest first: past a few hundred
# the doubt has been voiced (CED posts have 380 on average, some thousands), and the cost of
# scoring a post stays bounded however viral it gets.
MAX_RESPONSES = 300
_EMPTY_RESPONSES = frozenset({"", "转发微博", "轉發微博", "repost", "//"})

# Doubt and refutation in responses: the strongest rumour signal there is (Zhao et al. 2015,
# "Enquiring minds"). The phrases are the rumour lexicon's doubt and refute sections.
DOUBT_PHRASES = (
    "求证", "求辟谣", "真的吗", "真的假的", "是真是假", "是真的吗", "靠谱吗", "可信吗",
    "求真相", "求官方", "谁能证实", "确定吗", "有图有真相吗",
)  # fmt: skip
REFUTE_PHRASES = (
    "辟谣", "谣言", "谣传", "造谣", "传谣", "假的", "假消息", "假新闻", "不实", "不可信",
    "骗人", "胡说", "瞎说", "别信", "不要信", "旧闻", "老图", "ps的",
)  # fmt: skip


def normalise(text: str) -> str:
    """What the model reads of a text: URLs, @users and repost-chain users become markers."""
    text = _URL.sub(" URL ", text or "")
    text = _CHAIN_USER.sub(" // ", text)
    text = _AT.sub("@", text)
    return _SPACES.sub(" ", text).strip().lower()


def response_texts(responses: Sequence[Response]) -> list[str]:
    out = []
    for response in responses[:MAX_RESPONSES]:
        text = normalise(response.text)
        if text not in _EMPTY_RESPONSES:
            out.append(text)
    return out


def _found(text: str, phrases: Sequence[str]) -> list[str]:
    return [p for p in phrases if p in text]


# ---- dense features ------------------------------------------------------------------------

DENSE = (
    ("verified", "作者已认证"),
    ("verified_org", "作者为机构认证账号"),
    ("log_followers", "作者粉丝数"),
    ("log_friends", "作者关注数"),
    ("log_messages", "作者发帖数"),
    ("log_account_days", "作者账号注册天数"),
    ("has_description", "作者有简介"),
    ("gender_f", "作者性别为女"),
    ("has_pics", "帖文带图"),
    ("has_url", "帖文带链接"),
    ("post_doubt", "帖文本身提出质疑"),
    ("post_refute", "帖文本身含辟谣用语"),
    ("log_responses", "已有回应数"),
    ("log_doubt_responses", "质疑的回应数"),
    ("log_refute_responses", "称其为假的回应数"),
    ("doubt_share", "质疑或否定的回应占比"),
)
DENSE_NAMES = tuple(name for name, _ in DENSE)
DENSE_LABELS = dict(DENSE)
AUTHOR_FEATURES = frozenset(DENSE_NAMES[:8])
# Scaled dense features are clipped to ±DENSE_CLIP standard deviations. CED posts have
# hundreds of responses, so the share of doubting ones is small and tightly spread (mean 0.02,
# sd 0.05); a new post with one reply, a doubting one, would sit 18 sd out and decide the score
# alone. At 4 sd no prediction on CED changes (checked on 600 development posts at 0 h, 1 h and
# all responses), while a single reply can no longer outweigh everything else.
DENSE_CLIP = 4.0
# What a yes/no feature says when it is "no".
NEGATED = {
    "verified": "作者未认证",
    "verified_org": "作者非机构认证账号",
    "has_description": "作者无简介",
    "gender_f": "作者性别为男",
    "has_pics": "帖文无图",
    "has_url": "帖文无链接",
    "post_doubt": "帖文本身未提出质疑",
    "post_refute": "帖文不含辟谣用语",
}
# Counts stored as log(1 + n), shown as n with their unit.
COUNTED = {
    "log_followers": "人",
    "log_friends": "人",
    "log_messages": "条",
    "log_account_days": "天",
    "log_responses": "条",
}


def dense_text(name: str, raw: float) -> str:
    """A reason's words for one dense feature at its value (raw, before scaling)."""
    if name in NEGATED:
        return DENSE_LABELS[name] if raw >= 0.5 else NEGATED[name]
    if name in COUNTED:
        return f"{DENSE_LABELS[name]} {round(math.expm1(raw)):,}{COUNTED[name]}"
    return DENSE_LABELS[name]


def _log(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return math.log1p(max(0.0, float(value)))


def dense_features(item: RumorInput, texts: Sequence[str]) -> list[float]:
    """One row of DENSE; NaN where the record does not say."""
    user = item.user
    nan = math.nan
    verified = user.get("verified")
    vtype = user.get("verified_type")
    account = user.get("time")
    days = nan
    if item.posted_at is not None and isinstance(account, int | float):
        days = math.log1p(max(0.0, (item.posted_at.timestamp() - float(account)) / 86400))
    gender = user.get("gender")
    post = normalise(item.text)
    doubt = sum(1 for t in texts if _found(t, DOUBT_PHRASES))
    refute = sum(1 for t in texts if _found(t, REFUTE_PHRASES))
    either = sum(1 for t in texts if _found(t, DOUBT_PHRASES) or _found(t, REFUTE_PHRASES))
    return [
        float(bool(verified)) if isinstance(verified, bool | int) else nan,
        float(isinstance(vtype, int) and 1 <= vtype <= 7) if isinstance(vtype, int) else nan,
        _log(user.get("followers")),
        _log(user.get("friends")),
        _log(user.get("messages")),
        days,
        float(bool(user.get("description"))) if "description" in user else nan,
        float(gender == "f") if gender in ("f", "m") else nan,
        float(item.pics > 0),
        float("URL" in normalise(item.text).upper() or "http" in item.text),
        float(bool(_found(post, DOUBT_PHRASES))),
        float(bool(_found(post, REFUTE_PHRASES))),
        math.log1p(len(item.responses)),
        math.log1p(doubt),
        math.log1p(refute),
        either / len(texts) if texts else 0.0,
    ]


# ---- TF-IDF blocks stored as arrays ---------------------------------------------------------


def segment(text: str) -> list[str]:
    """jieba words with the domain dictionary (the analysis stage's own segmentation)."""
    from nlp.segment import words

    return words(text)


def counter_for(analyzer: str, ngram_range: tuple[int, int], **options: Any) -> CountVectorizer:
    """Character n-grams, or jieba-word n-grams: the two ways the model reads text."""
    if analyzer == "char":
        return CountVectorizer(
            analyzer="char", ngram_range=ngram_range, lowercase=False, dtype=np.float64, **options
        )
    if analyzer == "word":
        return CountVectorizer(
            tokenizer=segment,
            token_pattern=None,
            ngram_range=ngram_range,
            lowercase=False,
            dtype=np.float64,
            **options,
        )
    raise ValueError(f"unknown analyzer {analyzer!r}")


@dataclass
class TfidfBlock:
    """N-gram TF-IDF (sublinear tf, l2 norm) over a fixed vocabulary."""

    ngram_range: tuple[int, int]
    terms: np.ndarray  # str array, column order
    idf: np.ndarray
    analyzer: str = "char"
    _counter: CountVectorizer | None = field(default=None, repr=False)

    def counter(self) -> CountVectorizer:
        if self._counter is None:
            vocabulary = {str(term): i for i, term in enumerate(self.terms)}
            self._counter = counter_for(self.analyzer, self.ngram_range, vocabulary=vocabulary)
        return self._counter

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        # Works on the CSR arrays in place: the same numbers as TfidfTransformer(sublinear_tf,
        # norm="l2"), without its intermediate matrices (scoring one post is on the hot path).
        counts = sp.csr_matrix(self.counter().transform(texts), dtype=np.float64)
        counts.data = (1.0 + np.log(counts.data)) * self.idf[counts.indices]
        lengths = np.diff(counts.indptr)
        rows = np.repeat(np.arange(counts.shape[0]), lengths)
        norms = np.sqrt(np.bincount(rows, weights=counts.data**2, minlength=counts.shape[0]))
        norms[norms == 0] = 1.0
        counts.data /= norms[rows]
        return counts


@dataclass
class Rows:
    """Model inputs for a batch: the post texts, response texts and dense rows."""

    posts: list[str]
    responses: list[str]
    dense: np.ndarray
    signals: list[dict[str, list[str]]]


def rows_of(items: Sequence[RumorInput]) -> Rows:
    posts, responses, dense, signals = [], [], [], []
    for item in items:
        texts = response_texts(item.responses)
        posts.append(normalise(item.text))
        responses.append(" | ".join(texts))
        dense.append(dense_features(item, texts))
        doubting = [t for t in texts if _found(t, DOUBT_PHRASES) or _found(t, REFUTE_PHRASES)]
        phrases: dict[str, int] = {}
        for text in doubting:
            for phrase in _found(text, DOUBT_PHRASES) + _found(text, REFUTE_PHRASES):
                phrases[phrase] = phrases.get(phrase, 0) + 1
        ranked = sorted(phrases, key=lambda p: (-phrases[p], p))
        signals.append({"phrases": ranked, "count": [str(len(doubting))]})
    return Rows(
        posts, responses, np.array(dense, dtype=np.float64).reshape(-1, len(DENSE)), signals
    )


# ---- the model -------------------------------------------------------------------------------


@dataclass
class RumorScore:
    id: str
    probability: float
    reasons: list[Reason]

    @property
    def label(self) -> str:
        return "rumor" if self.probability >= 0.5 else "non-rumor"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rumor_probability": round(self.probability, 4),
            "label": self.label,
            "reasons": [{"kind": r.kind, "text": r.text, "weight": r.weight} for r in self.reasons],
        }


@dataclass
class RumorModel:
    post: TfidfBlock
    response: TfidfBlock
    words: TfidfBlock
    post_weight: float
    response_weight: float
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    coef: np.ndarray
    intercept: float
    platt: tuple[float, float] = (1.0, 0.0)  # p = sigmoid(a * z + b)
    meta: dict[str, Any] = field(default_factory=dict)

    def scaled_dense(self, dense: np.ndarray) -> np.ndarray:
        scaled = (dense - self.dense_mean) / self.dense_scale
        return np.clip(np.where(np.isnan(scaled), 0.0, scaled), -DENSE_CLIP, DENSE_CLIP)

    def matrix(self, rows: Rows) -> sp.csr_matrix:
        return sp.hstack(
            [
                self.post.transform(rows.posts) * self.post_weight,
                self.words.transform(rows.posts) * self.post_weight,
                self.response.transform(rows.responses) * self.response_weight,
                sp.csr_matrix(self.scaled_dense(rows.dense)),
            ],
            format="csr",
        )

    def decision(self, matrix: sp.csr_matrix) -> np.ndarray:
        return np.asarray(matrix @ self.coef).ravel() + self.intercept

    def calibrate(self, z: np.ndarray) -> np.ndarray:
        a, b = self.platt
        return 1.0 / (1.0 + np.exp(-(a * z + b)))

    def predict_proba(self, items: Sequence[RumorInput]) -> np.ndarray:
        return self.calibrate(self.decision(self.matrix(rows_of(items))))

    def prior_shift(self, prior: float) -> float:
        """Log-odds to add so that probabilities assume ``prior`` rumours instead of the
        training data's share (Saerens et al. 2002, adjusting outputs to new priors)."""
        posts = float(self.meta.get("posts", 0) or 0)
        trained = float(self.meta.get("rumors", 0) or 0) / posts if posts else 0.5
        trained = min(max(trained, 1e-3), 1 - 1e-3)
        prior = min(max(prior, 1e-3), 1 - 1e-3)
        return math.log(prior / (1 - prior)) - math.log(trained / (1 - trained))

    def score(
        self, items: Sequence[RumorInput], max_reasons: int = 8, prior: float | None = None
    ) -> list[RumorScore]:
        """Calibrated probabilities with reasons; ``prior`` re-bases them on another share
        of rumours than the training data's (reported as a reason of its own)."""
        rows = rows_of(items)
        matrix = self.matrix(rows)
        shift = self.prior_shift(prior) if prior is not None else 0.0
        a, b = self.platt
        probabilities = 1.0 / (1.0 + np.exp(-(a * self.decision(matrix) + b + shift)))
        out = []
        for i, item in enumerate(items):
            reasons = self._reasons(matrix.getrow(i), rows.dense[i], rows.signals[i], max_reasons)
            if prior is not None:
                reasons.append(
                    Reason("feature", f"按谣言占比 {prior:.0%} 的先验校正", round(shift, 4))
                )
            out.append(RumorScore(item.id, float(probabilities[i]), reasons))
        return out

    # ---- reasons: the largest contributions (coefficient × value) ----------------------
    def _reasons(
        self,
        row: sp.csr_matrix,
        raw: np.ndarray,
        signals: Mapping[str, list[str]],
        limit: int,
    ) -> list[Reason]:
        a = self.platt[0]
        # Only the row's non-zero features contribute: work on those, not on every column.
        columns = row.indices
        contributions = row.data * self.coef[columns] * a
        reasons: list[Reason] = []
        start = 0
        for block, label in (
            (self.post, "帖文用词"),
            (self.words, "帖文词语"),
            (self.response, "回应用词"),
        ):
            end = start + len(block.terms)
            inside = (columns >= start) & (columns < end)
            reasons += _term_reasons(
                contributions[inside], block.terms[columns[inside] - start], label, min_len=2
            )
            start = end
        dense_part = np.zeros(len(DENSE_NAMES))
        dense_columns = columns >= start
        dense_part[columns[dense_columns] - start] = contributions[dense_columns]
        for name, value, raw_value in zip(DENSE_NAMES, dense_part, raw, strict=True):
            if abs(value) < 0.05 or math.isnan(raw_value):
                continue
            kind = "feature" if name in AUTHOR_FEATURES else "signal"
            text = dense_text(name, float(raw_value))
            if name in ("log_doubt_responses", "log_refute_responses", "doubt_share"):
                phrases = signals.get("phrases", [])
                if not phrases:
                    continue
                count = signals.get("count", ["0"])[0]
                text = f"{count} 条评论质疑：" + "、".join(phrases[:5])
            reasons.append(Reason(kind, text, round(float(value), 4)))
        merged: dict[str, Reason] = {}
        for reason in reasons:  # the three doubt features share one text: add them up
            if reason.text in merged:
                old = merged[reason.text]
                merged[reason.text] = Reason(
                    old.kind, old.text, round(old.weight + reason.weight, 4)
                )
            else:
                merged[reason.text] = reason
        ranked = sorted(merged.values(), key=lambda r: -abs(r.weight))
        return ranked[:limit]

    # ---- storage ---------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = dict(self.meta, format=FORMAT)
        header = {
            "post_ngram": list(self.post.ngram_range),
            "response_ngram": list(self.response.ngram_range),
            "word_ngram": list(self.words.ngram_range),
            "post_weight": self.post_weight,
            "response_weight": self.response_weight,
            "intercept": self.intercept,
            "platt": list(self.platt),
            "dense": list(DENSE_NAMES),
            "meta": meta,
        }
        with open(path, "wb") as handle:
            np.savez_compressed(
                handle,
                header=np.array(json.dumps(header, ensure_ascii=False, sort_keys=True)),
                post_terms=self.post.terms.astype(str),
                post_idf=self.post.idf.astype(np.float32),
                response_terms=self.response.terms.astype(str),
                response_idf=self.response.idf.astype(np.float32),
                word_terms=self.words.terms.astype(str),
                word_idf=self.words.idf.astype(np.float32),
                dense_mean=self.dense_mean,
                dense_scale=self.dense_scale,
                coef=self.coef.astype(np.float32),
            )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> RumorModel:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("meta", {}).get("format") != FORMAT:
                raise ValueError(f"{path}: not a {FORMAT} model")
            if header["dense"] != list(DENSE_NAMES):
                raise ValueError(f"{path}: dense features {header['dense']} differ from code")
            return cls(
                post=TfidfBlock(
                    tuple(header["post_ngram"]),
                    data["post_terms"],
                    data["post_idf"].astype(np.float64),
                ),
                response=TfidfBlock(
                    tuple(header["response_ngram"]),
                    data["response_terms"],
                    data["response_idf"].astype(np.float64),
                ),
                words=TfidfBlock(
                    tuple(header["word_ngram"]),
                    data["word_terms"],
                    data["word_idf"].astype(np.float64),
                    analyzer="word",
                ),
                post_weight=float(header["post_weight"]),
                response_weight=float(header["response_weight"]),
                dense_mean=data["dense_mean"],
                dense_scale=data["dense_scale"],
                coef=data["coef"].astype(np.float64),
                intercept=float(header["intercept"]),
                platt=(float(header["platt"][0]), float(header["platt"][1])),
                meta=header["meta"],
            )


def _term_reasons(
    contributions: np.ndarray, terms: np.ndarray, label: str, min_len: int, top: int = 3
) -> list[Reason]:
    """The n-grams pushing hardest either way; an n-gram inside a stronger one is skipped."""
    order = np.argsort(-np.abs(contributions))
    chosen: list[tuple[str, float]] = []
    for index in order[: 40 * top]:
        value = float(contributions[index])
        if abs(value) < 0.02:
            break
        term = str(terms[index]).strip()
        if len(term) < min_len or any(term in other for other, _ in chosen):
            continue
        chosen.append((term, value))
        if len(chosen) >= top:
            break
    return [Reason("term", f"{label}：{term}", round(value, 4)) for term, value in chosen]


# ---- the analysis stage's view ---------------------------------------------------------------

# The author figures a mention may carry in ``metrics`` under the names CED uses.
_USER_KEYS = ("verified", "verified_type", "followers", "friends", "messages", "gender")


def input_of(mention: Mention, replies: Sequence[Mention] = ()) -> RumorInput:
    """A post and the replies (reposts, comments) the archive holds for it so far."""
    metrics = mention.metrics
    user = {key: metrics[key] for key in _USER_KEYS if key in metrics}
    if "account_created" in metrics and isinstance(metrics["account_created"], int | float):
        user["time"] = metrics["account_created"]
    pics = metrics.get("pics", 0)
    return RumorInput(
        id=mention.id,
        text=mention.text if not mention.title else f"{mention.title} {mention.text}",
        posted_at=mention.published_at,
        user=user,
        pics=int(pics) if isinstance(pics, int | float) else 0,
        responses=tuple(
            Response(r.text, r.published_at)
            for r in sorted(replies, key=lambda r: (r.published_at, r.id))
        ),
    )


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> RumorModel | None:
    """The shipped model, loaded once per process; None (and a warning) when it is missing
    or unreadable, so the stage falls back to the heuristic instead of stopping."""
    try:
        return RumorModel.load(path)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("rumour model %s not loaded (%s): using the heuristic score", path, exc)
        return None

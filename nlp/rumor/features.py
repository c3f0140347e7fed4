"""What the rumour model reads of a post: normalised text, responses and the dense features.

Split from ``nlp.rumor.model`` (which re-exports these names) to keep modules small. The author
figures (verified, followers, ...) and the doubt signals in the responses are one row of
``DENSE`` per post; any figure may be missing (NaN: it contributes nothing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from nlp.normalise import normalise
from nlp.rumor.bins import BINNED
from nlp.rumor.ced import Response, RumorInput
from nlp.rumor.stance import asks, refutes

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


def read_texts(responses: Sequence[Response]) -> list[str]:
    """The normalised texts of the responses the model reads, bare reposts included."""
    return [normalise(response.text) for response in responses[:MAX_RESPONSES]]


def response_texts(responses: Sequence[Response], read: Sequence[str] | None = None) -> list[str]:
    """The read responses that say something (``read``: their ``read_texts``, if known)."""
    texts = read if read is not None else read_texts(responses)
    return [text for text in texts if text not in _EMPTY_RESPONSES]


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
    ("post_refute", "帖文本身辟谣（称其不实）"),
    ("log_responses", "已有回应数"),
    ("log_doubt_responses", "质疑的回应数"),
    ("log_refute_responses", "称其为假的回应数"),
    ("doubt_share", "质疑或否定的回应占比"),
    # How the responses spread and read (``spread_features``; CV figures in the commit adding them).
    ("empty_share", "纯转发（无文字）回应占比"),
    ("log_mean_length", "回应平均长度"),
    ("log_within_10m", "发帖10分钟内的回应数"),
    ("log_within_60m", "发帖1小时内的回应数"),
    ("question_share", "发问的回应占比"),
    ("early_doubt", "早期回应中的质疑"),
)
DENSE_NAMES = tuple(name for name, _ in DENSE)
DENSE_LABELS = dict(DENSE)
AUTHOR_FEATURES = frozenset(DENSE_NAMES[:8])
BIN_COLUMNS = tuple(DENSE_NAMES.index(name) for name in BINNED)  # see nlp.rumor.bins
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
    "post_refute": "帖文本身未辟谣",
}
# Counts stored as log(1 + n), shown as n with their unit.
COUNTED = {
    "log_followers": "人",
    "log_friends": "人",
    "log_messages": "条",
    "log_account_days": "天",
    "log_responses": "条",
    "log_within_10m": "条",
    "log_within_60m": "条",
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


def dense_features(
    item: RumorInput, texts: Sequence[str], read: Sequence[str] | None = None
) -> list[float]:
    """One row of DENSE; NaN where the record does not say. ``texts``: ``response_texts``
    of the responses; ``read``: their ``read_texts`` (bare reposts included), if the caller
    has them, so that each response is normalised once."""
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
    read = read if read is not None else read_texts(item.responses)
    # Each read text scanned once; a bare repost holds no phrase, so counts over ``read``
    # are counts over ``texts``.
    flags = [(bool(_found(t, DOUBT_PHRASES)), bool(_found(t, REFUTE_PHRASES))) for t in read]
    doubt = sum(d for d, _ in flags)
    refute = sum(r for _, r in flags)
    either = sum(d or r for d, r in flags)
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
        # The post's own stance (``nlp.rumor.stance``): asking whether a claim is true
        # (求辟谣, 是不是谣言) is doubt, only the assertive forms (【辟谣】, 系谣言, 不实) refute.
        # With the lexicon's refute words here (求辟谣 among them) the model had learnt from
        # CED that debunk wording raises a post's score (+1.21 on a bureau's 【辟谣】 post).
        float(bool(_found(post, DOUBT_PHRASES) or asks(post))),
        float(bool(refutes(post))),
        math.log1p(len(item.responses)),
        math.log1p(doubt),
        math.log1p(refute),
        either / len(texts) if texts else 0.0,
        *spread_features(item, read, [d or r for d, r in flags]),
    ]


def spread_features(
    item: RumorInput, read: Sequence[str] | None = None, doubting: Sequence[bool] | None = None
) -> list[float]:
    """The responses' spread and form (the last six of ``DENSE``): bare reposts, length,
    speed, questions, and doubt weighted towards the earliest responses (1/sqrt(1 + position)
    among the ``MAX_RESPONSES`` read: doubt voiced first, before the crowd, says more).
    ``read``: ``read_texts`` of the responses; ``doubting``: whether each doubts or refutes.
    The responses are in time order (``nlp.rumor.ced`` and ``input_of`` sort them; untimed last)."""
    texts = read if read is not None else read_texts(item.responses)
    if doubting is None:
        doubting = [bool(_found(t, DOUBT_PHRASES) or _found(t, REFUTE_PHRASES)) for t in texts]
    full = [t for t in texts if t not in _EMPTY_RESPONSES]
    within = [0, 0]
    if item.posted_at is not None:
        for response in item.responses:  # every response, not only those read: a count
            if response.at is not None:
                minutes = (response.at - item.posted_at).total_seconds() / 60
                if minutes > 60:  # in time order: none of the rest is earlier
                    break
                within[0] += minutes <= 10
                within[1] += 1
    early = sum(1 / math.sqrt(1 + i) for i, d in enumerate(doubting) if d)
    return [
        (len(texts) - len(full)) / len(texts) if texts else 0.0,
        math.log1p(sum(len(t) for t in full) / len(full)) if full else 0.0,
        math.log1p(within[0]),
        math.log1p(within[1]),
        sum(1 for t in full if "?" in t or "？" in t) / len(full) if full else 0.0,
        early,
    ]

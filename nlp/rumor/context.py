"""A post's rumour score in context: who published it, and whether it refutes or spreads.

The rumour model reads a post as CED's Weibo posts were read: is this post a rumour? A press
office asks something else: does this post *spread a false claim*? Two things the model cannot
know decide that:

- **Source authority.** The agency's own accounts and site, other government and debunk
  sources, verified news media and known science communicators publish the facts and the
  refutations. What they publish is not a rumour claim (when one of them is wrong, the answer
  is a correction, not a 澄清 of a rumour). Authority is known from the configuration
  (``nlp.authorities``: the agency's own accounts, added names) with Chinese defaults
  (``resources/authorities.txt``), from Weibo's verification (government and media accounts,
  ``verified_type`` 1 and 3), and from the source itself (official sites, registered debunks).
- **Stance.** A post that refutes (【辟谣】, 网传…不实, 经抽检, 系谣言; ``nlp.rumor.stance``) and
  does not ask is answering a claim, not repeating it. Its replies that say 谣言 or 造谣 agree
  with it, which the model would read as doubt. On the labelled Weibo posts
  (benchmarks/nlp_rumor_bench.py --stance) refuting posts are mostly not rumours, while the
  responses' doubt stays the model's strongest rumour signal for the posts that do spread.

- **Form** (``nlp.rumor.form``): a verified firm speaking of itself is an authority on itself
  (capped as one); a witness account, or a repost adding only sympathy to one, is held at
  ``WITNESS_MAX``; an urged accusation (a defect asserted with a plea to act or spread) and
  insinuated hearsay (听说…懂的都懂) are raised to ``PLEA_MIN`` and ``INSINUATION_MIN``.

Authority and stance are rules, stated here because the training data holds too few such
posts to learn them (CED: 9 posts by government accounts, 11 refuting posts among 2,295): an
authority's post is
capped at ``AUTHORITY_MAX``, a refuting post at ``REFUTATION_MAX``, and neither is marked as
repeating a debunked claim (they quote the claim to refute it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from itertools import islice, pairwise
from pathlib import Path

from archive.models import Mention, Reason
from core.settings import AuthoritySettings
from nlp.events import EventState, is_official
from nlp.rumor.conduct import Conduct, conduct_claim
from nlp.rumor.form import INSINUATION, Form, claim_form, speaks_for_itself, witness_account
from nlp.rumor.hearsay import (
    EXCEEDS_MIN,
    UNVERIFIED_MAX,
    UNVERIFIED_MIN,
    HearsayClaim,
    Reference,
    contradicts_none_dead,
    exceeds,
    heard,
    hearsay_claim,
)
from nlp.rumor.score import RumorResult
from nlp.rumor.stance import asks, disbelieves

AUTHORITY_KINDS = ("own", "official", "media", "science")
AUTHORITY_LABELS = {
    "own": "本机构账号或网站",
    "official": "政务或辟谣机构",
    "media": "认证新闻媒体",
    "science": "科普账号",
}
# Weibo's verified_type: 1 government (政府), 3 media (媒体); the other blue-V types
# (enterprise, campus, website, app, organisation) are not authorities on facts.
WEIBO_AUTHORITY_TYPES = {1: "official", 3: "media"}
# The most an authority's post scores: well under any rumour rule's threshold (the default
# rule fires at 0.7, the dashboard's lists start at 0.5), above 0 so the score still orders.
AUTHORITY_MAX = 0.05
# The most a refuting post by anyone else scores. Higher than an authority's: a citizen's
# 辟谣了 may still carry the claim along (科普号说是谣言，营销号说是塑料), but below 0.5.
REFUTATION_MAX = 0.2
# How the reason of an authority's cap begins (``nlp.rumor.claims`` reads it back).
AUTHORITY_PREFIX = "来源为"
_RESOURCE = Path(__file__).parent.parent / "resources" / "authorities.txt"


@cache
def default_authorities() -> dict[str, str]:
    """Built-in authority names → kind, from ``resources/authorities.txt``."""
    names: dict[str, str] = {}
    for number, line in enumerate(_RESOURCE.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, name = line.partition(" ")
        if kind not in AUTHORITY_KINDS or not name.strip():
            raise ValueError(
                f"{_RESOURCE}:{number}: expected 'KIND NAME' with KIND in "
                f"{', '.join(AUTHORITY_KINDS)}, got {line!r}"
            )
        names[name.strip()] = kind
    return names


@dataclass(frozen=True)
class Authorities:
    """Which authors are authorities, and of which kind."""

    names: dict[str, str]

    @classmethod
    def from_settings(cls, settings: AuthoritySettings | None = None) -> Authorities:
        names = dict(default_authorities())
        if settings is not None:
            for kind in ("media", "science", "official", "own"):  # own wins over the others
                for name in getattr(settings, kind):
                    if name.strip():
                        names[name.strip()] = kind
        return cls(names)

    def kind_of(self, mention: Mention) -> str | None:
        """The authority kind of the mention's source, or None for everyone else."""
        named = self.names.get(mention.author.strip())
        if named is not None:
            return named
        if is_official(mention):  # official sites and registered debunks
            return "official"
        metrics = mention.metrics
        vtype = metrics.get("verified_type")
        if metrics.get("verified") and isinstance(vtype, int) and not isinstance(vtype, bool):
            return WEIBO_AUTHORITY_TYPES.get(vtype)
        return None


def _cap(result: RumorResult, cap: float, reason: str, mention_id: str) -> None:
    _bound(result, 0.0, cap, reason, mention_id)


def _bound(result: RumorResult, low: float, high: float, reason: str, mention_id: str) -> None:
    """Move the score into [low, high]; the reason carries the change in log-odds."""
    bounded = min(max(result.score, low), high)
    change = _logit(bounded) - _logit(result.score) if bounded != result.score else 0.0
    result.score = bounded
    result.reasons.insert(0, Reason("feature", reason, round(change, 4), mention_id))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


# A correction in the rule layer (``nlp.rumor.stance`` is the model's and stays as trained):
# a post telling that a story, a video or a picture is old or from elsewhere answers the claim
# that passes it off as local and new (这个视频2019年就在网上传过…别再张冠李戴了; 旧闻新炒).
CORRECTING = re.compile(
    r"张冠李戴|移花接木|旧闻新炒|炒冷饭|以讹传讹|拼接的|被剪辑|断章取义"
    r"|(?:旧|老)(?:视频|图|图片|照片|新闻)|(?:\d{4}|几|好几|多)年(?:前)?就(?:在网上)?(?:传|出现|发|有)过"
    r"|不是我们(?:这边|这里|本地|江\S市)|(?:与|和|跟)(?:我市|本市|本地|我们这)(?:无关|没关系)"
)


def corrects(text: str) -> list[str]:
    """The phrases with which a text corrects a claim (``CORRECTING``)."""
    return [m.group(0) for m in CORRECTING.finditer(text or "")]


def claim_stance(text: str) -> str:
    """ "refutes" when the text refutes or corrects a claim without asking about one, else
    "claims"."""
    return "refutes" if (disbelieves(text) or corrects(text)) and not asks(text) else "claims"


# Words with which a report addresses a claim circulating ("网传…", "关于…的传言"): a report
# using them answers a claim, it does not state the event as fact.
ADDRESSING = ("网传", "传言", "流传", "声称", "谣")
# News sites and feeds: their articles are reports (media), not posts spreading a claim.
REPORTING_PLATFORMS = ("news", "rss")
# The most a post scores in an event that an authority or a news report states as fact, when
# no debunk answers it: a witness of a real accident writes like a rumour-monger to the model
# (a personal account, few followers, 求证 in the replies: the demo's witnesses scored
# 0.72–0.81). A claim about such an event is a rumour once a debunk answers it (the match
# is kept), which is also the rumour rule's test (``nlp.rumor.claims``).
CORROBORATED_MAX = 0.3
# The post's form (``nlp.rumor.form``; counts by ``benchmarks/nlp_rumor_form_bench.py``). A
# witness account is held where a corroborated event's posts are (14 rumours to 43 true posts
# on CED, Weibo21 and MM17: the form leans true). An urged accusation scores at least
# ``PLEA_MIN``: 27 of 27 such posts on the three sets are rumours, a likelihood ratio of ~85
# with add-one smoothing, which at the stage's 10 % prior is ~0.9; 0.75 keeps it with the
# hearsay tolls, under a known debunk's 0.9 and over the rumour rule's 0.7. Insinuated
# hearsay: 10 rumours to 1 true post (smoothed LR ~11, at the 10 % prior 0.55): listed on the
# dashboard (≥ 0.5), below the rule's 0.7.
WITNESS_MAX = CORROBORATED_MAX
PLEA_MIN = 0.75
INSINUATION_MIN = 0.55
# How the reason of a firm's statement about itself begins.
SELF_PREFIX = "企业认证账号就自身发声"


def states_as_fact(mention: Mention, authorities: Authorities) -> bool:
    """An authority or a news report stating something as fact (not answering a claim)."""
    if mention.platform not in REPORTING_PLATFORMS and authorities.kind_of(mention) is None:
        return False
    text = f"{mention.title} {mention.text}"
    return claim_stance(text) == "claims" and not any(word in text for word in ADDRESSING)


class FactReports:
    """Per event, the first member that states it as fact (``states_as_fact``), found by
    scanning only the members added since the last look (an event may have thousands)."""

    def __init__(self, authorities: Authorities) -> None:
        self.authorities = authorities
        self._found: dict[str, tuple[Mention | None, int]] = {}

    def of(self, event: EventState | None) -> Mention | None:
        if event is None:
            return None
        found, scanned = self._found.get(event.id, (None, 0))
        if found is not None and found.id in event.members:
            return found
        if scanned > len(event.members):  # members left: scan again
            scanned = 0
        found = next(
            (
                m.mention
                for m in islice(event.members.values(), scanned, None)
                if states_as_fact(m.mention, self.authorities)
            ),
            None,
        )
        self._found[event.id] = (found, len(event.members))
        return found

    def forget(self, event_id: str) -> None:
        self._found.pop(event_id, None)


def authoritative(mention: Mention, authorities: Authorities) -> bool:
    """An authority's mention or a news report (not a comment): whose casualty figures are
    the reference a hearsay toll is read against (``nlp.rumor.hearsay``)."""
    if mention.kind == "comment":
        return False
    return mention.platform in REPORTING_PLATFORMS or authorities.kind_of(mention) is not None


_KIND_LABEL = {"deaths": "死亡", "casualties": "死伤"}
# How a hearsay toll's reason begins, and the words of one the authorities' count answers
# (``nlp.rumor.claims`` reads them back: such a toll is an identified false claim).
HEARSAY_PREFIX = "传闻伤亡数字"
EXCEEDED = "远超权威通报"
# ...and of one the authorities' outright "nobody died" answers (``contradicts_none_dead``).
CONTRADICTED = "与权威通报的无人员死亡相反"


def _reporter(report: Mention) -> str:
    """Who gave a reference figure: an article's outlet and title (the reporter's name says
    little to a press officer), else the account or issuer."""
    if report.platform in REPORTING_PLATFORMS and report.title:
        outlet = str(report.extra.get("outlet") or report.extra.get("site") or report.author)
        return f"{outlet}《{report.title[:24]}》"
    return report.author or report.title[:20] or report.source


def _hearsay(
    result: RumorResult,
    mention: Mention,
    claim: HearsayClaim,
    reference: Reference | None,
    corroborated: bool,
) -> bool:
    """Judge a hearsay casualty claim against the event's reference toll; True when that
    decided the score (the corroboration cap then does not apply: the reports confirm the
    event, not this figure). Without a reference the claim is unverified: at least
    ``UNVERIFIED_MIN``, and at most ``UNVERIFIED_MAX`` where the corroboration cap would
    have held it (nothing confirms the event otherwise: the model's reading stands)."""
    before = result.score
    told = f"{HEARSAY_PREFIX}（{claim.source}…“{claim.phrase}”，{_KIND_LABEL[claim.kind]}"
    told += f" {claim.value:g} 人以上）"
    if reference is None:
        reason = f"{told}：尚无权威通报的伤亡数字可核对，待核实"
        high = UNVERIFIED_MAX if corroborated else 1.0
        _bound(result, UNVERIFIED_MIN, high, reason, mention.id)
    else:
        counted, report = reference.of(claim.kind)
        who = _reporter(report)
        if contradicts_none_dead(claim, reference):
            reason = (
                f"{told}：{CONTRADICTED}（{who}），出自非权威来源的传闻、未经证实，疑似不实说法"
            )
        elif exceeds(claim, reference):
            reason = (
                f"{told}：{EXCEEDED}的 {counted:g} 人（{who}），出自非权威来源的传闻、"
                "未经证实，疑似不实说法"
            )
        else:
            reason = f"{told}：未明显超出权威通报的 {counted:g} 人（{who}）"
            result.reasons.insert(0, Reason("feature", reason, 0.0, report.id))
            return False
        _bound(result, EXCEEDS_MIN, 1.0, reason, report.id)
    first = result.reasons[0]
    text = f"{first.text}（模型评分 {before:.2f}，语境调整后 {result.score:.2f}）"
    result.reasons[0] = Reason(first.kind, text, first.weight, first.mention_id)
    return True


# A heard clause is what the report says when the report repeats at least this share of its
# character pairs. Judgement: a report retelling a witness's hearsay (听说里面还有人被困 /
# 仍有人员被困) repeats about half of it; an accusation riding on a report of something else
# (说个内幕：老板是科长的小舅子 beside an undercover report on fake certificates) a tenth.
REPORTED_SHARE = 0.5
_HEARD_CHARS = 30  # the claim as shown in the reason
# A heard claim about officials' own conduct (``nlp.rumor.conduct``: they shield the story's
# subject, hide it, took money, abused their power) scores at least this. The bureau alone can
# answer it, and it is the claim its press office must clarify: like an urged accusation
# (``PLEA_MIN``) above the rumour rule's 0.7, under a known debunk's 0.9. On CED, Weibo21 and
# MM17 the form is rare (``benchmarks/nlp_rumor_form_bench.py``, row ``conduct``); the number
# is the press office's judgement, stated, not learnt.
CONDUCT_MIN = 0.75


def _pairs(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in pairwise(chars)}


def _shown(clause: str) -> str:
    return clause if len(clause) <= _HEARD_CHARS else clause[: _HEARD_CHARS - 1] + "…"


def reported(conduct: Conduct, report: Mention) -> bool:
    """Whether the report repeats the heard clause (``REPORTED_SHARE`` of its pairs)."""
    pairs = _pairs(conduct.clause)
    share = len(pairs & _pairs(f"{report.title}\n{report.text}")) / max(len(pairs), 1)
    return share >= REPORTED_SHARE


def heard_beyond(text: str, report: Mention) -> str | None:
    """What a post passes on as heard about officials' own conduct (``nlp.rumor.conduct``:
    from the hearsay words to the end of their sentence) when the event's report does not say
    it (under ``REPORTED_SHARE`` of its character pairs), else None. The corroboration cap is
    per claim: a report confirms what it reports, not an accusation heard about the officials
    who handle the story (a second claim inside a true story)."""
    conduct = conduct_claim(text)
    if conduct is None or reported(conduct, report):
        return None
    return _shown(conduct.clause)


def rule_insinuation(text: str) -> Form | None:
    """Insinuated hearsay by the rule layer's hearsay words (``RULE_HEARSAY``: 说个内幕，
    网友爆料) that the model's ``HEARSAY`` does not hold (``nlp.rumor.form.insinuated_hearsay``
    reads that one). 内幕 is both: an inside story passed on is a hidden truth insinuated."""
    if asks(text) or disbelieves(text):
        return None
    words = heard(text)
    hinted = list(dict.fromkeys(m.group(0) for m in INSINUATION.finditer(text)))
    return Form("insinuation", (words, *hinted)) if words and hinted else None


def in_context(
    result: RumorResult,
    mention: Mention,
    authorities: Authorities,
    corroboration: Mention | None = None,
    reference: Reference | None = None,
) -> RumorResult:
    """The post's score as a claim: capped for authorities and refutations; a hearsay
    casualty figure judged against the event's reference toll (``reference``: its reports'
    largest, ``nlp.rumor.hearsay``); capped for other posts in an event a report states as
    fact (``corroboration``, when no debunk answers the post)."""
    kind = authorities.kind_of(mention)
    text = f"{mention.title} {mention.text}"
    metrics = mention.metrics
    itself = None
    if kind is None:
        itself = speaks_for_itself(text, metrics.get("verified"), metrics.get("verified_type"))
    if kind is None and itself is None and claim_stance(text) == "claims":
        return _as_claim(result, mention, text, corroboration, reference)
    result.matched_debunk = None
    result.reasons = [r for r in result.reasons if r.kind != "match"]
    if kind is not None:
        who = f"（{mention.author}）" if mention.author else ""
        reason = f"{AUTHORITY_PREFIX}{AUTHORITY_LABELS[kind]}{who}：所发内容不作为谣言主张"
        _cap(result, AUTHORITY_MAX, reason, mention.id)
    elif itself is not None:
        who = f"（{mention.author}）" if mention.author else ""
        words = "、".join(itself.words)
        reason = f"{SELF_PREFIX}{who}（{words}）：企业是自身产品与行为的权威，其声明不作为谣言主张"
        _cap(result, AUTHORITY_MAX, reason, mention.id)
    else:
        words = "、".join(dict.fromkeys(disbelieves(text) + corrects(text)))
        _cap(result, REFUTATION_MAX, f"帖文在驳斥传言（{words}），不是传播该说法", mention.id)
    return result


def _as_claim(
    result: RumorResult,
    mention: Mention,
    text: str,
    corroboration: Mention | None,
    reference: Reference | None,
) -> RumorResult:
    """A post that may spread a claim: a hearsay toll judged against the reference; else a
    witness account or a post in a corroborated event held low; an urged accusation or
    insinuated hearsay raised (the claim goes beyond whatever the event's reports confirm)."""
    claim = hearsay_claim(text)
    corroborated = corroboration is not None and result.matched_debunk is None
    if claim is not None and _hearsay(result, mention, claim, reference, corroborated):
        # A toll nothing counts yet is only watched, but a claim that the officials hide it
        # (官方只说3个…, 压着不说) is the bureau's to answer whatever the count.
        _officials_conduct(result, mention, text, corroboration if corroborated else None)
        return result
    beyond_report = None  # the reason that a heard claim is not in the event's report
    witness = witness_account(text) if result.matched_debunk is None else None
    if witness is not None:
        words = "、".join(witness.words)
        reason = f"亲历或目击叙述（{words}），无传闻、呼吁或暗示：不作为谣言主张"
        _cap(result, WITNESS_MAX, reason, mention.id)
    elif corroborated and corroboration is not None:
        who = corroboration.author or corroboration.title[:20] or corroboration.source
        beyond = heard_beyond(text, corroboration)
        if beyond is None:
            reason = f"事件已有权威或媒体报道（{who}），未被辟谣：按已证实事件的一部分看待"
            _cap(result, CORROBORATED_MAX, reason, corroboration.id)
        else:
            beyond_report = f"传闻内容（{beyond}）不在事件的权威或媒体报道（{who}）中"
    reported_by = corroboration if corroborated else None
    raised = _officials_conduct(result, mention, text, reported_by, beyond_report)
    if not raised and beyond_report is not None and corroboration is not None:
        reason = f"{beyond_report}：不按已证实事件看待"
        result.reasons.insert(0, Reason("feature", reason, 0.0, corroboration.id))
    form = claim_form(text) or rule_insinuation(text)
    if form is not None:
        words = "、".join(form.words)
        if form.kind == "plea":
            reason = f"断言具体问题并呼吁扩散或行动（{words}），非亲身经历：疑似谣言主张"
            _bound(result, PLEA_MIN, 1.0, reason, mention.id)
        else:
            reason = f"传闻并暗示真相被隐瞒（{words}）：疑似谣言主张"
            _bound(result, INSINUATION_MIN, 1.0, reason, mention.id)
    return result


def _officials_conduct(
    result: RumorResult,
    mention: Mention,
    text: str,
    corroboration: Mention | None,
    beyond_report: str | None = None,
) -> bool:
    """Raise a heard claim about officials' own conduct (``nlp.rumor.conduct``) to
    ``CONDUCT_MIN``, unless the event's report (``corroboration``) repeats it, the post asks
    about it, or it is a news report's sourcing (据…说 in an article is the reporter's). True
    when it did; its reason begins with ``beyond_report`` (the claim is not in the report)
    when that was found."""
    conduct = conduct_claim(text)
    if conduct is None or mention.platform in REPORTING_PLATFORMS or asks(text):
        return False
    if corroboration is not None and reported(conduct, corroboration):
        return False
    words = "、".join(conduct.words)
    if beyond_report is not None:
        reason = f"{beyond_report}，指向公职人员自身行为（{words}）"
    else:
        reason = f"传闻指向公职人员自身行为（{conduct.heard}…{_shown(conduct.clause)}：{words}）"
    reason += "，报道不能证实、须由本机构澄清：疑似谣言主张"
    _bound(result, CONDUCT_MIN, 1.0, reason, mention.id)
    return True

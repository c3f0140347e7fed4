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
- **Stance.** A post that refutes (【辟谣】, 网传…不实, 经抽检, 系谣言; ``nlp.rumor_stance``) and
  does not ask is answering a claim, not repeating it. Its replies that say 谣言 or 造谣 agree
  with it, which the model would read as doubt. On the labelled Weibo posts
  (benchmarks/nlp_rumor_bench.py --stance) refuting posts are mostly not rumours, while the
  responses' doubt stays the model's strongest rumour signal for the posts that do spread.

Both are rules, stated here because the training data holds too few such posts to learn them
(CED: 9 posts by government accounts, 11 refuting posts among 2,295): an authority's post is
capped at ``AUTHORITY_MAX``, a refuting post at ``REFUTATION_MAX``, and neither is marked as
repeating a debunked claim (they quote the claim to refute it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from archive.models import Mention, Reason
from nlp.events import is_official
from nlp.rumor import RumorResult
from nlp.rumor_stance import asks, refutes
from yuqing.settings import AuthoritySettings

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
# How the reason of an authority's cap begins (``nlp.rumor_claims`` reads it back).
AUTHORITY_PREFIX = "来源为"
_RESOURCE = Path(__file__).parent / "resources" / "authorities.txt"


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
    if result.score > cap:
        change = _logit(cap) - _logit(result.score)
        result.score = cap
    else:
        change = 0.0
    result.reasons.insert(0, Reason("feature", reason, round(change, 4), mention_id))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def claim_stance(text: str) -> str:
    """ "refutes" when the text refutes a claim without asking about one, else "claims"."""
    return "refutes" if refutes(text) and not asks(text) else "claims"


def in_context(result: RumorResult, mention: Mention, authorities: Authorities) -> RumorResult:
    """The post's score as a claim: capped for authorities and refutations (see the module)."""
    kind = authorities.kind_of(mention)
    text = f"{mention.title} {mention.text}"
    if kind is None and claim_stance(text) == "claims":
        return result
    result.matched_debunk = None
    result.reasons = [r for r in result.reasons if r.kind != "match"]
    if kind is not None:
        who = f"（{mention.author}）" if mention.author else ""
        reason = f"{AUTHORITY_PREFIX}{AUTHORITY_LABELS[kind]}{who}：所发内容不作为谣言主张"
        _cap(result, AUTHORITY_MAX, reason, mention.id)
    else:
        words = "、".join(dict.fromkeys(refutes(text)))
        _cap(result, REFUTATION_MAX, f"帖文在驳斥传言（{words}），不是传播该说法", mention.id)
    return result

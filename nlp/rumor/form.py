"""A post's form as a claim: who speaks about what, and whether it urges, insinuates or sees.

The rumour model reads words and authors as CED's Weibo posts were read; four forms it
cannot weigh decide whether a post spreads a false claim (issue 16, ``nlp.rumor.context``
applies them; ``benchmarks/nlp_rumor_form_bench.py`` prints the counts behind each):

- **A firm about itself.** A verified enterprise account (Weibo ``verified_type`` 2) speaking
  of itself (我司, 本公司, 本店…) is the authority on its own products and conduct: its 【声明】
  refuting "our certificates are fake" answers the claim. Stated rule: the labelled Weibo
  sets hold almost no such posts (CED has none with 我司/本公司; Weibo21's 5 of 7 are true),
  although CED's enterprise accounts lean true (75 true, 37 rumours: LR 0.4).
- **An urged accusation** (``accusation_with_plea``): a specific defect asserted as fact
  about a product or firm (假证, 造假, 翻新, 有毒, 地沟油…) with a plea to act or pass it on
  (赶紧扔, 千万别, 转给家人, 扩散…), not the poster's own experience (我买的…, a consumer
  complaint) and not a refutation. On CED, Weibo21 and MM17 together 27 such posts are
  rumours and none is true.
- **Insinuated hearsay** (``insinuated_hearsay``): hearsay (听说, 据说, 网传…,
  ``nlp.rumor.hearsay.HEARSAY``) with an insinuation of a hidden truth (懂的都懂, 悄悄,
  封锁消息, 压着不说…). 10 rumours and 1 true post on the three sets (4 and 1 without the
  posts that also ask, which the rule leaves to the model as the hearsay rule does).
- **A witness** (``witness_account``): what the poster sees or lives through now (亲眼看到,
  赶到…一看, 门口全是…, 卡在半空, 终于放下来), with none of the claim forms above, no
  hearsay, no question and no death claim. On the three sets the form is rarer among rumours
  than among true posts (14 rumours, 43 true: LR ~0.5), though their posts have no event to
  witness; the rule is stated for the press office's case (an account of what one sees is
  testimony to weigh, not a rumour to clarify).

A repost (``//@``) is judged by what it adds and what it passes on: it inherits a claim only
when its own words carry one; a repost adding only sympathy (心疼, 希望都没事) to a witness
account is a witness account too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.rumor.hearsay import HEARSAY
from nlp.rumor.stance import asks, disbelieves

# A firm speaking of itself.
SELF = re.compile(
    r"我司|本公司|我公司|本企业|我企业|本集团|我集团|本店|我店|本品牌|我厂|本厂|我们公司"
)
# Weibo's verified_type of enterprise (blue-V 企业) accounts.
ENTERPRISE_TYPE = 2

# A plea to act on the claim or pass it on.
PLEA = re.compile(
    r"赶紧扔|赶快扔|快扔了|扔掉|千万(?:别|不要)|(?:别|不要)再(?:买|吃|用|借|喝|去)"
    r"|转给(?:家人|家里人|身边|朋友)|告诉(?:家人|家里人|身边)|扩散|互相转告"
    r"|大家(?:注意|小心|当心)|有(?:娃|孩子|小孩)的(?:家长|朋友)?(?:更要|一定|注意)|(?:请|快)转"
)
# A specific defect asserted of a product or firm.
DEFECT = re.compile(
    r"假证|假货|是假的|造假|翻新|黑心|有毒|致癌|塑料做的|地沟油|过期|病死|注水"
    r"|含有.{0,6}(?:毒|致癌)|会爆炸|炸弹"
)
# The poster's own experience (a complaint), not a claim about what others hide.
FIRST_HAND = re.compile(
    r"我(?:刚|今天|昨天|前天|早上|上午|下午|晚上|上周|上个月)?(?:在|买|用|吃|喝|看到|亲眼|路过)"
    r"|我家|我们家|我(?:老公|老婆|孩子|儿子|女儿)"
)
# An insinuation that the truth is hidden.
INSINUATION = re.compile(
    r"懂的都懂|懂得都懂|你懂的|悄悄|偷偷|封锁消息|压着不说|压下来|捂盖子|不让说|不敢报|被删|删帖|内幕"
)
# Seeing or living through it now: presence at the scene and its present state. Narrow on
# purpose: 看到/看见 alone mostly mean "read" (看到这条微博), 被困 is a report's word; with this
# list the witness form is rarer among rumours than among true posts on the labelled sets.
WITNESS = re.compile(
    r"亲眼看到|亲眼看见|(?<!看)一看(?!就)|赶到|门口全是|卡在|挂着|堵死了|当场就|刚接到"
    r"|终于(?:放下来|救出来)"
)
# Death claims are left to the hearsay-toll rule and the model: a witness rarely counts dead.
_DEATH = re.compile(r"(?<![堵挤笑累吓热气饿])死|没了|遇难|身亡|丧生|去世")
_CHAIN = re.compile(r"//\s*@")
# Sympathy a repost may add without taking up a claim.
SYMPATHY = re.compile(r"心疼|希望|祝|早日康复|保佑|平安|加油|难过|揪心|泪目|抱抱|\[[^\]]{1,6}\]")


# Cues of a claim's form that are not about its topic (issue 22: features that carry across
# domains and years), read by the post-alone trees as 0/1 columns (``nlp.rumor.trees.POST_FORM``).
# Share of rumours among CED dev posts holding each (2,295 posts, 44.7 % rumours; counted on
# CED only, not on a held-out split, 2026-12-07): urgency 74/101, shock 84/108, plea 94/109,
# defect 49/56, hearsay 70/117, absolute 106/200, unverifiable specifics 84/157, a named
# authority or report 98/224, first-hand 18/44.
URGENCY = re.compile(
    r"紧急|速看|速转|马上|立刻|立即|火速|十万火急|刻不容缓|注意了|警惕|提醒大家|重要通知"
    r"|最新消息|刚刚"
)
SHOCK = re.compile(r"震惊|惊呆|吓人|可怕|恐怖|天哪|天啊|竟然|居然|看完")
# Hearsay beyond ``HEARSAY`` (which the casualty rule owns): what "goes round".
MORE_HEARSAY = re.compile(r"传闻|疯传|流传|相传|据悉|朋友说|听朋友|有人爆料|爆料")
ABSOLUTE = re.compile(r"一定要|绝对|千万|所有人|百分之百|100%|必须|永远|从来没|彻底|全都|一律|无一")
# Specifics no reader can check: an unnamed place or person, an unnamed expert or study.
UNVERIFIABLE = re.compile(
    r"某(?:医院|地|市|县|村|小区|公司|学校|专家|官员|领导|人)|一位|一名|有个"
    r"|专家(?:说|称|提醒|指出)|研究(?:发现|表明)|科学家|消息称|据了解"
)
# A named authority or report as the source (news style).
AUTHORITY = re.compile(
    r"记者|日电|通报|公告|发布会|据.{0,10}(?:报道|消息|通报)|官方|警方|新华社|人民日报|央视|新华网"
)
CLAIM_CUES = (
    ("cue_urgency", "帖文催促（紧急、速转）"),
    ("cue_shock", "帖文渲染震惊"),
    ("cue_plea", "帖文呼吁转告或别买"),
    ("cue_defect", "帖文断言产品有害或造假"),
    ("cue_hearsay", "帖文转述传闻（听说、网传）"),
    ("cue_absolute", "帖文用绝对化说法"),
    ("cue_unverifiable", "帖文含无从核实的细节（某医院、专家称）"),
    ("cue_authority", "帖文注明权威来源（记者、通报）"),
    ("cue_first_hand", "帖文为亲身经历"),
)


def _heard(text: str) -> bool:
    return bool(HEARSAY.search(text) or MORE_HEARSAY.search(text))


# One test per ``CLAIM_CUES`` entry, in its order.
_CUE_TESTS = (
    URGENCY.search,
    SHOCK.search,
    PLEA.search,
    DEFECT.search,
    _heard,
    ABSOLUTE.search,
    UNVERIFIABLE.search,
    AUTHORITY.search,
    FIRST_HAND.search,
)


def claim_cues(text: str) -> list[float]:
    """One 0/1 value per ``CLAIM_CUES`` entry for a post's text."""
    return [float(bool(test(text))) for test in _CUE_TESTS]


@dataclass(frozen=True)
class Form:
    """What the rules found in a post: the kind (``self``, ``plea``, ``insinuation``,
    ``witness``) and the words that show it."""

    kind: str
    words: tuple[str, ...]


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))


def speaks_for_itself(text: str, verified: object, verified_type: object) -> Form | None:
    """A verified enterprise account speaking of itself (我司, 本公司…)."""
    if verified is not True or verified_type != ENTERPRISE_TYPE:
        return None
    words = _found(SELF, text)
    return Form("self", tuple(words)) if words else None


def accusation_with_plea(text: str) -> Form | None:
    """A defect asserted as fact with a plea, not first-hand, not refuting, not asking."""
    if asks(text) or disbelieves(text) or FIRST_HAND.search(text):
        return None
    plea, defect = _found(PLEA, text), _found(DEFECT, text)
    return Form("plea", tuple(defect + plea)) if plea and defect else None


def insinuated_hearsay(text: str) -> Form | None:
    """Hearsay with an insinuation of a hidden truth, not refuting, not asking."""
    if asks(text) or disbelieves(text):
        return None
    heard, hinted = HEARSAY.search(text), _found(INSINUATION, text)
    return Form("insinuation", (heard.group(0), *hinted)) if heard and hinted else None


def _is_claim(text: str) -> bool:
    """Any claim form: hearsay, a plea, an insinuation, a defect, a death, a question."""
    return bool(
        HEARSAY.search(text)
        or PLEA.search(text)
        or INSINUATION.search(text)
        or DEFECT.search(text)
        or _DEATH.search(text)
        or asks(text)
        or "？" in text
        or "?" in text
    )


def _witness(text: str) -> list[str]:
    return [] if _is_claim(text) else _found(WITNESS, text)


@lru_cache(maxsize=8192)
def witness_account(text: str) -> Form | None:
    """What the poster sees now, with no claim form; for a repost, what it passes on when it
    adds only sympathy (its own words before the first ``//@``)."""
    parts = _CHAIN.split(text, maxsplit=1)
    if len(parts) == 2:
        own, passed = parts
        if _is_claim(own) or not (SYMPATHY.search(own) or _witness(own)):
            return None
        words = _witness(own) or _witness(passed)
        return Form("witness", tuple(words)) if words else None
    words = _witness(text)
    return Form("witness", tuple(words)) if words else None


@lru_cache(maxsize=8192)
def claim_form(text: str) -> Form | None:
    """The claim form that raises a post (an urged accusation, insinuated hearsay), if any."""
    return accusation_with_plea(text) or insinuated_hearsay(text)

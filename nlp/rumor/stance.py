"""Stance of a post towards a claim: does the post refute something, or ask whether it is true?

The rumour lexicon's "refute" words (辟谣, 谣言, 不实…) meant two opposite things in one
feature: a post that *refutes* a claim (【辟谣】网传…不实, 经抽检…, 系谣言) and a post that *asks*
for a refutation (求辟谣, 是不是谣言, 是谣言还是…). The second is a rumour spreading with a
question attached; the first answers it. Counted together, the rumour model learnt from CED
(where 12 of the 17 posts with such words are rumours, most of them 求辟谣) that debunk wording
*raises* a post's rumour score, and the bureau's own 【辟谣】 post scored 0.98.

``refutes(text)`` finds the assertive forms only, with the question forms removed first;
``asks(text)`` finds the question forms. On the labelled Weibo data (benchmarks/
nlp_rumor_bench.py --stance prints the table) posts that refute are mostly not rumours, while
replies that doubt a post remain evidence that the post is one (``nlp.rumor.features``).
"""

from __future__ import annotations

import re

# Asking for a refutation or questioning whether something is a rumour: doubt, not refutation.
# Removed from the text before ``REFUTING`` is searched, so 求辟谣 never counts as 辟谣.
ASKING = re.compile(
    r"求(?:官方)?辟谣|等(?:官方)?辟谣|盼辟谣|谁来辟谣|有没有(?:人)?辟谣|辟谣(?:一下)?[吗吧呢？?]"
    r"|是不是(?:真的|谣言|假的)|(?:是|算)?谣言(?:吗|吧|呢|还是)|是真是假|真的假的|是真的吗"
    r"|求证|求真相|(?:是|为)?假(?:的|消息)?吗|不(?:属)?实吗"
)
# Assertive refutation: the post says a claim is false, or reports the check that shows it.
REFUTING = re.compile(
    r"【(?:辟谣|澄清|真相|谣言粉碎机|求真|较真|网络辟谣)】"
    r"|辟谣"
    r"|(?:系|是|属|纯属|均为|均系|实为|即为|就是|都是|此为|为)(?:网络|网上|一条|一则|个|老|旧)?谣言"
    r"|谣言止于|不信谣|不传谣|造谣|谣言[，,。！!]?(?:已|被)"
    # 不属实 as well (a firm's 【声明】…均不属实), but not 属实不属实 ("true or not").
    r"|(?<!如)(?<!若)(?<!如果)(?<!属实)(?:不实|失实|不属实)"
    r"|(?:系|是|属|纯属|均为)(?:虚假|假)(?:消息|信息|新闻)"
    r"|(?<![已未一])经(?:查|核实|核查|抽检|检测|检验)(?![获处])"
    r"|并非事实|与事实不符|未检出"
    # Calling the claim "this rumour" and telling people to stop passing it on.
    r"|这(?:种|个|条|类|些)(?:网络)?谣言|(?:别|不要)(?:再)?(?:转|传)了"
)


# Disbelief of a claim in the post's own words (哪来的塑料味, 怎么可能是塑料): used for the
# post's stance in context (``nlp.rumor.context``), not as a model feature (the model was
# trained on ``refutes`` alone).
# Telling others not to pass a claim on, or to wait for the authorities' word (别乱转了，等官方
# 通报: a repost that pushes back on the hearsay it quotes) is disbelief too.
DISBELIEVING = re.compile(
    r"哪来的|哪有什么|怎么可能|不可能是|没见(?:过)?(?:是|有)|根本不是|根本没有"
    r"|(?:别|不要)(?:再)?乱(?:转|传)|(?:别|不要)再(?:传|转)|等(?:官方)?通报"
    # Taking one's own post back (已删除原视频…没有核实就发了，对不起): a retraction.
    r"|没(?:有)?核实就(?:发|转)"
    # Telling the claim apart from what really happened (是电池热失控，跟共享充电宝不是一回事;
    # 和奶粉关系不大; 截图已被证实是篡改的): a correction, the way an explainer answers a claim.
    r"|不是一回事|两码事|(?:跟|和|与)[^，,。！？!?]{1,12}(?:没(?:有)?(?:什么)?关系|关系不大|无关)"
    r"|(?:证实|证明|确认|鉴定)(?:是|系|为)(?:篡改|伪造|P图|p图|假)|是(?:篡改|伪造|P|p)的"
)


def asks(text: str) -> list[str]:
    """The phrases that ask whether a claim is true (or ask for its refutation)."""
    return [m.group(0) for m in ASKING.finditer(text or "")]


def refutes(text: str) -> list[str]:
    """The phrases with which the post itself refutes a claim (question forms excluded)."""
    remaining = ASKING.sub(" ", text or "")
    return [m.group(0) for m in REFUTING.finditer(remaining)]


def disbelieves(text: str) -> list[str]:
    """Refutation or plain disbelief of a claim in the post's own words."""
    remaining = ASKING.sub(" ", text or "")
    return refutes(text) + [m.group(0) for m in DISBELIEVING.finditer(remaining)]

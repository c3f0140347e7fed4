"""Heard claims about officials' own conduct: a second claim that no report of the story confirms.

A story may be true (a laboratory sells reports, a vendor was fined, a crane fell) while a
claim passed on beside it is about the officials who handle it: that they shield the story's
subject (老板是局里科长的小舅子, 关系户, 保护伞), hide what happened (压着不说, 压消息, 瞒报,
捂盖子), took money (收了钱, 收红包) or abused their power (执法队把摊子掀了, 三轮车被扣走了).
Such a claim is the one a press office must answer itself: the bureau alone knows its staff and
its enforcement, and a newspaper reporting the story confirms the story, not the claim about
its regulators (jinqiao_crane's j0016/j0017/j0053, qingping_ropeway's cert_fake accusation,
docs/scenarios.md "Rumour misses fixed (h/rumfix)").

``conduct_claim`` finds one: hearsay words (``nlp.rumor.hearsay.heard``: 听说, 据现场摊贩说,
网友爆料…) followed, in the same sentence, by an official or enforcer (``OFFICIALS``) and a
word of misconduct (``MISCONDUCT``). Heard, not seen: an account of what the poster saw
officers do is testimony, which the rules leave to the model. ``nlp.rumor.context`` lifts the
corroboration cap from such a claim unless the event's report repeats it, and raises it to
``CONDUCT_MIN`` there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.rumor.hearsay import heard

# Officials and enforcers: whose conduct the claim is about. 执法队/执法的 and 官方 are how
# the public names the bureau's officers and its word (白沙这帮执法的, 官方说1死是在压消息).
OFFICIALS = re.compile(
    r"局(?:里|长)?|官员|官方|领导|干部|科长|处长|所长|站长|主任|公职人员|工作人员|监管部门"
    r"|有关部门|政府|执法|城管|监管"
)
# Shielding the story's subject by kinship or favour (h/scenfix's rule, kept as it was).
SHIELDING = re.compile(
    r"亲戚|亲属|小舅子|大舅子|连襟|妹夫|姐夫|小姨子|关系户|保护伞|后台|背后是|罩着|护着|包庇|勾结|打招呼"
)
# Hiding the facts. Not 压 alone: 底下压了十几个人 is the accident itself.
COVER_UP = re.compile(
    r"压消息|压着|压下来|压下去|压住|瞒报|隐瞒|瞒着|瞒下来|捂盖子|捂着|捂住|封锁消息|封口"
    r"|不让(?:说|报|拍|发|采访)|删帖"
    # Saying the officials count fewer than are heard of (官方只说3个, 才通报了两个): they hide
    # the rest. Only with a number: 官方只说了会调查 accuses nobody.
    r"|(?:只|才)(?:说|报|通报|公布|承认)了?(?:\d|[一二两三四五六七八九十几])"
)
# Taking money or favours.
BRIBERY = re.compile(r"收了钱|收钱|收了好处|拿了好处|好处费|收红包|收了红包|受贿|塞了?钱|回扣|打点")
# Abusing enforcement: force against people or goods beyond a penalty.
ABUSE = re.compile(
    r"掀了|掀翻|掀摊|砸了|砸摊|扣走|扣了车|扣车|没收了?(?:三轮|车)|打人|动手|推倒|暴力执法"
)
MISCONDUCT = (SHIELDING, COVER_UP, BRIBERY, ABUSE)
_CLAUSE_END = re.compile(r"[。！？!?\n]")
# A misconduct word right before a question mark is asked, not told (网传一副局长打人？).
_ASKED = re.compile(r"[^，,。！!？?\n]{0,3}[？?]")


@dataclass(frozen=True)
class Conduct:
    """A heard claim about officials' conduct: the hearsay words, the heard clause (from
    them to the end of their sentence) and the words of misconduct in it."""

    heard: str
    clause: str
    words: tuple[str, ...]


def heard_clause(text: str) -> tuple[str, str, str] | None:
    """The hearsay words, what follows them to the end of their sentence, and the mark that
    ends it ("" at the end of the text), or None."""
    words = heard(text)
    if words is None:
        return None
    start = text.find(words)
    tail = text[start + len(words) :].lstrip("：:，, ")
    end = _CLAUSE_END.search(tail)
    return (words, tail[: end.start()], end.group(0)) if end else (words, tail, "")


@lru_cache(maxsize=8192)
def conduct_claim(text: str) -> Conduct | None:
    """A heard claim that officials shield, hide, took money or abuse their power."""
    found = heard_clause(text)
    if found is None:
        return None
    words, clause, mark = found
    if not OFFICIALS.search(clause):
        return None
    misconduct = [
        m.group(0)
        for pattern in MISCONDUCT
        for m in pattern.finditer(clause)
        if not _ASKED.match(clause + mark, m.end())
    ]
    if not misconduct:
        return None
    return Conduct(words, clause, tuple(dict.fromkeys(misconduct)))

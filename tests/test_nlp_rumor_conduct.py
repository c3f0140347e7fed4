"""Heard claims about officials' own conduct (h/rumfix, docs/scenarios.md "Rumour misses fixed
(h/rumfix)"): hearsay with its source between 据 and 说 is hearsay to the rules; a heard claim
that officials shield, hide, took money or abused their power is not held by the
corroboration cap and is raised to ``CONDUCT_MIN``; a teen toll (十二) is read. Text written for
the test (a fruit stall in 东湖, a water-park slide, a bakery), through
``nlp.rumor.context.in_context`` with the model's score as its input."""

from __future__ import annotations

from archive.models import Mention
from nlp.rumor.conduct import conduct_claim
from nlp.rumor.context import (
    CONDUCT_MIN,
    CORROBORATED_MAX,
    REFUTATION_MAX,
    Authorities,
    in_context,
)
from nlp.rumor.hearsay import UNVERIFIED_MAX, heard, hearsay_claim
from nlp.rumor.score import RumorResult
from tests.support.nlp_stage_run import mention

AUTHORITIES = Authorities.from_settings()
OFFICIAL = {"verified": True, "verified_type": 1, "followers": 200000}
# A newspaper's report of the stall's fine: the fine is true, what is heard about it may not be.
REPORT = mention(
    "r1",
    "东湖区一水果摊主因使用未经检定的电子秤被东湖区市场监管局罚款2000元，当事人对处罚有异议。"
    "记者从东湖区市场监管局了解到，处罚依据《计量法》作出，当事人可申请复议。",
    1,
    platform="news",
    kind="article",
    title="水果摊用未检定电子秤被罚2000元",
)
ABUSE = "据隔壁摊主说，执法人员当场把水果摊掀了，电动三轮也被扣走了，罚款其实是两万！"


def scored(item: Mention, score: float, corroboration: Mention | None = REPORT) -> RumorResult:
    return in_context(RumorResult(score=score), item, AUTHORITIES, corroboration)


def test_hearsay_with_its_source_between_ju_and_shuo_is_heard() -> None:
    assert heard("据隔壁摊主说，执法人员当场把水果摊掀了") == "据隔壁摊主说"
    assert heard("据附近居民讲，那家面包店早就关门了") == "据附近居民讲"
    assert heard("据一位知情人透露，厂里早就停工了") is not None
    # A report's sourcing is not hearsay.
    for sourced in ("据记者了解，该店已停业", "据警方通报称，两人受伤", "据目击者称，车辆起火"):
        assert heard(sourced) is None, sourced


def test_a_teen_toll_is_read() -> None:
    claim = hearsay_claim("听说水上乐园那边死了十二个人")
    assert claim is not None and claim.value == 12
    claim = hearsay_claim("群里都在传十五个人遇难")
    assert claim is not None and claim.value == 15


def test_heard_abuse_of_enforcement_is_not_capped_by_the_report_and_is_raised() -> None:
    # The report confirms the fine, not the overturned stall and the seized tricycle.
    result = scored(mention("p1", ABUSE, 2), 0.18)
    assert result.score == CONDUCT_MIN
    assert result.reasons[0].text.startswith("传闻内容（")
    assert "指向公职人员自身行为（掀了、扣走）" in result.reasons[0].text
    # Its repost passes the claim on: the same, whatever it adds.
    repost = mention("p2", f"太过分了，对一个老人！//@东湖热点:{ABUSE}", 3)
    assert scored(repost, 0.3).score == CONDUCT_MIN


def test_heard_cover_up_and_bribery_claims_are_raised() -> None:
    covered = mention("p3", "听说区里有关部门收到举报后一直压着不说，面包店照常营业。", 2)
    bought = mention("p4", "听人说检查的工作人员收了钱，所以那家面包店一直没事。", 2)
    for post in (covered, bought):
        assert scored(post, 0.1, corroboration=None).score == CONDUCT_MIN, post.text


def test_a_heard_toll_against_the_officials_count_it_quotes_is_a_cover_up_claim() -> None:
    # No event and no reference (the post is judged alone): the toll is only unverified, but
    # "the officials only say 2" accuses them of hiding the rest.
    post = mention("p5", "群里都在说滑道那边死了十二个人，官方只说2个，差这么多？", 2)
    assert conduct_claim(post.text) is not None
    assert scored(post, 0.12, corroboration=None).score == CONDUCT_MIN
    # A toll heard without the accusation stays unverified in a reported event.
    plain = mention("p6", "群里都在说滑道那边死了十二个人", 2)
    assert scored(plain, 0.12).score <= UNVERIFIED_MAX


def test_what_the_rule_leaves_alone() -> None:
    # Seen, not heard: testimony, left to the model and the cap.
    seen = mention("p7", "我就在旁边，执法人员把水果摊掀了，秤也收走了。", 2)
    assert scored(seen, 0.5).score == CORROBORATED_MAX
    # A question about the claim is not the claim.
    asked = mention("p8", "据隔壁摊主说执法人员把摊子掀了，是真的吗？", 2)
    assert scored(asked, 0.2, corroboration=None).score == 0.2
    # A misconduct word right before a question mark is asked, not told (a Weibo21 news post:
    # 网传巴州区一副局长打人？…记者对此进行了采访).
    assert conduct_claim("网传东湖区一副局长打人？到底怎么回事？") is None
    # A news report's sourcing (据…说 in an article) is the reporter's.
    article = mention("p9", ABUSE, 2, platform="news", kind="article", title="水果摊被罚")
    assert scored(article, 0.2, corroboration=None).score == 0.2
    # A report that states the misconduct confirms it: the cap holds.
    confirming = mention(
        "r2",
        "东湖区市场监管局通报：执法人员当场把水果摊掀了，电动三轮也被扣走了，罚款两万，"
        "涉事执法人员已停职。",
        1,
        platform="news",
        kind="article",
        title="东湖区通报水果摊执法问题",
    )
    assert scored(mention("p10", ABUSE, 2), 0.6, confirming).score == CORROBORATED_MAX


def test_the_bureaus_debunk_of_the_claim_and_its_repost_are_never_rumours() -> None:
    debunk = (
        "【情况说明】网传“执法人员掀摊扣车、罚款两万”“区局工作人员收了钱”等说法不属实。"
        "经核查，处罚金额为2000元，执法全程有记录仪视频。"
    )
    bureau = mention("o1", debunk, 4, metrics=OFFICIAL)
    assert conduct_claim(debunk) is not None  # it quotes the claim...
    assert scored(bureau, 0.9).score <= 0.05  # ...and is the authority answering it
    citizen = mention("o2", f"转发辟谣//@东湖区市场监管局:{debunk}", 5)
    assert scored(citizen, 0.9).score <= REFUTATION_MAX

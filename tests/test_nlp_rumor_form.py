"""A post's form as a claim (issue 16): a firm about itself, a witness, a sympathetic repost,
an urged accusation, insinuated hearsay; the rules, then the real analysis stage over a real
SQLite archive with the shipped model."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from archive.base import Archive
from archive.models import Mention
from nlp.rumor.claims import is_claim_post
from nlp.rumor.context import (
    AUTHORITY_MAX,
    INSINUATION_MIN,
    PLEA_MIN,
    REFUTATION_MAX,
    SELF_PREFIX,
    WITNESS_MAX,
)
from nlp.rumor.form import (
    CLAIM_CUES,
    accusation_with_plea,
    claim_cues,
    claim_form,
    insinuated_hearsay,
    speaks_for_itself,
    witness_account,
)
from nlp.rumor.stance import disbelieves, refutes
from tests.support.nlp_stage_run import mention, run

FIRM_STATEMENT = (
    "【郑重声明】近日有网友称我司“鲜味坊”酱油使用工业盐勾兑，该说法不属实。我司产品均经第三方"
    "检测合格，检测报告可在官网查询，我司已保留证据并将依法维权。"
)
RIDE_WITNESS = "过山车卡在最高处不动了！！上面的人都倒挂着，底下围了好多人在喊"
SOY_ACCUSATION = "鲜味坊酱油是工业盐勾兑的假货，有毒！家里有的赶紧扔了，转给家人"
SOY_COMPLAINT = (
    "我在超市买的鲜味坊酱油过期了半个月还摆在货架上卖，大家买的时候注意看日期，千万别买到过期的"
    "@江州市场监管"
)
TEA_HEARSAY = "奶茶店那事还没人回应，听说他家在好几个商场已经悄悄撤柜了，懂的都懂……"
CITIZEN = {"verified": False, "verified_type": -1, "followers": 600}


def test_a_verified_firm_speaking_of_itself() -> None:
    assert speaks_for_itself(FIRM_STATEMENT, True, 2) is not None
    # Not verified, or not an enterprise account (a personal V, a marketing account).
    assert speaks_for_itself(FIRM_STATEMENT, False, 2) is None
    assert speaks_for_itself(FIRM_STATEMENT, True, 0) is None
    # An enterprise account talking about someone else is not about itself.
    assert speaks_for_itself("隔壁品牌的电热毯是翻新机，大家千万别买", True, 2) is None


def test_stance_reads_bu_shushi_and_corrections_but_not_true_or_not() -> None:
    assert refutes("相关说法均不属实")
    assert not refutes("不管属实不属实，先转了再说") and not refutes("如不属实，愿担责任")
    assert disbelieves("那段视频是电瓶车起火，跟共享单车不是一回事")
    assert disbelieves("孩子发烧和疫苗关系不大") and disbelieves("截图已被证实是伪造的")
    assert disbelieves("求求别再传那些数字了") and disbelieves("没有核实就发了，对不起大家")
    assert not disbelieves("没关系，下次再去")


def test_witness_accounts_and_what_a_repost_adds() -> None:
    assert witness_account(RIDE_WITNESS) is not None
    assert witness_account("刚接到学校电话说孩子吐了，赶到一看好几个孩子都在医务室") is not None
    # Hearsay, a death, a question or a plea make it a claim, not an account.
    assert witness_account("听说过山车卡在上面的人死了三个") is None
    assert witness_account("过山车卡在最高处了？是真的吗") is None
    assert witness_account("过山车卡在最高处，大家千万别去了") is None
    # "Read" and a report's words are not witnessing; 看一看, 一看就是 neither.
    assert witness_account("看到这条微博的都转一下") is None
    assert witness_account("这个孩子一看就是被拐卖的，大家帮忙转发") is None
    # A repost adding sympathy to a witness account passes the account on; one adding a claim
    # (or adding sympathy to hearsay) does not.
    chain = "//@游客小王:" + RIDE_WITNESS
    assert witness_account("揪心，祝大家平安" + chain) is not None
    assert witness_account("太可怕了，听说设备是翻新的，大家千万别去" + chain) is None
    assert witness_account("心疼[泪]//@某某:听说过山车上死了两个人") is None


def test_urged_accusations_and_insinuated_hearsay() -> None:
    found = accusation_with_plea(SOY_ACCUSATION)
    assert found is not None and "赶紧扔" in found.words and "假货" in found.words
    # A consumer's own experience with a warning is a complaint, not a claim to clarify.
    assert accusation_with_plea(SOY_COMPLAINT) is None
    # An accusation without a plea, or a plea without a defect, is left to the model.
    assert accusation_with_plea("鲜味坊酱油是工业盐勾兑的") is None
    assert accusation_with_plea("大家注意，明天降温") is None
    # Refuting or asking is not asserting.
    assert accusation_with_plea("网传鲜味坊酱油有毒系谣言，别再扩散了") is None
    assert accusation_with_plea("鲜味坊酱油有毒？真的假的，要不要扔掉") is None
    hinted = insinuated_hearsay(TEA_HEARSAY)
    assert hinted is not None and hinted.words[0] == "听说" and "懂的都懂" in hinted.words
    assert insinuated_hearsay("听说奶茶店周末打折") is None
    assert insinuated_hearsay("悄悄告诉你，奶茶店周末打折") is None
    assert claim_form(SOY_COMPLAINT) is None


def by(author: str, item: Mention, **metrics: Any) -> Mention:
    return replace(item, author=author, metrics=metrics)


def test_the_stage_scores_forms_in_context(archive: Archive) -> None:
    firm = by("鲜味坊食品", mention("f1", FIRM_STATEMENT, 3), verified=True, verified_type=2)
    witness = by("游客小王", mention("w1", RIDE_WITNESS, 0), **CITIZEN)
    sympathy = by(
        "路人丙",
        mention("w2", "揪心，祝大家平安//@游客小王:" + RIDE_WITNESS, 0.5, kind="repost"),
        **CITIZEN,
    )
    accusation = by("路人甲", mention("a1", SOY_ACCUSATION, 1), **CITIZEN)
    complaint = by("路人乙", mention("c1", SOY_COMPLAINT, 1), **CITIZEN)
    hearsay = by("江州生活圈", mention("h1", TEA_HEARSAY, 2), verified=False, verified_type=220)
    marketing = by(
        "江州生活圈",
        mention(
            "m1", "【扩散】紧急通知！鲜味坊酱油被查出含有致癌物，已经有人喝进医院了，赶紧扔了！", 1
        ),
        verified=False,
        verified_type=220,
        followers=700000,
    )
    bureau = by(
        "江州市场监管",
        mention(
            "b1",
            "【辟谣】网传“鲜味坊酱油使用工业盐勾兑”不实。经抽检，该企业在售酱油各项指标均符合"
            "食品安全国家标准。请不信谣、不传谣。",
            4,
        ),
        verified=True,
        verified_type=1,
    )
    items = [firm, witness, sympathy, accusation, complaint, hearsay, marketing, bureau]
    run(archive, items, now_hours=6)
    analyses = archive.get_analyses([m.id for m in items])
    score = {key: a.rumor_score for key, a in analyses.items()}
    assert all(value is not None for value in score.values())

    # The firm about itself: an authority on itself, the reason says why; not a claim post.
    assert score["f1"] is not None and score["f1"] <= AUTHORITY_MAX
    assert any(r.text.startswith(SELF_PREFIX) for r in analyses["f1"].reasons)
    assert not is_claim_post(firm, analyses["f1"], 0.5)
    # The witness and the sympathetic repost of it: not claims.
    assert score["w1"] is not None and score["w1"] <= WITNESS_MAX
    assert score["w2"] is not None and score["w2"] <= WITNESS_MAX
    assert any("亲历或目击叙述" in r.text for r in analyses["w2"].reasons)
    # The urged accusation and the insinuated hearsay: raised to their floors at least.
    assert score["a1"] is not None and score["a1"] >= PLEA_MIN
    assert score["h1"] is not None and score["h1"] >= INSINUATION_MIN
    # Negatives: the consumer's complaint is not raised by any form (the model's own score,
    # whatever it is, and no form reason); the marketing account's rumour stays high; the
    # bureau's 【辟谣】 stays low.
    assert not any("疑似谣言主张" in r.text for r in analyses["c1"].reasons)
    assert score["c1"] is not None and score["c1"] < 0.5
    assert score["m1"] is not None and score["m1"] >= PLEA_MIN
    assert score["b1"] is not None and score["b1"] <= REFUTATION_MAX


def test_claim_cues_read_the_form_not_the_topic() -> None:
    names = [name for name, _ in CLAIM_CUES]
    assert len(claim_cues("")) == len(names) and not any(claim_cues(""))
    cues = dict(zip(names, claim_cues("紧急扩散！听说某医院的疫苗有毒，千万别打"), strict=True))
    on = {name for name, value in cues.items() if value}
    assert on == {
        "cue_urgency",
        "cue_plea",
        "cue_defect",
        "cue_hearsay",
        "cue_absolute",
        "cue_unverifiable",
    }
    report = dict(zip(names, claim_cues("据新华社报道，市场监管总局今日通报抽检结果"), strict=True))
    assert {name for name, value in report.items() if value} == {"cue_authority"}
    mine = dict(zip(names, claim_cues("我昨天在超市买的牛奶竟然过期了"), strict=True))
    assert mine["cue_first_hand"] and mine["cue_shock"] and mine["cue_defect"]

"""Relevance and topics from the lexicons, sentiment with negation, rumour signals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.text.segment import words
from nlp.lexicon import TOPIC_LABELS, TermMatcher, default_lexicon, load_pairs, load_sections
from nlp.relevance import (
    LexiconRelevanceScorer,
    RelevanceResult,
    RelevanceScorer,
    relevant_by_pair_alone,
    squash,
    topic_label,
)
from nlp.rumor.score import (
    DebunkIndex,
    bigrams,
    claims_of,
    features_of,
    heuristic_score,
    score_post,
)
from nlp.sentiment import lexicon_sentiment as score_sentiment  # the lexicon's rules
from nlp.text import Document, document_from_text, prepare

scorer = LexiconRelevanceScorer()


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("市场监管局公布第三季度食品安全监督抽检结果，3批次食品不合格", "food_safety"),
        ("某小区电梯突然下坠，维保单位称已停用", "special_equipment"),
        ("游乐园过山车故障，游客被困半空", "special_equipment"),
        ("锅炉压力容器定期检验工作部署", "special_equipment"),
        ("某品牌汽车因安全气囊缺陷启动召回计划", "recall"),
        ("警方捣毁制售假冒名牌白酒窝点，涉嫌商标侵权", "counterfeit"),
        ("3C认证产品抽查，部分认证机构被约谈", "certification"),
        ("新国标将于明年实施，行业标准同步修订", "standards"),
        ("菜市场作弊秤缺斤短两，计量器具强制检定", "metrology"),
        ("口岸截获有害生物，进境货物退运", "inspection_quarantine"),
        ("市民拨打12315投诉，市场监管部门推诿不作为", "agency_conduct"),
        ("婴幼儿配方奶粉菌落总数超标", "food_safety"),
        ("某批次电动自行车产品质量问题严重，抽检合格率低", "product_quality"),
    ],
)
def test_topic_examples_are_relevant(text: str, topic: str) -> None:
    result = scorer.score(document_from_text(text))
    assert result.score >= 0.5, result
    assert topic in result.topics
    assert {r.kind for r in result.reasons} == {"term", "topic"}
    # Every topic says why: its Chinese name and the terms that gave it.
    why = [r.text for r in result.reasons if r.kind == "topic"]
    assert len(why) == len(result.topics)
    assert any(r.startswith(f"主题：{TOPIC_LABELS[topic]}（") for r in why)


def test_topic_reason_names_its_terms() -> None:
    result = scorer.score(document_from_text("电梯钢丝绳断股，制动器失效"))
    (why,) = [r for r in result.reasons if r.kind == "topic"]
    assert why.text.startswith("主题：特种设备（")
    assert "钢丝绳" in why.text and "电梯" in why.text


def test_over_the_limit_alone_does_not_make_food_safety() -> None:
    """超标 said of a machine (the demo's elevator brakes) is not a food story; beside a food
    term it still is."""
    machine = scorer.score(
        document_from_text("钢丝绳断股、制动器磨损超标、记录补填……每一条都是人祸")
    )
    assert machine.topics == ["special_equipment"]
    assert "food_safety" not in machine.topic_evidence
    food = scorer.score(document_from_text("抽检发现一批次大米镉含量超标，农药残留超标"))
    assert food.topics[0] == "food_safety"


@pytest.mark.parametrize(
    "text",
    [
        "今天天气不错，和朋友去公园散步",
        "某明星新电影票房破十亿",
        "空气质量持续良好",  # 质量 alone is weak
        "国足1比0取胜，球迷欢呼",
        "城管与小贩发生冲突",
    ],
)
def test_off_topic_is_not_relevant(text: str) -> None:
    assert scorer.score(document_from_text(text)).score < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "在超市买的爆米花已经过期半年，找商家要求退一赔三",
        "老人参加保健品会销被骗三万元，家属怀疑虚假宣传",
        "#3·15#曝光台：网购的名牌包是假货，店家拒绝退款",
        "奶茶店员工用过期牛奶做饮品，消费者拨打热线举报",
    ],
)
def test_the_regulators_everyday_field_is_relevant(text: str) -> None:
    """Issue 22: consumer disputes, health-product scams and expired food are the market
    regulator's, in everyday words (written for this test, not taken from a data set)."""
    assert scorer.score(document_from_text(text)).score >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "冬天用微波炉热饭要注意什么",  # an appliance named: evidence, not a verdict
        "带状疱疹疫苗今天起可以预约接种",  # a vaccine's news alone is health, not the field
        "这部盗版电影画质太差了",
    ],
)
def test_weak_field_words_add_evidence_but_do_not_fire_alone(text: str) -> None:
    result = scorer.score(document_from_text(text))
    assert 0.0 < result.score < 0.5


def test_title_weighs_more_than_body() -> None:
    in_title = scorer.score(document_from_text("今天的消息", title="电梯"))
    in_body = scorer.score(document_from_text("今天的消息 电梯"))
    assert in_title.score > in_body.score


def test_score_is_bounded_and_one_strong_term_is_the_default_threshold() -> None:
    assert squash(0) == 0
    assert squash(1.0) == pytest.approx(0.5)
    assert squash(100) <= 1.0


def test_reasons_are_the_terms_strongest_first() -> None:
    result = scorer.score(document_from_text("电梯困人，电梯维保单位被约谈"))
    terms = [r for r in result.reasons if r.kind == "term"]
    texts = [r.text for r in terms]
    assert texts[0] == "电梯" and "困人" in texts and "维保单位" in texts
    assert [r.weight for r in terms] == sorted((r.weight for r in terms), reverse=True)


def test_the_scorer_protocol_accepts_a_replacement() -> None:
    class Always:
        def score(self, document: Document) -> RelevanceResult:
            return RelevanceResult(score=1.0, topics=["recall"])

    replacement: RelevanceScorer = Always()
    assert replacement.score(document_from_text("无关")).score == 1.0


def test_term_matcher_finds_terms_whatever_jieba_cut() -> None:
    matcher = TermMatcher({"不作为": 1.0, "压力容器": 1.0, "食品": 0.4, "食品安全": 1.0})
    hits = matcher.find(words("监管部门不作为，压力容器与食品安全"))
    assert [h.term for h in hits] == ["不作为", "压力容器", "食品安全"]


def test_term_matcher_equals_trying_every_run_of_words() -> None:
    """Stopping at runs that start no term finds what trying every run up to 8 words does."""
    terms = {"不作为": 1.0, "压力容器": 1.0, "食品": 0.4, "食品安全": 1.0, "ab": 0.5, "abc": 0.5}
    matcher = TermMatcher(terms)

    def every_run(tokens: list[str]) -> list[tuple[str, int, int]]:
        out, index = [], 0
        while index < len(tokens):
            best = None
            for end in range(index, min(len(tokens), index + 8)):
                joined = "".join(tokens[index : end + 1])
                if joined in terms:
                    best = (joined, index, end - index + 1)
            out.append(best) if best else None
            index += best[2] if best else 1
        return out

    pieces = ["不", "作为", "压力", "容器", "食品", "安全", "a", "b", "c", "", "ab", "x"]
    for seed in range(300):
        tokens = [pieces[(seed * 7 + i * (seed % 5 + 3)) % len(pieces)] for i in range(12)]
        found = [(h.term, h.start, h.length) for h in matcher.find(tokens)]
        assert found == every_run(tokens), tokens


def test_lexicon_files_parse() -> None:
    lexicon = default_lexicon()
    assert "电梯" in lexicon.topics["special_equipment"]
    assert "不" in lexicon.negation and "求证" in lexicon.doubt


def test_lexicon_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("电梯 1.0\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:1"):
        load_sections(path)


# ---- sentiment -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("抽检不合格，黑心商家太恶心了", "negative"),
        ("对处理结果很不满意", "negative"),
        ("执法人员处理及时，点赞！", "positive"),
        ("产品全部合格，消费者可以放心", "positive"),
        ("经检测没有发现问题", "neutral"),
        ("市场监管局发布通知", "neutral"),
        ("[怒][怒]", "negative"),
        ("[赞][鼓掌]", "positive"),
    ],
)
def test_sentiment(text: str, label: str) -> None:
    result = score_sentiment(document_from_text(text))
    assert result.label == label, result


def test_negation_flips_and_says_so() -> None:
    result = score_sentiment(document_from_text("这次处理我不满意"))
    assert result.label == "negative"
    assert any(r.text == "不满意" and r.weight < 0 for r in result.reasons)


def test_repost_sentiment_is_the_reposters_own() -> None:
    result = score_sentiment(document_from_text("点赞，处理得好//@某人:黑心商家太恶心"))
    assert result.label == "positive"


# ---- rumour heuristic -------------------------------------------------------------------


def test_rumour_reasons_name_the_signals() -> None:
    features = features_of(
        prepare("", "紧急扩散！千万不要吃樱桃，有蛆虫，告诉家人"), {"verified": False}
    )
    result = heuristic_score(features, doubting_comments=3, comment_ids=["c1", "c2", "c3"])
    texts = [r.text for r in result.reasons]
    assert any("煽动性用语" in t and "紧急扩散" in t for t in texts)
    assert "作者未认证" in texts and "未注明来源" in texts
    comments = next(r for r in result.reasons if "评论质疑" in r.text)
    assert comments.mention_id == "c1"
    assert result.score > 0.9


def test_sourced_post_by_verified_author_scores_low() -> None:
    features = features_of(
        prepare("", "据新华社报道，市场监管总局通报抽检结果 http://t.cn/x"), {"verified": True}
    )
    result = heuristic_score(features)
    assert result.score < 0.1
    assert "作者已认证" in [r.text for r in result.reasons]


def test_doubt_in_comments_raises_the_score() -> None:
    features = features_of(prepare("", "某超市牛奶喝死人了"), {})
    assert heuristic_score(features, 5).score > heuristic_score(features, 0).score


def test_a_post_that_refutes_is_not_a_rumour() -> None:
    refuting = features_of(prepare("", "网传喝牛奶致癌是谣言，别信"), {})
    spreading = features_of(prepare("", "喝牛奶致癌，千万别喝了"), {})
    assert heuristic_score(refuting).score < heuristic_score(spreading).score


def test_debunk_claims_and_matching() -> None:
    t0 = datetime(2026, 11, 16, tzinfo=UTC)
    debunk = prepare("网传“樱桃里有蛆虫不能吃”系谣言", "市场监管局辟谣：樱桃果蝇幼虫无害。")
    claims = claims_of(debunk)
    assert "樱桃里有蛆虫不能吃" in claims
    index = DebunkIndex(backward_reach=timedelta(hours=72))
    index.add("d1", debunk, t0)
    post = prepare("", "紧急通知：樱桃里有蛆虫不能吃！！快告诉家人")
    result = score_post(features_of(post, {}), bigrams(post.full), t0 + timedelta(days=30), index)
    assert result.score >= 0.9 and result.matched_debunk == "d1"
    match = result.reasons[0]
    assert (match.kind, match.text, match.mention_id) == (
        "match",
        "网传“樱桃里有蛆虫不能吃”系谣言",
        "d1",
    )
    unrelated = prepare("", "今天樱桃很甜，推荐大家去采摘")
    assert index.match(bigrams(unrelated.full), t0) is None
    # A post from long before the debunk is beyond its backward reach.
    assert index.match(bigrams(post.full), t0 - timedelta(days=10)) is None


def test_a_post_put_to_the_regulators_account_is_relevant() -> None:
    """@-names are lifted out of the words; the agency's own account still counts."""
    asked = scorer.score(document_from_text("@芜湖食品药品监管 我们这里接种的批次有问题吗？"))
    assert asked.score >= 0.5 and asked.reasons[0].text == "食品药品监管"
    assert "agency_conduct" in asked.topics
    bank = scorer.score(document_from_text("@中国工商银行 我的卡怎么被冻结了"))
    assert bank.score == 0.0


# ---- word pairs (resources/relevance_pairs.txt) ------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("山上的缆车停了！一车厢人挂着下不来", "special_equipment"),
        ("欢乐谷的大摆锤卡在上面十几分钟了", "special_equipment"),
        ("导购说国补后3999，上周店里标价才3499", "agency_conduct"),
        ("小区门口那家健身房跑路了，办的年卡还没用几次", "agency_conduct"),
    ],
)
def test_a_word_pair_in_one_sentence_is_one_strong_term(text: str, topic: str) -> None:
    """A ride and a failure, a price and a shop, a prepaid shop and its vanishing: everyday
    telling of the field that neither word makes relevant alone."""
    result = scorer.score(document_from_text(text))
    assert result.score >= 0.5
    assert topic in result.topics
    # Nothing but the pair makes it relevant: the reason's kind says so (nlp.event_recheck).
    assert any(r.kind == "pair" and r.text.startswith("词对：") for r in result.reasons)
    assert relevant_by_pair_alone(result.reasons)
    (why,) = [r for r in result.reasons if r.kind == "topic" and topic_label(topic) in r.text]
    assert "+" in why.text  # the topic names the pair that gave it


def test_a_pair_beside_a_strong_term_is_not_alone() -> None:
    """The same pair in a text an unambiguous term already makes relevant: kind relevance."""
    result = scorer.score(document_from_text("山上的缆车停了，市场监管部门已到场处置"))
    assert result.score >= 0.5
    assert any(r.kind == "relevance" and r.text.startswith("词对：") for r in result.reasons)
    assert not relevant_by_pair_alone(result.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "周末坐缆车上山看日出，风景太美了",  # a ride, no failure
        "原价399，今天直播间只要199",  # a price word, no shop or subsidy named
        "缆车真好玩。回家路上车坏了",  # both words, two sentences
        "健身房打卡第一百天",
    ],
)
def test_a_pair_needs_both_words_in_one_sentence(text: str) -> None:
    result = scorer.score(document_from_text(text))
    assert result.score < 0.5
    assert not any(r.text.startswith("词对：") for r in result.reasons)


def test_pair_file_groups_name_their_topic(tmp_path: Path) -> None:
    pairs = default_lexicon().pairs
    assert {p.topic for p in pairs} <= set(TOPIC_LABELS)
    assert all(p.subjects and p.events for p in pairs)
    bad = tmp_path / "pairs.txt"
    bad.write_text("[weather.subject]\n下雨\n[weather.event]\n停了\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not start with a topic"):
        load_pairs(bad)
    half = tmp_path / "half.txt"
    half.write_text("[recall.subject]\n汽车\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"needs a \.subject and an \.event"):
        load_pairs(half)

"""Another city's news and another penalty decision are other stories (issue 16): they share a
local story's words, not its happening, and must neither found nor join its event. The same
city's districts, a firm's name, and a decision's own news still join."""

from __future__ import annotations

from archive.base import Archive
from archive.models import Mention, stable_id
from nlp.event_scope import Home, decision_keys, named_cities, region_names
from nlp.text import document_from_text
from tests.support.event_posts import news, post, run

# The day before: the local paper reports another city's school poisoning.
ELSEWHERE = news(
    "f1", "柳河市一中学发生疑似食物中毒 20余名学生送医",
    "据柳河市卫健委消息，柳河市北湖区一所中学部分住校学生午餐后出现腹痛、呕吐症状，20余名学生"
    "被送医治疗，均无生命危险。当地市场监管部门已介入调查，涉事食堂已停业整顿。", 0,
)  # fmt: skip
# The local incident, a day later: posts and reports that do not name their own city.
LOCAL = [
    post("l1", "【#望江区一小学多名学生呕吐送医#】望江区育才小学多名学生午餐后出现腹痛、呕吐症状，"
         "已被送医治疗，市场监管部门已介入调查，涉事食堂已停业", 24 * 60, "江州同城"),
    news("l2", "望江区育才小学多名学生疑似食物中毒 已送医治疗",
         "今天中午，望江区育才小学部分学生午餐后出现腹痛、呕吐症状，30余名学生被送医治疗。"
         "区市场监管局已介入调查，涉事食堂已停业整顿。", 24 * 60 + 40),
]  # fmt: skip
# The same story from the supplier's district of the same city.
OTHER_DISTRICT = news(
    "l3", "江州市白沙区一餐饮公司为育才小学供餐 已被查封",
    "记者获悉，为望江区育才小学供餐的江州市白沙区一家餐饮公司已被查封，食堂停业整顿，"
    "30余名送医学生无生命危险，市场监管部门正在调查食物中毒原因。", 24 * 60 + 120,
)  # fmt: skip
# Two days on, the other city's follow-up.
ELSEWHERE_LATER = news(
    "f2", "柳河市通报中学食物中毒调查结果 供餐食堂被吊销许可",
    "柳河市市场监管局通报，北湖区一所中学学生食物中毒事件系食堂餐食引起，20余名学生送医治疗，"
    "涉事食堂被依法吊销食品经营许可证。", 24 * 60 + 180,
)  # fmt: skip


def test_another_citys_news_does_not_found_the_local_event(archive: Archive) -> None:
    analyses = run(archive, [ELSEWHERE, *LOCAL, OTHER_DISTRICT, ELSEWHERE_LATER])
    local = {analyses[m.id].event_id for m in (*LOCAL, OTHER_DISTRICT)}
    assert local == {stable_id("event", "l1")}  # the two districts' reports: one story
    assert analyses["f1"].event_id == stable_id("event", "f1")
    assert analyses["f2"].event_id != stable_id("event", "l1")
    event = archive.get_event(stable_id("event", "l1"))
    assert event is not None and event.first_seen == LOCAL[0].published_at


def test_without_the_other_city_the_same_items_join(archive: Archive) -> None:
    # The control: the local reports resemble each other and the other city's news enough to
    # join on words, so the test above fails if the city is not what keeps them apart.
    text = ELSEWHERE.text.replace("柳河市卫健委", "区卫健委").replace("柳河市北湖区", "望江区")
    twin = news("f1", ELSEWHERE.title.replace("柳河市", "望江区"), text, 0)
    analyses = run(archive, [twin, *LOCAL])
    assert {analyses[m.id].event_id for m in LOCAL} == {stable_id("event", "f1")}


def test_a_firm_named_by_both_ties_across_cities(archive: Archive) -> None:
    supplier = [
        news("s1", "望江区育才小学食物中毒 供餐企业为“鑫禾餐饮”",
             "望江区育才小学学生食物中毒，供餐企业“鑫禾餐饮”已被查封，市场监管部门介入调查，"
             "30余名学生送医治疗。", 0),
        post("s2", "“鑫禾餐饮”给好几个学校供餐，家长都担心，市场监管部门查查吧", 20, "家长"),
        news("s3", "柳河市对鑫禾餐饮在当地的供餐点开展检查",
             "柳河市市场监管局获悉鑫禾餐饮在望江区供餐的学校发生食物中毒后，对其在柳河市的"
             "供餐点开展检查，暂未发现问题。", 60),
    ]  # fmt: skip
    analyses = run(archive, supplier, hours=10)
    assert analyses["s3"].event_id == stable_id("event", "s1")


def decision(
    mid: str, number: str, party: str, facts: str, minutes: float, law: str = "商标法"
) -> Mention:
    text = (
        f"{number}\n\n当事人：{party}\n\n违法事实：{facts}\n\n处罚依据：当事人的上述行为违反了"
        f"《中华人民共和国{law}》的规定，本局决定对当事人作出如下行政处罚：\n\n处罚结果："
        "1.没收违法所得；2.罚款人民币5万元。\n\n江州市市场监督管理局"
    )
    return post(
        mid, text, minutes, "江州市市场监督管理局", source="official-penalty",
        platform="official", kind="article", region="江州",
        title=f"江州市市场监督管理局行政处罚决定书（{number}）", extra={"doc_type": "penalty"},
    )  # fmt: skip


def test_two_penalty_decisions_are_two_stories(archive: Archive) -> None:
    first = decision("p1", "江市监处罚〔2026〕301号", "江州市临川区惠民水果店",
                     "我局执法人员在农贸市场计量专项检查中发现，当事人在三台电子秤内加装遥控"
                     "作弊装置，称重时少给顾客约一成分量，涉及苹果、香蕉等水果。", 0,
                     "计量法")  # fmt: skip
    second = decision("p2", "临市监处罚〔2026〕45号", "江州市白沙区甜心蛋糕店",
                      "我局执法人员检查发现，当事人操作间冰箱内存放过期淡奶油6盒，并用于制作"
                      "生日蛋糕和裱花蛋糕对外出售。", 60 * 24, "食品安全法")  # fmt: skip
    report = news("p3", "临川区一水果店电子秤作弊被罚",
                  "江州市市场监督管理局公布江市监处罚〔2026〕301号行政处罚决定书：临川区惠民水果店"
                  "在电子秤内加装遥控作弊装置，被没收违法所得并罚款。", 60 * 25)  # fmt: skip
    analyses = run(archive, [first, second, report])
    assert analyses["p1"].event_id and analyses["p2"].event_id
    assert analyses["p2"].event_id != analyses["p1"].event_id
    assert analyses["p3"].event_id == analyses["p1"].event_id  # its own decision's news


def test_a_campaigns_decisions_are_one_story(archive: Archive) -> None:
    # Other numbers and parties, one kind of case: a crackdown's decisions stay together.
    cases = [
        decision(f"t{i}", f"江市监处罚〔2026〕{310 + i}号", party,
                 f"我局执法人员检查发现，当事人销售标注“{mark}”注册商标的{goods}，经商标注册人"
                 "鉴定，均为侵犯其注册商标专用权的商品。", 60 * 3 * i)
        for i, (party, mark, goods) in enumerate([
            ("江州市临川区名酒行", "清泉春", "白酒60瓶"),
            ("江州市白沙区运动户外店", "飞羽", "运动鞋40双"),
        ])
    ]  # fmt: skip
    analyses = run(archive, cases)
    assert analyses["t0"].event_id and analyses["t1"].event_id == analyses["t0"].event_id


def test_cities_regions_and_decisions_as_read() -> None:
    def cities(text: str) -> tuple[str, ...]:
        document = document_from_text(text)
        return named_cities(document.full_text, document.title_words + document.body_words)

    assert cities("据柳河市卫健委消息，柳河市北湖区一所中学") == ("柳河",)
    assert cities("广州市天河区一商场") == ("广州", "广东")
    # 市 after a word that is no place: a supermarket, a hospital across a comma, residents.
    assert cities("大型超市供应充足，送医院，市第二人民医院收治，江州市民反映") == ()
    assert cities("望江区滨江路育才小学") == ()
    assert region_names("江州市云溪区") == ("江州", "云溪")
    assert decision_keys("云市监处罚〔2026〕71号\n当事人：江州市云溪区麦香坊烘焙店\n") == (
        "no:2026-71",
        "party:江州市云溪区麦香坊烘焙店",
    )
    home = Home()
    assert not home.apart(home.places(("柳河",)), home.places(()))  # no home: nothing presumed
    assert home.apart(home.places(("柳河",)), home.places(("澄州",)))
    home.learn("江州")
    assert home.apart(home.places(("柳河",)), home.places(()))
    assert not home.apart(home.places(("江州",)), home.places(()))
    assert not home.apart(home.places(("柳河",), "江州晚报讯"), home.places(()))

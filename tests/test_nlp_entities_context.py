"""Firms named without a company word (nlp/entities_context.py), with the registered brand
list of the installed companynameparser package."""

from __future__ import annotations

from core.text.segment import words
from nlp.entities import extract
from nlp.entities_context import (
    latin_firms,
    learned_names,
    listed_firms,
    quoted_businesses,
)
from nlp.entities_registered import registered_names


def companies(text: str) -> tuple[str, ...]:
    return extract(text, words(text)).companies


def test_registered_list_is_installed_and_holds_brands_not_common_words() -> None:
    names = registered_names()
    assert len(names) > 200_000
    assert {"蒙牛", "德芙", "味全"} <= names


def test_a_registered_name_acting_is_a_firm_with_its_region() -> None:
    assert "德芙" in companies("她随后向销售超市和德芙生产商反映了该问题。")
    assert "杭州味全" in companies("杭州味全发布声明说，他们没使用台湾地区的油脂。")


def test_ordinary_words_bodies_and_people_are_no_firms() -> None:
    # 光明 and 思念 are registered brands but ordinary words; 质监局 a body; 李先生 a person.
    found = companies("前途光明表示乐观，思念回应了家人。质监局表示将处罚。李先生回应称不知情。")
    assert not {"光明", "思念", "质监局", "李先生"} & set(found)


def test_a_quoted_name_described_as_a_business() -> None:
    text = "其中一家名为“聚兴隆”的肉制品企业生产环境恶劣。销售“年糕杨”的工作人员承认。"
    assert quoted_businesses(text, frozenset()) == ["聚兴隆", "年糕杨"]
    assert quoted_businesses("所谓“问题”企业", frozenset({"问题"})) == []
    assert "问题" not in companies("这些“问题”企业已被查处。")


def test_the_items_of_a_list_of_firms() -> None:
    text = "知名企业如味全、台糖、85度C，香港地区的美心西饼等等，无不使用。"
    assert listed_firms(text) == ["味全", "台糖", "85度C", "美心西饼"]
    assert listed_firms("要求企业如实上报检测结果。") == []


def test_a_firms_own_name_learned_from_the_text() -> None:
    text = "河南烨赫堂生物科技有限公司招商销售酵素饮料。河南烨赫堂将酵素饮料夸大宣传。"
    assert learned_names(text, ["河南烨赫堂生物科技有限公司"]) == ["河南烨赫堂"]
    # Inside the full name it is not found again; before a product it is no firm acting.
    assert learned_names("河南烨赫堂生物科技有限公司的产品", ["河南烨赫堂生物科技有限公司"]) == []


def test_latin_names_with_a_company_suffix() -> None:
    assert latin_firms("澳大利亚制造商“BLENDANDPACKPTYLTD”生产的") == ["BLENDANDPACKPTYLTD"]
    assert latin_firms("检出LTD含量") == []


def test_a_groups_unit_is_one_name() -> None:
    text = "通告显示，王一实业集团精彩生活超市有限公司销售的白酒不合格。"
    assert "王一实业集团精彩生活超市有限公司" in companies(text)


# Issue 22, second pass (tuning_3 and an unlabelled sample of food-safety reports, never the
# blind held_out_2): a firm named by its trade, lists of firms or brands before 等.
def test_a_registered_or_proper_name_before_a_trade_is_a_firm() -> None:
    text = "广西皇氏乳业和湖南亚华乳业被通报，联邦制药、修正药业也在名单中；光明乳业回应。"
    found = companies(text)
    assert {"广西皇氏乳业", "湖南亚华乳业", "联邦制药", "修正药业", "光明乳业"} <= set(found)


def test_an_industry_a_time_or_a_kind_of_eatery_before_a_trade_is_no_firm() -> None:
    text = "迄今为止中国乳业、海外药业发展迅速，二季度餐饮收入增长，当地农家乐餐饮和火锅餐饮火爆。"
    assert companies(text) == ()


def test_a_trade_inside_a_name_found_with_its_company_word_adds_nothing() -> None:
    found = companies("阳江市阳东区华天酒业食品有限公司生产的人参酒不合格。")
    assert found == ("阳江市阳东区华天酒业食品有限公司",)


def test_names_listed_before_a_kind_of_firm() -> None:
    text = "同时被曝光的还有蒙格尔、思朗、可拉奥、小帅才、雾岭山等品牌。家乐福、沃尔玛等超市下架。"
    found = extract(text, words(text))
    assert {"蒙格尔", "思朗", "可拉奥", "小帅才", "雾岭山"} <= set(found.brands)
    assert {"家乐福", "沃尔玛"} <= set(found.companies)
    # Places, set phrases and products are no items: 广东、广西等企业, 某某饮用纯净水.
    text = "广东、广西等企业参与。水立方饮用纯净水、挖井人饮用纯净水等企业被查。"
    assert extract(text, words(text)).companies == ()


def test_a_registered_name_jieba_splits_acting_through_its_outlets_or_officers() -> None:
    # 徐福记 and 海底捞 are cut by jieba (徐福 / 记, 海底 / 捞); 三鹿's chairman; a rare
    # registered name before 的 and a firm's own word.
    found = companies("徐福记承认问题，海底捞门店被查，三鹿董事长被拘，吉野家的工作人员称不知情。")
    assert {"徐福记", "海底捞", "三鹿", "吉野家"} <= set(found)


def test_people_common_nouns_and_unnamed_shops_before_a_firm_word_are_no_firms() -> None:
    text = "贾先生家道歉。小老板承认。蛋糕店的老板称不知情，养殖场的负责人说，业务员表示。"
    assert companies(text) == ()


def test_a_registered_name_jieba_does_not_know_before_a_product_is_a_brand() -> None:
    text = "哈尔滨华义冰淇淋菌群超标；江记豆腐乳下架；一家经营百老泉散装白酒的商家。高品质白酒。"
    found = extract(text, words(text))
    assert {"华义", "江记"} <= set(found.brands)
    assert "高品质" not in found.brands  # a word describing the goods
    text = "冰爽果汁、鲜榨果汁、老冰棍冰淇淋、中老年奶粉、山泉矿泉水都在抽检之列。"
    assert extract(text, words(text)).brands == ()


def test_a_registered_name_called_a_business_is_a_firm() -> None:
    assert "强冠" in companies("厦门口岸未进口强冠企业问题油品。")
    # Ordinary words before 企业 stay words (问题企业, 知名企业).
    assert companies("这些问题企业和知名企业都被约谈。") == ()


def test_a_firms_name_without_its_company_word() -> None:
    text = "消费者向泰奇食品索赔。泰奇食品有限公司相关负责人否认。"
    assert "泰奇食品" in learned_names(text, ["泰奇食品有限公司"])


def test_a_known_firm_listed_before_brand_kind_is_a_brand_there() -> None:
    # 好利来 is a known company that jieba tags as a set phrase; in a list before 等品牌 it
    # names the goods, as its neighbours do (issue 22, firms3).
    text = "抽检信息显示，包括好利来、盛圆祥、聚兴祥等品牌的27批次月饼被检出不合格。"
    found = extract(text, words(text))
    assert {"好利来", "盛圆祥", "聚兴祥"} <= set(found.brands)
    assert "好利来" not in found.companies
    # A festival before goods is no registered brand.
    assert "中秋节" not in found.brands


def test_quoted_names_after_a_counterfeit_or_a_product_list_are_brands() -> None:
    text = "现场收缴假冒“咪咪”虾条、“波斯猫”开心豆、“阿林”西瓜子等儿童食品。"
    assert {"咪咪", "波斯猫", "阿林"} <= set(extract(text, words(text)).brands)
    text = "主要产品有“喜之郎”、“水晶之恋”等。"
    assert {"喜之郎", "水晶之恋"} <= set(extract(text, words(text)).brands)
    # Words of goods and products in quotes are not brands.
    text = "冒充“野生”甲鱼，假冒“五常大米”，假冒“鸡精”。"
    assert not {"野生", "五常大米", "鸡精"} & set(extract(text, words(text)).brands)


def test_a_headline_verb_run_into_a_shop_word_names_no_shop() -> None:
    # Headlines run a single-character verb into the shop word (现, 揭); a name jieba cuts
    # before such a character (千禧龙 / 腾) is still a shop.
    assert companies("南昌现染色橙子超市老板称像口红一样很正常") == ()
    assert companies("青岛大厨揭饭店黑幕：鸭肉冒充羊肉卖") == ()
    assert "千禧龙腾超市" in companies("两人购于学校千禧龙腾超市，一人腹泻。")


def test_a_known_firm_before_enterprise_and_a_strong_company_word() -> None:
    text = "其中，统一企业股份有限公司旗下“涉塑”饮品又增加了4款。"
    assert "统一企业股份有限公司" in companies(text)


def test_a_campaign_against_counterfeits_is_no_brand() -> None:
    text = "今年9月起在全市开展的打击侵权假冒“护牌行动”已取得阶段性成果。"
    assert "护牌行动" not in extract(text, words(text)).brands

"""Firms found by the shape of their name or sentence (nlp/entities_shapes.py), with the
registered brand and trade lists of the installed companynameparser package."""

from __future__ import annotations

from core.text.segment import words
from nlp.entities import extract
from nlp.entities_shapes import (
    bracketed_names,
    joined_firms,
    kabushiki_firms,
    mended,
    quoted_firm_names,
    role_quoted,
    shaped_names,
)


def companies(text: str) -> tuple[str, ...]:
    return extract(text, words(text)).companies


def test_a_registered_shape_keeps_an_own_name_jieba_cuts_into_a_verb_and_a_conjunction() -> None:
    # jieba cuts 联和 into 联 (v) + 和 (c): the company-word reading stops at 和.
    assert "广州市联和食品加工有限公司" in companies("广州市联和食品加工有限公司生产的馅料不合格。")
    found = shaped_names("江州市金福来乳业有限公司将奶粉销往外地", [])
    assert found == ["江州市金福来乳业有限公司"]


def test_an_own_name_without_a_trade_must_name_something() -> None:
    assert shaped_names("新西兰恒天然公司的乳粉受污染", []) == ["新西兰恒天然公司"]
    # A clause (市民 + 反映), a count (多家), a body's word: no own name.
    assert shaped_names("据广州市民反映公司拖欠工资", []) == []
    assert shaped_names("广州市多家食品公司被查", []) == []
    assert shaped_names("浙江省生产公司", []) == []


def test_a_shape_already_found_is_kept_once_and_a_found_name_takes_the_shapes_bounds() -> None:
    found = ["江州市金福来乳业有限公司"]
    assert shaped_names("江州市金福来乳业有限公司将奶粉销往外地", found) == found
    # The reading stopped inside the own name: the shape read from the region replaces it.
    text = "江西金薄金生态科技有限公司生产的蜂蜜"
    assert shaped_names(text, ["薄金生态科技有限公司"]) == ["江西金薄金生态科技有限公司"]
    # The reports' keyword line runs words into a name: the shape starts at the region.
    text = "批发京城秦皇岛昌黎县野力公司院内"
    assert shaped_names(text, ["批发京城秦皇岛昌黎县野力公司"]) == ["秦皇岛昌黎县野力公司"]
    # A name that starts with regions of its own keeps them (和田 + 昆仑…, 阳江市阳东区…).
    text = "阳江市阳东区华天酒业食品有限公司"
    assert shaped_names(text, [text]) == [text]


def test_a_learned_name_written_again_with_a_company_word() -> None:
    text = "新西兰恒天然公司的乳粉受污染。国家质检总局对恒天然集团的原料叫停。"
    assert {"新西兰恒天然公司", "恒天然集团"} <= set(companies(text))


def test_a_name_joined_to_a_firm_found() -> None:
    text = "香港牛栏和美国雅培公司先后发布公告称召回相关批次产品。"
    assert joined_firms(text, ["美国雅培公司"]) == ["香港牛栏"]
    assert "香港牛栏" in companies(text)
    # A place alone, or an ordinary word, joined to a firm is no firm.
    assert joined_firms("广东和美国雅培公司", ["美国雅培公司"]) == []
    assert joined_firms("前途光明和美国雅培公司", ["美国雅培公司"]) == []


def test_a_quoted_name_after_a_firms_role() -> None:
    text = "包装与报道中的假冒产品一致，标注的经销商也是“广州百益”。生产厂家为“江州美味”。"
    assert role_quoted(text) == ["广州百益", "江州美味"]
    assert role_quoted("经销商说“不知道”") == []


def test_japanese_and_korean_firms_written_with_kabushiki() -> None:
    assert kabushiki_firms("在（株）大海生产的“烤鳗鱼”中检出孔雀石绿") == ["大海"]
    assert "日本森永株式会社" in companies("日本森永株式会社宣布召回奶粉。")
    assert kabushiki_firms("株洲市的工厂") == []


def test_many_places_before_a_market_name_none() -> None:
    assert companies("记者调查发现多地蔬菜市场滥用催熟剂。") == ()


def test_more_known_firms_of_the_food_field() -> None:
    # resources/brands.txt, issue 22's third pass: firms news name bare.
    assert "恒天然" in companies("恒天然昨晚回复本报称，涉事原料已全部召回。")
    assert "乐购" in companies("因销售过期食品，乐购被判退还消费者购物款。")


def test_dairy_goods_and_a_quoted_verb_are_no_firms() -> None:
    found = companies("同样的紫薯置于不同生产日期的优倍乳品中，竟产生不同颜色。")
    assert "优倍乳品" not in found
    assert "嗑出" not in companies("嗑瓜子“嗑出”死老鼠厂家欲赔偿千元了事。")


def test_a_region_in_brackets_stays_in_the_name() -> None:
    text = "标称雅贝氏(深圳)乳业有限公司生产的奶粉"
    assert bracketed_names(text) == ["雅贝氏(深圳)乳业有限公司"]
    assert "雅培（上海）贸易有限公司" in companies("新西兰恒天然集团为雅培（上海）贸易有限公司生产")
    # Brackets that hold no region are no part of a name.
    assert bracketed_names("某某乳业(详见附件)有限公司") == []


def test_a_quoted_name_before_a_company_word_is_one_name() -> None:
    found = companies("而事发的“满堂红”大酒店负责人证实了他的说法。")
    assert "满堂红大酒店" in found and "满堂红" not in found
    # A kind of business or goods in quotes is no name (“黑心”饭店).
    assert quoted_firm_names("“黑心”饭店被查", frozenset({"黑心"}), frozenset()) == []


def test_names_jieba_spoilt_are_mended() -> None:
    # 但永辉 / 从永辉 are cut as a person's name; a branch follows its chain.
    text = "但永辉超市垡头店仍在销售。王先生从永辉超市垡头店购买了一袋百合。"
    assert mended(text, ["但永辉超市", "垡头店", "从永辉超市"], ()) == ["永辉超市垡头店"]
    assert mended("乐购黄村公司被判退款", ["黄村公司"], {"乐购"}) == ["乐购黄村公司"]

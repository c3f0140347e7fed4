"""Entities from real-style sentences: regions with their codes, companies, brands, products."""

from __future__ import annotations

from pathlib import Path

import pytest

import nlp.entities
from core.text.segment import words
from nlp.entities import Entities, extract, gazetteer


def entities(text: str) -> Entities:
    return extract(text, words(text))


def test_the_gazetteer_holds_every_province_and_prefecture_city() -> None:
    names = gazetteer()
    assert names["广东省"].code == "440000" and names["广东"] is names["广东省"]
    assert names["深圳市"].code == "440300" and names["深圳"].province == "广东省"
    assert names["北京"].code == "110000"
    assert names["广西"].name == "广西壮族自治区" and names["新疆"].code == "650000"
    assert names["甘南"].name == "甘南藏族自治州"
    assert names["吉林"].code == "220000"  # the province; the city only in full
    assert names["吉林市"].code == "220200"
    provinces = {r.code for r in names.values() if r.code.endswith("0000")}
    assert len(provinces) == 34
    assert len({r.code for r in names.values()}) > 330


def test_regions_by_full_name_short_name_and_split_suffix() -> None:
    found = entities("广东省深圳市市场监管局通报：南山区一商场电梯困人，江苏苏州也有类似情况")
    assert [r.code for r in found.regions] == ["440000", "440300", "320000", "320500"]
    assert found.region_code == "440300"  # the first city named
    assert entities("杭州 市民反映").regions[0].code == "330100"


def test_common_words_that_are_also_city_names_are_not_regions() -> None:
    for text in (
        "他毕业于中山大学",
        "普洱茶价格上涨",
        "白银价格创新高",
        "阿里巴巴发布财报",
        "世界大同",
    ):
        assert entities(text).regions == (), text
    assert entities("中山市一家工厂发生火灾").regions[0].code == "442000"


def test_companies_are_cut_at_the_words_around_them() -> None:
    found = entities(
        "记者从江州市美味食品有限公司获悉，该公司已召回问题批次；涉事的临川乳业集团称将配合调查"
    )
    assert found.companies == ("江州市美味食品有限公司", "临川乳业集团")
    assert entities("该公司表示").companies == ()


def test_brands_and_products() -> None:
    found = entities("“佳佳”奶粉被检出三聚氰胺，另一款飞鹤牌婴幼儿配方乳粉合格；小区电梯年检过期")
    assert found.brands == ("佳佳", "飞鹤")
    assert found.products == ("奶粉", "婴幼儿配方乳粉", "电梯")
    assert entities("今天天气很好").products == ()


def test_newspapers_and_agencies_named_after_a_place_name_it() -> None:
    found = entities("据《北京晨报》报道，北京市工商局通报了抽检结果")
    assert [r.code for r in found.regions] == ["110000"]
    # A Beijing district is not Liaoning's 朝阳市.
    assert entities("朝阳法院一审判决").regions == ()


def test_company_and_brand_traps() -> None:
    found = entities("生产企业合肥市庐州太太餐饮有限责任公司被约谈，竟完全没有标明生产厂")
    assert found.companies == ("合肥市庐州太太餐饮有限责任公司",)
    assert entities("上市公司各大厂均表示配合").companies == ()
    # News quote terms that are no brands; 牌 of a place or a sign is no brand either.
    assert entities("“地沟油”流向监控，“三无”产品下架，石牌镇门牌号码").brands == ()


def test_company_words_of_shops_markets_and_hotels() -> None:
    found = entities(
        "据广州江南果蔬批发市场介绍，六安市金皖西和谐园大酒店有限公司生产的腌制咸鹅不合格"
    )
    assert found.companies == ("广州江南果蔬批发市场", "六安市金皖西和谐园大酒店有限公司")
    # A place alone before a weak company word is no name, nor a generic word before 集团.
    assert entities("广州超市熟肉合格率不足三成，这家台湾奶茶店卫生差").companies == ()
    assert entities("水管流出活蚂蟥，水务集团回应").companies == ()


def test_known_names_without_a_company_word() -> None:
    found = entities("天猫、京东等因销售不合格食品被通报；惠氏启赋奶粉吃出异物")
    assert found.companies == ("天猫", "京东")
    assert found.brands == ("惠氏", "启赋")
    # A known brand followed by words of the firm is the company.
    firm = entities("徐福记员工发生疑似食物中毒事件")
    assert firm.companies == ("徐福记",) and firm.brands == ()


def test_known_names_that_are_ordinary_words_need_a_product_after_them() -> None:
    assert entities("雪花啤酒瓶内含有杂质").brands == ("雪花",)
    assert entities("窗外飘起了雪花，全国统一部署专项整治").brands == ()
    assert entities("光明牛奶抽检合格").brands == ("光明",)


def test_brand_forms_around_quotes_and_the_word_brand() -> None:
    found = entities("假冒“周小玲”和“卫龙”品牌小食品，查获假冒“太太乐牌”鸡精")
    assert found.brands[:3] == ("周小玲", "卫龙", "太太乐")
    assert "Holle" in entities("生产历史不短的瑞士有机食品品牌Holle，以及").brands
    # 打“绿色营养”牌 is "playing the green card", and 杏品牌 is 杏品 + 牌.
    assert entities("一家宾馆的月饼主打“绿色营养”牌").brands == ()
    assert "元青花" not in entities("山西杏品酒业有限责任公司一款杏品牌元青花酒").brands


def test_the_list_of_known_names_is_well_formed() -> None:
    from nlp.entities import known_names

    names = known_names()
    assert len(names) > 100
    assert names["京东"].kind == "company" and names["雪花"].ambiguous


def test_a_malformed_known_names_line_names_the_file_line_and_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = tmp_path / "brands.txt"
    listing.write_text("# comment\n京东 company\n惠氏 brand?\n德芙 snack\n", encoding="utf-8")
    monkeypatch.setattr(nlp.entities, "KNOWN_NAMES_FILE", listing)
    nlp.entities.known_names.cache_clear()
    try:
        with pytest.raises(ValueError) as error:
            nlp.entities.known_names()
        message = str(error.value)
        assert str(listing) in message and "line 4" in message
        assert "'name company' or 'name brand'" in message and "德芙 snack" in message
        listing.write_text("京东 company\n惠氏 brand?\n", encoding="utf-8")
        nlp.entities.known_names.cache_clear()
        assert nlp.entities.known_names()["惠氏"].ambiguous
    finally:
        nlp.entities.known_names.cache_clear()


def test_company_names_keep_a_word_that_only_starts_with_a_cut_character() -> None:
    # 向 of 向阳 is part of the name; 向 as a word of its own is not.
    found = entities("抽检发现标称江州向阳食品有限公司生产的腊肉不合格")
    assert found.companies == ("江州向阳食品有限公司",)
    assert entities("记者向临川乳业集团求证").companies == ("临川乳业集团",)


def test_shop_words_and_rare_shop_names() -> None:
    found = entities("市民在桂坑农贸市场买到染色鱼，不合格产品来自南塘吉婶农产品商行")
    assert found.companies == ("桂坑农贸市场", "南塘吉婶农产品商行")
    # A counted shop, a street alone, a generic word, 该店, the shop's staff: no names.
    assert entities("广州市区8家大超市被抽检，该店店员称，玉泉路店已整改").companies == ()
    assert entities("附近农贸市场和水果批发市场均未发现").companies == ()


def test_a_quoted_run_before_a_company_word_is_the_firm() -> None:
    assert entities("包装上印着“顶好国际集团”字样").companies == ("顶好国际集团",)
    assert entities("这是一家“皮包公司”").companies == ()


def test_a_restaurant_named_where_people_ate() -> None:
    assert entities("五名食客在粤香楼用餐后腹痛").companies == ("粤香楼",)
    assert entities("学生在学校食堂用餐后不适，他们常在家里吃饭").companies == ()


def test_a_known_name_with_its_trade_word_or_acting_is_the_firm() -> None:
    found = entities("光明乳业回应称产品合格，雨润集团未予置评")
    assert set(found.companies) == {"光明乳业", "雨润集团"}
    acting = entities("蒙牛承认部分批次存在问题")
    assert acting.companies == ("蒙牛",) and acting.brands == ()
    # The formal name is the firm; its known name with 集团 inside it is not another one.
    formal = entities("标称由香港康师傅集团有限公司生产")
    assert formal.companies == ("香港康师傅集团有限公司",)
    # A government body and a newspaper are no firms.
    assert entities("江州市市场监管局通报，据江州日报报道").companies == ()


def test_brands_a_firm_names_by_its_own_name() -> None:
    found = entities("江州福源酒业有限公司一款福源牌高粱酒，临川县泉香酒厂散装泉香白酒不合格")
    assert found.brands[:2] == ("福源", "泉香")
    # The firm's own name inside its full name is no brand (百味饮料厂).
    assert entities("江州市百味饮料厂被查处").brands == ()


def test_a_quoted_brand_before_a_described_product_and_an_unknown_place_before_its_brand() -> None:
    assert entities("抽检发现“鲜达”特级酿造酱油氨基酸态氮不达标").brands == ("鲜达",)
    assert entities("“瘦肉精”猪肉制成的火腿肠流入市场").brands == ()
    assert "石溪桥" in entities("一款石溪桥牌开平腐乳被检出细菌超标").brands
    assert entities("德国牌子的奶粉，德国进口奶粉").brands == ()


def test_a_known_brand_speaking_or_named_with_its_city_is_the_firm() -> None:
    found = entities("奶粉罐里发现异物？惠氏：产品合格")
    assert found.companies == ("惠氏",) and found.brands == ("惠氏",)
    assert entities("其全资附属公司南京雨润未能如期偿还票据").companies[-1] == "南京雨润"


def test_cut_words_of_exposure_and_ownership_and_a_street_before_a_shop() -> None:
    assert entities("网曝榕记奶茶店卫生差").companies == ("榕记奶茶店",)
    assert entities("李女士在建设街万佳福超市购物时").companies == ("万佳福超市",)
    assert entities("李女士去解放路华联美超市购物时").companies == ("华联美超市",)
    # 旗下工厂 is an unnamed factory of the firm, and 麻辣 a taste, not a shop's name.
    assert entities("知名糖果企业徐福记旗下工厂发生食物中毒").companies == ("徐福记",)
    assert entities("村里有一个无证的麻辣小食品加工厂").companies == ()


def test_a_unit_named_right_after_its_firm() -> None:
    found = entities("其附属的江州乳品有限公司临川乳制品分公司生产的奶酪被检出问题")
    assert found.companies == ("江州乳品有限公司", "临川乳制品分公司")
    # The strong word of a name is not a unit of its own.
    assert entities("和谐园大酒店有限公司被处罚").companies == ("和谐园大酒店有限公司",)


def test_a_known_brand_before_a_word_jieba_guessed_acts_unless_it_is_a_product() -> None:
    acting = entities("网友爆料后，蒙牛再陷质量风波")
    assert acting.companies == ("蒙牛",)
    assert entities("惠氏启赋奶粉吃出异物").companies == ()


def test_towns_kinds_of_shops_and_cut_short_names_are_no_companies() -> None:
    # 项店 is a town, 炸鸡店 a kind of shop, 最大 describes the firm that follows.
    assert entities("河南息县项店镇一名男子开了家炸鸡店").companies == ()
    assert entities("西南最大油脂公司云南丰瑞油脂有限公司").companies == ("云南丰瑞油脂有限公司",)
    # 国产品牌 and 茶叶品牌 are kinds of brands, not names.
    assert entities("国产品牌奶粉销量回升，多个茶叶品牌被抽检").brands == ()


# Issue 22, tuning_3 of benchmarks/entities_labels_orgs.json: shop names jieba does not know.
def test_a_shop_name_jieba_cuts_into_other_kinds_of_word_is_read_through() -> None:
    # 真巧 (an adverb to jieba) and 老 + 八尺 (an adjective and a numeral) after a place, 万 + 利
    # (a numeral and a noun) glued: the names' own words, not where they stop.
    assert "武汉真巧食品有限公司" in companies_of("公告显示，武汉真巧食品有限公司一款酱心黑曲奇")
    assert "平远县老八尺酒厂" in companies_of(
        "样品分别为：平远县老八尺酒厂2015年2月12日生产的农家娘酒"
    )
    assert "万利生猪批发市场" in companies_of("记者暗访深圳惠州交界的万利生猪批发市场发现")
    # Not a place with an ordinary word after it, nor a long run of jieba's guesses.
    assert companies_of("北京一些超市和广州部分超市") == ()
    assert companies_of("怡口莲现虫状异物超市") == ()
    assert companies_of("检查了超市和小食品店") == ()  # 和 starts no name


def test_a_whole_quote_names_a_restaurant_or_shop() -> None:
    assert "人和酒家" in companies_of("村民祁某在镇内“人和酒家”举办婚宴")
    assert "和谐烟酒店" in companies_of("消费者田广辉在凯旋门“和谐烟酒店”买了瓶茶")


def test_company_words_inside_other_words_name_no_firm() -> None:
    # 商行 of 工商行政管理局, 店 of 驻马店, 皮具 a trade before 厂.
    text = "中华网天津市工商行政管理局近日发布公告。河南省驻马店市正阳县一所学校。皮具厂的边角料。"
    assert companies_of(text) == ()


def companies_of(text: str) -> tuple[str, ...]:
    return entities(text).companies


def test_an_ordinary_word_known_as_a_firm_acting_as_only_a_firm_does() -> None:
    # 光明 is an ordinary word ("bright"): a firm before 承认/召回/旗下, a word before 表示.
    assert "光明" in entities("光明承认部分乳品渗入清洗用碱水，并宣布召回。").companies
    assert "光明" not in entities("前途光明表示乐观。").companies


def test_company_words_of_a_maker_premises_and_service_firms() -> None:
    # 厂 of 厂商 / 厂房 is no factory's name; 市区 locates a market; 京东 is a known name
    # though jieba tags it a place; 服务 and 联合 are words of a firm's name.
    assert entities("负责生产阿尔卑斯厂商称正在调查").companies == ("阿尔卑斯",)
    assert entities("该加工点厂房门口堆满垃圾").companies == ()
    assert entities("在市区北园农贸市场内的一家店").companies == ("北园农贸市场",)
    assert "京东商城" in entities("在淘宝和京东商城销量较好的蜂蜜").companies
    found = entities("四川理工学院后勤服务总公司总经理表示").companies
    assert "四川理工学院后勤服务总公司" in found
    assert "天津市肉类联合加工厂" in entities("其中天津市肉类联合加工厂的熏猪头片").companies


def test_stores_markets_and_farms_by_their_company_word() -> None:
    assert "江州国泰商业大厦" in entities("销售地点为江州国泰商业大厦。").companies
    assert "海淀区世纪金源购物中心" in entities("在海淀区世纪金源购物中心的展销会上").companies
    assert "南京长虹大市场" in entities("捣毁了位于南京长虹大市场内的一家干货店").companies
    assert "萧山永王养猪场" in entities("记者在萧山永王养猪场的负责人那里听说").companies
    # District 城区 belongs to the name; townspeople (市民) do not.
    found = entities("标称长治市城区锦辉水产副食超市销售的").companies
    assert "长治市城区锦辉水产副食超市" in found
    assert "市民" not in "".join(entities("青岛市民韩先生去棒约翰餐厅吃饭").companies)


def test_a_named_shop_where_something_was_bought() -> None:
    assert "长沙贝贝熊" in entities("他在长沙贝贝熊购买了一箱奶粉。").companies
    assert entities("她在网上购买了一箱奶粉。").companies == ()


def test_a_name_jieba_cuts_into_words_of_other_kinds_before_pai() -> None:
    # 胜福 is a verb-noun to jieba, 完美 an adjective: before 牌 they are brands.
    assert "胜福" in entities("其中长乡念牌蔬菜饺，胜福牌酥皮五香卷被查出沙门氏菌。").brands
    assert "完美" in entities("完美牌保健品被指导致多人病残。").brands
    # 贴牌 (OEM), 杂牌, 冒牌 are words, not a brand's 牌.
    assert entities("经销商自己生产白酒贴牌，给孩子吃杂牌油，制作冒牌味精。").brands == ()


def test_a_list_of_brands_before_many_brands() -> None:
    text = "抽检结果显示，思朗、亿达等多品牌部分食品被检出超标。"
    assert {"思朗", "亿达"} <= set(entities(text).brands)

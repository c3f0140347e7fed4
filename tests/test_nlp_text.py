"""Text preparation: Traditional → Simplified and Weibo markup lifted into features."""

from __future__ import annotations

from nlp.text import clauses, document_from_text, first_sentence, prepare, to_simplified


def test_traditional_becomes_simplified() -> None:
    assert to_simplified("電梯困人，質檢總局發佈通報") == "电梯困人，质检总局发布通报"
    assert to_simplified("") == ""
    # Simplified text passes through unchanged.
    assert to_simplified("市场监管局") == "市场监管局"


def test_traditional_text_is_analysed_as_simplified() -> None:
    document = document_from_text("某商場電梯困人三小時")
    assert "电梯" in document.body_words


def test_repost_chain_mentions_topics_emoticons_and_urls_become_features() -> None:
    text = (
        "回复@小王:真的吗？[怒][泪] #上海电梯困人# 转发微博//@张三:太可怕了 http://t.cn/abc "
        "//@李四_1：网传某小区电梯困人3小时 @市场监管局 "
    )
    prepared = prepare("", text)
    assert prepared.reply_to == "小王"
    assert prepared.repost_chain == (("张三", "太可怕了"), ("李四_1", "网传某小区电梯困人3小时"))
    assert prepared.mentions == ("市场监管局",)
    assert prepared.hashtags == ("上海电梯困人",)
    assert prepared.emoticons == ("怒", "泪")
    assert prepared.urls == ("http://t.cn/abc",)
    # The author's own words come before the chain; markup is gone, a topic's words stay.
    assert prepared.own_text == "真的吗？ 上海电梯困人"
    for noise in ("[怒]", "http", "//@", "@市场监管局", "转发微博", "#"):
        assert noise not in prepared.body
    assert "网传某小区电梯困人3小时" in prepared.body


def test_weibo_headline_becomes_the_title() -> None:
    prepared = prepare("", "[蜡烛]#食品安全#【某地查获病死猪肉】昨日，执法人员查获……")
    assert prepared.title == "某地查获病死猪肉"
    assert prepared.body.startswith("食品安全")
    # A real title is kept, and 【】 inside the text stays text.
    assert prepare("标题", "【提示】内容").title == "标题"


def test_plain_text_is_prepared_as_the_general_path_would() -> None:
    """Text without markup takes a short path; it must give what the regexes give."""
    for text in ("", "  好 \u3000 吓人  ", "电梯困人三小时，太可怕了！", "質檢總局通報"):
        prepared = prepare("", text)
        assert prepared.body == prepared.own_text == " ".join(to_simplified(text).split())
        assert prepared.repost_chain == prepared.mentions == prepared.hashtags == ()
        assert prepared.emoticons == prepared.urls == () and prepared.reply_to == ""
    # Any markup character sends the text down the general path.
    assert prepare("", "轉發微博").body == ""
    assert prepare("", "看WWW.example.com").urls == ("WWW.example.com",)


def test_a_repost_segmented_once_gives_the_words_of_its_whole_body() -> None:
    document = document_from_text("太可怕了，电梯//@张三:网传某小区电梯困人3小时//@李四:转发微博")
    whole = document_from_text(document.prepared.body)
    assert document.body_words == whole.body_words
    assert document.sentiment_clauses == (("太", "可怕", "了"), ("电梯",))


def test_sentences_and_clauses() -> None:
    assert first_sentence("近日，某市发生电梯事故。两人受伤。") == "近日，某市发生电梯事故"
    assert clauses("不满意，很失望！") == ["不满意", "很失望"]

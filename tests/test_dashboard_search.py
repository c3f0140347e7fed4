"""The search page (检索): Chinese full-text search, filters, errors, paging and export."""

from __future__ import annotations

import re
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from archive.export import to_csv
from dashboard import data
from dashboard.context import reader
from tests.support.dashboard_fixtures import (
    APP,
    DashboardArchive,
    app_test,
    assert_no_html,
    build_archive,
)

PAGE = "views/search.py"
HEAD = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} · ")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    return build_archive(tmp_path_factory.mktemp("search"))


def _search(at: AppTest, query: str, range_choice: str = "全部时间") -> AppTest:
    at.text_input(key="search_query").set_value(query)
    at.selectbox(key="search_range").set_value(range_choice)
    next(b for b in at.button if b.label == "检索").click().run()
    return at


def _heads(at: AppTest) -> list[str]:
    """The first line of each hit: time · platform · source ..."""
    return [m.value for m in at.markdown if HEAD.match(m.value)]


def _total(at: AppTest) -> str:
    line = next(m.value for m in at.markdown if m.value.startswith("共 **"))
    return line.split("**")[1]


def test_chinese_query_finds_and_highlights(made: DashboardArchive, monkeypatch: Any) -> None:
    at = _search(app_test(made, monkeypatch, PAGE), "电梯 困人")
    assert_no_html(at)
    assert not at.error
    assert _total(at) == "2"
    texts = [m.value for m in at.markdown]
    assert any("江州市万达广场:orange-background[电梯]:orange-background[困人]" in t for t in texts)
    assert any(
        t.startswith("**江州一商场:orange-background[电梯]:orange-background[困人]") for t in texts
    )
    assert len(at.link_button) == 2
    assert at.link_button[0].proto.url == "http://127.0.0.1/item/m01"
    # The help on the query language is there, in Chinese.
    assert at.expander[0].label == "检索式写法说明"


def test_bad_query_is_a_friendly_error(made: DashboardArchive, monkeypatch: Any) -> None:
    at = _search(app_test(made, monkeypatch, PAGE), '"电梯 困人')
    assert not at.exception
    assert "检索式有误" in at.error[0].value
    assert "unbalanced quote" in at.error[0].value
    at = _search(at, "nosuchfield:1")
    assert not at.exception and "unknown field" in at.error[0].value


def test_crawled_markup_is_shown_as_text(made: DashboardArchive, monkeypatch: Any) -> None:
    at = _search(app_test(made, monkeypatch, PAGE), "粗体")
    assert_no_html(at)
    title = next(m.value for m in at.markdown if "script" in m.value)
    assert "\\<script\\>" in title and "\\[链接\\]\\(javascript" in title
    assert "\\:\u2060red\\[红字\\]" in title


def test_filters_facets_and_unsafe_links(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, PAGE)
    at.multiselect(key="search_platforms").set_value(["weibo"])
    at = _search(at, "")
    assert _total(at) == "4"
    heads = _heads(at)
    assert len(heads) == 4 and all(" · 微博 · " in h for h in heads)
    # m03's "original" is a javascript: URL, so it gets no link.
    assert len(at.link_button) == 3
    assert ":red-badge[疑似谣言 0.91]" in next(h for h in heads if "网友m03" in h)
    assert all(":blue-badge[" in h for h in heads)
    assert any(":blue-badge[特种设备]" in h for h in heads)  # topic codes shown in Chinese
    # Facet tabs and the date histogram.
    assert [t.label for t in at.tabs] == ["平台", "来源", "话题", "情感", "地区"]
    assert len(at.get("vega_lite_chart")) >= 2


def test_topic_and_rumour_filters(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, PAGE)
    at.multiselect(key="search_topics").set_value(["food_safety"])
    at = _search(at, "")
    assert _total(at) == "2"
    at.multiselect(key="search_topics").set_value([])
    at.slider(key="search_rumor").set_value(0.8)
    at = _search(at, "")
    assert _total(at) == "2"
    assert all(":red-badge[疑似谣言" in h for h in _heads(at))


def test_more_pages_through_the_keyset_cursor(made: DashboardArchive, monkeypatch: Any) -> None:
    monkeypatch.setattr(data, "PAGE_SIZE", 4)
    at = _search(app_test(made, monkeypatch, PAGE), "")
    assert _total(at) == "10"
    assert len(_heads(at)) == 4
    at.button(key="search_more").click().run()
    seen = _heads(at)
    assert len(seen) == 8
    at.button(key="search_more").click().run()
    assert_no_html(at)
    assert not any(b.key == "search_more" for b in at.button)
    heads = _heads(at)
    assert len(heads) == 10 and len(set(heads)) == 10
    assert heads[:8] == seen
    assert heads == sorted(heads, reverse=True)  # newest first, across pages


def test_export_covers_the_whole_result_set(made: DashboardArchive, monkeypatch: Any) -> None:
    monkeypatch.setenv("YUQING_CONFIG", str(made.config))
    monkeypatch.setattr(data, "EXPORT_PAGE", 3)
    params = data.SearchParams(query="电梯")
    records = list(data.export_records(reader(str(made.config)), params))
    assert {r["id"] for r in records} == {"m01", "m02", "m03", "m07", "m08", "m10"}
    csv_text = to_csv(records).decode("utf-8-sig")
    assert csv_text.count("\n") == len(records) + 1
    assert "江州一商场电梯困人" in csv_text


def test_entity_filter(tmp_path: Any, monkeypatch: Any) -> None:
    from archive import open_archive
    from archive.models import EntityRef
    from dashboard.search_form import entity_names

    assert entity_names(" 佳佳、深圳市, 440300，佳佳 ") == ("佳佳", "深圳市", "440300")
    made = build_archive(tmp_path)
    with open_archive(made.db) as archive:
        stored = archive.get_analyses(["m05", "m06"])
        stored["m05"].entities = [EntityRef("product", "奶粉"), EntityRef("brand", "佳佳")]
        stored["m06"].entities = [EntityRef("product", "奶粉")]
        archive.upsert_analyses(stored.values())
    at = app_test(made, monkeypatch, PAGE)
    assert at.text_input(key="search_entities").label == "实体(企业/品牌/地区)"
    at.text_input(key="search_entities").set_value("佳佳")
    at = _search(at, "")
    assert not at.error and _total(at) == "1"
    at.text_input(key="search_entities").set_value("佳佳、奶粉")
    at = _search(at, "")
    assert _total(at) == "2"


def test_an_address_opens_its_search_and_a_search_writes_its_address(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    monkeypatch.setenv("YUQING_CONFIG", str(made.config))
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at.query_params["q"] = "电梯"
    at.query_params["platform"] = "微博"  # a Chinese name, as people type it
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.text_input(key="search_query").value == "电梯"
    assert at.multiselect(key="search_platforms").value == ["weibo"]
    from_address = _total(at)
    typed = _search(app_test(made, monkeypatch, PAGE), "电梯 platform:weibo", "最近7天")
    assert from_address == _total(typed) and int(from_address) > 0
    # Searching again rewrites the address, so the page can be bookmarked as shown.
    at = _search(at, "困人")
    assert at.query_params["q"] == ["困人"] or at.query_params["q"] == "困人"


def test_an_address_with_an_unknown_value_says_so(made: DashboardArchive, monkeypatch: Any) -> None:
    monkeypatch.setenv("YUQING_CONFIG", str(made.config))
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    at.query_params["platform"] = "抖音"
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("platform=抖音" in w.value for w in at.warning)


def test_typed_chinese_field_values_search_as_their_codes(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = _search(app_test(made, monkeypatch, PAGE), "电梯 platform:weibo")
    by_code = _total(at)
    at = _search(at, "电梯 platform:微博")
    assert _total(at) == by_code
    at = _search(at, "电梯 topic:不存在的话题")
    assert "食品安全" in at.error[0].value  # the error lists the valid values

"""Deep nesting is flattened only when the parser could not follow it."""

from __future__ import annotations

from crawlers.nesting import MAX_DEPTH, flatten_deep_nesting, nesting_depth


def test_depth_ignores_void_and_self_closed_elements() -> None:
    assert nesting_depth("<div><p>a<br>b<img src=x/></p><hr></div>") == 2
    assert nesting_depth("<div><div></div><div><span></span></div></div>") == 3


def test_ordinary_pages_are_left_alone() -> None:
    page = "<html><body>" + "<div><p>正文</p></div>" * 500 + "</body></html>"
    assert flatten_deep_nesting(page) is page


def test_deep_wrappers_go_and_the_text_stays() -> None:
    page = "<html><body>" + "<div>" * (MAX_DEPTH * 5) + "<p>电梯事故</p>" + "</div>" * 1000
    flat = flatten_deep_nesting(page)
    assert "<div" not in flat and "<p>电梯事故</p>" in flat
    assert nesting_depth(flat) <= MAX_DEPTH


def test_other_deep_tags_fall_back_to_the_parts_extraction_reads() -> None:
    page = "<html><body>" + "<x-box>" * (MAX_DEPTH * 2) + "<p>正文</p><a href='/a'>链接</a>"
    flat = flatten_deep_nesting(page)
    assert "<x-box>" not in flat and "<p>正文</p>" in flat and "<a href='/a'>链接</a>" in flat

"""Weibo's IP 属地 (``region_name`` on posts, ``source`` on comments) from a loopback Weibo API:
stored as ``extra.ip_region``, and after analysis a weak region signal: the post's region
entity (searchable as ``entity:广东省`` / ``entity:440000``) only when its text names none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from archive.search import SearchFilters, SearchRequest
from core.settings import Settings
from nlp.stage import analyze_new
from tests.fixtures.crawl.weibo.site import JSON, Route, WeiboRig

SEARCH = "/api/container/getIndex?containerid=100103type%3D1%26q%3D%E7%94%B5%E6%A2%AF"


def mblog(mid: str, text: str, region_name: str | None, minute: int) -> dict[str, Any]:
    post: dict[str, Any] = {
        "created_at": f"Mon Nov 16 09:{minute:02d}:00 +0800 2026",
        "id": mid,
        "mid": mid,
        "text": text,
        "source": "iPhone客户端",
        "reposts_count": 3,
        "comments_count": 0,
        "attitudes_count": 12,
        "user": {"id": int(mid[-6:]), "screen_name": f"网友{mid[-4:]}", "followers_count": 120},
    }
    if region_name is not None:
        post["region_name"] = region_name
    return post


def routes() -> dict[str, Route]:
    posts = [
        mblog("5109000000000001", "小区电梯又困人了，被困四十分钟，物业和维保单位都联系不上，"
              "市场监管部门管一管吧", "发布于 广东", 10),
        mblog("5109000000000002", "深圳市一商场电梯突然下坠，多名顾客受伤，市场监管部门已介入调查",
              "发布于 湖南", 20),
        mblog("5109000000000003", "电梯困人事件后续：维保单位被立案调查", None, 30),
    ]  # fmt: skip
    cards = [{"card_type": 9, "itemid": f"seq_{i}", "mblog": m} for i, m in enumerate(posts)]
    body = json.dumps({"ok": 1, "data": {"cards": cards}}, ensure_ascii=False).encode()
    return {SEARCH: (200, {"Content-Type": JSON}, body)}


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeiboRig]:
    setup = WeiboRig(tmp_path_factory.mktemp("weibo-region"), routes(), start_urls=[SEARCH])
    report = setup.crawl_one()
    assert not report.errors, report.errors
    yield setup
    setup.close()


def test_the_ip_region_is_stored_with_the_post(rig: WeiboRig) -> None:
    stored = {m.url.rsplit("/", 1)[-1]: m for m in rig.mentions().values()}
    assert stored["5109000000000001"].extra["ip_region"] == "广东"
    assert stored["5109000000000002"].extra["ip_region"] == "湖南"
    assert "ip_region" not in stored["5109000000000003"].extra  # older posts have none


def test_it_is_the_region_only_when_the_text_names_none(rig: WeiboRig) -> None:
    analyze_new(rig.archive, Settings(), rig.clock)
    by_mid = {m.url.rsplit("/", 1)[-1]: m.id for m in rig.mentions().values()}
    analyses = rig.archive.get_analyses(list(by_mid.values()))
    regions = {
        mid: {(e.name, e.code) for e in analyses[i].entities if e.kind == "region"}
        for mid, i in by_mid.items()
        if i in analyses
    }
    assert regions["5109000000000001"] == {("广东省", "440000")}  # from the IP alone
    # The text names 深圳市: the poster's IP in 湖南 does not add a region.
    assert regions["5109000000000002"] == {("深圳市", "440300")}

    def found(key: str) -> set[str]:
        filters = SearchFilters(entities=[key])
        return {h.mention.id for h in rig.archive.search(SearchRequest(filters=filters)).hits}

    assert by_mid["5109000000000001"] in found("广东省")
    assert found("440000") >= {by_mid["5109000000000001"], by_mid["5109000000000002"]}
    assert by_mid["5109000000000002"] not in found("湖南省")

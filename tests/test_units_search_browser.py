"""The dashboard's search and briefings honour the user's unit (issue 23), in a real browser: a
county user finds their district's milk rumour and not the city's lift incident, a sibling
county finds neither, the city finds both; a county user's briefing is their unit's, and a
sibling does not see it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.models import Analysis, Event, Mention
from tests.support.browser import chromium, expect, login, open_page, page_at, served_dashboard
from tests.support.dashboard_fixtures import NOW, build_archive, write_config
from tests.support.unit_tree import password, units_yaml

pytestmark = pytest.mark.slow


def _search(page: Any, query: str) -> None:
    page.get_by_label("检索式").fill(query)
    page.get_by_role("button", name="检索", exact=True).click()


def _found(page: Any, query: str, shown: int) -> None:
    _search(page, query)
    expect(page.get_by_text(f"条结果，显示 {shown} 条")).to_be_visible(timeout=30_000)


def _none(page: Any, query: str) -> None:
    _search(page, query)
    expect(page.get_by_text("没有找到符合条件的内容", exact=False)).to_be_visible(timeout=30_000)


def _as(browser: Any, url: str, user: str) -> Any:
    page = page_at(browser, f"{url}/")
    login(page, user, password(user))
    open_page(page, "检索", "舆情检索")
    return page


CUP = "江州市市场监督管理局关于儿童水杯抽检不合格情况的通告"


def _add_cup_event(db: Path) -> None:
    """临川 parents on a cup maker's children's cups, and the city's inspection notice that
    joined their event (nlp.notice_links): its record for the maker, and one for elsewhere."""
    at = NOW - 3 * timedelta(hours=1)
    records = [
        {"product": "儿童吸管杯", "brand": "乐宝", "producer": "江州市临川区乐宝塑料制品有限公司",
         "producer_address": "江州市临川区开发区5号", "failed_item": "双酚A迁移量超标"},
        {"product": "保温杯", "brand": "恒温", "producer": "浙江省永康市恒温杯业有限公司",
         "failed_item": "保温性能不合格"},
    ]  # fmt: skip
    posts = ["临川区乐宝塑料的儿童吸管杯有问题吗？孩子一直在用", "乐宝塑料吸管杯被查出双酚A"]
    mentions = [
        Mention(id=f"cup{i}", source="demo-weibo", platform="weibo", kind="post",
                url=f"https://weibo.example/cup{i}", text=text, published_at=at, fetched_at=at)
        for i, text in enumerate(posts)
    ] + [
        Mention(id="cup-notice", source="demo-official", platform="official", kind="official",
                url="http://127.0.0.1/notices/cup.html", title=CUP, text="抽检结果公布如下。",
                published_at=at, fetched_at=at,
                extra={"doc_type": "inspection", "records": records})
    ]  # fmt: skip
    with open_archive(db) as archive:
        archive.upsert_mentions(mentions)
        archive.upsert_analyses(Analysis(m.id, True, 0.9, event_id="ev-cup") for m in mentions)
        archive.upsert_event(
            Event(id="ev-cup", title="临川乐宝儿童吸管杯双酚A", first_seen=at, last_seen=at,
                  mention_count=3, heat=20.0, status="growing")
        )  # fmt: skip


def test_search_is_scoped_to_the_users_unit(tmp_path: Path) -> None:
    made = build_archive(tmp_path / "archive")
    _add_cup_event(made.db)
    write_config(made.folder, made.db, extra=units_yaml(with_users=True))
    with served_dashboard(made.config, tmp_path / "streamlit.log") as url, chromium() as browser:
        lin = _as(browser, url, "lin")
        _found(lin, "奶粉", 2)  # the rumour and its debunk: ev-milk, 临川's
        # The post's text can be in more than one element of the results (a CI run found
        # two): one visible is enough.
        expect(lin.get_by_text("网传临川区奶粉检出三聚氰胺", exact=False).first).to_be_visible()
        _none(lin, "电梯")  # the lift incident is the city's
        # The cup event shows the city's inspection notice and the record its posts name.
        lin.goto(f"{url}/event?id=ev-cup")
        expect(lin.get_by_role("heading", name="官方抽检结论")).to_be_visible(timeout=30_000)
        expect(lin.get_by_role("link", name=CUP)).to_be_visible()
        expect(lin.get_by_text("公众讨论涉及的不合格产品（1 批次）")).to_be_visible()
        open_page(lin, "报告", "舆情报告")
        lin.get_by_role("button", name="生成报告").click()
        title = "临川区市场监督管理局舆情日报"  # the unit's own briefing, named by its title
        expect(lin.get_by_text(f"已生成「{title}", exact=False).first).to_be_visible(timeout=60_000)
        expect(lin.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)
        lin.close()

        bai = _as(browser, url, "bai")
        _none(bai, "奶粉")
        open_page(bai, "报告", "舆情报告")
        expect(bai.get_by_text("尚无报告。")).to_be_visible(timeout=30_000)
        bai.close()

        city = _as(browser, url, "city")
        _found(city, "奶粉", 2)
        _search(city, "电梯")
        expect(city.get_by_text("江州市万达广场电梯困人", exact=False)).to_be_visible(
            timeout=30_000
        )
        open_page(city, "报告", "舆情报告")  # the top unit sees its districts' briefings
        expect(city.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)

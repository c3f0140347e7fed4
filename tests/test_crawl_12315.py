"""全国12315平台 消费投诉信息公示 as configuration of the ``complaints`` source type, through the
real engine from a loopback site (tests/fixtures/sources/gs12315_site.py): each business's
complaint count, completion rate and typical complaints, both pages, the broken rows kept
aside with their reason while the crawl goes on, the surge rule not counting a period's
figures as complaints, and the source's health in ``yuqing stats``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from alerts.rules import RuleInput, build_rule
from archive.search import SearchRequest
from core.settings_rules import ComplaintsRuleSettings
from crawlers.spiders.complaints import parse_count, parse_share
from tests.conftest import run_cli
from tests.fixtures.sources.gs12315_site import gs12315_site
from tests.support.crawl_rig import CrawlRig, crawled_once
from tests.support.loopback import LoopbackSite

NOW = datetime(2026, 10, 16, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, the day after the 公示
SELECTORS = {
    "item": "table.gs-table tbody tr",
    "url": "td.jyzmc a::attr(href)",
    "title": "td.jyzmc a",
    "company": "td.jyzmc a",
    "count": "td.tsl",
    "resolved": "td.wjl",
    "text": "td.dxwt",
    "time": "td.gsrq",
}
SOURCES = [
    {"name": "gs12315", "type": "complaints", "region": "江州市", "display_name": "12315投诉公示",
     "start_urls": ["/cuser/gs/list?area=360100"], "selectors": SELECTORS,
     "delay": 0, "max_pages": 3},
]  # fmt: skip
Rig = CrawlRig[LoopbackSite]


def uniscid(mention: object) -> str:
    return str(getattr(mention, "url", "")).split("uniscid=")[1].split("&")[0]


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    yield from crawled_once(Rig(tmp_path_factory.mktemp("gs12315"), gs12315_site(), SOURCES, NOW))


def test_counts_and_shares_are_read_as_written() -> None:
    assert parse_count("1,356") == 1356 and parse_count(" 417件 ") == 417
    assert parse_count("--") is None and parse_count("") is None and parse_count("12.5") is None
    assert parse_share("92.13%") == 0.9213 and parse_share("--") is None
    assert parse_share("130%") is None


def test_each_business_is_a_complaint_mention_with_its_figures(rig: Rig) -> None:
    rows = rig.of("gs12315", key=uniscid)
    # Three on the first page, one on the second (the other rows are broken).
    assert set(rows) == {"91360100MA35F1A21X", "91360100MA38K2B33P", "91360102MA39L7C45Q",
                         "91360103MA3AP5D57R"}  # fmt: skip
    first = rows["91360100MA35F1A21X"]
    assert (first.platform, first.kind) == ("complaint", "complaint")
    assert first.title == first.extra["company"] == "江州优选电器有限公司"
    assert first.extra["complaint_count"] == 1356
    assert first.extra["resolved_share"] == 0.9213
    assert first.text == (
        "江州优选电器有限公司：投诉 1356 件，处理完结率 92.13%。"
        "典型投诉：产品质量不合格；售后服务不到位；虚假宣传"
    )
    assert first.published_at == datetime(2026, 10, 14, 16, 0, tzinfo=UTC)  # 10-15 Beijing
    assert first.region == "江州市"
    # No completion rate on the page: none stored, the rest is.
    education = rows["91360103MA3AP5D57R"]
    assert "resolved_share" not in education.extra
    assert education.extra["complaint_count"] == 128


def test_broken_rows_are_kept_aside_with_their_reason(rig: Rig) -> None:
    reasons = [r.reason for r in rig.archive.ledger.list_rejects("gs12315")]
    assert any("白沙区惠民超市有限公司" in r and "'--' is not a number" in r for r in reasons)
    assert any("without its link" in r for r in reasons)
    report = rig.first["gs12315"]
    assert report.new == 4 and report.rejected == 2


def test_figures_are_searchable_by_business_and_kind(rig: Rig) -> None:
    found = rig.archive.search(SearchRequest(query="预付卡 kind:投诉", limit=10))
    assert [h.mention.extra["company"] for h in found.hits] == ["江州悦动健身有限公司"]


def test_the_surge_rule_does_not_count_a_periods_figures(rig: Rig) -> None:
    settings = ComplaintsRuleSettings(
        name="complaint-surge", type="complaints", min_mentions=1, window=timedelta(days=7)
    )
    data = RuleInput(now=NOW, archive=rig.archive, events=[], mentions=[])
    assert build_rule(settings).find(data) == []


def test_stats_shows_the_sources_health(rig: Rig) -> None:
    code, output = run_cli(rig.config_path, "stats")
    assert code == 0, output
    lines = {line.split(":")[0].strip(): line for line in output.splitlines()}
    line = lines["gs12315"]
    assert "运行 1 次" in line and "上次条目 4" in line

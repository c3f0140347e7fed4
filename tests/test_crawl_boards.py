"""Complaint platforms and leaders' message boards through the real engine from a loopback
site (tests/fixtures/sources/boards_site.py): rows read with their fields as ``complaint``
and ``petition`` mentions, pagination, rows without a link or a readable time kept aside
with the reason, searchable by kind and company, the ``complaints`` rule firing on the
company with a surge and on no other, and the sources' health in ``yuqing stats``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from alerts.rules import RuleInput, build_rule
from alerts.stage import evaluate
from archive import open_archive
from archive.base import Archive
from archive.models import Mention
from archive.search import SearchRequest
from core.clock import SimulatedClock
from core.settings import Settings
from core.settings_rules import ComplaintsRuleSettings
from crawlers.engine import CrawlEngine, CrawlReport
from tests.fixtures.sources.boards_site import SURGE_COMPANY, boards_site
from tests.support.loopback import LoopbackSite
from yuqing.cli import main

NOW = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)  # 08:00 in Beijing


class Rig:
    def __init__(self, tmp_path: Path) -> None:
        self.site: LoopbackSite = boards_site()
        self.clock = SimulatedClock(NOW)
        base = self.site.base
        self.config: dict[str, Any] = {
            "archive": {"path": str(tmp_path / "boards.db")},
            "sources": [
                {"name": "tousu", "type": "complaints", "region": "江州市",
                 "start_urls": [f"{base}/complaints/latest"], "next_page_pattern": r"page=\d+",
                 "delay": 0, "max_pages": 3},
                {"name": "liuyan", "type": "petitions", "region": "江南省",
                 "start_urls": [f"{base}/board/messages"], "delay": 0, "max_pages": 1},
            ],
        }  # fmt: skip
        self.config_path = tmp_path / "yuqing.yaml"
        self.config_path.write_text(yaml.safe_dump(self.config, allow_unicode=True))
        self.settings = Settings.model_validate(self.config)
        self.archive: Archive = open_archive(tmp_path / "boards.db")
        self.engine = CrawlEngine(self.settings, self.archive, self.clock)

    def crawl(self) -> dict[str, CrawlReport]:
        return {r.source: r for r in self.engine.crawl(self.settings.sources)}

    def of(self, source: str) -> dict[str, Mention]:
        return {
            m.url.rstrip("/").rsplit("/", 1)[-1]: m
            for _, m in self.archive.mentions_since(0, 1000)
            if m.source == source
        }

    def close(self) -> None:
        self.engine.close()
        self.archive.close()
        self.site.close()


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    setup = Rig(tmp_path_factory.mktemp("boards"))
    setup.first = setup.crawl()  # type: ignore[attr-defined]
    yield setup
    setup.close()


def test_complaints_are_read_with_company_amount_and_status(rig: Rig) -> None:
    complaints = rig.of("tousu")
    # Five on the first page, one on the second (its other row has no readable time).
    assert set(complaints) == {"17350001", "17350002", "17350003", "17350004", "17350005",
                               "17349990"}  # fmt: skip
    first = complaints["17350001"]
    assert (first.platform, first.kind) == ("complaint", "complaint")
    assert first.title == "购买的空调三天就不制冷，商家拒绝退换"
    assert first.extra["company"] == SURGE_COMPANY
    assert first.extra["demand"] == "退货退款"
    assert first.extra["amount"] == 3299.0
    assert first.extra["status"] == "处理中"
    assert first.author == "用户7364021"
    assert first.text.startswith("11月10日在其网店购买空调")
    assert first.published_at == datetime(2026, 11, 15, 13, 40, tzinfo=UTC)  # 21:40 Beijing
    assert complaints["17350003"].extra["amount"] == 12000.0  # 1.2万元
    assert first.region == "江州市"


def test_rows_without_link_or_time_are_kept_aside_and_the_rest_stored(rig: Rig) -> None:
    reasons = [r.reason for r in rig.archive.ledger.list_rejects("tousu")]
    assert any("without its link" in r for r in reasons)
    assert any("unparseable publish time '时间不详'" in r for r in reasons)
    report: CrawlReport = rig.first["tousu"]  # type: ignore[attr-defined]
    assert report.new == 6 and report.rejected == 2


def test_messages_carry_board_level_field_unit_and_satisfaction(rig: Rig) -> None:
    messages = rig.of("liuyan")
    assert set(messages) == {"5120001.html", "5120002.html", "5120003.html"}
    province = messages["5120001.html"]
    assert (province.platform, province.kind) == ("board", "petition")
    assert province.extra["board"] == "江南省委书记"
    assert province.extra["board_level"] == "province"
    assert province.extra["field"] == "市场监管"
    assert province.extra["status"] == "已办理"
    assert province.extra["replying_unit"] == "江南省市场监督管理局"
    assert province.extra["satisfaction"] == "满意"
    assert province.extra["reply"].startswith("经核查")
    assert messages["5120002.html"].extra["board_level"] == "city"
    county = messages["5120003.html"]
    assert county.extra["board_level"] == "county"
    assert "replying_unit" not in county.extra and county.extra["status"] == "办理中"


def test_kinds_and_platforms_are_searchable_by_their_chinese_names(rig: Rig) -> None:
    complaints = rig.archive.search(SearchRequest(query="kind:投诉", limit=50))
    assert {h.mention.source for h in complaints.hits} == {"tousu"}
    assert complaints.total == 6
    boards = rig.archive.search(SearchRequest(query="platform:留言板 kind:留言", limit=50))
    assert boards.total == 3


def test_complaint_rule_fires_on_the_company_with_a_surge(rig: Rig) -> None:
    settings = ComplaintsRuleSettings(
        name="complaint-surge", type="complaints", min_mentions=3, window=timedelta(hours=24)
    )
    rule = build_rule(settings)
    matches = rule.find(RuleInput(now=NOW, archive=rig.archive, events=[], mentions=[]))
    assert [m.subject for m in matches] == [f"complaints:{SURGE_COMPANY}"]
    match = matches[0]
    assert "24 小时内投诉 4 条" in match.title
    assert "涉诉金额合计 19,697 元" in match.evidence[0].text  # 3299 + 2499 + 12000 + 1899
    assert match.evidence[1].text.startswith("处理状态：处理中 2")
    assert len([r for r in match.evidence if r.kind == "post"]) == 4
    # The third complaint within the window (11-15 18:05 Beijing) is when it became a surge.
    assert match.detected_at == datetime(2026, 11, 15, 10, 5, tzinfo=UTC)
    # A window of 14 hours (from 18:00 Beijing) holds two of them: below the threshold.
    short = build_rule(settings.model_copy(update={"window": timedelta(hours=14)}))
    assert short.find(RuleInput(now=NOW, archive=rig.archive, events=[], mentions=[])) == []


def test_complaint_rule_with_a_factor_compares_with_the_window_before(rig: Rig) -> None:
    settings = ComplaintsRuleSettings(
        name="complaint-spike", type="complaints", min_mentions=1, spike_factor=3,
        window=timedelta(hours=24),
    )  # fmt: skip
    matches = build_rule(settings).find(
        RuleInput(now=NOW, archive=rig.archive, events=[], mentions=[])
    )
    # 4 against 0 the day before fires; the restaurant's 1 complaint is below 3 x max(0, 1).
    assert [m.subject for m in matches] == [f"complaints:{SURGE_COMPANY}"]


def test_a_complaints_rule_needs_its_threshold() -> None:
    with pytest.raises(ValueError, match="needs 'min_mentions'"):
        ComplaintsRuleSettings(name="x", type="complaints")


def test_stats_shows_both_sources(rig: Rig) -> None:
    result = CliRunner().invoke(main, ["-c", str(rig.config_path), "stats"])
    assert result.exit_code == 0, result.output
    lines = {line.split(":")[0].strip(): line for line in result.output.splitlines()}
    assert "运行 1 次" in lines["tousu"] and "上次条目 6" in lines["tousu"]
    assert "上次条目 3" in lines["liuyan"]


def test_the_alerts_stage_raises_one_alert_per_company_from_the_yaml_rule(rig: Rig) -> None:
    config = {
        **rig.config,
        "rules": [{"name": "complaint-surge", "type": "complaints", "min_mentions": 3,
                   "window": "24h", "level": "warning", "description": "同一企业投诉激增"}],
    }  # fmt: skip
    settings = Settings.model_validate(config)
    evaluate(rig.archive, settings, rig.clock)
    evaluate(rig.archive, settings, rig.clock)  # a second round updates, never duplicates
    alerts = [a for a in rig.archive.ledger.list_alerts() if a.rule == "complaint-surge"]
    assert [a.subject for a in alerts] == [f"complaints:{SURGE_COMPANY}"]
    assert alerts[0].title.startswith(f"{SURGE_COMPANY} 投诉激增")

"""Sampling-inspection and recall notices through the real engine from a loopback bureau site
(tests/fixtures/sources/notices_site.py): pagination behind a 429, XLSX / PDF / ZIP
attachments read into the records written into them, broken and missing attachments named
with source, notice and attachment while the crawl goes on, the records' firms, brands,
products and regions becoming the analysed mention's entities, and the source's health."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from alerts.inspection_rules import row_text
from alerts.rules import RuleInput, build_rule
from archive import open_archive
from archive.base import Archive
from archive.models import Mention
from archive.search import SearchFilters, SearchRequest
from core.clock import SimulatedClock
from core.settings import Settings
from core.settings_rules import InspectionRuleSettings, RuleFilter
from crawlers.engine import CrawlEngine, CrawlReport
from nlp.stage import analyze_new
from tests.fixtures.sources.notices_site import NOTICES, ThrottlingSite, notices_site
from yuqing.cli import main

NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
WRITTEN: dict[str, list[dict[str, str]]] = json.loads(
    (NOTICES / "records.json").read_text(encoding="utf-8")
)


class Rig:
    def __init__(self, tmp_path: Path) -> None:
        self.site: ThrottlingSite = notices_site()
        self.clock = SimulatedClock(NOW)
        self.config: dict[str, Any] = {
            "archive": {"path": str(tmp_path / "notices.db")},
            "sources": [
                {"name": "jn-cjxx", "type": "notices", "region": "江南省", "level": "province",
                 "start_urls": [f"{self.site.base}/cjxx/index.html"],
                 "article_pattern": r"/cjxx/2026/art_\w+\.html",
                 "next_page_pattern": r"/cjxx/index_\d+\.html",
                 "delay": 0, "concurrency": 2, "max_pages": 3},
            ],
        }  # fmt: skip
        self.config_path = tmp_path / "yuqing.yaml"
        self.config_path.write_text(yaml.safe_dump(self.config, allow_unicode=True))
        self.settings = Settings.model_validate(self.config)
        self.archive: Archive = open_archive(tmp_path / "notices.db")
        overrides = {"RETRY_TIMES": 2, "RETRY_BACKOFF_BASE": 0.2}
        self.engine = CrawlEngine(self.settings, self.archive, self.clock, overrides=overrides)

    def crawl(self) -> CrawlReport:
        return self.engine.crawl(self.settings.sources)[0]

    def notices(self) -> dict[str, Mention]:
        return {
            m.url.rsplit("/", 1)[-1]: m
            for _, m in self.archive.mentions_since(0, 1000)
            if m.source == "jn-cjxx"
        }

    def close(self) -> None:
        self.engine.close()
        self.archive.close()
        self.site.close()


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    setup = Rig(tmp_path_factory.mktemp("notices"))
    setup.first = setup.crawl()  # type: ignore[attr-defined]
    yield setup
    setup.close()


def test_every_notice_is_stored_through_the_rate_limited_second_page(rig: Rig) -> None:
    notices = rig.notices()
    assert set(notices) == {f"art_{n}.html" for n in ("48", "47", "46", "45", "44", "r1", "r2")}
    assert rig.site.refused["/cjxx/index_1.html"] == 1  # answered 429 once, then read
    assert rig.site.hits["/cjxx/index_1.html"] == 2
    for mention in notices.values():
        assert (mention.platform, mention.kind) == ("official", "official")
        assert mention.extra["issuer"] == "江南省市场监督管理局"
    assert notices["art_48.html"].extra["doc_type"] == "inspection"
    assert notices["art_r1.html"].extra["doc_type"] == "recall"
    assert notices["art_r1.html"].extra["records"] == []
    assert notices["art_48.html"].published_at.date().isoformat() == "2026-11-11"  # UTC


@pytest.mark.parametrize(
    ("page", "attachment"),
    [
        ("art_48.html", "inspection_48.xlsx"),
        ("art_47.html", "inspection_47.pdf"),
        ("art_46.html", "inspection_46.zip"),
        ("art_44.html", "inspection_44.xls"),
        ("art_r2.html", "recall_r2.docx"),
    ],
)
def test_attachments_give_the_records_written_into_them(
    rig: Rig, page: str, attachment: str
) -> None:
    notice = rig.notices()[page]
    assert notice.extra["records"] == WRITTEN[attachment]
    assert notice.extra["record_count"] == len(WRITTEN[attachment])
    first = WRITTEN[attachment][0]
    # The records are in the text too, so searching a producer finds the notice.
    assert first["producer"] in notice.text and first["failed_item"] in notice.text
    assert notice.extra["doc_type"] == ("recall" if page == "art_r2.html" else "inspection")
    entities = {(e["kind"], e["name"]) for e in notice.extra["entities"]}
    assert ("company", first["producer"]) in entities
    assert ("product", first["product"]) in entities


def test_a_zip_with_one_broken_member_keeps_the_others(rig: Rig) -> None:
    notes = rig.notices()["art_46.html"].extra["attachments"]
    assert len(notes) == 1 and notes[0]["records"] == 9
    assert "附件3 broken.xlsx" in notes[0]["error"] and "broken XLSX file" in notes[0]["error"]


def test_broken_and_missing_attachments_are_named_and_the_crawl_goes_on(rig: Rig) -> None:
    report: CrawlReport = rig.first  # type: ignore[attr-defined]
    notice = rig.notices()["art_45.html"]
    notes = {n["name"]: n for n in notice.extra["attachments"]}
    assert notes["附件1：不合格产品信息.xlsx"]["error"].startswith("broken XLSX file")
    assert notes["附件2：合格产品信息.pdf"]["error"].startswith("broken PDF file")
    assert notes["附件3：检验依据.zip"]["error"].startswith("broken ZIP file")
    assert notes["附件4：抽检产品信息.xlsx"]["error"] == "could not be fetched: HTTP 404"
    assert notice.extra["records"] == []
    broken = [e for e in report.errors if "art_45.html" in e]
    assert len(broken) == 4
    assert all("attachment 附件" in e and "/attach/2026/45/" in e for e in broken)
    rejects = [
        r for r in rig.archive.ledger.list_rejects("jn-cjxx") if "broken attachment" in r.reason
    ]
    assert len(rejects) == 6  # four on art_45, one ZIP member on art_46, the .doc on art_r2
    doc = next(n for n in rig.notices()["art_r2.html"].extra["attachments"] if n.get("error"))
    assert doc["error"] == "an old binary Office file (.doc / .ppt) is not read"
    assert all("notice" in json.loads(r.record) for r in rejects)


def test_records_become_the_analysed_notices_entities(rig: Rig) -> None:
    analyze_new(rig.archive, rig.settings, rig.clock)
    notice = rig.notices()["art_48.html"]
    analysis = rig.archive.get_analyses([notice.id])[notice.id]
    names = {(e.kind, e.name) for e in analysis.entities}
    producers = {r["producer"] for r in WRITTEN["inspection_48.xlsx"]}
    assert {("company", p) for p in producers} <= names
    regions = {(e.name, e.code) for e in analysis.entities if e.kind == "region"}
    assert ("郑州市", "410100") in regions  # from a producer's address in the XLSX
    # Searchable by the producer's city code, as the dashboard's entity filter asks.
    hits = rig.archive.search(
        SearchRequest(filters=SearchFilters(entities=["410100"], sources=["jn-cjxx"]), limit=50)
    )
    assert notice.id in {h.mention.id for h in hits.hits}


def test_a_second_round_fetches_nothing_known(rig: Rig) -> None:
    before = rig.site.hits_of("/attach/")
    report = rig.crawl()
    assert report.new == 0
    assert rig.site.hits_of("/attach/") == before  # known notices' attachments not fetched


def test_stats_shows_the_sources_health(rig: Rig) -> None:
    result = CliRunner().invoke(main, ["-c", str(rig.config_path), "stats"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.strip().startswith("jn-cjxx"))
    assert "运行 2 次" in line and "最近成功" in line


def test_the_inspection_rule_fires_on_notices_naming_local_firms(rig: Rig) -> None:
    notices = rig.notices()
    data = RuleInput(now=NOW, archive=rig.archive, events=[], mentions=[
        (m, None) for m in notices.values()
    ])  # fmt: skip
    local = InspectionRuleSettings(name="zz-inspection", type="inspection",
                         filters=RuleFilter(regions=["郑州市"]))  # fmt: skip
    matches = {m.subject: m for m in build_rule(local).find(data)}
    expected = {
        page: [r for r in WRITTEN[name]
               if "郑州" in r.get("producer_address", "") + r.get("sampled_unit", "")
               + r["producer"]]
        for page, name in (("art_48.html", "inspection_48.xlsx"),
                           ("art_47.html", "inspection_47.pdf"),
                           ("art_46.html", "inspection_46.zip"),
                           ("art_44.html", "inspection_44.xls"),
                           ("art_r2.html", "recall_r2.docx"))
    }  # fmt: skip
    wanted = {f"doc:{notices[page].id}": rows for page, rows in expected.items() if rows}
    assert set(matches) == set(wanted) and wanted  # the fixtures hold 郑州 producers
    for subject, rows in wanted.items():
        match = matches[subject]
        assert match.title.startswith(f"{len(rows)} 批次产品抽检不合格（郑州市）")
        figures = [r.text for r in match.evidence if r.kind == "figure"]
        assert figures[0] == row_text(rows[0]) and len(figures) == min(len(rows), 5)
    elsewhere = local.model_copy(update={"filters": RuleFilter(regions=["拉萨市"])})
    assert build_rule(elsewhere).find(data) == []

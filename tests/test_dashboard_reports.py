"""The 报告 page: generate a briefing, preview it, download it, 审核 and 签发 it (audited with
the actor), over the dashboard's known archive."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from archive import open_archive
from tests.support.dashboard_fixtures import (
    DashboardArchive,
    app_test,
    assert_no_html,
    build_archive,
)

PAGE = "views/reports.py"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    return build_archive(tmp_path_factory.mktemp("report-page"))


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def test_generate_preview_review_and_sign(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, PAGE)
    assert_no_html(at)
    assert any("尚无报告" in i.value for i in at.info)
    at.date_input[0].set_value(date(2026, 11, 20))
    at.button[0].click().run()  # the form's 生成报告
    assert_no_html(at)
    assert any("已生成「舆情日报（2026年11月20日）」" in s.value for s in at.success)
    preview = "\n".join(m.value for m in at.markdown)
    assert "一、综述" in preview and "共监测到相关舆情信息6条" in preview
    assert "注释" in preview
    downloads = [b.proto.label for b in at.get("download_button")]
    assert downloads == ["下载 DOCX"]
    at.sidebar.text_input(key="actor").set_value("李科长")
    _button(at, "审核").click().run()
    assert_no_html(at)
    _button(at, "签发").click().run()
    assert any("已签发" in m.value for m in at.markdown)
    with open_archive(made.db) as archive:
        audit = archive.ledger.list_audit(object_type="report")
    assert {e.object_id for e in audit} == {"daily-20261120"}
    assert {e.action for e in audit} == {"report.reviewed", "report.signed"}
    assert all(e.actor == "李科长" for e in audit)

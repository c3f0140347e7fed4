"""The event page's 严重程度依据 table: counts show their number, signals show none."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.models import Event, Mention, Reason
from dashboard.data_events import severity_rows

T = datetime(2026, 11, 17, 10, 40, tzinfo=UTC)
CONFIG = """
sources:
  - name: jzsjgj-weibo
    type: rss
    start_urls: ["http://127.0.0.1:1/feed.xml"]
    display_name: 江州市场监管（微博）
"""


def test_a_count_shows_its_figure_and_an_official_signal_shows_no_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "yuqing.yaml"
    config.write_text(CONFIG, "utf-8")
    monkeypatch.setenv("YUQING_CONFIG", str(config))
    notice = Mention(
        id="n1",
        source="jzsjgj-weibo",
        platform="weibo",
        kind="post",
        url="http://127.0.0.1/n1",
        text="【情况通报】市政府已启动食品安全事故Ⅱ级应急响应，57名幼儿到医院就诊，其中46名留院观察治疗，目前病情平稳。",
        published_at=T,
        fetched_at=T,
    )
    event = Event(id="e1", title="幼儿园食源性疾病", first_seen=T, last_seen=T, severity="重大")
    event.severity_basis = [
        Reason("figure", "就诊 57人（“57名幼儿到医院就诊”）", 57.0, "n1"),
        Reason("signal", "已启动Ⅱ级应急响应，按重大事件处置（官方定级优先于人数）", 0.0, "n1"),
        Reason("signal", "未见出处的依据", 0.0, "gone"),
    ]
    counted, signal, orphan = severity_rows(event, {"n1": notice})
    assert counted["数值"] == 57.0 and signal["数值"] is None
    # A source without a title is named by its opening, marked as cut.
    assert signal["出处"].startswith("【情况通报】市政府已启动") and signal["出处"].endswith("…")
    assert signal["提及编号"] == "n1" and signal["发布时间"]
    assert signal["来源"] == "江州市场监管（微博）"  # the source's display name, not its id
    assert orphan["出处"] == "" and orphan["来源"] == ""

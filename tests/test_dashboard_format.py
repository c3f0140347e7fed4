"""The dashboard's text helpers and exports: countdowns, urgency, safe Markdown, CSV and Excel."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl

from archive.export import EXPORT_COLUMNS, to_csv, to_excel
from dashboard.formatting import (
    countdown,
    fmt_time,
    highlight,
    md_escape,
    safe_url,
    snippet,
    urgency,
)

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def test_countdown_reads_like_the_duty_staff_say_it() -> None:
    assert countdown(NOW + timedelta(hours=2, minutes=15), NOW) == "剩余 2小时15分"
    assert countdown(NOW - timedelta(hours=3), NOW) == "已逾期 3小时"
    assert countdown(NOW + timedelta(days=2, hours=3, seconds=59), NOW) == "剩余 2天3小时"
    assert countdown(NOW + timedelta(minutes=15, seconds=30), NOW) == "剩余 15分"
    assert countdown(NOW + timedelta(seconds=20), NOW) == "剩余 不足1分"
    # A deadline is met up to and including its instant.
    assert countdown(NOW, NOW) == "剩余 不足1分"
    assert countdown(NOW - timedelta(days=1, minutes=5), NOW) == "已逾期 1天"


def test_urgency_colours() -> None:
    assert urgency(NOW - timedelta(minutes=1), NOW).color == "red"
    assert urgency(NOW + timedelta(minutes=119), NOW).color == "orange"
    assert urgency(NOW + timedelta(hours=5), NOW).color == "yellow"
    assert urgency(NOW + timedelta(days=3), NOW).color == "green"
    assert urgency(NOW - timedelta(days=3), NOW, active=False).color == "gray"


def test_times_are_shown_in_beijing() -> None:
    assert fmt_time(NOW) == "2026-11-20 14:00"


def test_user_text_cannot_become_markdown_or_directives() -> None:
    text = "[点我](javascript:alert(1)) **粗** :red[红] $x$ <b>粗</b> ![](http://x/y.png)"
    escaped = md_escape(text)
    for raw in ("[点我]", "**", ":red[", "$x$", "<b>", "!["):
        assert raw not in escaped
    assert "\\[点我\\]" in escaped and "\\<b\\>" in escaped


def test_bare_urls_and_addresses_are_not_auto_linked() -> None:
    escaped = md_escape("见 http://evil.example/x 或 WWW.evil.cn 或 duty@amr.example.cn")
    for raw in ("http\\://", "WWW\\.", "\\@d"):
        assert raw not in escaped
    # The joiner is invisible: the text reads the same once the escapes are resolved.
    shown = escaped.replace("\u2060", "").replace("\\", "")
    assert shown == "见 http://evil.example/x 或 WWW.evil.cn 或 duty@amr.example.cn"


def test_highlight_marks_terms_and_escapes_the_rest() -> None:
    marked = highlight("江州*电梯*困人，电梯停运", ["电梯"])
    assert marked.count(":orange-background[电梯]") == 2
    assert "\\*" in marked
    assert highlight("Elevator stuck", ["elevator"]) == ":orange-background[Elevator] stuck"


def test_snippet_centres_on_the_first_match() -> None:
    text = "无关内容" * 60 + "电梯困人" + "其他内容" * 60
    cut = snippet(text, ["困人"], width=80)
    assert "困人" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut) <= 82


def test_only_web_links_are_offered() -> None:
    assert safe_url("https://example.cn/a?b=1") == "https://example.cn/a?b=1"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,hi") is None
    assert safe_url("/relative") is None


def _records() -> list[dict[str, object]]:
    base = {key: "" for key in EXPORT_COLUMNS}
    return [
        {
            **base,
            "id": "m1",
            "title": "电梯困人",
            "text": '=HYPERLINK("http://evil")',
            "rumor_score": 0.9,
        },
        {**base, "id": "m2", "title": "+1 转发", "text": "正常\x07内容", "rumor_score": None},
    ]


def test_csv_export_has_bom_columns_and_no_formulas() -> None:
    data = to_csv(_records())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == EXPORT_COLUMNS
    assert rows[0]["title"] == "电梯困人"
    assert rows[0]["text"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["title"] == "'+1 转发"


def test_excel_export_stores_text_as_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_excel(_records())))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_COLUMNS
    text_column = EXPORT_COLUMNS.index("text")
    assert rows[1][text_column] == '=HYPERLINK("http://evil")'
    assert sheet.cell(row=2, column=text_column + 1).data_type == "s"
    assert rows[2][text_column] == "正常内容"
    assert rows[1][EXPORT_COLUMNS.index("rumor_score")] == 0.9


def test_every_topic_has_a_chinese_name() -> None:
    from nlp.lexicon import TOPIC_LABELS, TOPICS

    assert set(TOPIC_LABELS) == set(TOPICS)
    assert all(name and name != code for code, name in TOPIC_LABELS.items())


def test_no_text_needs_a_font_the_set_up_does_not_install() -> None:
    # fonts-noto-cjk (scripts/system-deps.sh) has the CJK text, punctuation and geometric
    # shapes (●▲◆○■) but no emoji: an emoji showed as a missing-glyph box in Chromium.
    import re
    from pathlib import Path

    emoji = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f]")
    root = Path(__file__).resolve().parent.parent
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for folder in ("dashboard", "alerts", "yuqing")
        for path in sorted((root / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if emoji.search(line)
    ]
    assert not found, found


def test_chances_are_said_in_words_not_scientific_notation() -> None:
    """A press officer reads 不到万分之一, not 2.1e-05 (the burst table's 偶然可能)."""
    from dashboard.formatting import chance_text, odds_text

    assert chance_text(2.1e-5) == "不到万分之一"
    assert chance_text(1e-9) == "不到百万分之一"
    assert chance_text(0.004) == "不到百分之一"
    assert chance_text(0.03) == "约3%"
    assert odds_text(1e-4) == "万分之一"
    assert odds_text(0.05) == "5%"

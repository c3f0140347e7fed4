"""The command line over a real archive: search output forms, stats, errors, --help."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import open_archive
from tests.conftest import make_mention
from tests.conftest import run_cli as run
from yuqing.cli import main


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "yuqing.yaml"
    path.write_text("archive:\n  path: a.db\n", encoding="utf-8")
    with open_archive(tmp_path / "a.db") as archive:
        archive.upsert_mentions(
            [
                make_mention(1, "江州市电梯坠落事故造成2人死亡", title="电梯事故"),
                make_mention(2, "紫菜是塑料做的？假的"),
                make_mention(3, "周末天气晴好"),
            ]
        )
    return path


def test_search_table_json_and_csv(config: Path) -> None:
    code, out = run(config, "search", "电梯")
    assert code == 0 and out.startswith("共 1 条结果，显示 1 条") and "电梯事故" in out
    # A table: a header row, then one row per hit with its Chinese platform name and id.
    assert "时间（北京）" in out and "标题 / 内容" in out and "m0001" in out and "微博" in out
    assert all(len(line) <= 120 for line in out.splitlines())  # piped: 120 columns at most
    code, out = run(config, "search", "电梯 OR 紫菜", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["id"] for r in records] == ["m0002", "m0001"]
    assert records[1]["published_at"].endswith("+08:00")
    code, out = run(config, "search", "", "--csv", "--platform", "weibo")
    assert out.startswith("\ufeff")  # Excel reads it as UTF-8, as the dashboard's export
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert code == 0 and {r["id"] for r in rows} == {"m0001", "m0003"}


def test_search_errors_are_clear(config: Path) -> None:
    code, out = run(config, "search", '"电梯')
    assert code == 1 and "query error: unbalanced quote" in out
    code, out = run(config, "search", "电梯", "--since", "yesterday")
    assert code == 2 and "ISO 8601" in out


def test_stats(config: Path) -> None:
    code, out = run(config, "stats")
    assert code == 0 and "提及（采集到的文章、帖子、评论）：3" in out and "mentions" not in out
    code, out = run(config, "stats", "--json")
    assert code == 0 and json.loads(out)["mentions"] == 3  # stable English keys


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("发布会", "新闻发布会"),
        ("press_conference", "新闻发布会"),
        ("澄清", "澄清"),
        ("解读", "解读"),
    ],
)
def test_deadline_takes_the_kinds_chinese_names(typed: str, rule: str) -> None:
    result = CliRunner().invoke(main, ["deadline", typed, "--from", "2026-11-23T09:00"])
    assert result.exit_code == 0 and rule in result.output, result.output


def test_deadline_lists_the_kinds_for_an_unknown_one() -> None:
    result = CliRunner().invoke(main, ["deadline", "开会", "--from", "2026-11-23T09:00"])
    assert result.exit_code == 2 and "press_conference（召开新闻发布会）" in result.output


def test_an_empty_silence_list_says_so(config: Path) -> None:
    code, out = run(config, "silence", "list")
    assert code == 0 and "没有生效的静默" in out


def test_every_command_has_help() -> None:
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    commands = [
        "init",
        "check-config",
        "crawl",
        "analyze",
        "alert",
        "run",
        "search",
        "dashboard",
        "demo",
        "stats",
        "deadline",
        "obligations",
    ]
    for command in commands:
        assert command in top.output
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, command


def test_archive_error_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.db").write_text("not a database")
    (tmp_path / "yuqing.yaml").write_text("archive:\n  path: a.db\n")
    code, out = run(tmp_path / "yuqing.yaml", "stats")
    assert code == 2 and out.startswith("archive error:") and "not a Yuqing archive" in out


def test_search_by_entity(config: Path) -> None:
    from archive.models import Analysis, EntityRef

    with open_archive(config.parent / "a.db") as archive:
        archive.upsert_analyses(
            [
                Analysis(
                    mention_id="m0001",
                    relevant=True,
                    relevance=0.9,
                    entities=[EntityRef("region", "江州市", "990100"), EntityRef("brand", "佳佳")],
                ),
                Analysis(
                    mention_id="m0002",
                    relevant=True,
                    relevance=0.9,
                    entities=[EntityRef("product", "紫菜")],
                ),
            ]
        )
    code, out = run(config, "search", "", "--entity", "佳佳", "--json")
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["m0001"]
    code, out = run(config, "search", "", "--entity", "990100", "--entity", "紫菜", "--json")
    assert code == 0 and {json.loads(line)["id"] for line in out.splitlines()} == {
        "m0001",
        "m0002",
    }
    code, out = run(config, "search", "entity:紫菜")
    assert code == 0 and out.startswith("共 1 条结果")
    code, out = run(config, "search", "", "--entity", "没有")
    assert code == 0 and out.strip() == "共 0 条结果"


def test_analyze_from_start_fills_what_older_versions_did_not_keep(config: Path) -> None:
    from dataclasses import replace

    with open_archive(config.parent / "a.db") as archive:
        archive.upsert_mentions([make_mention(4, "深圳市一小区电梯坠落，江州美味食品有限公司被查")])
    code, out = run(config, "analyze")
    assert code == 0 and out.startswith("analysed 4 mentions")
    with open_archive(config.parent / "a.db") as archive:
        analysis = archive.get_analyses(["m0004"])["m0004"]
        assert analysis.relevant and analysis.entities and analysis.event_id
        event = archive.get_event(analysis.event_id)
        assert event is not None and event.entities and event.platforms
        # As an older version left them: no entities, no platform counts.
        archive.upsert_analyses([replace(analysis, entities=[])])
        archive.upsert_event(replace(event, entities=None, platforms=None))
    code, out = run(config, "analyze")
    assert code == 0 and out.startswith("analysed 0 mentions")
    code, out = run(config, "analyze", "--from-start")
    assert code == 0 and "analysed 4 mentions" in out and "0 new" in out
    with open_archive(config.parent / "a.db") as archive:
        again = archive.get_analyses(["m0004"])["m0004"]
        assert again.entities == analysis.entities and again.event_id == analysis.event_id
        restored = archive.get_event(analysis.event_id)
        assert restored is not None
        assert restored.entities == event.entities and restored.platforms == event.platforms


def test_search_takes_chinese_field_values(config: Path) -> None:
    code, by_code = run(config, "search", "", "--json", "--platform", "weibo")
    assert code == 0 and by_code
    code, by_name = run(config, "search", "", "--json", "--platform", "微博")
    assert code == 0 and by_name == by_code
    code, out = run(config, "search", "", "--platform", "抖音")
    assert code == 2 and "weibo（微博）" in out

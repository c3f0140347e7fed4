"""Configuration: the example validates; errors name the file, line, key and expected form."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from core.config import ConfigError, load_config, parse_config
from core.settings import NOTIFIER_TYPES, RULE_TYPES
from yuqing.cli import main

GOOD = """\
archive:
  path: data/y.db
sources:
  - name: news
    type: rss
    start_urls: [http://127.0.0.1/rss.xml]
    interval: 15m
notifiers:
  - name: mail
    type: email
    host: 127.0.0.1
    sender: yuqing@example.cn
    password: ${SMTP_PASSWORD}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "cfg.yaml")
    return caught.value.problems


def test_example_written_by_init_is_valid(tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "yuqing.yaml"
    result = runner.invoke(main, ["init", str(path)])
    assert result.exit_code == 0, result.output
    settings = load_config(path)
    assert settings.archive.path == tmp_path / "data" / "yuqing.db"
    assert {r.type for r in settings.rules} >= {"severity", "rumor", "threshold", "penalty"}
    again = runner.invoke(main, ["init", str(path)])
    assert again.exit_code != 0 and "--force" in again.output
    checked = runner.invoke(main, ["-c", str(path), "check-config"])
    assert checked.exit_code == 0 and "OK" in checked.output


def test_secrets_come_from_the_environment_and_are_not_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret-value")
    settings = parse_config(GOOD)
    password = settings.notifiers[0].password
    assert password is not None and password.get_secret_value() == "s3cret-value"
    assert "s3cret-value" not in repr(settings) and "s3cret-value" not in str(settings)


def test_missing_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    assert problems(GOOD) == [
        "cfg.yaml:13: notifiers[0].password: environment variable SMTP_PASSWORD is not set"
    ]


def test_wrong_value_names_line_key_and_expected_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "x")
    [message] = problems(GOOD.replace("interval: 15m", "interval: soon"))
    assert message.startswith("cfg.yaml:7: sources[0].interval: expected a duration")
    [message] = problems(GOOD.replace("type: rss", "type: telegram"))
    assert message.startswith("cfg.yaml:5: sources[0].type: ") and "'rss'" in message


def test_unknown_and_missing_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "x")
    [message] = problems(GOOD.replace("    interval: 15m", "    intervall: 15m"))
    assert message == (
        "cfg.yaml:7: sources[0].intervall: unknown key (check the spelling; "
        "see `yuqing init` for every key)"
    )
    [message] = problems(GOOD.replace("    start_urls: [http://127.0.0.1/rss.xml]\n", ""))
    assert message.startswith("cfg.yaml:4: sources[0]: ") and "start_urls" in message


def test_broken_yaml_and_references() -> None:
    [message] = problems("sources: [\n  - name: x\n")
    assert message.startswith("cfg.yaml:") and "not valid YAML" in message
    [message] = problems("rules:\n  - name: r\n    type: severity\n")
    assert message.startswith("cfg.yaml:2: rules[0]: ") and "min_grade" in message
    [message] = problems(
        "rules:\n  - name: r\n    type: severity\n    min_grade: 重大\n    recipients: [nobody]\n"
    )
    assert "unknown recipient 'nobody'" in message


def test_missing_file_and_cli_exit_code(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    result = CliRunner().invoke(main, ["-c", str(tmp_path / "nope.yaml"), "check-config"])
    assert result.exit_code == 2 and "configuration error" in result.output


def test_hotspot_size_and_spread_are_configured_and_checked() -> None:
    settings = parse_config("nlp:\n  hotspot:\n    min_mentions: 5\n    min_publishers: 3\n")
    assert (settings.nlp.hotspot.min_mentions, settings.nlp.hotspot.min_publishers) == (5, 3)
    defaults = parse_config("archive:\n  backend: sqlite\n").nlp.hotspot
    assert (defaults.min_mentions, defaults.min_publishers) == (3, 2)
    found = problems("nlp:\n  hotspot:\n    min_publishers: 0\n    publishers: 2\n")
    assert any(
        "nlp.hotspot.min_publishers" in p and "greater than or equal to 1" in p for p in found
    )
    assert any("nlp.hotspot.publishers" in p for p in found)


def test_an_unknown_rule_or_notifier_type_lists_the_valid_ones() -> None:
    [message] = problems("rules:\n  - name: r\n    type: treshold\n    min_heat: 3\n")
    assert message.startswith("cfg.yaml:3: rules[0].type: unknown type 'treshold'")
    assert all(f"'{name}'" in message for name in RULE_TYPES)
    [message] = problems("notifiers:\n  - name: n\n    type: sms\n")
    assert message.startswith("cfg.yaml:3: notifiers[0].type: unknown type 'sms'")
    assert all(f"'{name}'" in message for name in NOTIFIER_TYPES)
    [message] = problems("rules:\n  - name: r\n    min_heat: 3\n")
    assert message == "cfg.yaml:2: rules[0].type: required key is missing"


def test_a_key_of_another_type_names_the_types_it_applies_to() -> None:
    [message] = problems(
        "rules:\n  - name: r\n    type: rumor\n    min_probability: 0.5\n    min_heat: 3\n"
    )
    assert message == "cfg.yaml:5: rules[0].min_heat: 'min_heat' applies to threshold rules only"
    [message] = problems(
        "notifiers:\n  - name: n\n    type: file\n    path: x\n    url: http://a\n"
    )
    assert message == (
        "cfg.yaml:5: notifiers[0].url: 'url' applies to dingtalk, wecom, feishu and webhook "
        "notifiers only"
    )
    [message] = problems("rules:\n  - name: r\n    type: rumor\n    min_probabilty: 0.5\n")
    assert message.startswith("cfg.yaml:4: rules[0].min_probabilty: unknown key")

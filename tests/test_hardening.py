"""Hardening (issue 25): an open dashboard never listens beyond loopback, notifier targets are
http(s) URLs, password hashes are checked in full at load, CSV exports are defused, and the
search command takes what people type (a leading '-', Traditional characters, AND / NOT)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from alerts.notifiers import PermanentError, build_notifier
from archive import open_archive
from archive.models import OutboxMessage
from archive.query import QueryError, parse_query
from core.clock import parse_instant
from core.config import ConfigError, parse_config
from core.passwords import hash_password
from core.settings import is_loopback_bind
from core.settings_notifiers import WebhookNotifierSettings
from tests.conftest import make_mention
from tests.conftest import run_cli as run
from yuqing.cli import main


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "cfg.yaml")
    return caught.value.problems


@pytest.mark.parametrize("host", ['""', "0.0.0.0", "'::'", "dashboard.example.org", "192.0.2.7"])
def test_a_dashboard_beyond_loopback_needs_users(host: str) -> None:
    found = problems(f"dashboard:\n  host: {host}\n")
    assert any("dashboard.host" in p and "no users" in p for p in found), found


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "'::1'", "127.0.0.5"])
def test_a_loopback_dashboard_needs_no_users(host: str) -> None:
    assert parse_config(f"dashboard:\n  host: {host}\n").dashboard.host


def test_a_dashboard_beyond_loopback_with_users_is_accepted() -> None:
    hashed = hash_password("zhang-secret-1", log_n=10)
    settings = parse_config(
        f'dashboard:\n  host: 0.0.0.0\nusers:\n  - username: zhang\n    password_hash: "{hashed}"\n'
    )
    assert settings.dashboard.host == "0.0.0.0" and settings.users


def test_loopback_is_decided_by_what_would_be_bound() -> None:
    assert is_loopback_bind("127.0.0.1") and is_loopback_bind("[::1]")
    assert not is_loopback_bind("") and not is_loopback_bind("0.0.0.0")
    assert not is_loopback_bind("::") and not is_loopback_bind("my-host")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///etc/hostname", "scheme 'file'"),
        ("''", "scheme '(none)'"),
        ("not-a-url", "scheme '(none)'"),
        ("http://", "no host"),
        ("https://user:pass@hooks.example.cn/x", "name and password"),
    ],
)
def test_notifier_urls_must_be_http_with_a_host(url: str, expected: str) -> None:
    found = problems(f"notifiers:\n  - name: hook\n    type: webhook\n    url: {url}\n")
    assert any("url" in p and expected in p for p in found), found
    assert not any("pass@" in p for p in found)  # the credentials are not echoed


def test_a_bad_url_that_reaches_send_time_fails_permanently() -> None:
    # A notifier built without validation (e.g. from an older in-memory configuration).
    config = WebhookNotifierSettings.model_construct(
        name="hook",
        type="webhook",
        url=SecretStr("file:///etc/hostname"),
        secret=None,
    )
    message = OutboxMessage(
        id=1,
        dedup_key="k",
        recipient="r",
        channel="hook",
        subject="s",
        body="b",
        created_at=parse_instant("2026-11-16T08:00"),
        next_attempt_at=parse_instant("2026-11-16T08:00"),
    )
    with pytest.raises(PermanentError, match="scheme 'file'"):
        build_notifier(config).send(message, None)


@pytest.mark.parametrize(
    "bad",
    [
        "scrypt$30$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
        "scrypt$14$8$1$c2E$a2V5a2V5a2V5a2V5a2V5a2V5",
        "scrypt$14$8$1$c2FsdHNhbHRzYWx0$a2V5",
    ],
)
def test_malformed_password_hashes_are_refused_at_load(bad: str) -> None:
    found = problems(f'users:\n  - username: zhang\n    password_hash: "{bad}"\n')
    assert any("password_hash" in p and "zhang" in p for p in found), found


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "yuqing.yaml"
    path.write_text("archive:\n  path: a.db\n", encoding="utf-8")
    with open_archive(tmp_path / "a.db") as archive:
        archive.upsert_mentions(
            [
                make_mention(
                    1, '=HYPERLINK("http://x.example") 电梯事故', title="=cmd|' /C calc'!A0"
                ),
                make_mention(2, "商场电梯困人，消防到场救援"),
                make_mention(3, "电梯应急演习在江州举行"),
            ]
        )
    return path


def test_cli_csv_is_defused_as_the_dashboards_export(config: Path) -> None:
    code, out = run(config, "search", "电梯", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    first = next(r for r in rows if r["id"] == "m0001")
    assert first["title"].startswith("'=cmd") and first["text"].startswith("'=HYPERLINK")


def test_a_query_may_start_with_a_minus(config: Path) -> None:
    code, out = run(config, "search", "-演习", "--json")
    assert code == 0, out
    assert '"m0003"' not in out and '"m0002"' in out


def test_traditional_characters_find_what_simplified_find(config: Path) -> None:
    code_s, simplified = run(config, "search", "电梯", "--json")
    code_t, traditional = run(config, "search", "電梯", "--json")
    assert code_s == code_t == 0 and simplified == traditional and simplified.count("\n") == 3


def test_and_not_operators(config: Path) -> None:
    _, plain = run(config, "search", "电梯 -演习", "--json")
    for query in ("电梯 NOT 演习", "电梯 AND -演习", "电梯 && NOT 演习"):
        code, out = run(config, "search", query, "--json")
        assert code == 0 and out == plain, query
    for query in ("AND 电梯", "电梯 NOT", "电梯 OR AND 演习", "NOT NOT 电梯"):
        with pytest.raises(QueryError):
            parse_query(query)


def test_field_values_of_codes_are_case_insensitive() -> None:
    parsed = parse_query("platform:Weibo sentiment:NEGATIVE source:JZRB")
    assert [(f.field, f.value) for f in parsed.filters] == [
        ("platform", "weibo"),
        ("sentiment", "negative"),
        ("source", "JZRB"),  # source names are configured ids, kept as written
    ]


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31T23:00", "1899-12-31"])
def test_times_out_of_range_are_a_clear_error(config: Path, when: str) -> None:
    code, out = run(config, "search", "电梯", "--since", when)
    assert code == 2 and "out of range" in out and "Traceback" not in out


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["obligations", "add", "response", "--title", "x", "--from", "garbage"], "--from"),
        (["obligations", "add", "response", "--title", "", "--from", "2026-11-16"], "--title"),
        (["deadline", "response", "--from", "9999-12-31T23:00"], "--from"),
        (
            ["obligations", "add", "response", "--title", "t", "--from", "9999-12-31T23:59"],
            "--from",
        ),
        (["silence", "add", "--rule", "r", "--for", "99999999d", "--comment", "x"], "--for"),
        (["replay", "--until", "forever"], "--until"),
        (["replay", "--step", "0s"], "--step"),
    ],
)
def test_the_reported_tracebacks_are_clear_errors(
    config: Path, args: list[str], option: str
) -> None:
    result = CliRunner().invoke(main, ["-c", str(config), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2 and f"'{option}'" in result.output, result.output


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "notifiers:\n  - {name: a, type: file, path: x}\n  - {name: a, type: file, path: y}\n",
            "cfg.yaml:3: notifiers[1].name: duplicate notifier name 'a'",
        ),
        (
            "recipients:\n  - name: r\n    notifiers: [nope]\n",
            "cfg.yaml:3: recipients[0].notifiers[0]: recipient 'r' uses unknown notifier 'nope'",
        ),
        (
            "recipients:\n  - name: r\nrules:\n  - name: x\n    type: rumor\n"
            "    min_probability: 0.8\n    recipients: [r, ghost]\n",
            "cfg.yaml:7: rules[0].recipients[1]: rule 'x' names unknown recipient 'ghost'",
        ),
        ("outbox:\n  admins: [ghost]\n", "cfg.yaml:2: outbox.admins[0]"),
    ],
)
def test_cross_reference_errors_point_at_the_entrys_line(text: str, where: str) -> None:
    found = problems(text)
    assert any(p.startswith(where) for p in found), found


@pytest.mark.parametrize(
    ("value", "expected"),
    [("${DB", "unterminated"), ("x-${DB:-}", "empty default"), ("${1BAD}", "malformed")],
)
def test_malformed_environment_references_are_errors(value: str, expected: str) -> None:
    found = problems(f"archive:\n  path: '{value}'\n")
    assert any(p.startswith("cfg.yaml:2: archive.path") and expected in p for p in found), found

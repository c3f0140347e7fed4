"""Every command's options driven with random strings, dates and durations (Hypothesis).

Whatever a person types, a command either succeeds or gives a clear error — exit 2 (bad
option, naming it) or 1 (the archive says no, one line) — never a traceback and never a hang
(pytest-timeout bounds each test). Commands that start servers or long jobs (run, demo,
dashboard, crawl, train, evaluate) are out of scope: their options are flags and ports.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import open_archive
from tests.conftest import make_mention
from yuqing.cli import main

# Values people (and scripts gone wrong) type: free text, dates of any year and form,
# durations of any size and sign, numbers, options-looking words.
_DATES = st.datetimes().map(lambda d: d.isoformat()) | st.sampled_from(
    ["0001-01-01", "9999-12-31T23:59", "2026-02-30", "2026-11-16T25:00", "forever", "now"]
)
_DURATIONS = st.builds(
    lambda n, unit: f"{n}{unit}",
    st.integers(-(10**12), 10**12),
    st.sampled_from(["s", "m", "h", "d", "", "x", "min"]),
)
_NUMBERS = st.integers(-(10**20), 10**20).map(str) | st.floats(
    allow_nan=True, allow_infinity=True
).map(str)
VALUES = st.text(max_size=40) | _DATES | _DURATIONS | _NUMBERS | st.sampled_from(["-", "--", ""])

# command, the options it takes values for, and fixed arguments that make it runnable.
COMMANDS: list[tuple[list[str], list[str]]] = [
    (["search", "电梯"], ["--since", "--until", "--limit", "--min-rumor", "--platform", "--topic"]),
    (["deadline", "response"], ["--from", "--level"]),
    (["obligations", "add", "penalty_disclosure"], ["--title", "--subject", "--from", "--level"]),
    (["obligations", "snooze", "1"], ["--hours", "--actor"]),
    (["obligations", "done", "1"], ["--link", "--actor"]),
    (["obligations", "waive", "1"], ["--reason", "--actor"]),
    (["silence", "add", "--rule", "rumor", "--comment", "演练"], ["--for", "--until", "--level"]),
    (["silence", "expire", "1"], ["--reason"]),
    (["backtest", "--rules", "rules.yaml"], ["--since", "--until", "--step", "--warmup"]),
    (["replay"], ["--start", "--step", "--until"]),
]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "rules.yaml").write_text("[]\n", encoding="utf-8")
    path = folder / "yuqing.yaml"
    path.write_text("archive:\n  path: a.db\n", encoding="utf-8")
    with open_archive(folder / "a.db") as archive:
        archive.upsert_mentions([make_mention(1, "江州市电梯坠落事故", title="电梯事故")])
    runner = CliRunner()
    made = runner.invoke(
        main,
        ["-c", str(path), "obligations", "add", "response", "--title", "t", "--from", "2026-11-16"],
    )
    assert made.exit_code == 0, made.output
    return path


@pytest.mark.parametrize(("command", "options"), COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_random_option_values_never_crash(
    config: Path, command: list[str], options: list[str]
) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(st.tuples(st.sampled_from(options), VALUES), min_size=1, max_size=3))
    def check(pairs: list[tuple[str, str]]) -> None:
        args = [part for pair in pairs for part in pair]
        result = CliRunner().invoke(main, ["-c", str(config), *command, *args])
        shown = f"{command + args}: {result.output}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{shown}\n{result.exception!r}") from result.exception
        assert result.exit_code in (0, 1, 2), shown
        assert "Traceback" not in result.output, shown
        if result.exit_code == 2:
            assert "Error" in result.output, shown

    check()

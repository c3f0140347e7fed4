"""Ids stay in the configuration: no page and no message shows a configured thing's English id.

Every rule, source, recipient and notifier has a display name — its own ``display_name`` or,
for the ones the starter configuration ships, a built-in Chinese name — and pages and message
bodies show that. This test renders every page over a real archive and reads all of its text,
then raises alerts and reads every queued message body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from core.config import load_config
from core.settings import Settings
from tests.support.dashboard_fixtures import DashboardArchive, app_test, build_archive

# Display names an administrator gives the fixture's own sources and rule.
OWN_NAMES = {
    "demo-news": "江州日报",
    "demo-weibo": "微博搜索",
    "demo-rss": "民生财经",
    "demo-official": "市局网站",
    "demo-spare": "备用订阅",
    "lift-watch": "电梯关注词",
}
PAGES = [
    ("views/overview.py", {}),
    ("views/hotspots.py", {}),
    ("views/event.py", {"id": "ev-lift"}),
    ("views/obligations.py", {}),
    ("views/search.py", {"q": "电梯"}),
    ("views/sources.py", {}),
    ("views/rules.py", {}),
    ("views/reports.py", {}),
]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    made = build_archive(tmp_path_factory.mktemp("names"))
    raw = yaml.safe_load(made.config.read_text("utf-8"))
    for item in [*raw["sources"], *raw["rules"]]:
        if item["name"] in OWN_NAMES:
            item["display_name"] = OWN_NAMES[item["name"]]
    # Somebody to tell: the starter configuration's spokesperson (a built-in name) and a
    # press officer of the site's own naming, by a file channel.
    raw["notifiers"] = [{"name": "outbox-file", "type": "file", "path": "outbox.jsonl"}]
    raw["recipients"] = [
        {"name": "spokesperson", "notifiers": ["outbox-file"], "escalates_to": "press-li"},
        {"name": "press-li", "display_name": "李处长", "notifiers": ["outbox-file"]},
    ]
    for rule in raw["rules"]:
        rule["recipients"] = ["spokesperson"]
    made.config.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return made


def configured_ids(settings: Settings) -> set[str]:
    things = [*settings.rules, *settings.sources, *settings.recipients, *settings.notifiers]
    return {item.name for item in things}


def leaked(text: str, ids: set[str]) -> list[str]:
    """The ids standing in ``text`` as words of their own (not inside a URL or a longer id)."""
    return sorted(
        name for name in ids if re.search(rf"(?<![\w./-]){re.escape(name)}(?![\w/-])", text)
    )


def page_text(at: AppTest) -> Iterator[str]:
    """Everything a person reads on the page: text elements, widget labels and the options
    they offer (a widget's value is the id behind the option shown), table cells."""
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                 "warning", "error", "expander", "tabs"):  # fmt: skip
        for element in at.get(kind):
            for field in ("value", "label", "body"):
                value = getattr(element, field, None)
                if isinstance(value, str):
                    yield value
    for metric in at.metric:
        yield f"{metric.label} {metric.value}"
    for kind in ("toggle", "radio", "selectbox", "multiselect", "button", "text_input"):
        for widget in at.get(kind):
            yield str(getattr(widget, "label", ""))
            yield from (str(option) for option in getattr(widget, "options", []) or [])
    for frame in [*at.dataframe, *at.table]:
        table: Any = frame.value
        yield " ".join(str(c) for c in table.columns)
        yield table.astype(str).to_string()


@pytest.mark.parametrize(("page", "params"), PAGES, ids=[p for p, _ in PAGES])
def test_no_page_shows_a_configured_id(
    made: DashboardArchive, monkeypatch: Any, page: str, params: dict[str, str]
) -> None:
    ids = configured_ids(load_config(made.config))
    at = app_test(made, monkeypatch)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(page_text(at))
    assert text.strip(), "the page rendered no text"
    found = leaked(text, ids)
    where = [line for line in text.splitlines() if any(name in line for name in found)]
    assert not found, f"{page} shows the ids {found}: {where[:5]}"


def test_the_check_finds_an_id_where_one_is_shown() -> None:
    ids = {"hot-events", "demo-news"}
    assert leaked("规则 hot-events 触发", ids) == ["hot-events"]
    assert leaked("来源：demo-news。", ids) == ["demo-news"]
    # Inside a link or a longer id it is not shown as a name.
    assert leaked("http://127.0.0.1/demo-news/1.html demo-news-2", ids) == []


def test_messages_name_rules_and_recipients_by_their_display_names(
    made: DashboardArchive, tmp_path: Path
) -> None:
    from datetime import timedelta

    from alerts.stage import evaluate
    from archive import open_archive
    from core.clock import SimulatedClock
    from tests.support.dashboard_fixtures import NOW

    settings = load_config(made.config)
    ids = configured_ids(settings)
    with open_archive(made.db) as archive:
        evaluate(archive, settings, SimulatedClock(NOW + timedelta(minutes=5)))
        messages = archive.ledger.list_messages()
    bodies = [m.subject + "\n" + m.body for m in messages]
    assert bodies, "the fixture's rules raised no message"
    for body in bodies:
        assert not leaked(body, ids), body


def test_the_search_table_names_sources_and_json_keeps_their_ids(made: DashboardArchive) -> None:
    import json

    from tests.conftest import run_cli

    code, out = run_cli(made.config, "search", "电梯")
    assert code == 0 and "江州日报" in out and not leaked(out, {"demo-news", "demo-weibo"})
    code, out = run_cli(made.config, "search", "电梯", "--json")
    assert code == 0 and "demo-news" in {json.loads(line)["source"] for line in out.splitlines()}

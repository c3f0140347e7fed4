"""The dashboard on an Elasticsearch archive whose node goes down mid-session: the page says
so in Chinese instead of failing with a traceback, and works again once the node is back."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from archive import open_archive
from core.config import load_config
from tests.conftest import make_mention
from tests.support.dashboard_fixtures import APP, SOURCES_YAML
from tests.support.es_node import EsNode

pytestmark = pytest.mark.slow

OUTAGE_TEXT = "暂时无法连接"


def _config(folder: Path, node: EsNode) -> Path:
    config = folder / "yuqing.yaml"
    config.write_text(
        "archive:\n  backend: elasticsearch\n  path: ledger.db\n"
        f"  hosts: ['{node.url}']\n  index_prefix: dash{uuid.uuid4().hex[:8]}\n  replicas: 0\n"
        "dashboard:\n  host: 127.0.0.1\n  port: 8501\n  cache_ttl: 1s\n" + SOURCES_YAML,
        encoding="utf-8",
    )
    return config


def _run(monkeypatch: Any, config: Path) -> AppTest:
    monkeypatch.setenv("YUQING_CONFIG", str(config))
    st.cache_data.clear()
    return AppTest.from_file(str(APP), default_timeout=60).run()


def test_an_outage_is_shown_not_raised(
    es_own_node: EsNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, es_own_node)
    with open_archive(load_config(config).archive) as store:
        store.upsert_mentions(make_mention(i, f"电梯故障通报第{i}号") for i in range(5))
    at = _run(monkeypatch, config)
    assert not at.exception, at.exception
    assert not any(OUTAGE_TEXT in e.value for e in at.error)
    assert at.title[0].value == "舆情总览"

    es_own_node.stop()
    down = _run(monkeypatch, config)
    assert not down.exception, down.exception
    assert any(OUTAGE_TEXT in e.value for e in down.error), [e.value for e in down.error]

    es_own_node.start()
    back = _run(monkeypatch, config)
    assert not back.exception, back.exception
    assert not any(OUTAGE_TEXT in e.value for e in back.error)

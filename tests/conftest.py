"""Shared fixtures: real archives in temporary folders, real data sets when present."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import open_archive
from archive.base import Archive
from archive.models import Mention
from tests.support.es_node import es_archive_fixture, es_node_fixture, es_own_node_fixture
from tests.support.redis_server import redis_server_fixture

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
T0 = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def require_dataset(relative: str) -> Path:
    """Path of a shared data set; fails under CI=true when absent, skips elsewhere."""
    path = SHARED / relative
    if not path.exists():
        message = f"data set {path} is missing (see ../shared/datasets/README.md)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    store = open_archive(tmp_path / "archive.db")
    yield store
    store.close()


def each_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Archive]:
    """An archive per backend. A test module overrides the SQLite-only ``archive`` with
    ``archive = pytest.fixture(params=BACKENDS, name="archive")(each_backend)``."""
    if request.param == "elasticsearch":
        yield request.getfixturevalue("es_archive")
        return
    store = open_archive(tmp_path / "archive.db")
    yield store
    store.close()


BACKENDS = ["sqlite", "elasticsearch"]


# A real Elasticsearch node for the session, started on first use; under CI=true a node that
# cannot start fails the tests that need it (tests/support/es_node.py).
es_node = pytest.fixture(scope="session")(es_node_fixture)
es_archive = pytest.fixture(es_archive_fixture)
es_own_node = pytest.fixture(es_own_node_fixture)
# A private redis-server per test that asks for it (tests/support/redis_server.py).
redis_server = pytest.fixture(redis_server_fixture)


def make_mention(i: int, text: str, **overrides: object) -> Mention:
    values: dict[str, object] = {
        "id": f"m{i:04d}",
        "source": "demo-weibo" if i % 2 else "demo-news",
        "platform": "weibo" if i % 2 else "news",
        "kind": "post" if i % 2 else "article",
        "url": f"http://127.0.0.1/item/{i}",
        "text": text,
        "title": "",
        "published_at": T0 + timedelta(hours=i),
        "fetched_at": T0 + timedelta(hours=i, minutes=5),
        "region": "江州市" if i % 3 == 0 else "临川区",
    }
    values.update(overrides)
    return Mention(**values)  # type: ignore[arg-type]


# Turns a current SQLite archive's mentions back into what schema 9 wrote (no first fetch).
MENTION_FIRST_FETCH_UNDONE = "ALTER TABLE mentions DROP COLUMN first_fetched_at; "
# Turns a current SQLite archive back into what schema 8 wrote (schema 10's mentions, then
# the events: no propagation).
EVENT_PROPAGATION_UNDONE = (
    MENTION_FIRST_FETCH_UNDONE + "ALTER TABLE events DROP COLUMN propagation; "
)
# Turns a current SQLite archive back into what schema 7 wrote (schema 9's events, then the
# obligations), for the upgrade tests of earlier schemas (they undo every later migration
# before their own).
OBLIGATION_EVIDENCE_UNDONE = EVENT_PROPAGATION_UNDONE + (
    "ALTER TABLE obligations DROP COLUMN done_at; ALTER TABLE obligations DROP COLUMN evidence; "
    "ALTER TABLE obligations DROP COLUMN fulfilled_by; "
    "ALTER TABLE obligations DROP COLUMN late_reason; "
    "ALTER TABLE obligations DROP COLUMN rejected; "
)


def run_cli(config: Path, *args: str) -> tuple[int, str]:
    """``yuqing -c CONFIG ARGS…`` in-process: its exit code and what it printed."""
    from click.testing import CliRunner

    from yuqing.cli import main

    result = CliRunner().invoke(main, ["-c", str(config), *args])
    return result.exit_code, result.output

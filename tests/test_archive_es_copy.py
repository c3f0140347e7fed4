"""``yuqing archive copy`` from a SQLite file into a real Elasticsearch node, resumed after an
interruption, and ``yuqing archive verify`` (which must also notice a damaged copy)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import open_archive
from archive.es.backend import ElasticsearchArchive
from archive.es.copy import checkpoint_name, copy_archive
from archive.es.setup import drop_all
from archive.models import Analysis, Event, Reason
from core.config import load_config
from tests.conftest import T0, make_mention
from tests.conftest import run_cli as run
from tests.support.es_node import EsNode


@pytest.fixture
def setup(es_node: EsNode, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    source = tmp_path / "old.db"
    with open_archive(source) as archive:
        archive.upsert_mentions(make_mention(i, f"电梯事故 第{i}条") for i in range(30))
        archive.upsert_analyses(
            Analysis(
                mention_id=f"m{i:04d}",
                relevant=True,
                relevance=0.5 + i / 100,
                topics=["special_equipment"],
                sentiment="negative" if i % 2 else "neutral",
                rumor_score=0.1,
                event_id="e1",
                reasons=[Reason(kind="term", text="电梯", weight=1.5)],
                analyzed_at=T0,
            )
            for i in range(0, 30, 3)
        )
        archive.upsert_event(Event(id="e1", title="电梯事故", first_seen=T0, last_seen=T0))
    config = tmp_path / "yuqing.yaml"
    prefix = f"copy{uuid.uuid4().hex[:8]}"
    config.write_text(
        "archive:\n  backend: elasticsearch\n"
        f"  hosts: ['{es_node.url}']\n  path: ledger.db\n  index_prefix: {prefix}\n"
        "  replicas: 0\n",
        encoding="utf-8",
    )
    yield source, config
    with open_archive(load_config(config).archive) as target:
        assert isinstance(target, ElasticsearchArchive)
        drop_all(target.client, target.names)


def test_copy_resumes_and_verify_compares(setup: tuple[Path, Path]) -> None:
    source, config = setup
    settings = load_config(config).archive
    # An interrupted first run: 14 of 30 mentions copied, the checkpoint stored.
    with open_archive(source, readonly=True) as old, open_archive(settings) as new:
        partial = copy_archive(old, new, checkpoint_name(source), batch=7, stop_after=14)
        assert partial.mentions == 14 and new.count_mentions() == 14
    code, out = run(config, "archive", "copy", "--from", str(source), "--batch", "7")
    assert code == 0, out
    assert "resuming the copy from position 14" in out
    assert "copied 16 mentions" in out and "1 events" in out
    code, out = run(config, "archive", "verify", "--from", str(source))
    assert code == 0, out
    assert "mentions: 30 in the source, 30 in the copy" in out and "the copy matches" in out
    with open_archive(settings) as new:
        assert isinstance(new, ElasticsearchArchive)
        hit = new.get_analyses(["m0003"])["m0003"]
        assert hit.reasons == [Reason(kind="term", text="电梯", weight=1.5)]
        # Damage the copy: verify must say so.
        index = new.names.mention_index(T0)
        new.client.delete(index=index, id="m0004", refresh=True)
    code, out = run(config, "archive", "verify", "--from", str(source))
    assert code == 1 and "mentions: 30 in the source, 29 in the copy" in out


def test_copy_needs_an_elasticsearch_configuration(tmp_path: Path) -> None:
    config = tmp_path / "yuqing.yaml"
    config.write_text("archive:\n  path: a.db\n", encoding="utf-8")
    source = tmp_path / "old.db"
    open_archive(source).close()
    code, out = run(config, "archive", "copy", "--from", str(source))
    assert code == 2 and "archive.backend: elasticsearch" in out

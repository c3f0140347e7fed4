"""The archive file: durability across reopen, refusal of foreign or damaged files, locks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive import open_archive
from archive.base import ArchiveError, ArchiveLockedError
from archive.search import SearchRequest
from tests.conftest import make_mention


def test_reopen_keeps_everything_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with open_archive(path) as archive:
        archive.upsert_mentions([make_mention(1, "电梯事故")])
        archive.ledger.set_cursor("analyze", 7)
    with open_archive(path) as archive:
        assert archive.count_mentions() == 1
        assert archive.ledger.get_cursor("analyze") == 7
        assert archive.search(SearchRequest(query="电梯")).total == 1
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match="not a Yuqing archive"):
        open_archive(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match="another application"):
        open_archive(path)
    assert path.read_bytes() == before


def test_damaged_archive_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with open_archive(path) as archive:
        archive.upsert_mentions([make_mention(i, "电梯事故" * 50) for i in range(200)])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    # Keep the header page (so it still looks like our file) and scramble the rest.
    for offset in range(4096, len(data), 7):
        data[offset] = (data[offset] * 31 + 17) % 256
    path.write_bytes(bytes(data))
    damaged = path.read_bytes()
    with pytest.raises(ArchiveError, match=r"damaged|not a database"), open_archive(path) as a:
        a.search(SearchRequest(query="电梯"))
        a.count_mentions()
    assert path.read_bytes() == damaged


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_archive(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(ArchiveError, match="newer Yuqing"):
        open_archive(path)


def test_second_writer_in_the_same_role_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with open_archive(path, lock="runner"):
        with pytest.raises(
            ArchiveLockedError, match=r"already in use for 'crawl' by pid \d+ \(runner\)"
        ):
            open_archive(path, lock="runner")
        # Interactive writers (acknowledging an obligation) are not blocked by the runner.
        with open_archive(path) as other:
            other.ledger.set_cursor("x", 1)
    # Released on close: the next runner starts.
    open_archive(path, lock="runner").close()


@pytest.mark.parametrize("stage", ["crawl", "analyze", "alert"])
def test_a_stage_beside_the_runner_is_refused_and_the_runner_beside_a_stage(
    tmp_path: Path, stage: str
) -> None:
    path = tmp_path / "a.db"
    with (
        open_archive(path, lock="runner"),
        pytest.raises(ArchiveLockedError, match=rf"for '{stage}' by pid \d+ \(runner\)"),
    ):
        open_archive(path, lock=stage)
    with open_archive(path, lock=stage):
        with pytest.raises(ArchiveLockedError, match=rf"for '{stage}' by pid \d+ \({stage}\)"):
            open_archive(path, lock="runner")
        # The runner's other locks were given back when it was refused.
        others = [s for s in ("crawl", "analyze", "alert") if s != stage]
        open_archive(path, lock=others[0]).close()


def test_two_names_for_one_archive_share_its_locks(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_archive(path).close()
    link = tmp_path / "elsewhere.db"
    link.symlink_to(path)
    with open_archive(path, lock="runner"), pytest.raises(ArchiveLockedError):
        open_archive(link, lock="runner")


def test_a_refused_file_gets_no_lock_file_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database")
    with pytest.raises(ArchiveError):
        open_archive(path, lock="runner")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_readonly_archive_refuses_writes_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="does not exist"):
        open_archive(tmp_path / "missing.db", readonly=True)
    path = tmp_path / "a.db"
    open_archive(path).close()
    with (
        open_archive(path, readonly=True) as archive,
        pytest.raises(ArchiveError, match="read-only"),
    ):
        archive.ledger.set_cursor("x", 1)


def test_a_reader_of_an_empty_database_is_told_no_archive_exists_yet(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # what a writer leaves between creating the file and the schema
    with pytest.raises(ArchiveError, match="holds no Yuqing archive yet") as error:
        open_archive(path, readonly=True)
    assert str(path) in str(error.value) and "archive.path" in str(error.value)
    open_archive(path).close()  # a writer then creates the schema in the same file
    open_archive(path, readonly=True).close()

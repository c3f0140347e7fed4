"""Resumable generation of a benchmark archive: progress sidecar, timing of jieba vs SQLite."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import archive.sqlite.backend as archive_sqlite
from archive import open_archive
from benchmarks.archive_corpus import MentionGenerator
from core.text.segment import ensure_loaded

# ---------------------------------------------------------------------------------------------
# Generation driver: resumable, with progress
# ---------------------------------------------------------------------------------------------


@dataclass
class Progress:
    """What ``PATH.bench.json`` records after every batch."""

    generator: int
    seed: int
    batch_size: int
    corpus: str
    mentions_done: int = 0
    analyses_done: int = 0
    text_bytes: int = 0
    generate_s: float = 0.0
    upsert_mentions_s: float = 0.0
    segment_s: float = 0.0
    upsert_analyses_s: float = 0.0
    sessions: int = 0
    as_is: bool = False
    workarounds: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Progress | None:
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(vars(self), indent=1), encoding="utf-8")
        os.replace(tmp, path)


class SegmentTimer:
    """Times jieba inside ``upsert_mentions`` by wrapping the name the archive module calls."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original = archive_sqlite.index_tokens

    def __enter__(self) -> SegmentTimer:
        original = self._original

        def timed(text: str) -> list[str]:
            started = time.perf_counter()
            try:
                return original(text)
            finally:
                self.seconds += time.perf_counter() - started

        archive_sqlite.index_tokens = timed
        return self

    def __exit__(self, *exc: object) -> None:
        archive_sqlite.index_tokens = self._original


TOPIC_INDEX = "bench_mention_topics_by_rowid"
TOPIC_INDEX_NOTE = (
    f"benchmark-side index {TOPIC_INDEX} ON mention_topics(mention_rowid): without it "
    "upsert_analyses scans all of mention_topics for every analysis (quadratic; pass --as-is)"
)


def has_topic_rowid_index(conn: sqlite3.Connection) -> bool:
    """Whether some index on mention_topics starts with mention_rowid."""
    for row in conn.execute("PRAGMA index_list(mention_topics)").fetchall():
        columns = conn.execute(f"PRAGMA index_info({_quote(row[1])})").fetchall()
        if columns and columns[0][2] == "mention_rowid":
            return True
    return False


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def apply_workarounds(db: Path, progress: Progress, as_is: bool, log: TextIO) -> None:
    """Add the one index the archive lacks for bulk analyses, unless measuring as shipped."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        if as_is or has_topic_rowid_index(conn):
            return
        conn.execute(f"CREATE INDEX {TOPIC_INDEX} ON mention_topics (mention_rowid)")
        if TOPIC_INDEX_NOTE not in progress.workarounds:
            progress.workarounds.append(TOPIC_INDEX_NOTE)
        print(f"[generate] note: {TOPIC_INDEX_NOTE}", file=log, flush=True)
    finally:
        conn.close()


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"


def generate(
    db: Path,
    total: int,
    generator: MentionGenerator,
    progress: Progress,
    as_is: bool,
    log: TextIO,
) -> Progress:
    """Insert mentions ``progress.mentions_done`` .. ``total``, saving progress per batch."""
    sidecar = sidecar_path(db)
    if progress.mentions_done >= total:
        return progress
    progress.sessions += 1
    first = progress.mentions_done
    batch_size = progress.batch_size
    started = time.perf_counter()
    last_report = 0.0
    ensure_loaded()
    with open_archive(db) as store, SegmentTimer() as timer:
        apply_workarounds(db, progress, as_is, log)
        for index in range(first // batch_size, math.ceil(total / batch_size)):
            lo, hi = index * batch_size, min(total, (index + 1) * batch_size)
            t0 = time.perf_counter()
            # After a resume the first batch may be partly stored: only its tail is new.
            batch = generator.batch(index, lo, hi).tail(max(0, progress.mentions_done - lo))
            analyses = [item for item in batch.analyses if item is not None]
            t1 = time.perf_counter()
            segment_before = timer.seconds
            store.upsert_mentions(batch.mentions)
            t2 = time.perf_counter()
            store.upsert_analyses(analyses)
            t3 = time.perf_counter()
            progress.generate_s += t1 - t0
            progress.upsert_mentions_s += t2 - t1
            progress.segment_s += timer.seconds - segment_before
            progress.upsert_analyses_s += t3 - t2
            progress.text_bytes += sum(batch.text_bytes)
            progress.analyses_done += len(analyses)
            progress.mentions_done = hi
            progress.save(sidecar)
            now = time.perf_counter()
            if now - last_report >= 5 or hi == total:
                last_report = now
                done = hi - first
                rate = done / (now - started)
                busy = progress.generate_s + progress.upsert_mentions_s
                busy += progress.upsert_analyses_s
                seg = progress.segment_s / busy if busy else 0.0
                sql = (progress.upsert_mentions_s - progress.segment_s) / busy if busy else 0.0
                sql_a = progress.upsert_analyses_s / busy if busy else 0.0
                print(
                    f"[generate] {hi:>10,}/{total:,} {100 * hi / total:5.1f}%  {rate:,.0f}/s  "
                    f"ETA {_duration((total - hi) / rate)}  time: jieba {100 * seg:.0f}%, "
                    f"sqlite+python {100 * sql:.0f}%, analyses {100 * sql_a:.0f}%, "
                    f"generation {100 * progress.generate_s / busy if busy else 0:.0f}%",
                    file=log,
                    flush=True,
                )
    return progress


def sidecar_path(db: Path) -> Path:
    return db.with_name(db.name + ".bench.json")


def archive_files(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), sidecar_path(db)]

"""Storage: the archive interface and its backends. Open one with ``open_archive``."""

from __future__ import annotations

from pathlib import Path

from archive.base import Archive, ArchiveError, ArchiveLockedError, NotFoundError

__all__ = ["Archive", "ArchiveError", "ArchiveLockedError", "NotFoundError", "open_archive"]


def open_archive(target: object, *, lock: str | None = None, readonly: bool = False) -> Archive:
    """Open the archive named by ``ArchiveSettings`` or a file path.

    ``lock`` names a pipeline role (e.g. ``"runner"``) that only one process may hold at a
    time: a second ``yuqing run`` on the same archive gets a clear error instead of doubling
    the work. Interactive writes (acknowledging an obligation) take no role lock; SQLite's own
    locking keeps them safe beside a running pipeline.
    """
    from core.settings import ArchiveSettings

    if isinstance(target, ArchiveSettings):
        if target.backend == "elasticsearch":
            from archive.es.backend import open_elasticsearch

            return open_elasticsearch(target, lock=lock, readonly=readonly)
        if target.backend != "sqlite":
            raise ArchiveError(
                f"archive backend {target.backend!r} is not available in this version"
            )
        path = Path(target.path)
    else:
        path = Path(str(target))
    from archive.sqlite.backend import SQLiteArchive

    return SQLiteArchive(path, lock=lock, readonly=readonly)

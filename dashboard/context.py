"""Who and where the dashboard is: the configuration, the archive, the clock and the actor.

``current_actor`` is the name typed in the sidebar of an open dashboard (no users configured);
with users, ``dashboard.auth`` gives the logged-in person instead. ``DashboardClock`` is the one
place that decides which "now" the staff see.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from archive import open_archive
from archive.base import Archive
from core.config import load_config
from core.settings import ArchiveSettings, Settings

CONFIG_ENV = "YUQING_CONFIG"
DEFAULT_CONFIG = "yuqing.yaml"
ACTOR_KEY = "actor"
DEFAULT_ACTOR = "dashboard"


def config_path() -> str:
    """The configuration file, from ``$YUQING_CONFIG`` (default ``yuqing.yaml``), absolute."""
    return str(Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).resolve())


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False)
def _load_settings(path: str, mtime: float) -> Settings:
    # ``mtime`` is part of the cache key: an edited file is read again on the next rerun.
    return load_config(path)


def settings(path: str | None = None) -> Settings:
    """The validated settings; raises ``ConfigError`` with the file, line and key."""
    path = path or config_path()
    return _load_settings(path, _mtime(path))


@st.cache_resource(show_spinner=False)
def _reader(key: str, _archive: ArchiveSettings) -> Archive:
    # Keyed by where the archive is, not by the file's mtime: editing unrelated parts of the
    # configuration keeps the one open handle.
    return open_archive(_archive, readonly=True)


def reader(path: str) -> Archive:
    """The shared read-only archive handle (one per process and configuration).

    SQLite reads see every commit of the running pipeline: each statement starts its own
    read transaction in WAL mode, so the handle can live as long as the process.
    """
    target = settings(path).archive
    key = f"{target.backend}|{target.path}|{','.join(target.hosts)}|{target.index_prefix}"
    return _reader(key, target)


def writer(path: str) -> Archive:
    """A short-lived writable archive for one user action; close it when done.

    No role lock: SQLite's own locking keeps one interactive write safe beside a running
    pipeline (see ``archive.open_archive``).
    """
    return open_archive(settings(path).archive)


class DashboardClock:
    """The dashboard's "now": the wall clock, or the pipeline's clock in simulated time.

    With ``runner.clock: pipeline`` (the demo, replays) deadlines count down from the time
    the runner last recorded in the archive, so countdowns agree with the simulation.
    It is also the clock actions are recorded with, so the audit log reads in the same time.
    """

    def __init__(self, archive: Archive | None, mode: str) -> None:
        self._archive = archive
        self._mode = mode

    def now(self) -> datetime:
        if self._mode == "pipeline" and self._archive is not None:
            recorded = self._archive.ledger.pipeline_time()
            if recorded is not None:
                return recorded
        return datetime.now(UTC)

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> None:
        # Part of the Clock protocol; the dashboard never waits on its clock.
        (stop or threading.Event()).wait(max(0.0, seconds))

    @property
    def simulated(self) -> bool:
        return self._mode == "pipeline"


def current_actor() -> str:
    """The "值班人员" name of an open dashboard (``dashboard.auth`` uses it without users)."""
    value = st.session_state.get(ACTOR_KEY)
    text = str(value).strip() if value is not None else ""
    return text or DEFAULT_ACTOR

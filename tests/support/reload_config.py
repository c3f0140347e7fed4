"""A minimal configuration, a source to add to it, and a writer that bumps the file's mtime,
for the live-reload tests of the runner."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)


BASE = """\
archive:
  path: r.db
sources:
  - name: feed-a
    type: rss
    start_urls: [http://127.0.0.1:9/a.xml]
    enabled: false
"""


ADDED_SOURCE = """\
  - name: feed-b
    type: rss
    start_urls: [http://127.0.0.1:9/b.xml]
    enabled: false
"""


def write(path: Path, text: str, tick: int) -> None:
    """Write and give the file a distinct modification time (filesystems round them)."""
    path.write_text(text, encoding="utf-8")
    stamp = NOW.timestamp() + tick
    os.utime(path, (stamp, stamp))

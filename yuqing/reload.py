"""Picking up edits to yuqing.yaml while ``yuqing run`` runs.

Administrators edit one YAML file: a new source, a silence for a storm of alerts that is being
handled, a new recipient. The runner checks the file's modification stamp before every tick
and, when it changed, reads it again:

- a file that no longer loads (a YAML or schema error) is reported with the file, the key and
  the expected form, once per edit, and the settings read before keep running;
- a change to ``archive:`` is not applied (the runner holds that archive open and its lock):
  it is reported as needing a restart, and the rest of the edit is applied;
- everything else (sources, rules, silences, recipients, notifiers, obligations, NLP and
  runner settings) takes effect from that tick on.

Each applied reload is written to the audit log as ``config.reloaded`` with the sections that
changed. (``rules_file`` has its own re-reading in ``alerts.rulebook``.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from archive.base import Archive
from archive.models import AuditEntry
from core.config import ConfigError, load_config
from core.settings import Settings

__all__ = ["ConfigWatcher", "Reload"]

log = logging.getLogger(__name__)

# Sections compared to say what changed: every top-level key but ``archive`` (held open) and
# the file's own path.
_SECTIONS = tuple(name for name in Settings.model_fields if name not in ("archive", "config_path"))


@dataclass
class Reload:
    """What one check found: new settings to use, the sections changed, problems to report."""

    settings: Settings | None = None
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


class ConfigWatcher:
    """Re-reads the configuration file behind ``settings`` when it changes on disk."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path = settings.config_path
        self._seen = _stamp(self.path) if self.path is not None else None

    def check(self) -> Reload:
        """A ``Reload`` with new settings when the file changed and loads; else problems only."""
        if self.path is None:
            return Reload()
        stamp = _stamp(self.path)
        if stamp == self._seen:
            return Reload()
        self._seen = stamp  # a broken edit is reported once, not on every tick
        if stamp is None:
            return Reload(problems=[f"{self.path}: configuration file is gone; keeping the last"])
        try:
            fresh = load_config(self.path)
        except ConfigError as exc:
            problems = [f"{p} (the settings read before stay in force)" for p in exc.problems]
            return Reload(problems=problems)
        problems = []
        if fresh.archive != self.settings.archive:
            problems.append(
                f"{self.path}: archive: changes take effect after `yuqing run` is restarted"
            )
            fresh = fresh.model_copy(update={"archive": self.settings.archive})
        fresh.config_path = self.settings.config_path
        changed = [
            name for name in _SECTIONS if getattr(fresh, name) != getattr(self.settings, name)
        ]
        if not changed:
            return Reload(problems=problems)
        self.settings = fresh
        return Reload(settings=fresh, changed=changed, problems=problems)


def audit_reload(archive: Archive, reload: Reload, at: datetime, path: Path | None) -> None:
    """Record an applied reload in the audit log."""
    archive.ledger.audit(
        AuditEntry(
            at=at,
            actor="runner",
            action="config.reloaded",
            object_type="config",
            object_id=str(path or ""),
            details={"changed": reload.changed, "problems": reload.problems},
        )
    )

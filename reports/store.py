"""Stored briefings: each in its own folder beside the archive, with the data pack as JSON.

``<archive folder>/reports/<key>/`` holds ``pack.json`` (figures, cited records and the
sentences: everything the renderings read), ``report.md``, ``report.docx``, ``report.pdf``
when asked, and ``meta.json`` (state and who moved it). Rendering again from ``pack.json``
gives the same document, so a sent briefing can be reproduced exactly.

Workflow: ``draft`` → ``reviewed`` (审核) → ``signed`` (签发); each step is written to the
archive's audit log with its actor (object type ``report``). Only a signed briefing goes to
recipients outside the press office (``reports.schedule``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from archive.base import Archive
from archive.models import AuditEntry
from core.settings import Settings
from reports.docx_render import render_docx
from reports.markdown import render_markdown
from reports.pdf import docx_to_pdf

STATE_LABELS = {"draft": "草稿", "reviewed": "已审核", "signed": "已签发"}
NEXT = {"review": ("draft", "reviewed"), "sign": ("reviewed", "signed")}


class WorkflowError(Exception):
    pass


def reports_dir(settings: Settings) -> Path:
    """Beside the SQLite file (which also holds the outbox under Elasticsearch)."""
    return settings.archive.path.parent / "reports"


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename: a crash leaves the old file or the new."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


@dataclass
class StoredReport:
    folder: Path
    meta: dict[str, Any]

    @property
    def key(self) -> str:
        return str(self.meta["key"])

    @property
    def state(self) -> str:
        return str(self.meta["state"])

    def pack(self) -> dict[str, Any]:
        return dict(json.loads((self.folder / "pack.json").read_text(encoding="utf-8")))

    def file(self, fmt: str) -> Path:
        return self.folder / f"report.{fmt}"

    def save_meta(self) -> None:
        data = json.dumps(self.meta, ensure_ascii=False, indent=2).encode("utf-8")
        _write(self.folder / "meta.json", data)


def render(pack: dict[str, Any], folder: Path, formats: tuple[str, ...]) -> None:
    """Write the renderings of ``pack`` into ``folder`` (Markdown always)."""
    _write(folder / "report.md", render_markdown(pack).encode("utf-8"))
    if "docx" in formats or "pdf" in formats:
        render_docx(pack, folder / "report.docx")
    if "pdf" in formats:
        docx_to_pdf(folder / "report.docx", folder / "report.pdf")


def save(
    root: Path, pack: dict[str, Any], formats: tuple[str, ...], actor: str = "system"
) -> StoredReport:
    """Store ``pack`` under its key as a draft; an existing one is replaced only while it is
    a draft nobody was sent (a reviewed, signed or sent briefing is kept as it was)."""
    folder = root / pack["key"]
    existing = load(root, pack["key"])
    if existing is not None and existing.state != "draft":
        raise WorkflowError(f"{pack['key']} is {STATE_LABELS[existing.state]}; not replaced")
    if existing is not None and existing.meta.get("sent"):
        raise WorkflowError(f"{pack['key']} has been sent (已发送); not replaced")
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "pack.json", json.dumps(pack, ensure_ascii=False, indent=1).encode("utf-8"))
    render(pack, folder, formats)
    meta = {
        "key": pack["key"],
        "kind": pack["kind"],
        "title": pack["title"],
        "period": pack["period"]["label"],
        "generated_at": pack["generated_at"],
        "area": pack.get("area"),  # a unit's briefing: its unit id (None: the whole archive)
        "created_by": actor,
        "state": "draft",
        "history": [],
    }
    stored = StoredReport(folder, meta)
    stored.save_meta()
    return stored


def load(root: Path, key: str) -> StoredReport | None:
    meta = root / key / "meta.json"
    if not meta.exists():
        return None
    return StoredReport(root / key, json.loads(meta.read_text(encoding="utf-8")))


def list_reports(root: Path) -> list[StoredReport]:
    """Stored briefings, newest first."""
    if not root.exists():
        return []
    found = [load(root, p.name) for p in root.iterdir() if (p / "meta.json").exists()]
    return sorted(
        (r for r in found if r is not None), key=lambda r: r.meta["generated_at"], reverse=True
    )


def advance(archive: Archive, stored: StoredReport, action: str, actor: str, at: datetime) -> None:
    """审核 (``review``) or 签发 (``sign``) by ``actor``, recorded in the audit log."""
    if not actor.strip():
        raise WorkflowError("the approver's name is required")
    before, after = NEXT[action]
    if stored.state != before:
        raise WorkflowError(
            f"{stored.key} is {STATE_LABELS[stored.state]}: "
            f"{'审核' if action == 'review' else '签发'} needs {STATE_LABELS[before]}"
        )
    archive.ledger.audit(
        AuditEntry(
            at=at,
            actor=actor,
            action=f"report.{after}",
            object_type="report",
            object_id=stored.key,
            details={"title": stored.meta["title"], "from": before, "to": after},
        )
    )
    stored.meta["state"] = after
    stored.meta["history"].append({"action": after, "actor": actor, "at": at.isoformat()})
    stored.save_meta()

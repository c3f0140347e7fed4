"""Obligations imported from a CSV file: penalty decisions and policy documents from the
agency's internal systems, which the crawlers never see.

One obligation per row through ``alerts.obligations.add_manual`` (the same operation as
``yuqing obligations add``), so each is keyed by (kind, subject) and audited with who imported
it. A bad row is reported as ``FILE:LINE: column: what was wrong`` and skipped; the other rows
are imported.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from alerts.obligations import ObligationError, add_manual
from archive.base import Archive
from core.clock import Clock, parse_instant
from core.settings import Settings
from core.vocabulary import AGENCY_LEVEL_LABELS, AGENCY_LEVELS, OBLIGATION_KINDS

ALIASES = {
    "kind": ("kind", "类型", "义务类型"),
    "title": ("title", "标题", "名称"),
    "from": ("from", "trigger", "起算时间", "决定日期", "发布日期"),
    "subject": ("subject", "编号", "文号", "决定书文号"),
    "level": ("level", "层级"),
}
# The Chinese level names a spreadsheet may use instead of the codes.
LEVEL_ALIASES = {label: level for level, label in AGENCY_LEVEL_LABELS.items()}


@dataclass
class ImportResult:
    imported: int = 0
    known: int = 0
    problems: list[str] = field(default_factory=list)


def _columns(header: list[str]) -> dict[str, str]:
    found = {}
    for name, aliases in ALIASES.items():
        for column in header:
            if column.strip().lower() in aliases:
                found[name] = column
                break
    return found


def import_obligations(
    archive: Archive, settings: Settings, clock: Clock, path: str | Path, actor: str
) -> ImportResult:
    result = ImportResult()
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = _columns(list(reader.fieldnames or []))
        missing = [c for c in ("kind", "title", "from") if c not in columns]
        if missing:
            result.problems.append(
                f"{path}:1: header: missing column(s) {', '.join(missing)} "
                f"(expected kind, title, from[, subject, level])"
            )
            return result
        known_before = {
            (o.kind, o.subject) for o in archive.ledger.list_obligations(limit=1_000_000)
        }
        for row in reader:
            line = reader.line_num

            def cell(name: str, _row: dict[str, str] = row) -> str:
                column = columns.get(name)
                return (_row.get(column) or "").strip() if column else ""

            kind, title, start = cell("kind"), cell("title"), cell("from")
            subject = cell("subject") or title
            level = LEVEL_ALIASES.get(cell("level"), cell("level")) or None
            problem = None
            if kind not in OBLIGATION_KINDS:
                problem = f"kind: {kind!r} is not one of {', '.join(OBLIGATION_KINDS)}"
            elif not title:
                problem = "title: empty"
            elif level is not None and level not in AGENCY_LEVELS:
                problem = f"level: {level!r} is not one of {', '.join(AGENCY_LEVELS)}"
            if problem is None:
                try:
                    trigger = parse_instant(start)
                except ValueError:
                    problem = f"from: {start!r} is not an ISO 8601 time such as 2026-11-23T09:00"
            if problem is not None:
                result.problems.append(f"{path}:{line}: {problem}")
                continue
            try:
                add_manual(archive, settings, clock, kind, subject, title, trigger, level, actor)
            except ObligationError as exc:
                result.problems.append(f"{path}:{line}: {exc}")
                continue
            if (kind, subject) in known_before:
                result.known += 1
            else:
                known_before.add((kind, subject))
                result.imported += 1
    return result

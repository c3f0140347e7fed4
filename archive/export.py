"""Search exports: one record shape and one CSV / Excel writer for the CLI and the dashboard.

Crawled text can start with ``=``, ``+``, ``-`` or ``@``; a spreadsheet would run such a cell
as a formula (formula injection: ``=cmd|…``, ``=HYPERLINK(…)``). In CSV such cells get a
leading apostrophe, the spreadsheet convention for "this is text"; in Excel every text cell is
stored with the string type, which is never evaluated. ``yuqing search --csv`` and the
dashboard's export both write through here, so neither can forget it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from archive.search import SearchHit

# Exported times are shown as people read them (the convention: stored UTC, shown Beijing).
_SHOWN_ZONE = ZoneInfo("Asia/Shanghai")

# Column order of exports: a stable contract for analysts' spreadsheets.
EXPORT_COLUMNS = [
    "id",
    "published_at",
    "source",
    "platform",
    "kind",
    "author",
    "region",
    "title",
    "text",
    "url",
    "relevant",
    "topics",
    "sentiment",
    "rumor_score",
    "event_id",
    "score",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses longer cells.
EXCEL_CELL_LIMIT = 32_767


def hit_record(hit: SearchHit) -> dict[str, Any]:
    """A flat record of one hit: what --json and --csv print and the dashboard exports."""
    m, a = hit.mention, hit.analysis
    return {
        "id": m.id,
        "published_at": m.published_at.astimezone(_SHOWN_ZONE).isoformat(),
        "source": m.source,
        "platform": m.platform,
        "kind": m.kind,
        "author": m.author,
        "region": m.region,
        "title": m.title,
        "text": m.text,
        "url": m.url,
        "relevant": a.relevant if a else None,
        "topics": ",".join(a.topics) if a else "",
        "sentiment": a.sentiment if a else "",
        "rumor_score": a.rumor_score if a else None,
        "event_id": a.event_id if a else None,
        "score": round(hit.score, 4),
    }


def defuse(value: Any) -> Any:
    """A cell value a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(records: Iterable[dict[str, Any]], stream: IO[str]) -> None:
    """Write a header and one defused row per record to ``stream`` (no byte-order mark)."""
    writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({key: defuse(record.get(key)) for key in EXPORT_COLUMNS})


def to_csv(records: Iterable[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    write_csv(records, buffer)
    return buffer.getvalue().encode("utf-8-sig")


def to_excel(records: Iterable[dict[str, Any]]) -> bytes:
    """An .xlsx workbook, streamed row by row (write-only mode keeps memory flat)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("检索结果")
    sheet.append(EXPORT_COLUMNS)
    for record in records:
        row = []
        for key in EXPORT_COLUMNS:
            value = record.get(key)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if len(value) > EXCEL_CELL_LIMIT:
                    value = value[: EXCEL_CELL_LIMIT - 1] + "…"
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text looks like
            row.append(cell)
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

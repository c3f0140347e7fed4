"""Search exports for analysts' spreadsheets: CSV and Excel with the CLI's columns.

Crawled text can start with ``=``, ``+``, ``-`` or ``@``; a spreadsheet would run such a cell
as a formula (formula injection). In CSV such cells get a leading apostrophe, the spreadsheet
convention for "this is text"; in Excel every text cell is stored with the string type, which
is never evaluated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from yuqing.cli_search import EXPORT_COLUMNS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses longer cells.
EXCEL_CELL_LIMIT = 32_767


def _defuse(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(records: Iterable[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({key: _defuse(record.get(key)) for key in EXPORT_COLUMNS})
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

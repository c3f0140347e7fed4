"""Attachments of sampling-inspection and recall notices (XLSX, XLS, DOCX, ZIP, PDF) → records.

SAMR and the provincial bureaus publish 抽检信息公告 as a short page with the results in
attached spreadsheets or PDFs (often zipped): one row per sample with the product, the
producer named on the label, where it was sampled, the batch and the failed item. The column
headers vary between bureaus and years ("标称生产企业名称", "生产者名称", "标称生产者"...), so
a table is read by finding its header row among the first rows and mapping each header to a
field through ``HEADER_FIELDS``; rows before the header (the title, a note) are skipped.

Nothing here knows about Scrapy: ``parse_attachment`` takes a file name and bytes and gives
records or raises ``AttachmentError`` saying what is wrong with the file, so the spider can
name the source, the notice and the attachment and go on, and the benchmark can time it.
"""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

__all__ = [
    "ATTACHMENT_SUFFIXES",
    "HEADER_FIELDS",
    "AttachmentError",
    "ParsedAttachment",
    "parse_attachment",
    "records_from_rows",
]

# .doc is listed so that its links are followed and reported as not read, never skipped
# silently.
ATTACHMENT_SUFFIXES = (".xlsx", ".xls", ".docx", ".doc", ".zip", ".pdf")
# Old binary Office files share one container (OLE2); only Excel's is read (xlrd).
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Field → header labels seen on national and provincial notices (a label matches when the
# cell, without spaces and line breaks, equals one of them or starts with it).
HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "producer": (
        "标称生产企业名称", "标称生产者名称", "标称生产企业", "标称生产者", "生产企业名称",
        "生产者名称", "生产企业", "生产者", "召回企业", "生产商", "委托企业",
    ),
    "producer_address": ("标称生产企业地址", "标称生产者地址", "生产企业地址", "生产者地址"),
    "sampled_unit": ("被抽样单位名称", "被抽样单位", "受检单位", "被抽检单位", "抽样地点"),
    "region": ("被抽样单位所在省份", "被抽样单位所在地", "所在省份", "所在地区", "地区", "省份"),
    "product": ("食品名称", "产品名称", "样品名称", "缺陷产品", "商品名称", "召回产品"),
    "brand": ("商标", "品牌", "标称商标"),
    "spec": ("规格型号", "规格", "型号"),
    "batch": ("生产日期/批号", "生产日期", "批号", "批次", "涉及批次", "生产日期范围"),
    "failed_item": ("不合格项目", "不合格项", "检验项目", "缺陷", "存在问题", "召回原因"),
    "result": ("检验结果", "结论", "判定结果"),
    "quantity": ("召回数量", "数量"),
    "category": ("分类", "食品类别", "产品类别"),
    "lab": ("检验机构", "承检机构"),
}  # fmt: skip
# A header row names at least these many fields, among them the product or the producer.
_MIN_HEADER_FIELDS = 2
_HEADER_SCAN_ROWS = 10
# A header cell is a label, perhaps with units or a ║-joined list of sub-labels; a longer cell
# is data (an address, a failed item with its figures).
_MAX_LABEL = 30
# A ZIP member that unpacks past this is not an inspection table (and may be a zip bomb).
MAX_MEMBER_BYTES = 20 * 1024 * 1024
_SPACES = re.compile(r"\s+")
# PDF fonts often map CJK glyphs to the radical code points (⽣ U+2F63 for 生, ⻝ U+2EDD for
# 食): text extraction then gives look-alikes that no search or gazetteer matches. The Kangxi
# radicals (U+2F00-U+2FDF) fold by their NFKC form (NFKC on the whole text would also turn
# 10⁵ into 105); the CJK Radicals Supplement has no decomposition, so the simplified-form
# radicals seen in Chromium- and Word-printed notices are listed.
_RADICALS = {
    code: unicodedata.normalize("NFKC", chr(code)) for code in range(0x2F00, 0x2FD6)
} | str.maketrans(
    "⻅⻉⻋⻓⻔⻘⻙⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻬⻮⻰⻳⺠⺟⺬⺮⻊⻚⻄",
    "见贝车长门青韦风飞食马骨鬼鱼鸟卤麦黄齐齿龙龟民母示竹足页西",
)
# A line break inside a PDF cell is the column's width, not the text's: CJK text and split
# dates (2026-06-\n09) join without a space, Latin words with one.
_WRAP = re.compile(r"(?<=[^\x00-\x7f]|[-/])\n|\n(?=[^\x00-\x7f])")


class AttachmentError(ValueError):
    """The attachment cannot be read; the message says what is wrong with the file."""


@dataclass
class ParsedAttachment:
    """The records of one attachment (of every table in it) and what could not be read."""

    name: str
    records: list[dict[str, str]] = field(default_factory=list)
    # Members of a ZIP that were broken, each "member: reason"; the others still count.
    problems: list[str] = field(default_factory=list)


def parse_attachment(name: str, body: bytes) -> ParsedAttachment:
    """The records of an XLSX, XLS, DOCX, PDF or ZIP (of those) attachment called ``name``."""
    kind = _kind(name, body)
    parsed = ParsedAttachment(name)
    if kind == "zip":
        _parse_zip(body, parsed)
    elif kind in _READERS:
        parsed.records.extend(_READERS[kind](body))
    else:
        raise AttachmentError(f"not an XLSX, XLS, DOCX, ZIP or PDF file (starts with {body[:8]!r})")
    return parsed


def _kind(name: str, body: bytes) -> str:
    """The file's kind from its bytes (servers and links lie about types), else its suffix."""
    suffix = PurePosixPath(name.lower()).suffix
    if body.startswith(b"%PDF"):
        return "pdf"
    if body.startswith(_OLE2):
        if suffix == ".xls":
            return "xls"
        raise AttachmentError("an old binary Office file (.doc / .ppt) is not read")
    if body.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            what = suffix.lstrip(".").upper() if suffix in (".xlsx", ".docx") else "ZIP"
            raise AttachmentError(f"broken {what} file (cut short or corrupt: {exc})") from None
        if "word/document.xml" in names:
            return "docx"
        return "xlsx" if "[Content_Types].xml" in names else "zip"
    if not body:
        raise AttachmentError("empty file")
    if suffix in ATTACHMENT_SUFFIXES:
        raise AttachmentError(f"named {suffix} but its content is not (starts with {body[:8]!r})")
    return ""


def _parse_zip(body: bytes, parsed: ParsedAttachment) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise AttachmentError(f"broken ZIP file: {exc}") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        readable = 0
        for member in members:
            member_name = _member_name(member)
            suffix = PurePosixPath(member_name.lower()).suffix
            if suffix not in ATTACHMENT_SUFFIXES or suffix == ".zip":
                continue
            try:
                if member.file_size > MAX_MEMBER_BYTES:
                    raise AttachmentError(f"unpacks to {member.file_size} bytes, over the limit")
                data = archive.read(member)
                inner = parse_attachment(member_name, data)
            except (AttachmentError, zipfile.BadZipFile, OSError, RuntimeError) as exc:
                parsed.problems.append(f"{member_name}: {exc}")
                continue
            readable += 1
            parsed.records.extend(inner.records)
            parsed.problems.extend(f"{member_name}/{p}" for p in inner.problems)
        if not readable and not parsed.problems:
            raise AttachmentError("the ZIP holds no XLSX, XLS, DOCX or PDF file")


def _member_name(member: zipfile.ZipInfo) -> str:
    """Chinese member names are written in GBK by Windows zippers without the UTF-8 flag."""
    name = member.filename
    if not member.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name


def _parse_xlsx(body: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on bad files; all mean "broken"
        raise AttachmentError(f"broken XLSX file: {type(exc).__name__}: {exc}") from None
    records: list[dict[str, str]] = []
    try:
        for sheet in book.worksheets:
            records.extend(records_from_rows(sheet.iter_rows(values_only=True)))
    finally:
        book.close()
    return records


def _parse_xls(body: bytes) -> list[dict[str, str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=body)
    except Exception as exc:  # xlrd raises XLRDError, struct and index errors on bad files
        raise AttachmentError(f"broken XLS file: {type(exc).__name__}: {exc}") from None
    records: list[dict[str, str]] = []
    for sheet in book.sheets():
        rows = []
        for index in range(sheet.nrows):
            row: list[object] = []
            for cell in sheet.row(index):
                if cell.ctype == xlrd.XL_CELL_DATE:  # a production date typed as a date
                    row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                else:
                    row.append(cell.value)
            rows.append(row)
        records.extend(records_from_rows(rows))
    return records


def _parse_docx(body: bytes) -> list[dict[str, str]]:
    from docx import Document

    try:
        document = Document(io.BytesIO(body))
    except Exception as exc:  # python-docx raises on bad packages with varied types
        raise AttachmentError(f"broken DOCX file: {type(exc).__name__}: {exc}") from None
    records: list[dict[str, str]] = []
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        records.extend(records_from_rows(rows))
    return records


def _parse_pdf(body: bytes) -> list[dict[str, str]]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    rows: list[Sequence[object]] = []
    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            for page in pdf.pages:
                for table in page.extract_tables():
                    rows.extend(table)
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AttachmentError(f"broken PDF file: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # pdfminer's own error classes are not all exported
        raise AttachmentError(f"broken PDF file: {type(exc).__name__}: {exc}") from None
    # A table continued over pages repeats its header on each: read as one table, the
    # repeated headers are recognised and skipped by records_from_rows.
    return records_from_rows(rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")  # a date cell: the batch's production date
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).translate(_RADICALS)
    return _WRAP.sub("", text).replace("\n", " ").strip()


_FIELD_OF_LABEL = {label: name for name, labels in HEADER_FIELDS.items() for label in labels}
# Every label at the start of a cell, the longest first, so an exact label wins over a shorter
# one it starts with (生产企业地址 over 生产企业); one regex keeps the per-row header test cheap
# (it runs on every row, since a table continued over pages repeats its header).
_LABELS_AT_START = re.compile("|".join(map(re.escape, sorted(_FIELD_OF_LABEL, key=len)[::-1])))


def _header_field(cell: str) -> str | None:
    if not cell or len(cell) > _MAX_LABEL:
        return None
    match = _LABELS_AT_START.match(_SPACES.sub("", cell))
    return _FIELD_OF_LABEL[match.group()] if match else None


def _header(row: Sequence[str]) -> dict[int, str] | None:
    """Column index → field when ``row`` is a header row, else None."""
    columns: dict[int, str] = {}
    for index, cell in enumerate(row):
        name = _header_field(cell)
        if name is not None and name not in columns.values():
            columns[index] = name
    named = set(columns.values())
    if len(named) >= _MIN_HEADER_FIELDS and named & {"product", "producer"}:
        return columns
    return None


def records_from_rows(rows: Iterable[Sequence[object]]) -> list[dict[str, str]]:
    """Records of a table whose header row is among its first rows; a table without one
    gives no records (a cover sheet, a note)."""
    columns: dict[int, str] | None = None
    records: list[dict[str, str]] = []
    for number, raw in enumerate(rows):
        row = [_cell(value) for value in raw]
        header = _header(row)
        if header is not None:
            columns = header  # also a header repeated on a new page
            continue
        if columns is None:
            if number >= _HEADER_SCAN_ROWS and not records:
                return []
            continue
        record = {
            name: _SPACES.sub(" ", row[i]).strip()
            for i, name in columns.items()
            if i < len(row) and row[i].strip()
        }
        if record.get("product") or record.get("producer"):
            records.append(record)
    return records


_READERS = {"xlsx": _parse_xlsx, "xls": _parse_xls, "docx": _parse_docx, "pdf": _parse_pdf}

"""The briefing as an editable .docx in the usual official layout (python-docx).

Layout after GB/T 9704 (党政机关公文格式) as press offices use it for briefings: A4, margins
3.7 / 3.5 / 2.8 / 2.6 cm; a cover page with the title in red 黑体, the 编号, the unit and the
date; headings in 黑体, body in 仿宋 三号 (16 pt); the header carries the unit's name and
内部资料, the footer the page number (a PAGE field). Citation marks are superscript numbers
that refer to the numbered 注释 (endnotes) at the end: title, source, time and link.
Charts are pictures, each followed by its data as a table.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from core.clock import local
from reports.charts import charts
from reports.notes import marks, note_text, number_notes
from reports.tables import TABLES, breakdown, queries, trend

TITLE_FONT = "黑体"
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(10.5)  # 五号
RED = RGBColor(0xC0, 0x00, 0x00)


def set_font(run: Run, east_asia: str, size: Pt | None = None, bold: bool = False) -> None:
    """Word reads Chinese glyphs' font from w:eastAsia, which python-docx's ``font.name``
    does not set; both are set so Latin text and Chinese text each get theirs."""
    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    if size is not None:
        run.font.size = size
    run.font.bold = bold


def _field(paragraph: Paragraph, code: str) -> None:
    """A Word field (PAGE) that the reader's word processor fills in."""
    run = paragraph.add_run()
    set_font(run, BODY_FONT, Pt(14))
    for tag, text in (
        ("begin", None),
        (None, code),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if tag:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), tag)
        elif text == code:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {code} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)


def _para(
    doc: Any,
    text: str = "",
    font: str = BODY_FONT,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    align: int | None = None,
    indent: bool = True,
) -> Paragraph:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)  # two characters
    p.paragraph_format.line_spacing = Pt(28)  # the fixed 28-point line of official documents
    if text:
        set_font(p.add_run(text), font, size, bold)
    return p


def _cover(doc: Any, pack: dict[str, Any]) -> None:
    for _ in range(3):
        _para(doc, indent=False)
    title = pack["title"].split("：", 1)
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    run = p.add_run(title[0])
    set_font(run, TITLE_FONT, Pt(36), bold=True)
    run.font.color.rgb = RED
    if len(title) > 1:
        _para(doc, title[1], TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, indent=False)
    _para(doc, pack["number"], BODY_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, pack["unit"], BODY_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    made = local(datetime.fromisoformat(pack["generated_at"]))
    _para(
        doc,
        f"{made.year}年{made.month}月{made.day}日",
        BODY_FONT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    _para(
        doc,
        f"（统计时段：{pack['period']['label']}）",
        BODY_FONT,
        Pt(14),
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    _para(
        doc, "内部资料　注意保存", TITLE_FONT, Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )


def _header_footer(section: Any, pack: dict[str, Any]) -> None:
    section.is_linked_to_previous = False
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(header.add_run(f"{pack['unit']}　　内部资料"), BODY_FONT, Pt(10.5))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(footer.add_run("— "), BODY_FONT, Pt(14))
    _field(footer, "PAGE")
    set_font(footer.add_run(" —"), BODY_FONT, Pt(14))


def _table(doc: Any, rows: list[list[str]]) -> None:
    if len(rows) <= 1:
        _para(doc, "（无数据）", TABLE_FONT, TABLE_SIZE)
        return
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            set_font(cell.paragraphs[0].add_run(value), TABLE_FONT, TABLE_SIZE, bold=i == 0)


def _margins(section: Any) -> None:
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)


def _body(doc: Any, pack: dict[str, Any], numbers: dict[str, int]) -> None:
    _para(doc, pack["title"], TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    for section in pack["sections"]:
        font = "楷体" if section.get("sub") else TITLE_FONT
        _para(doc, section["heading"], font, BODY_SIZE, bold=bool(section.get("sub")))
        for paragraph in section["paragraphs"]:
            p = _para(doc)
            for s in paragraph:
                set_font(p.add_run(s["text"]), BODY_FONT, BODY_SIZE)
                notes = marks(numbers, s["cites"])
                if notes:
                    mark = p.add_run("[" + ",".join(map(str, notes)) + "]")
                    set_font(mark, BODY_FONT, BODY_SIZE)
                    mark.font.superscript = True


def _caption(doc: Any, text: str) -> None:
    _para(doc, text, TABLE_FONT, TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def _appendix(doc: Any, pack: dict[str, Any], numbers: dict[str, int]) -> None:
    _para(doc, "附：图表与数据", TITLE_FONT, BODY_SIZE)
    tables = {"声量走势数据": trend(pack)}
    for fid, title, column in TABLES:
        tables[title] = breakdown(pack, fid, column)
    # Each chart is followed by the table of its data, captioned as such.
    data_of = {
        "声量走势": "声量走势数据",
        "各平台信息量": "各平台信息量",
        "情感倾向分布": "情感倾向分布",
    }
    # Tables are numbered in the order they appear (表1, 表2, …), charts' tables first.
    order = []
    for caption, png in charts(pack):
        doc.add_picture(io.BytesIO(png), width=Cm(15))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _caption(doc, caption)
        number, name = caption.split(" ", 1)
        data = data_of[name]
        order.append(data)
        _caption(doc, f"表{len(order)} {data}（{number}数据）")
        _table(doc, tables[data])
    for title, rows in tables.items():
        if title not in order:
            order.append(title)
            _caption(doc, f"表{len(order)} {title}")
            _table(doc, rows)
    _para(doc, "注释", TITLE_FONT, BODY_SIZE)
    for ref, n in numbers.items():
        text, link = note_text(pack, ref)
        line = f"[{n}] {text}" + (f"，{link}" if link.startswith("http") else "")
        _para(doc, line, BODY_FONT, Pt(12), indent=False)
    _para(doc, "数据说明", TITLE_FONT, BODY_SIZE)
    _table(doc, queries(pack))


def render_docx(pack: dict[str, Any], path: Path) -> Path:
    doc = Document()
    _margins(doc.sections[0])
    _cover(doc, pack)
    body = doc.add_section(WD_SECTION.NEW_PAGE)
    _margins(body)
    _header_footer(body, pack)
    numbers = number_notes(pack)
    _body(doc, pack, numbers)
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    _appendix(doc, pack, numbers)
    doc.core_properties.title = pack["title"]
    doc.core_properties.author = pack["unit"]
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path

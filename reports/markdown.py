"""The briefing as Markdown, for reading in a terminal and for the dashboard's preview."""

from __future__ import annotations

from typing import Any

from reports.notes import marks, note_text, number_notes
from reports.tables import TABLES, breakdown, queries, trend


def _escape(text: str) -> str:
    """Markdown's active characters in archive text are shown, not interpreted."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def _table(rows: list[list[str]]) -> list[str]:
    if len(rows) <= 1:
        return ["（无数据）", ""]
    head, *body = rows
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in body]
    return [*out, ""]


def render_markdown(pack: dict[str, Any]) -> str:
    numbers = number_notes(pack)
    out = [
        f"# {_escape(pack['title'])}",
        "",
        f"{_escape(pack['unit'])}　{pack['number']}　{pack['period']['label']}　（内部资料）",
        "",
    ]
    for section in pack["sections"]:
        out += [f"{'###' if section.get('sub') else '##'} {section['heading']}", ""]
        for paragraph in section["paragraphs"]:
            text = ""
            for s in paragraph:
                text += _escape(s["text"])
                notes = marks(numbers, s["cites"])
                if notes:
                    text += "[" + ",".join(map(str, notes)) + "]"
            out += [text, ""]
    out += ["## 附：数据表", ""]
    out += ["**表1 声量走势**", "", *_table(trend(pack))]
    for n, (fid, title, column) in enumerate(TABLES, start=2):
        out += [f"**表{n} {title}**", "", *_table(breakdown(pack, fid, column))]
    out += ["## 注释", ""]
    for ref, n in numbers.items():
        text, link = note_text(pack, ref)
        out.append(f"{n}. {_escape(text)}" + (f" <{link}>" if link.startswith("http") else ""))
    out += ["", "## 数据说明", "", *_table(queries(pack))]
    return "\n".join(out).rstrip() + "\n"

"""Numbered endnotes: each mention or obligation cited gets a number at its first citation."""

from __future__ import annotations

from typing import Any

from reports.citations import iter_sentences
from reports.refs import split_ref


def number_notes(pack: dict[str, Any]) -> dict[str, int]:
    """Reference → endnote number, in reading order; figures and sources get none (figures
    are tables and the 数据说明 appendix; sources are named in the sentence)."""
    numbers: dict[str, int] = {}
    for _, s in iter_sentences(pack["sections"]):
        for ref in s["cites"]:
            if split_ref(ref)[0] in ("m", "o") and ref not in numbers:
                numbers[ref] = len(numbers) + 1
    return numbers


def note_text(pack: dict[str, Any], ref: str) -> tuple[str, str]:
    """An endnote's text (title, source, time) and its link."""
    from reports.prose import when

    kind, value = split_ref(ref)
    if kind == "m":
        m = pack["mentions"][value]
        source = m.get("source_name") or m["source"]  # packs stored before it: the id
        who = source + (f"（{m['author']}）" if m["author"] else "")
        return f"{m['title']}，{who}，{m['local_time']}", m["url"]
    ob = pack["obligations"][value]
    opened, due = when(ob["opened_at"]), when(ob["due_at"])
    recorded = when(ob.get("recorded_at") or ob["opened_at"])  # packs stored before it
    # A duty recorded later than its clock started (补登, or found the next run) says both.
    start = f"开启于{opened}" if recorded == opened else f"期限起算于{opened}，登记于{recorded}"
    text = f"处置任务 #{ob['id']}：{ob['title']}，{start}，时限{due}"
    return text, ob.get("link") or ""


def marks(numbers: dict[str, int], cites: list[str]) -> list[int]:
    return sorted({numbers[r] for r in cites if r in numbers})

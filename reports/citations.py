"""The citation checker: no factual sentence without a source, no source that is not there.

A factual sentence must carry at least one reference to evidence — a mention
(``m:``), an obligation (``o:``) or a crawl source's record (``s:``) — unless it states an
absence ("未监测到…"), which instead must cite a figure whose recorded query found nothing.
Every reference must resolve: mentions and obligations in the archive and in the pack (the
pack's record is what the endnote shows), sources among the archive's source records,
figures in the pack with their query. Used by the tests, the benchmark and before a report
is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from archive.base import Archive
from reports.refs import EVIDENCE_KINDS, split_ref


@dataclass
class CitationReport:
    sentences: int = 0
    factual: int = 0
    valid: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def share_valid(self) -> float:
        return 1.0 if self.factual == 0 else self.valid / self.factual

    @property
    def ok(self) -> bool:
        return not self.problems


def iter_sentences(sections: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for section in sections:
        for paragraph in section["paragraphs"]:
            for sentence in paragraph:
                yield section["id"], sentence


def _empty(figure: dict[str, Any]) -> bool:
    if "value" in figure:
        return not figure["value"]
    if "rows" in figure:
        return not figure["rows"]
    if "groups" in figure:
        return not any(figure["groups"].values())
    return False


class _Resolver:
    """Looks references up in the archive once each."""

    def __init__(self, archive: Archive, pack: dict[str, Any]) -> None:
        self.archive = archive
        self.pack = pack
        mention_ids = [
            value
            for _, s in iter_sentences(pack.get("sections", []))
            for kind, value in map(split_ref, s["cites"])
            if kind == "m"
        ]
        found = archive.get_mentions(list(dict.fromkeys(mention_ids)))
        self.mentions = {m.id for m in found}
        self.sources = {s.source for s in archive.ledger.list_source_states()}
        self.obligations: dict[str, bool] = {}

    def problem(self, ref: str) -> str | None:
        kind, value = split_ref(ref)
        if kind == "m":
            if value not in self.mentions:
                return f"mention {value} is not in the archive"
            if value not in self.pack["mentions"]:
                return f"mention {value} has no endnote record in the pack"
        elif kind == "o":
            if value not in self.obligations:
                ok = value.isdigit() and self.archive.ledger.get_obligation(int(value)) is not None
                self.obligations[value] = ok
            if not self.obligations[value]:
                return f"obligation {value} is not in the archive"
            if value not in self.pack["obligations"]:
                return f"obligation {value} has no record in the pack"
        elif kind == "s":
            if value not in self.sources:
                return f"source {value} has no record in the archive"
        elif kind == "f":
            figure = self.pack["figures"].get(value)
            if figure is None or not figure.get("query"):
                return f"figure {value} is not in the pack or has no query"
        else:
            return f"unknown reference {ref!r}"
        return None


def check(archive: Archive, pack: dict[str, Any]) -> CitationReport:
    """Check every sentence of ``pack['sections']`` against ``archive``."""
    report = CitationReport()
    resolver = _Resolver(archive, pack)
    for section, s in iter_sentences(pack.get("sections", [])):
        report.sentences += 1
        if not s.get("factual", True):
            continue
        report.factual += 1
        where = f"{section}: {s['text'][:40]!r}"
        problems = [p for p in map(resolver.problem, s["cites"]) if p]
        kinds = {split_ref(r)[0] for r in s["cites"]}
        if s.get("absence"):
            figures = [pack["figures"].get(split_ref(r)[1]) for r in s["cites"]]
            if not any(f is not None and _empty(f) for f in figures if "f" in kinds):
                problems.append("an absence must cite a figure whose query found nothing")
        elif not kinds & set(EVIDENCE_KINDS):
            problems.append("no mention, obligation or source is cited")
        if problems:
            report.problems += [f"{where}: {p}" for p in problems]
        else:
            report.valid += 1
    return report

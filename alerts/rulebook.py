"""The rules in force: ``rules:`` of yuqing.yaml plus ``rules_file``, re-read when it changes.

A rule file is a YAML list of rules (or a mapping with a ``rules:`` list) in the same shape
as ``rules:``. Every rule is validated against the schema before any of them runs — the
ElastAlert2 model — and problems name the file, the line, the rule and the key::

    rules.yaml:12: rule 'hot-event': min_mentions: Input should be a valid integer

A file with any problem is rejected whole and the rules read before keep running (a typo
during a crisis must not switch alerting off); the rejection is logged and written to the
audit log, and so is every accepted reload. A change is noticed by the file's modification
time, size and content hash, at the start of each evaluation.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core.config import _explain, _format_path, _locate, _Located, error_path
from core.settings import RULE_TYPES, RuleSettings, Settings, parse_rule

log = logging.getLogger(__name__)


class RuleFileError(ValueError):
    """A rule file that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def parse_rules(
    text: str, filename: str, settings: Settings | None = None, standalone: bool = False
) -> list[RuleSettings]:
    """Validate a rule file's text; raise ``RuleFileError`` listing every problem.

    ``standalone``: the file replaces ``rules:`` (a backtest) instead of adding to it, so its
    names may repeat those of ``rules:``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}" if mark is not None else filename
        raise RuleFileError([f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _locate(node, (), lines)
    prefix: tuple[str | int, ...] = ()
    if isinstance(data, dict) and set(data) == {"rules"}:
        data, prefix = data["rules"], ("rules",)
    if data is None:
        data = []
    if not isinstance(data, list):
        raise RuleFileError([f"{filename}:1: expected a list of rules (or 'rules:' with a list)"])
    located = _Located(lines)
    problems: list[str] = []
    rules: list[RuleSettings] = []
    for index, item in enumerate(data):
        position = (*prefix, index)
        name = item.get("name") if isinstance(item, dict) else None
        label = f"rule {name!r}" if isinstance(name, str) and name else f"rule #{index + 1}"
        if not isinstance(item, dict):
            problems.append(
                f"{filename}:{located.line_of(position) or 1}: {label}: expected a mapping"
            )
            continue
        try:
            rules.append(parse_rule(item))
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                path = error_path(error, RULE_TYPES)
                line = located.line_of((*position, *path)) or 1
                key = _format_path(path) if path else "(rule)"
                problems.append(f"{filename}:{line}: {label}: {key}: {_explain(error)}")
    problems += _cross_check(rules, data, located, prefix, filename, settings, standalone)
    if problems:
        raise RuleFileError(problems)
    return rules


def _cross_check(
    rules: Sequence[RuleSettings],
    data: list[Any],
    located: _Located,
    prefix: tuple[str | int, ...],
    filename: str,
    settings: Settings | None,
    standalone: bool,
) -> list[str]:
    """What one rule's schema cannot see: names and recipients."""
    index_of = {item.get("name"): i for i, item in enumerate(data) if isinstance(item, dict)}
    problems = []
    seen: set[str] = set()
    inline = {r.name for r in settings.rules} if settings and not standalone else set()
    recipients = {r.name for r in settings.recipients} if settings is not None else None
    for rule in rules:
        index = index_of.get(rule.name, 0)

        def at(key: str, _index: int = index) -> str:
            return f"{filename}:{located.line_of((*prefix, _index, key)) or 1}"

        if rule.name in seen or rule.name in inline:
            where = "in this file" if rule.name in seen else "in the rules: of the configuration"
            problems.append(f"{at('name')}: rule {rule.name!r}: name: already used {where}")
        seen.add(rule.name)
        for recipient in rule.recipients:
            if recipients is not None and recipient not in recipients:
                problems.append(
                    f"{at('recipients')}: rule {rule.name!r}: recipients: unknown recipient "
                    f"{recipient!r} (known: {', '.join(sorted(recipients)) or 'none'})"
                )
    return problems


def load_rule_file(
    path: Path, settings: Settings | None = None, standalone: bool = False
) -> list[RuleSettings]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleFileError([f"{path}: rule file not found"]) from None
    except UnicodeDecodeError as exc:
        raise RuleFileError([f"{path}: not UTF-8 text ({exc.reason})"]) from None
    return parse_rules(text, str(path), settings, standalone)


@dataclass
class RuleBook:
    """The file rules last accepted, and what happened at the last look at the file."""

    path: Path
    rules: list[RuleSettings] = field(default_factory=list)
    signature: tuple[float, int, str] | None = None
    last_error: RuleFileError | None = None
    changed: str | None = None  # "loaded" or "rejected" at the last refresh, else None

    def refresh(self, settings: Settings) -> None:
        self.changed = None
        try:
            stat = self.path.stat()
            raw = self.path.read_bytes()
        except OSError:
            signature: tuple[float, int, str] = (0.0, -1, "missing")
        else:
            signature = (stat.st_mtime, stat.st_size, hashlib.sha256(raw).hexdigest())
        if signature == self.signature:
            return
        self.signature = signature
        try:
            self.rules = load_rule_file(self.path, settings)
        except RuleFileError as exc:
            self.last_error = exc
            self.changed = "rejected"
            kept = ", ".join(r.name for r in self.rules) or "none"
            log.error("rule file rejected; the previous rules keep running (%s):\n%s", kept, exc)
            return
        self.last_error = None
        self.changed = "loaded"
        log.info("rule file %s: %d rule(s) in force", self.path, len(self.rules))


_BOOKS: dict[Path, RuleBook] = {}


def rules_in_force(settings: Settings) -> tuple[list[RuleSettings], RuleBook | None]:
    """``settings.rules`` plus the rule file's (re-read if it changed since the last call)."""
    if settings.rules_file is None:
        return list(settings.rules), None
    path = settings.rules_file.resolve()
    book = _BOOKS.get(path)
    if book is None:
        book = _BOOKS[path] = RuleBook(path)
    book.refresh(settings)
    return list(settings.rules) + list(book.rules), book


def describe_change(book: RuleBook, now: datetime) -> dict[str, Any]:
    """Audit details for a reload or a rejection."""
    details: dict[str, Any] = {"file": str(book.path), "rules": [r.name for r in book.rules]}
    if book.last_error is not None:
        details["problems"] = book.last_error.problems
    details["at"] = now.isoformat()
    return details

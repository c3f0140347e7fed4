"""The nlp package's place in the layers (issue 24): the archive and the foundation never import
nlp (the segmentation they need is core.text), and the running stage never imports training.

Read from the source with ``ast`` (every import, also those inside functions), so a lazy import
cannot slip past.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def offenders(packages: list[str], forbidden: str, skip: str | None = None) -> list[str]:
    bad = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if skip and relative.startswith(skip):
                continue
            hits = [
                name
                for name in imports_of(path)
                if name == forbidden or name.startswith(forbidden + ".")
            ]
            bad += [f"{relative} imports {name}" for name in sorted(hits)]
    return bad


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from nlp.text import prepare\n    import nlp.stage\n")
    assert {"nlp.text", "nlp.text.prepare", "nlp.stage"} <= imports_of(module)


def test_archive_and_core_do_not_import_nlp() -> None:
    assert offenders(["archive", "core"], "nlp") == []


def test_the_stage_does_not_import_training() -> None:
    assert offenders(["nlp"], "nlp.training", skip="nlp/training/") == []


def test_nlp_does_not_import_the_crawlers() -> None:
    assert offenders(["nlp"], "crawlers") == []

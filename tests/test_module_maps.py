"""Every package's README maps its modules: a module it does not name is a map out of date."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["core", "yuqing", "archive", "crawlers", "nlp", "dashboard", "reports", "alerts"]


def _modules(package: Path) -> list[str]:
    """Module file names (and subpackage folder names) a reader of the package meets."""
    names = []
    for path in sorted(package.rglob("*.py")):
        if path.name in {"__init__.py", "__main__.py"}:
            continue
        names.append(path.name)
    return names


@pytest.mark.parametrize("name", PACKAGES)
def test_the_readme_names_every_module(name: str) -> None:
    package = ROOT / name
    readme = package / "README.md"
    assert readme.is_file(), f"{name}/README.md is missing: each package maps its modules"
    text = readme.read_text("utf-8")
    missing = [module for module in _modules(package) if module not in text]
    assert not missing, f"{name}/README.md does not name: {', '.join(missing)}"

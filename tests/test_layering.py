"""No import runs from a lower layer to a higher one: the contract in pyproject.toml
([tool.importlinter]), checked by import-linter's own command on the real code."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Outside the layers on purpose: they may import anything.
OUTSIDE = {"benchmarks", "tests"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_no_import_runs_up_the_layers() -> None:
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, f"lint-imports failed:\n{result.stdout}\n{result.stderr}"


def test_every_installed_package_has_a_layer() -> None:
    """A new top-level package outside the contract would be checked by nothing."""
    config = _pyproject()
    installed = {
        name.rstrip("*") for name in config["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["type"] == "layers"]
    assert set(contract["layers"]) == installed - OUTSIDE
    assert set(config["tool"]["importlinter"]["root_packages"]) == installed - OUTSIDE

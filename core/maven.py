"""Artifacts from Maven Central, fetched by Maven itself and kept in a cache folder.

The project's set-up fetches what its tests and probes need from Maven Central (the
Elasticsearch node of tests/support/es_node.py, the sentence encoder of
nlp/training/encoder.py) with ``mvn dependency:copy``: Maven resolves through ``~/.m2``, checks
the repository's checksums and copies the file to a known place. The cache folders sit outside
``/root`` when run as root, so that a service user (Elasticsearch refuses root) can read them.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

COPY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy"


class MavenError(RuntimeError):
    """An artifact that could not be fetched; the message says why (with Maven's output)."""


def cache_folder(name: str, override_variable: str) -> Path:
    """``$override_variable`` if set, else ``/var/cache/yuqing/NAME`` for root, else
    ``~/.cache/yuqing/NAME``."""
    override = os.environ.get(override_variable)
    if override:
        return Path(override)
    if os.geteuid() == 0:
        return Path("/var/cache/yuqing") / name
    return Path.home() / ".cache" / "yuqing" / name


def copy_artifact(artifact: str, filename: str, downloads: Path, timeout: float = 900) -> Path:
    """``downloads/filename``, copied there from Maven Central as ``artifact``
    (group:artifact:version[:type]) unless it is there already."""
    target = downloads / filename
    if target.exists():
        return target
    command = ["mvn", "-q", "-B", COPY_PLUGIN, f"-Dartifact={artifact}"]
    command.append(f"-DoutputDirectory={downloads}")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=tempfile.gettempdir()
        )
    except FileNotFoundError:
        raise MavenError("Maven (mvn) is not installed: apt-get install maven") from None
    if done.returncode != 0 or not target.exists():
        raise MavenError(
            f"could not fetch {artifact} from Maven Central:\n{done.stdout[-2000:]}"
            f"{done.stderr[-2000:]}"
        )
    return target

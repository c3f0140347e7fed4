"""core/maven.py: what the set-up fetches from Maven Central (the real fetches are exercised by
tests/test_nlp_encoder.py and every Elasticsearch test)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.maven import MavenError, cache_folder, copy_artifact


def test_a_file_already_there_is_not_fetched_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "b-1.jar").write_bytes(b"jar")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))  # no mvn: a fetch would fail
    assert copy_artifact("a:b:1", "b-1.jar", tmp_path) == tmp_path / "b-1.jar"


def test_without_maven_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(MavenError, match="apt-get install maven"):
        copy_artifact("a:b:1", "b-1.jar", tmp_path)


def test_an_artifact_maven_cannot_find_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(MavenError, match=re.escape("dev.yuqing.none:no-such-artifact:0.0.1")):
        copy_artifact("dev.yuqing.none:no-such-artifact:0.0.1", "x.jar", tmp_path, timeout=600)


def test_the_cache_folder_can_be_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUQING_TEST_CACHE", str(tmp_path))
    assert cache_folder("x", "YUQING_TEST_CACHE") == tmp_path
    monkeypatch.delenv("YUQING_TEST_CACHE")
    assert cache_folder("x", "YUQING_TEST_CACHE").name == "x"

"""``yuqing extract PAGE.html --json`` on pages written for the project, encoded the ways
misconfigured Chinese sites serve them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fixtures.crawl.make_fixtures import BODY, TITLE, TRADITIONAL_BODY, TRADITIONAL_TITLE
from yuqing.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "crawl"


@pytest.mark.parametrize(
    "page",
    [
        "gbk_labelled_utf8.html",
        "utf8_labelled_gbk.html",
        "gb18030_labelled_gb2312.html",
        "big5_unlabelled.html",
        "broken.html",
    ],
)
def test_extract_prints_the_four_fields(page: str) -> None:
    result = CliRunner().invoke(main, ["extract", str(FIXTURES / page), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert set(found) == {"title", "published_at", "author", "text"}
    traditional = page.startswith("big5")
    assert found["title"] == (TRADITIONAL_TITLE if traditional else TITLE)
    assert found["published_at"] == "2026-11-16T10:35:00+08:00"
    # Written as the page wrote it: Traditional stays Traditional, nothing is mojibake.
    expected = TRADITIONAL_BODY if traditional else BODY
    if page.startswith("gb18030"):
        expected = [*BODY, "记者：㛃㛄"]
    assert found["text"] == "\n".join(expected)
    assert "\ufffd" not in found["text"]


def test_rare_characters_survive_a_gb2312_label() -> None:
    result = CliRunner().invoke(
        main, ["extract", str(FIXTURES / "gb18030_labelled_gb2312.html"), "--json"]
    )
    assert "㛃㛄" in json.loads(result.output)["text"]


def test_encoding_override_and_its_error() -> None:
    page = str(FIXTURES / "gbk_labelled_utf8.html")
    result = CliRunner().invoke(main, ["extract", page, "--encoding", "gbk"])
    assert result.exit_code == 0 and TITLE in result.output and "发布时间" in result.output
    result = CliRunner().invoke(main, ["extract", page, "--encoding", "utf-8"])
    assert result.exit_code != 0 and "cannot be read as utf-8" in result.output


def _page(body: str) -> str:
    return (
        f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
        + "".join(f"<p>{line}</p>" for line in BODY)
        + body
        + "</body></html>"
    )


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_page_with_a_byte_order_mark_is_read(tmp_path: Path, codec: str) -> None:
    page = tmp_path / "unicode.html"
    page.write_bytes("\ufeff".encode(codec) + _page("").encode(codec))
    result = CliRunner().invoke(main, ["extract", str(page), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["title"] == TITLE and BODY[0] in found["text"]


def test_a_deeply_nested_page_keeps_its_body(tmp_path: Path) -> None:
    # libxml2 stops a few hundred elements deep; the body below used to vanish silently.
    deep = "<div>" * 3000 + "".join(f"<p>{line}</p>" for line in BODY) + "</div>" * 3000
    page = tmp_path / "deep.html"
    page.write_text(f"<html><head><title>{TITLE}</title></head><body>{deep}</body></html>")
    result = CliRunner().invoke(main, ["extract", str(page), "--json"])
    assert result.exit_code == 0, result.output
    assert all(line in json.loads(result.output)["text"] for line in BODY)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (bytes(range(256)) * 20, "not an HTML page (binary data)"),
    ],
)
def test_empty_and_binary_files_are_errors(tmp_path: Path, content: bytes, expected: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(content)
    result = CliRunner().invoke(main, ["extract", str(page), "--json"])
    assert result.exit_code == 2 and expected in result.output, result.output


def test_a_page_larger_than_the_crawler_allows_is_refused_unread(tmp_path: Path) -> None:
    from crawlers.settings import DOWNLOAD_MAXSIZE

    page = tmp_path / "huge.html"
    with page.open("wb") as handle:
        handle.truncate(DOWNLOAD_MAXSIZE + 1)  # sparse: nothing is written or read
    result = CliRunner().invoke(main, ["extract", str(page), "--json"])
    assert result.exit_code == 2 and "larger than a page may be" in result.output

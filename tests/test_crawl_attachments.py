"""Attachment parsing (crawlers/attachments.py) on the committed fixtures and on tables
written here: every record written is read back, broken files say what is wrong, and the
declared entities resolve their regions (nlp/declared_entities.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from archive.models import EntityRef, Mention
from crawlers.attachments import AttachmentError, parse_attachment, records_from_rows
from nlp.declared_entities import declared_entities, resolve_region, with_declared
from tests.fixtures.notices.make_fixtures import xlsx_bytes, zip_bytes
from tests.fixtures.sources.notices_site import NOTICES

WRITTEN = json.loads((NOTICES / "records.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_every_record_written_is_read_back(name: str) -> None:
    parsed = parse_attachment(name, (NOTICES / name).read_bytes())
    assert parsed.records == WRITTEN[name]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken.xlsx", "broken XLSX file (cut short or corrupt"),
        ("broken.pdf", "broken PDF file"),
        ("broken.zip", "broken ZIP file (cut short or corrupt"),
    ],
)
def test_broken_files_say_what_is_wrong(name: str, message: str) -> None:
    with pytest.raises(AttachmentError, match=message.replace("(", r"\(")):
        parse_attachment(name, (NOTICES / name).read_bytes())


def test_a_file_named_xlsx_that_is_an_html_page_is_refused() -> None:
    with pytest.raises(AttachmentError, match=r"named \.xlsx but its content is not"):
        parse_attachment("fj.xlsx", b"<html><body>404</body></html>")
    with pytest.raises(AttachmentError, match="empty file"):
        parse_attachment("fj.pdf", b"")


def test_a_zip_without_tables_is_an_error_and_gbk_names_are_read() -> None:
    with pytest.raises(AttachmentError, match="holds no XLSX, XLS, DOCX or PDF"):
        parse_attachment("a.zip", zip_bytes({"readme.txt": b"x"}))
    records = [{"product": "辣椒酱", "producer": "成都市味源食品有限公司", "region": "四川"}]
    inner = xlsx_bytes([{**WRITTEN["inspection_48.xlsx"][0], **records[0]}], "t")
    parsed = parse_attachment("a.zip", zip_bytes({"附件.xlsx": inner}))
    assert parsed.records[0]["producer"] == "成都市味源食品有限公司" and not parsed.problems


def test_recall_tables_and_repeated_headers_and_radicals() -> None:
    rows = [
        ["2026年第3批缺陷产品召回信息"],
        ["序号", "召回企业", "缺陷产品", "涉及批次", "召回数量", "召回原因"],
        ["1", "江南⽣活电器有限公司", "电热⽔壶", "2026-03至2026-05", "1200台", "温控器失效"],
        ["序号", "召回企业", "缺陷产品", "涉及批次", "召回数量", "召回原因"],  # next page
        ["2", "江州童趣⽟具有限公司", "儿童滑板车", "2026-06", "350辆", "折叠机构断裂"],
        ["", "", "", "", "", ""],
    ]
    records = records_from_rows(rows)
    assert records == [
        {"producer": "江南生活电器有限公司", "product": "电热水壶", "batch": "2026-03至2026-05",
         "quantity": "1200台", "failed_item": "温控器失效"},
        {"producer": "江州童趣玉具有限公司", "product": "儿童滑板车", "batch": "2026-06",
         "quantity": "350辆", "failed_item": "折叠机构断裂"},
    ]  # fmt: skip


def test_a_table_without_a_header_gives_nothing() -> None:
    assert records_from_rows([["说明"], ["本次抽检合格"], *[["x", "y"]] * 20]) == []


def test_regions_resolve_from_names_and_addresses() -> None:
    province = resolve_region("广东")
    assert province is not None and (province.name, province.code) == ("广东省", "440000")
    city = resolve_region("河南省郑州市中牟县汽车产业集聚区286号")
    assert city is not None and (city.name, city.code) == ("郑州市", "410100")
    assert resolve_region("江南省某地") is None  # not a real division


def test_declared_entities_join_the_found_ones() -> None:
    now = datetime(2026, 11, 16, tzinfo=UTC)
    mention = Mention(
        id="m", source="s", platform="official", kind="official", url="http://x/1", text="t",
        published_at=now, fetched_at=now,
        extra={"entities": [{"kind": "company", "name": "成都市绿野食品有限公司"},
                            {"kind": "region", "name": "四川省成都市新都区工业东区"},
                            {"kind": "bogus", "name": "x"}],
               "company": "江州优选电器有限公司", "ip_region": "广东"},
    )  # fmt: skip
    assert declared_entities(mention) == (
        EntityRef("company", "成都市绿野食品有限公司"),
        EntityRef("region", "成都市", "510100"),
        EntityRef("company", "江州优选电器有限公司"),
    )
    found = (EntityRef("product", "辣椒酱"),)
    merged = with_declared(found, mention)
    # A region is stated, so the IP 属地 is not used; regions come first.
    assert merged[0] == EntityRef("region", "成都市", "510100")
    assert EntityRef("region", "广东省", "440000") not in merged
    assert EntityRef("product", "辣椒酱") in merged

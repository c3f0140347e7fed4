"""Attachment parsing throughput and correctness: records extracted vs records written.

Attachments are written by ``tests/fixtures/notices/make_fixtures.py``'s functions from seeded
records (so the truth is what was written), in the shapes bureaus publish: an XLSX with a
title and a note above the header and a cover sheet; the same with another bureau's header
labels (生产者名称, 样品名称, 批号...); a PDF printed by Chromium whose header repeats on every
page (CJK radicals in the extracted text, cells wrapped over lines); a ZIP of an XLSX and a PDF;
plus the committed fixtures (among them an XLS and a recall list in a DOCX). Each is parsed
``--repeat`` times by ``crawlers.attachments.parse_attachment``.

Correctness per attachment: records written, records extracted, records extracted exactly
(every field equal, compared as multisets) and field accuracy (fields equal / fields
written). Throughput: records per second and MB per second of attachment, median of the
repeats. What this measures is the reading (cells, dates, PDF text with CJK radicals and
wrapped cells, repeated headers, ZIP members), not robustness to header vocabularies never
seen: both label sets here are among ``crawlers.attachments.HEADER_FIELDS``'s labels.

Run: ``.venv/bin/python benchmarks/attachments_bench.py [--rows N] [--pdf-rows N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.attachments import parse_attachment  # noqa: E402
from tests.fixtures.notices import make_fixtures as fx  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "notices"
# Another bureau's labels for the same columns (seen on provincial notices).
OTHER_LABELS = {
    "标称生产企业名称": "生产者名称",
    "标称生产企业地址": "生产者地址",
    "被抽样单位名称": "被抽检单位",
    "被抽样单位所在省份": "所在地区",
    "食品名称": "样品名称",
    "规格型号": "规格",
    "商标": "品牌",
    "生产日期/批号": "批号",
    "不合格项目║检验结果║标准值": "不合格项目",
    "分类": "食品类别",
    "检验机构": "承检机构",
}


@dataclass
class Case:
    name: str
    body: bytes
    written: list[dict[str, str]]


def _with_labels(make: Callable[[], bytes], labels: dict[str, str]) -> bytes:
    original = list(fx.COLUMNS)
    fx.COLUMNS[:] = [(labels.get(label, label), key) for label, key in original]
    try:
        return make()
    finally:
        fx.COLUMNS[:] = original


def cases(rows: int, pdf_rows: int) -> list[Case]:
    written = json.loads((FIXTURES / "records.json").read_text(encoding="utf-8"))
    found = [
        Case(name, (FIXTURES / name).read_bytes(), records) for name, records in written.items()
    ]
    big = fx.inspection_records(rows, seed=1001)
    found.append(Case(f"generated_{rows}.xlsx", fx.xlsx_bytes(big, "不合格产品信息"), big))
    other = fx.inspection_records(rows, seed=1002)
    body = _with_labels(lambda: fx.xlsx_bytes(other, "抽检不合格信息"), OTHER_LABELS)
    found.append(Case(f"other_labels_{rows}.xlsx", body, other))
    pdf = fx.inspection_records(pdf_rows, seed=1003)
    found.append(Case(f"generated_{pdf_rows}.pdf", fx.pdf_bytes(pdf, "不合格产品信息"), pdf))
    zipped_x, zipped_p = fx.inspection_records(rows // 2, 1004), fx.inspection_records(60, 1005)
    archive = fx.zip_bytes(
        {
            "附件1.xlsx": fx.xlsx_bytes(zipped_x, "附件1"),
            "附件2.pdf": fx.pdf_bytes(zipped_p, "附件2"),
        }
    )
    found.append(Case(f"generated_{rows // 2}+60.zip", archive, zipped_x + zipped_p))
    return found


def _key(record: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(record.items()))


def score(case: Case, extracted: list[dict[str, str]]) -> dict[str, float]:
    exact = sum((Counter(map(_key, case.written)) & Counter(map(_key, extracted))).values())
    fields = sum(len(r) for r in case.written)
    equal = sum(
        1
        for wrote, got in zip(case.written, extracted, strict=False)
        for key, value in wrote.items()
        if got.get(key) == value
    )
    return {
        "written": len(case.written),
        "extracted": len(extracted),
        "exact": exact,
        "field_accuracy": equal / fields if fields else 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="rows of the generated XLSX")
    parser.add_argument("--pdf-rows", type=int, default=300, help="rows of the generated PDF")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'attachment':<28}{'KB':>8}{'written':>9}{'extracted':>10}{'exact':>7}"
          f"{'fields':>8}{'rec/s':>9}{'MB/s':>7}")  # fmt: skip
    totals = Counter[str]()
    for case in cases(args.rows, args.pdf_rows):
        times = []
        extracted: list[dict[str, str]] = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            extracted = parse_attachment(case.name, case.body).records
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        s = score(case, extracted)
        for key in ("written", "extracted", "exact"):
            totals[key] += int(s[key])
        rate = s["extracted"] / seconds if seconds else 0.0
        mb = len(case.body) / 1e6 / seconds if seconds else 0.0
        print(f"{case.name:<28}{len(case.body) / 1024:>8.0f}{s['written']:>9.0f}"
              f"{s['extracted']:>10.0f}{s['exact']:>7.0f}{s['field_accuracy']:>8.3f}"
              f"{rate:>9.0f}{mb:>7.2f}")  # fmt: skip
    recall = totals["exact"] / totals["written"] if totals["written"] else 1.0
    precision = totals["exact"] / totals["extracted"] if totals["extracted"] else 1.0
    print(f"all: {totals['written']} written, {totals['extracted']} extracted, "
          f"{totals['exact']} exact (recall {recall:.4f}, precision {precision:.4f})")  # fmt: skip


if __name__ == "__main__":
    main()

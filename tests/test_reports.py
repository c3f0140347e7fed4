"""Briefings from the dashboard's known archive: the data pack, the prose and its citations,
the .docx (structure, fonts, charts, endnotes resolving to stored mentions), the PDF (pages
rendered to PNG in test-artifacts/reports/ for a person to look at), the CLI and the
workflow."""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from archive import open_archive
from core.config import ConfigError, load_config
from core.text.clip import clip
from reports.build import build_report
from reports.citations import check, iter_sentences
from reports.docx_render import render_docx
from reports.markdown import render_markdown
from reports.notes import number_notes
from reports.pdf import docx_to_pdf
from reports.prose import CLAIM_CHARS, OVERVIEW_LIMIT
from tests.support.dashboard_fixtures import NOW, DashboardArchive, build_archive
from yuqing.cli import main

DAY = date(2026, 11, 20)
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "reports"
HEADINGS = ["一、综述", "二、重点舆情", "三、谣言与澄清", "四、处置情况", "五、研判与建议"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    return build_archive(tmp_path_factory.mktemp("reports"))


def _build(made: DashboardArchive, kind: str, **kw: Any) -> dict[str, Any]:
    with open_archive(made.db) as archive:
        return build_report(archive, kind, NOW, load_config(made.config), **kw)


@pytest.mark.parametrize(
    ("kind", "kw", "volume", "previous"),
    [
        ("daily", {"day": DAY}, 6, 2),  # m01..m06 on the 20th; m07, m08 on the 19th
        ("weekly", {"day": DAY}, 10, 0),
        ("event", {"event_id": "ev-lift"}, 3, 0),
    ],
)
def test_every_factual_sentence_cites_stored_sources(
    made: DashboardArchive, kind: str, kw: dict[str, Any], volume: int, previous: int
) -> None:
    pack = _build(made, kind, **kw)
    assert pack["figures"]["volume"]["value"] == volume
    assert pack["figures"]["volume"]["previous"] == previous
    assert [s["heading"] for s in pack["sections"] if not s.get("sub")] == HEADINGS
    with open_archive(made.db) as archive:
        result = check(archive, pack)
    assert result.ok, result.problems
    assert result.factual == pack["citations"]["factual"] > 10
    assert result.share_valid == 1.0
    overview = "".join(s["text"] for s in pack["sections"][0]["paragraphs"][0])
    assert len(overview) <= OVERVIEW_LIMIT
    for fig in pack["figures"].values():
        assert fig["query"]["operation"]  # every figure says what produced it


def test_daily_pack_states_the_fixture_facts(made: DashboardArchive) -> None:
    pack = _build(made, "daily", day=DAY)
    figures = pack["figures"]
    assert figures["volume"]["change_pct"] == 200.0
    # ev-toy, a single recall notice, is an event but no hotspot: not a 重点事件 either.
    assert [r["id"] for r in figures["events"]["rows"]] == ["ev-lift", "ev-milk"]
    rumours = {r["mention"]: r["status"] for r in figures["rumours"]["rows"]}
    assert rumours == {"m:m03": "none", "m:m05": "debunked"}  # m05 matched the notice m06
    groups = figures["obligations"]["groups"]
    assert len(groups["overdue"]) == 1 and len(groups["open"]) == 2
    failing = {r["source"] for r in figures["sources"]["rows"] if r["failing"]}
    assert failing == {"demo-weibo", "old-forum"}
    advice = [
        s["text"]
        for s in pack["sections"][-1]["paragraphs"][0]
        + [s for p in pack["sections"][-1]["paragraphs"][1:] for s in p]
    ]
    assert any("澄清" in a and "16:15" in a for a in advice)  # due 2 h 15 min after NOW
    assert any("权威信息" in a and "江州商场电梯困人" in a for a in advice)  # growing, no release
    assert all("依据" in a for a in advice)
    json_again = json.loads(json.dumps(pack, ensure_ascii=False))
    assert json_again == pack  # plain JSON: stored, it reproduces the report


def test_key_events_are_the_dashboards_hotspots_with_heat_against_the_line(
    made: DashboardArchive,
) -> None:
    """The 日报's 重点事件 were the hottest events, a lone notice among them; they are now the
    events the 热点 page lists (nlp.hotspots' rule), each with its heat's level."""
    from dashboard import data

    pack = _build(made, "daily", day=DAY)
    rows = pack["figures"]["events"]["rows"]
    day_start = datetime(2026, 11, 19, 16, tzinfo=UTC)  # DAY's 00:00 in Beijing
    with open_archive(made.db, readonly=True) as archive:
        hotspots = data.hottest(str(made.config), archive, day_start, 20)
    assert {r["id"] for r in rows} == {e.id for e in hotspots} == {"ev-lift", "ev-milk"}
    assert pack["figures"]["events"]["query"]["hotspot"] == {"min_mentions": 3, "min_publishers": 2}
    # The fixture's hot-events rule alerts at heat 50; heat as the briefing computes it then.
    assert pack["figures"]["events"]["heat_line"] == 50
    lead = next(
        s["text"] for sec in pack["sections"] for p in sec["paragraphs"] for s in p
        if s["text"].startswith("【江州商场电梯困人】")
    )  # fmt: skip
    level = rows[0]["heat_level"]
    assert f"热度{rows[0]['heat']}（{level}）" in lead and level in ("高", "中", "低")


def test_checker_fails_missing_and_dangling_citations(made: DashboardArchive) -> None:
    pack = _build(made, "daily", day=DAY)
    with open_archive(made.db) as archive:
        bare = copy.deepcopy(pack)
        bare["sections"][1]["paragraphs"][0][0]["cites"] = ["f:events"]
        assert "no mention, obligation or source" in " ".join(check(archive, bare).problems)
        dangling = copy.deepcopy(pack)
        dangling["sections"][1]["paragraphs"][0][0]["cites"] = ["m:no-such-mention"]
        assert "not in the archive" in " ".join(check(archive, dangling).problems)
        absent = copy.deepcopy(pack)
        absent["sections"][2]["paragraphs"][0][0].update(cites=["f:volume"], absence=True)
        assert "absence" in " ".join(check(archive, absent).problems)
        result = check(archive, dangling)
        assert result.share_valid < 1.0


def _fonts(run: Any) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_docx_layout_fonts_charts_and_endnotes(made: DashboardArchive, tmp_path: Path) -> None:
    pack = _build(made, "daily", day=DAY)
    path = render_docx(pack, tmp_path / "daily.docx")
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert "舆情日报" in texts and "2026年第324期" in texts  # cover: title, 编号
    cover_title = next(p for p in doc.paragraphs if p.text == "舆情日报")
    assert _fonts(cover_title.runs[0]) == "黑体"
    for heading in HEADINGS:
        para = next(p for p in doc.paragraphs if p.text == heading)
        assert _fonts(para.runs[0]) == "黑体"
    body = next(p for p in doc.paragraphs if p.text.startswith("2026年11月20日，共监测到"))
    assert {_fonts(r) for r in body.runs} == {"仿宋"}
    assert any(r.font.superscript for r in body.runs)  # citation marks
    body_section = doc.sections[1]
    assert "内部资料" in body_section.header.paragraphs[0].text
    assert pack["unit"] in body_section.header.paragraphs[0].text
    assert "PAGE" in body_section.footer.paragraphs[0]._element.xml
    assert len(doc.inline_shapes) == 3  # trend, platforms, sentiment
    assert len(doc.tables) >= 5
    # Endnotes: one per cited mention or obligation, each naming the stored item.
    numbers = number_notes(pack)
    notes = [t for t in texts if t.startswith("[") and "]" in t[:5]]
    assert len(notes) == len(numbers)
    with open_archive(made.db) as archive:
        for ref, n in numbers.items():
            kind, value = ref.split(":", 1)
            note = notes[n - 1]
            if kind == "m":
                mention = archive.get_mention(value)
                assert mention is not None
                assert (mention.title or mention.text[:20])[:20] in note
                if mention.url.startswith("http"):
                    assert mention.url in note
            else:
                ob = archive.ledger.get_obligation(int(value))
                assert ob is not None and ob.title in note


def test_pdf_pages_rendered_for_review(made: DashboardArchive, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for kind, kw in (("daily", {"day": DAY}), ("event", {"event_id": "ev-lift"})):
        pack = _build(made, kind, **kw)
        docx = render_docx(pack, tmp_path / f"{kind}.docx")
        pdf = docx_to_pdf(docx, ARTIFACTS / f"{kind}.pdf")
        for old in ARTIFACTS.glob(f"{kind}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / kind)], check=True
        )
        pages = sorted(ARTIFACTS.glob(f"{kind}-*.png"))
        assert len(pages) >= 3  # cover, body, appendix
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "综述" in text and "内部资料" in text and "注释" in text


def test_markdown_escapes_archive_text(made: DashboardArchive) -> None:
    pack = _build(made, "weekly", day=DAY)
    text = render_markdown(pack)
    assert "## 一、综述" in text and "## 注释" in text
    assert "<b>" not in text  # a source's error text, shown literally
    assert "javascript:" not in text  # m03's URL is not a link


def test_cli_generates_and_moves_a_report_through_the_workflow(
    made: DashboardArchive, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["-c", str(made.config), "report"]
    out = runner.invoke(main, [*base, "daily", "--date", "2026-11-20"])
    assert out.exit_code == 0, out.output
    assert "## 一、综述" in out.output
    target = tmp_path / "d.docx"
    out = runner.invoke(main, [*base, "daily", "--date", "2026-11-20", "--format", "docx",
                               "-o", str(target)])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert Document(str(target)).paragraphs
    early = runner.invoke(main, [*base, "sign", "daily-20261120", "--by", "王局长"])
    assert early.exit_code != 0 and "审核" in early.output
    assert runner.invoke(main, [*base, "review", "daily-20261120", "--by", "李科长"]).exit_code == 0
    assert runner.invoke(main, [*base, "sign", "daily-20261120", "--by", "王局长"]).exit_code == 0
    listed = runner.invoke(main, [*base, "list"]).output
    assert "daily-20261120\t已签发" in listed
    again = runner.invoke(main, [*base, "daily", "--date", "2026-11-20"])
    assert again.exit_code != 0 and "已签发" in again.output  # a signed report is kept
    with open_archive(made.db) as archive:
        audit = archive.ledger.list_audit(object_type="report", object_id="daily-20261120")
    assert {(e.action, e.actor) for e in audit} == {
        ("report.reviewed", "李科长"),
        ("report.signed", "王局长"),
    }
    packed = runner.invoke(main, [*base, "weekly", "--date", "2026-11-20", "--format", "json"])
    assert packed.exit_code == 0, packed.output
    pack = json.loads(packed.stdout)
    assert pack["figures"]["volume"]["value"] == 10 and pack["sections"]
    missing = runner.invoke(main, [*base, "event", "no-such-event"])
    assert missing.exit_code != 0 and "no-such-event" in missing.output


def test_schedule_errors_name_the_key(tmp_path: Path) -> None:
    config = tmp_path / "yuqing.yaml"
    config.write_text(
        "reports:\n  - {kind: monthly, at: '8:30', recipients: [nobody]}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    text = "\n".join(caught.value.problems)
    assert "reports" in text and "kind" in text and "at" in text
    config.write_text("reports:\n  - {kind: daily, recipients: [nobody]}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert "reports[0].recipients[0]: unknown recipient 'nobody'" in "\n".join(
        caught.value.problems
    )


def test_sentences_iterate_every_section(made: DashboardArchive) -> None:
    pack = _build(made, "event", event_id="ev-milk")
    sections = {section for section, _ in iter_sentences(pack["sections"])}
    assert sections >= {"overview", "events", "rumours", "handling", "advice"}


# ---- the demo corpus through the pipeline's own stages -------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    from tests.support.dashboard_fixtures import build_demo_archive

    return build_demo_archive(tmp_path_factory.mktemp("report-demo"))


def test_demo_archive_reports_cite_every_sentence(demo: DashboardArchive, tmp_path: Path) -> None:
    settings = load_config(demo.config)
    with open_archive(demo.db) as archive:
        now = archive.ledger.pipeline_time()
        assert now is not None
        hottest = archive.list_events(limit=1)[0]
        packs = {
            "daily": build_report(archive, "daily", now, settings, day=date(2026, 11, 18)),
            "weekly": build_report(archive, "weekly", now, settings, day=date(2026, 11, 21)),
            "event": build_report(archive, "event", now, settings, event_id=hottest.id),
        }
        for kind, pack in packs.items():
            result = check(archive, pack)
            assert result.ok and result.factual > 10, (kind, result.problems)
            assert pack["figures"]["volume"]["value"] > 0
            assert pack["figures"]["events"]["rows"], kind
        # The 专报 traces the story: its first source and key spreaders, each cited (issue 19).
        spread = next(s for s in packs["event"]["sections"] if s["id"] == "propagation")
        first, shape, *rest = spread["paragraphs"][0]
        figure = packs["event"]["figures"]["propagation"]
        assert first["text"].startswith("该事件最早由") and figure["first_cite"] in first["cites"]
        assert f"传播最深{figure['depth']}层" in shape["text"]
        assert all(s["cite"] in rest[0]["cites"] for s in figure["spreaders"]) if rest else True
        assert not any(s["id"] == "propagation" for s in packs["daily"]["sections"])
    weekly = packs["weekly"]
    assert weekly["figures"]["rumours"]["rows"]  # the demo's food-safety rumour
    assert any(r["status"] == "debunked" for r in weekly["figures"]["rumours"]["rows"])
    # A claim the rumour rule identified is quoted in its words, not by a post's opening.
    claimed = [r for r in weekly["figures"]["rumours"]["rows"] if r["claim"]]
    assert claimed
    said = "".join(
        s["text"]
        for section in weekly["sections"]
        if section["id"] == "rumours"
        for p in section["paragraphs"]
        for s in p
    )
    for row in claimed:
        assert f"网传信息“{clip(row['claim'], CLAIM_CHARS)}”" in said
    assert weekly["figures"]["views"]["groups"]["official"]
    docx = render_docx(weekly, tmp_path / "weekly.docx")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = docx_to_pdf(docx, ARTIFACTS / "demo-weekly.pdf")
    for old in ARTIFACTS.glob("demo-weekly-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / "demo-weekly")], check=True
    )
    assert len(list(ARTIFACTS.glob("demo-weekly-*.png"))) >= 3

"""``yuqing report``: briefings (舆情日报 / 周报 / 专报) from the archive, and their workflow.

yuqing report daily [--date 2026-11-20] [--format docx|pdf|md] [-o FILE]
yuqing report weekly [--date D]              # the seven days ending with D
yuqing report event EVENT_ID                 # 专报
yuqing report daily --unit linchuan          # a unit's subtree only, in its name (units:)
yuqing report list | review KEY --by NAME | sign KEY --by NAME
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from typing import Any

import click

from archive.base import Archive
from core.clock import RealClock

# json: the data pack itself (figures, queries, cited records, sentences with their ids).
FORMATS = ("md", "docx", "pdf", "json")


def _now(ctx: Any, archive: Archive) -> datetime:
    """The runner's clock: the archive's pipeline time under simulated time, else now."""
    if ctx.settings.runner.clock == "pipeline":
        recorded = archive.ledger.pipeline_time()
        if recorded is not None:
            return recorded
    return RealClock().now()


def _generate(
    ctx: Any,
    kind: str,
    day: date | None,
    event_id: str | None,
    fmt: str,
    output: str | None,
    unit_id: str | None = None,
) -> None:
    from core.settings_reports import press_office_of
    from reports.build import ReportError, build_report
    from reports.pdf import PdfError
    from reports.store import WorkflowError, reports_dir, save

    settings = ctx.settings
    agency = settings.agency.name if settings.agency else None
    unit = settings.reports[0].unit if settings.reports else press_office_of(agency)
    with ctx.archive(readonly=True) as archive:
        try:
            now = _now(ctx, archive)
            pack = build_report(archive, kind, now, settings, day, event_id, unit, unit_id)
        except ReportError as exc:
            raise click.ClickException(str(exc)) from None
    formats = ("docx", "pdf") if fmt == "pdf" else (("docx",) if fmt == "docx" else ())
    try:
        stored = save(reports_dir(settings), pack, formats, actor="cli")
    except (WorkflowError, PdfError) as exc:
        raise click.ClickException(str(exc)) from None
    source = stored.folder / "pack.json" if fmt == "json" else stored.file(fmt)
    if output:
        shutil.copyfile(source, output)
        click.echo(f"{pack['title']}：{output}", err=True)
    elif fmt in ("md", "json"):
        click.echo(source.read_text(encoding="utf-8"), nl=False)
    else:
        click.echo(str(source))
    counts = pack["citations"]
    click.echo(f"已存档 {stored.key}（草稿）；{counts['factual']} 句事实陈述均有出处", err=True)


def _options(func: Any) -> Any:
    func = click.option(
        "--unit",
        "unit_id",
        default=None,
        help="A unit's briefing (units: in the YAML): its subtree only, in its name.",
    )(func)
    func = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False),
        default=None,
        help="Write the report to FILE (default: stdout for md, else the stored file's path).",
    )(func)
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True
    )(func)


@click.group("report")
def report() -> None:
    """Briefings: 舆情日报, 周报 and 专报, every sentence citing its sources."""


@report.command()
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The day reported on (Beijing); default yesterday.",
)
@_options
@click.pass_obj
def daily(
    ctx: Any, day: datetime | None, fmt: str, output: str | None, unit_id: str | None
) -> None:
    """舆情日报 of one day."""
    _generate(ctx, "daily", day.date() if day else None, None, fmt, output, unit_id)


@report.command()
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The last day of the week reported on; default yesterday.",
)
@_options
@click.pass_obj
def weekly(
    ctx: Any, day: datetime | None, fmt: str, output: str | None, unit_id: str | None
) -> None:
    """舆情周报 of the seven days ending with --date."""
    _generate(ctx, "weekly", day.date() if day else None, None, fmt, output, unit_id)


@report.command()
@click.argument("event_id")
@_options
@click.pass_obj
def event(ctx: Any, event_id: str, fmt: str, output: str | None, unit_id: str | None) -> None:
    """舆情专报 on one event, from its first detection to now."""
    _generate(ctx, "event", None, event_id, fmt, output, unit_id)


@report.command("list")
@click.pass_obj
def list_command(ctx: Any) -> None:
    """Stored briefings, newest first, with their state."""
    from reports.store import STATE_LABELS, list_reports, reports_dir

    for stored in list_reports(reports_dir(ctx.settings)):
        meta = stored.meta
        click.echo(f"{stored.key}\t{STATE_LABELS[stored.state]}\t{meta['title']}\t{meta['period']}")


def _advance(ctx: Any, key: str, action: str, actor: str) -> None:
    from reports.schedule import send_signed
    from reports.store import WorkflowError, advance, load, reports_dir

    stored = load(reports_dir(ctx.settings), key)
    if stored is None:
        raise click.ClickException(f"no stored briefing {key!r} (see yuqing report list)")
    with ctx.archive() as archive:
        try:
            advance(archive, stored, action, actor, RealClock().now())
        except WorkflowError as exc:
            raise click.ClickException(str(exc)) from None
        queued = send_signed(archive, ctx.settings, stored) if action == "sign" else 0
    click.echo(
        f"{key}：{'已审核' if action == 'review' else '已签发'}（{actor}）"
        + (f"，已排队发送 {queued} 条" if queued else "")
    )


@report.command()
@click.argument("key")
@click.option("--by", "actor", required=True, help="Who reviewed it (recorded in the audit log).")
@click.pass_obj
def review(ctx: Any, key: str, actor: str) -> None:
    """审核 a draft briefing."""
    _advance(ctx, key, "review", actor)


@report.command()
@click.argument("key")
@click.option("--by", "actor", required=True, help="Who signed it off (recorded in the audit log).")
@click.pass_obj
def sign(ctx: Any, key: str, actor: str) -> None:
    """签发 a reviewed briefing; it then goes to recipients outside the press office too."""
    _advance(ctx, key, "sign", actor)


__all__ = ["report"]

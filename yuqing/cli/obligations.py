"""``yuqing deadline`` and ``yuqing obligations``: the response workflow from a shell.

These call the same operations as the dashboard's buttons (``alerts.obligations``), so every
change goes to the audit log with who did it.
"""

from __future__ import annotations

import getpass
import json
from datetime import datetime, timedelta
from typing import Any

import click

from alerts.obligations import STATE_LABELS as STATUS_LABELS
from core.clock import RealClock, local
from core.vocabulary import AGENCY_LEVELS, ALERT_LEVELS
from yuqing.cli.types import DURATION, INSTANT, OBLIGATION_KIND, TEXT


def _actor(actor: str | None) -> str:
    return actor or getpass.getuser()


@click.command()
@click.argument("kind", type=OBLIGATION_KIND)
@click.option(
    "--from",
    "start",
    required=True,
    type=INSTANT,
    help="Trigger time, ISO 8601 (naive is Beijing time), e.g. 2026-11-23T09:00.",
)
@click.option(
    "--level",
    type=click.Choice(AGENCY_LEVELS),
    default=None,
    help="Administrative level (county: 7 working days for penalties).",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def deadline(ctx: Any, kind: str, start: datetime, level: str | None, as_json: bool) -> None:
    """When is an obligation of KIND due, if triggered at --from?

    Prints the due time (ISO 8601, Asia/Shanghai), whether it is provisional, and the rule.
    Working days: the trigger day does not count; the deadline is the end (23:59:59) of the
    Nth working day after it, on the official calendar with moved working days (调休).
    Provisional: a counted day lies in a year without a published holiday schedule (neither
    in obligations.holidays nor in the calendar package); Monday–Friday less the fixed-date
    holidays is assumed until the schedule is configured.
    """
    from alerts.deadlines import due
    from core.settings import ObligationSettings

    trigger = start
    try:
        settings = ctx.settings.obligations
    except Exception:  # no configuration file: the defaults of the deadline table apply
        settings = ObligationSettings()
    result = due(kind, trigger, settings, level)
    record = {
        "kind": kind,
        "from": local(trigger).isoformat(),
        "due_at": local(result.due_at).isoformat(),
        "provisional": result.provisional,
        "rule": result.rule_text,
    }
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False))
    else:
        flag = (
            "yes (no official holiday schedule for a year it counts; see obligations.holidays)"
            if result.provisional
            else "no"
        )
        click.echo(f"{record['due_at']}\nprovisional: {flag}\n{result.rule_text}")


@click.group()
def obligations() -> None:
    """List and act on disclosure obligations (acknowledge, done, waive, add)."""


@obligations.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include done and waived ones.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_obligations(ctx: Any, show_all: bool, as_json: bool) -> None:
    """Obligations by due time; overdue ones are marked, done ones say 按时 or 逾期."""
    from alerts.messages import LATE_LABEL, show_outcome

    statuses = None if show_all else ["open", "acknowledged"]
    with ctx.archive(readonly=True) as archive:
        items = archive.ledger.list_obligations(statuses)
        now = _now(ctx, archive)
    for ob in items:
        overdue = ob.status in ("open", "acknowledged") and ob.due_at < now
        if as_json:
            click.echo(json.dumps(obligation_record(ob, overdue), ensure_ascii=False))
            continue
        mark = "逾期 " if overdue else ""
        flag = "（暂定）" if ob.provisional else ""
        late = f"【{LATE_LABEL}】" if ob.late_reason else ""
        outcome = f"（{show_outcome(ob)}）" if ob.status == "done" else ""
        click.echo(
            f"#{ob.id:<4} {local(ob.due_at):%m-%d %H:%M}{flag} {mark}"
            f"{STATUS_LABELS.get(ob.status, ob.status)}{outcome} {late}{ob.kind}: {ob.title}"
        )
        if ob.status in ("open", "acknowledged") and ob.note.startswith("建议办结："):
            click.echo(f"      {ob.note}")
        if ob.late_reason:
            click.echo(f"      {ob.late_reason}")


def _now(ctx: Any, archive: Any) -> Any:
    """The time overdue is judged at: the pipeline's time for archives filled under simulated
    time (runner.clock: pipeline, as the demo writes), else the wall clock."""
    try:
        pipeline = ctx.settings.runner.clock == "pipeline"
    except Exception:
        pipeline = False
    recorded = archive.ledger.pipeline_time() if pipeline else None
    return recorded or RealClock().now()


def obligation_record(ob: Any, overdue: bool) -> dict[str, Any]:
    """One obligation as ``obligations list --json`` prints it."""

    def shown(value: Any) -> str | None:
        return local(value).isoformat() if value is not None else None

    return {
        "id": ob.id,
        "kind": ob.kind,
        "subject": ob.subject,
        "title": ob.title,
        "status": ob.status,
        "level": ob.level,
        "event_id": ob.event_id,
        "opened_at": shown(ob.opened_at),
        "due_at": shown(ob.due_at),
        "done_at": shown(ob.done_at),
        "on_time": ob.on_time,
        "provisional": ob.provisional,
        "overdue": overdue,
        "late": bool(ob.late_reason),
        "late_reason": ob.late_reason,
        "assignee": ob.assignee,
        "link": ob.link,
        "note": ob.note,
        "evidence": list(ob.evidence),
        "fulfilled_by": ob.fulfilled_by or None,
    }


def _act(ctx: Any, operation: str, obligation_id: int, actor: str | None, **kwargs: Any) -> None:
    from alerts import obligations as ops

    function = getattr(ops, operation)
    with ctx.archive() as archive:
        try:
            ob = function(archive, obligation_id, _actor(actor), clock=RealClock(), **kwargs)
        except (ValueError, LookupError) as exc:
            raise click.ClickException(str(exc)) from None
    from alerts.messages import show_outcome

    outcome = f"（{show_outcome(ob)}）" if ob.status == "done" else ""
    click.echo(f"#{ob.id} {STATUS_LABELS.get(ob.status, ob.status)}{outcome}: {ob.title}")


@obligations.command("ack")
@click.argument("obligation_id", type=int)
@click.option("--actor", help="Who (default: the login name).")
@click.pass_obj
def ack(ctx: Any, obligation_id: int, actor: str | None) -> None:
    """Acknowledge an obligation: someone is on it."""
    _act(ctx, "acknowledge", obligation_id, actor)


@obligations.command("done")
@click.argument("obligation_id", type=int)
@click.option("--link", required=True, help="Where the release/interpretation was published.")
@click.option(
    "--at",
    "at",
    type=INSTANT,
    help="When it was published (default: the proposed publication's "
    "time when --link is its address, else now), ISO 8601.",
)
@click.option("--actor")
@click.pass_obj
def done(ctx: Any, obligation_id: int, link: str, at: Any, actor: str | None) -> None:
    """Mark an obligation done, with the link to what was published (按时 or 逾期 is kept)."""
    _act(ctx, "complete", obligation_id, actor, link=link, at=at)


@obligations.command("accept")
@click.argument("obligation_id", type=int)
@click.option("--actor")
@click.pass_obj
def accept(ctx: Any, obligation_id: int, actor: str | None) -> None:
    """Confirm the proposed fulfilment (建议办结): done at that publication's time."""
    _act(ctx, "accept", obligation_id, actor)


@obligations.command("undo")
@click.argument("obligation_id", type=int)
@click.option("--actor")
@click.pass_obj
def undo(ctx: Any, obligation_id: int, actor: str | None) -> None:
    """Undo the system's automatic close: open again; that publication is not used again."""
    _act(ctx, "undo", obligation_id, actor)


@obligations.command("waive")
@click.argument("obligation_id", type=int)
@click.option("--reason", required=True)
@click.option("--actor")
@click.pass_obj
def waive(ctx: Any, obligation_id: int, reason: str, actor: str | None) -> None:
    """Waive an obligation, with the reason."""
    _act(ctx, "waive", obligation_id, actor, reason=reason)


@obligations.command("snooze")
@click.argument("obligation_id", type=int)
@click.option("--hours", type=float, required=True, help="How long to hold reminders (≤ 168).")
@click.option("--actor")
@click.pass_obj
def snooze(ctx: Any, obligation_id: int, hours: float, actor: str | None) -> None:
    """Hold an obligation's reminders for a while (escalation still runs)."""
    _act(ctx, "snooze", obligation_id, actor, hours=hours)


@obligations.command("add")
@click.argument("kind", type=OBLIGATION_KIND)
@click.option(
    "--title", required=True, type=TEXT, help="What it is about, e.g. the decision number."
)
@click.option("--subject", type=TEXT, help="A unique key (default: the title).")
@click.option(
    "--from", "start", required=True, type=INSTANT, help="Trigger time (decision, publication)."
)
@click.option("--level", type=click.Choice(AGENCY_LEVELS))
@click.option("--actor")
@click.pass_obj
def add(
    ctx: Any,
    kind: str,
    title: str,
    subject: str | None,
    start: datetime,
    level: str | None,
    actor: str | None,
) -> None:
    """Enter an obligation by hand (e.g. a penalty decided in the agency's own system)."""
    from alerts.obligations import ObligationError, add_manual

    with ctx.archive() as archive:
        try:
            ob = add_manual(
                archive,
                ctx.settings,
                RealClock(),
                kind=kind,
                subject=subject or title,
                title=title,
                trigger=start,
                level=level,
                actor=_actor(actor),
            )
        except ObligationError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(
        f"#{ob.id} due {local(ob.due_at):%Y-%m-%d %H:%M}"
        + (" (provisional)" if ob.provisional else "")
        + f": {ob.title}"
    )


@obligations.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--actor")
@click.pass_obj
def import_csv(ctx: Any, csv_file: str, actor: str | None) -> None:
    """Import penalty decisions, policy documents... from a CSV file (UTF-8, header row).

    Columns: kind, title, from (trigger time), and optionally subject (a unique key such as
    the decision number; default the title) and level. Chinese headers are accepted too:
    类型, 标题, 起算时间, 编号, 层级. A bad row is reported with its line and skipped; the
    others are imported. Rows already imported are left as they are.
    """
    from alerts.csv_import import import_obligations

    with ctx.archive() as archive:
        result = import_obligations(archive, ctx.settings, RealClock(), csv_file, _actor(actor))
    for problem in result.problems:
        click.echo(problem, err=True)
    click.echo(
        f"imported {result.imported}, already known {result.known}, rejected {len(result.problems)}"
    )
    if result.problems:
        raise SystemExit(1)


@click.group()
def silence() -> None:
    """Mute the notifications of matching alerts for a while (obligations still open)."""


@silence.command("add")
@click.option("--rule", help="Rule name.")
@click.option("--subject", help="Alert subject, e.g. event:abc; a trailing * matches a prefix.")
@click.option("--title-contains", help="Text the alert title contains, e.g. 演练.")
@click.option("--level", type=click.Choice(ALERT_LEVELS))
@click.option("--until", "until", type=INSTANT, help="End time, ISO 8601 (naive is Beijing time).")
@click.option("--for", "duration", type=DURATION, help="Or a duration from now, e.g. 2h.")
@click.option("--comment", required=True, type=TEXT, help="Why (shown in the audit log).")
@click.option("--actor", help="Who (default: the login name).")
@click.pass_obj
def silence_add(
    ctx: Any,
    rule: str | None,
    subject: str | None,
    title_contains: str | None,
    level: str | None,
    until: datetime | None,
    duration: timedelta | None,
    comment: str,
    actor: str | None,
) -> None:
    """Silence alerts matching every given matcher until --until (or for --for)."""
    from alerts.silences import add_silence
    from core.settings import SilenceSettings

    now = RealClock().now()
    if (until is None) == (duration is None):
        raise click.UsageError("give exactly one of --until and --for")
    try:
        ends = until if until is not None else now + (duration or timedelta(0))
        spec = SilenceSettings(
            rule=rule,
            subject=subject,
            title_contains=title_contains,
            level=level,  # type: ignore[arg-type]
            ends_at=ends,
            created_by=_actor(actor),
            comment=comment,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc).splitlines()[-1]) from None
    with ctx.archive() as archive:
        try:
            silence_id = add_silence(archive, spec, now)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"silence {silence_id} until {local(ends):%Y-%m-%d %H:%M}")


@silence.command("list")
@click.pass_obj
def silence_list(ctx: Any) -> None:
    """Running silences, from the configuration and from `yuqing silence add`."""
    from alerts.silences import stored_silences

    now = RealClock().now()
    with ctx.archive(readonly=True) as archive:
        stored = stored_silences(archive, now)
    running = [("config", s) for s in ctx.settings.silences if s.ends_at > now]
    if not running and not stored:
        click.echo("当前没有生效的静默（yuqing silence add 可添加）。")
        return
    for key, spec in [*running, *stored.items()]:
        matchers = ", ".join(
            f"{name}={value}"
            for name, value in (
                ("rule", spec.rule),
                ("subject", spec.subject),
                ("title", spec.title_contains),
                ("level", spec.level),
            )
            if value
        )
        click.echo(
            f"{key} until {local(spec.ends_at):%Y-%m-%d %H:%M} {matchers} "
            f"({spec.created_by}: {spec.comment})"
        )


@silence.command("expire")
@click.argument("silence_id")
@click.option("--reason", required=True)
@click.option("--actor")
@click.pass_obj
def silence_expire(ctx: Any, silence_id: str, reason: str, actor: str | None) -> None:
    """End a silence set with `yuqing silence add` now."""
    from alerts.silences import expire_silence

    with ctx.archive() as archive:
        try:
            expire_silence(archive, silence_id, _actor(actor), reason, RealClock().now())
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"silence {silence_id} expired")

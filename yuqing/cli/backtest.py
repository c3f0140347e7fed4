"""``yuqing backtest``: what a rule file would have raised over archived mentions, and when.

The archive is opened read-only; the simulation runs in a scratch archive (``yuqing.backtest``).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from core.clock import local
from yuqing.cli.types import DURATION, INSTANT


@click.command()
@click.option(
    "--rules",
    "rules_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The rule file to test (YAML list of rules, as in rules_file).",
)
@click.option(
    "--since", required=True, type=INSTANT, help="Window start, ISO 8601 (naive is Beijing time)."
)
@click.option("--until", required=True, type=INSTANT, help="Window end, ISO 8601.")
@click.option(
    "--step",
    default="10m",
    type=DURATION,
    show_default=True,
    help="Simulated time between evaluations, e.g. 5m.",
)
@click.option(
    "--warmup",
    default="7d",
    type=DURATION,
    show_default=True,
    help="History before --since loaded for baselines, not judged.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of a table.")
@click.pass_obj
def backtest(
    ctx: Any,
    rules_path: str,
    since: datetime,
    until: datetime,
    step: timedelta,
    warmup: timedelta,
    as_json: bool,
) -> None:
    """Run archived mentions through a rule set in simulated time.

    Reports the alerts and obligations the rules would have raised and when, beside what the
    current rules raised in the same window (from the audit log). Nothing is sent and the
    archive is not changed.
    """
    from alerts.rulebook import RuleFileError, load_rule_file
    from yuqing.backtest import run_backtest

    settings = ctx.settings
    try:
        rules = load_rule_file(Path(rules_path), settings, standalone=True)
    except RuleFileError as exc:
        raise click.ClickException(f"the rule file has errors:\n{exc}") from None
    step_value, warmup_value = step, warmup
    start, end = since, until
    with ctx.archive(readonly=True) as archive:
        try:
            result = run_backtest(archive, settings, rules, start, end, step_value, warmup_value)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(
            json.dumps(
                {
                    "since": local(start).isoformat(),
                    "until": local(end).isoformat(),
                    "mentions": result.mentions,
                    "steps": result.steps,
                    "messages": result.messages,
                    "raised": [r.as_dict() for r in result.raised],
                    "actual": [r.as_dict() for r in result.actual],
                    "errors": result.errors,
                },
                ensure_ascii=False,
            )
        )
        return
    _print_report(result, rules_path, step_value)


def _print_report(result: Any, rules_path: str, step: timedelta) -> None:
    minutes = int(step.total_seconds() // 60)
    click.echo(
        f"回测 {rules_path}：{local(result.since):%Y-%m-%d %H:%M} — "
        f"{local(result.until):%Y-%m-%d %H:%M}（北京时间），步长 {minutes} 分钟，"
        f"提及 {result.mentions} 条，评估 {result.steps} 次"
    )
    for title, actual in (("回测规则将产生", False), ("当前规则实际产生", True)):
        alerts, obligations = result.alerts(actual), result.obligations(actual)
        click.echo(f"\n{title}：预警 {len(alerts)} 条，义务 {len(obligations)} 项")
        for item in sorted(alerts + obligations, key=lambda r: (r.at, r.what)):
            when = f"{local(item.at):%m-%d %H:%M}"
            if item.what == "alert":
                click.echo(f"  {when} 预警 {item.rule} [{item.level}] {item.title}")
            else:
                due = f"{local(item.due_at):%m-%d %H:%M}" if item.due_at else "?"
                flag = "（暂定）" if item.provisional else ""
                click.echo(f"  {when} 义务 {item.rule} 截止 {due}{flag} {item.title}")
    raises = [r for r in result.raised if r.what == "raise"]
    if raises:
        click.echo(f"\n级别升高 {len(raises)} 次")
    tested = Counter(r.rule for r in result.alerts())
    current = Counter(r.rule for r in result.alerts(actual=True))
    click.echo("\n按规则（回测 / 当前）：")
    for rule in sorted(set(tested) | set(current)):
        click.echo(f"  {rule}: {tested.get(rule, 0)} / {current.get(rule, 0)}")
    click.echo(f"\n将发出的通知 {result.messages} 条（未发送）")
    for error in result.errors[:20]:
        click.echo(f"错误：{error}", err=True)

"""The ``yuqing`` command line. Every command has ``--help``; the dashboard calls the same
operations, so anything staff can do on screen can be done from a shell too."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive import open_archive
from archive.base import Archive, ArchiveError
from core.clock import RealClock
from core.config import ConfigError, load_config
from core.settings import Settings

if TYPE_CHECKING:
    from nlp.stage import AnalyzeReport

DEFAULT_CONFIG = "yuqing.yaml"


class Context:
    def __init__(self, config_path: str) -> None:
        self.config_path = config_path
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_config(self.config_path)
        return self._settings

    def archive(self, lock: str | None = None, readonly: bool = False) -> Archive:
        return open_archive(self.settings.archive, lock=lock, readonly=readonly)


pass_context = click.make_pass_decorator(Context)


class _Group(click.Group):
    """Turns the errors users can act on into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo("configuration error:\n  " + "\n  ".join(exc.problems), err=True)
            sys.exit(2)
        except ArchiveError as exc:
            click.echo(f"archive error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-c",
    "--config",
    default=lambda: os.environ.get("YUQING_CONFIG", DEFAULT_CONFIG),
    show_default="yuqing.yaml or $YUQING_CONFIG",
    help="Configuration file.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log more (debug level).")
@click.pass_context
def main(ctx: click.Context, config: str, verbose: bool) -> None:
    """Yuqing 舆情: public-opinion monitoring and response for quality-supervision press offices."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = Context(config)


@main.command()
@click.argument("path", default=DEFAULT_CONFIG, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str, force: bool) -> None:
    """Write a commented example configuration to PATH (default yuqing.yaml)."""
    target = Path(path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; use --force to overwrite it")
    text = resources.files("yuqing").joinpath("templates/yuqing.example.yaml").read_text("utf-8")
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}; edit it, then run: yuqing -c {target} check-config")


@main.command("check-config")
@pass_context
def check_config(ctx: Context) -> None:
    """Validate the configuration file (and its rules_file) and summarise it."""
    settings = ctx.settings
    if settings.rules_file is not None:
        from alerts.rulebook import RuleFileError, load_rule_file

        try:
            load_rule_file(settings.rules_file, settings)
        except RuleFileError as exc:
            raise click.ClickException(f"the rule file has errors:\n{exc}") from None
    enabled = [s.name for s in settings.sources if s.enabled]
    click.echo(f"{ctx.config_path}: OK")
    click.echo(f"  archive: {settings.archive.backend} {settings.archive.path}")
    click.echo(f"  sources: {len(settings.sources)} ({len(enabled)} enabled)")
    click.echo(
        f"  rules: {len(settings.rules)}; notifiers: {len(settings.notifiers)}; "
        f"recipients: {len(settings.recipients)}; users: {len(settings.users)}"
    )


@main.command()
@click.argument("sources", nargs=-1)
@pass_context
def crawl(ctx: Context, sources: tuple[str, ...]) -> None:
    """Crawl the named SOURCES once (all enabled sources when none are named)."""
    from crawlers.engine import crawl_once

    settings = ctx.settings
    try:
        chosen = [settings.source(name) for name in sources]
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    names = [s.name for s in chosen] or [s.name for s in settings.sources if s.enabled]
    if not names:
        raise click.ClickException("no enabled sources in the configuration")
    with ctx.archive(lock="crawl") as archive:
        reports = crawl_once(settings, archive, RealClock(), names)
    failed = False
    for report in reports:
        click.echo(
            f"{report.source}: {report.items} items, {report.new} new, "
            f"{len(report.errors)} errors, {report.seconds:.1f}s"
        )
        for error in report.errors:
            failed = True
            click.echo(f"  error: {error}", err=True)
    if failed:
        sys.exit(1)


@main.command()
@click.option(
    "--from-start",
    is_flag=True,
    help="Analyse every stored mention again: after an upgrade, old analyses and events gain "
    "what the new version keeps (entities, volume by platform) and the current models' scores.",
)
@pass_context
def analyze(ctx: Context, from_start: bool) -> None:
    """Analyse mentions that arrived since the last analysis."""
    from nlp.stage import CURSOR, analyze_new, forget

    clock = RealClock()
    with ctx.archive(lock="analyze") as archive:
        if not from_start:
            report = analyze_new(archive, ctx.settings, clock)
        else:
            # Safe to repeat: a mention keeps its event and its analysis is recomputed from
            # the same inputs (tests/test_nlp_stage.py, resetting the cursor).
            archive.ledger.set_cursor(CURSOR, 0)
            forget(archive)
            report = _analyze_with_progress(archive, ctx.settings, clock)
    click.echo(
        f"analysed {report.processed} mentions ({report.relevant} relevant); events: "
        f"{report.events_created} new, {report.events_updated} updated"
    )


def _analyze_with_progress(archive: Archive, settings: Settings, clock: RealClock) -> AnalyzeReport:
    """``analyze_new`` in steps of a few batches, with a progress bar over the mentions."""
    from nlp.stage import AnalyzeReport, analyze_new

    total = AnalyzeReport()
    step = settings.nlp.batch_size * 10
    with click.progressbar(
        length=archive.count_mentions(), label="analysing", file=sys.stderr
    ) as bar:
        while True:
            report = analyze_new(archive, settings, clock, limit=step)
            if not report.processed:
                return total
            bar.update(report.processed)
            total.processed += report.processed
            total.relevant += report.relevant
            total.events_created += report.events_created
            total.events_updated += report.events_updated


@main.command()
@pass_context
def alert(ctx: Context) -> None:
    """Evaluate the rules, open obligations, and deliver due notifications."""
    from alerts.notify import deliver_due
    from alerts.stage import evaluate

    clock = RealClock()
    with ctx.archive(lock="alert") as archive:
        report = evaluate(archive, ctx.settings, clock)
        delivery = deliver_due(archive, ctx.settings, clock)
    click.echo(
        f"alerts: {report.alerts_new} new, {report.alerts_updated} updated; "
        f"obligations opened: {report.obligations_opened}; "
        f"notifications sent: {delivery.sent}, failed: {delivery.failed}"
    )


@main.command()
@click.option("--once", is_flag=True, help="Run one pass and exit.")
@pass_context
def run(ctx: Context, once: bool) -> None:
    """Run continuously: crawl on schedule, analyse, alert, notify. Stop with Ctrl-C.

    With ``redis:`` in the configuration this is the scale-out alert process: one of any
    number started leads (evaluates and delivers), the others wait (docs/scale-out.md)."""
    from yuqing.runner import Runner

    settings = ctx.settings
    if settings.redis is not None:
        from yuqing.cli.workers import run_led

        run_led(ctx, once)
        return
    with ctx.archive(lock="runner") as archive:
        runner = Runner(settings, archive, RealClock())
        runner.install_signal_handlers()
        if once:
            report = runner.tick()
            runner.close()
            click.echo(
                f"new mentions {report.new_mentions}, analysed {report.analyzed}, "
                f"alerts {report.alerts_new}, obligations {report.obligations_opened}"
            )
        else:
            click.echo(f"running on {archive.describe()}; Ctrl-C to stop", err=True)
            totals = runner.run()
            click.echo(f"stopped after {totals.ticks} passes", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object with English keys.")
@pass_context
def stats(ctx: Context, as_json: bool) -> None:
    """Counts of what the archive holds, and the health of each source."""
    with ctx.archive(readonly=True) as archive:
        counts = archive.stats()
        states = archive.ledger.list_source_states()
    if as_json:
        click.echo(json.dumps({**counts, "sources": [asdict(s) for s in states]}, default=str))
        return
    click.echo(stats_summary(counts))
    if states:
        click.echo("信息源:")
        from crawlers.health import health_line

        for state in states:
            click.echo(f"  {health_line(state)}")


# What the archive's counters are, in the words of the people who read them.
STATS_LABELS = {
    "mentions": "提及（采集到的文章、帖子、评论）",
    "analyses": "已分析的提及",
    "events": "事件",
    "alerts": "预警",
    "obligations": "处置事项（全部）",
    "open_obligations": "处置事项（未办结）",
    "outbox": "通知（全部）",
    "pending_messages": "通知（待发送）",
    "audit": "审计记录",
    "rejects": "被隔离的异常数据",
    "bytes": "占用空间",
}


def stats_summary(counts: dict[str, Any]) -> str:
    lines = []
    for key, value in counts.items():
        shown = f"{value / 1048576:.1f} MB" if key == "bytes" else str(value)
        lines.append(f"{STATS_LABELS.get(key, key)}：{shown}")
    return "\n".join(lines)


@main.command()
@click.option("--port", type=int, default=None, help="Port (default from configuration).")
@pass_context
def dashboard(ctx: Context, port: int | None) -> None:
    """Open the Streamlit dashboard on this archive."""
    settings = ctx.settings
    sys.exit(launch_dashboard(Path(ctx.config_path), settings, port))


def streamlit_command(app: Path, host: str, port: int) -> list[str]:
    """``streamlit run app`` as the dashboard is served (the tests' browser helper uses it too,
    so what they see is what users see). ``client.toolbarMode viewer``: Streamlit's default
    ("auto") shows the developer toolbar (Deploy, rerun, clear cache) to anyone opening the
    page on the machine itself, which is where the demo and the duty desk open it."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--server.fileWatcherType",
        "none",
    ]


def launch_dashboard(config_path: Path, settings: Settings, port: int | None = None) -> int:
    # server.py: the app plus the routes that set the HttpOnly login cookie.
    app = Path(__file__).resolve().parents[2] / "dashboard" / "server.py"
    env = dict(os.environ, YUQING_CONFIG=str(config_path.resolve()))
    command = streamlit_command(app, settings.dashboard.host, port or settings.dashboard.port)
    click.echo(f"dashboard: http://{settings.dashboard.host}:{port or settings.dashboard.port}/")
    browser = shutil.which("xdg-open")
    if browser and os.environ.get("DISPLAY"):
        subprocess.Popen(
            [browser, f"http://{settings.dashboard.host}:{port or settings.dashboard.port}/"]
        )
    return subprocess.call(command, env=env)


@main.command()
@click.option("--headless", is_flag=True, help="Do everything but the dashboard; print a summary.")
@click.option(
    "--workdir",
    default="demo-data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the demo's configuration and archive (recreated).",
)
@click.option(
    "--speed",
    type=float,
    default=None,
    help="Simulated seconds per real second (default: as fast as possible when "
    "headless, 2880 with the dashboard: six days in about three minutes).",
)
@click.option("--port", type=int, default=None, help="Dashboard port.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--corpus",
    type=click.Path(dir_okay=False),
    default=None,
    help="Replay this scenario file (demo corpus format, docs/scenarios.md) instead of the "
    "built-in corpus: a drill (演练) on the real pipeline.",
)
def demo(
    headless: bool,
    workdir: str,
    speed: float | None,
    port: int | None,
    as_json: bool,
    corpus: str | None,
) -> None:
    """Run the end-to-end demo on local demo sites: crawl, analyse, alert, dashboard."""
    from yuqing.demo.corpus_check import CorpusError
    from yuqing.demo.run import run_demo

    try:
        summary = run_demo(
            Path(workdir),
            headless=headless,
            speed=speed,
            dashboard_port=port,
            out=sys.stdout if not as_json else None,
            corpus_path=Path(corpus) if corpus else None,
        )
    except CorpusError as exc:
        click.echo(f"error: scenario file rejected: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))


@main.command("hash-password")
@click.option(
    "--stdin", "from_stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def hash_password_command(from_stdin: bool) -> None:
    """Print a scrypt hash for a dashboard user's ``password_hash`` key."""
    from core.passwords import hash_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        click.echo(hash_password(password))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _register_subcommands() -> None:
    from yuqing.cli.obligations import deadline, obligations, silence
    from yuqing.cli.search import search

    main.add_command(search)
    main.add_command(deadline)
    main.add_command(obligations)
    from yuqing.cli.backtest import backtest

    main.add_command(backtest)
    main.add_command(silence)
    import yuqing.cli.sentiment  # noqa: F401  (adds ``train sentiment`` to the group)
    from yuqing.cli.nlp import evaluate, score, train

    main.add_command(train)
    main.add_command(score)
    main.add_command(evaluate)
    from yuqing.cli.crawl import extract, replay

    main.add_command(extract)
    main.add_command(replay)
    from yuqing.cli.archive import archive_group

    main.add_command(archive_group)
    from yuqing.cli.report import report

    main.add_command(report)
    from yuqing.cli.propagation import propagation

    main.add_command(propagation)
    from yuqing.cli.workers import analyze_worker, crawl_worker

    main.add_command(crawl_worker)
    main.add_command(analyze_worker)


_register_subcommands()
if __name__ == "__main__":
    main()

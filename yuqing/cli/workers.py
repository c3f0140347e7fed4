"""``yuqing crawl-worker`` and ``yuqing analyze-worker``: the scale-out processes.

Both need ``redis:`` in the configuration; any number of each may run on any hosts against
the same Redis and archive (docs/scale-out.md). ``yuqing run`` stays the one-process mode.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from types import FrameType

import click

from core.clock import RealClock
from core.settings import Settings, SourceSettings
from yuqing.cli import Context, pass_context

__all__ = ["analyze_worker", "choose_sources", "crawl_worker", "run_led"]

logger = logging.getLogger(__name__)

# What ``yuqing run`` does in the scale-out mode: the crawl and the analysis belong to the
# workers; the one elected process reloads the configuration, builds the scheduled
# briefings, evaluates the rules and delivers.
LEADER_STAGES = ("config", "reports", "alert", "deliver")


def _needs_redis(ctx: Context) -> Settings:
    settings = ctx.settings
    if settings.redis is None:
        raise click.ClickException(
            f"{ctx.config_path}: the workers need 'redis:' (e.g. redis: {{url: "
            "redis://127.0.0.1:6379/0}); see docs/scale-out.md"
        )
    return settings


@click.command("crawl-worker")
@click.argument("sources", nargs=-1)
@click.option(
    "--until-idle",
    is_flag=True,
    help="Exit once the sources' shared queue is empty and no worker holds a request "
    "(tests, benchmarks, one-off backfills); by default run until stopped.",
)
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="Only the sources of this province or city (their 'region:', e.g. 江西省 takes "
    "江西省南昌市's too); repeatable. A province's crawler hosts take its sources.",
)
@pass_context
def crawl_worker(
    ctx: Context, sources: tuple[str, ...], until_idle: bool, regions: tuple[str, ...]
) -> None:
    """Crawl SOURCES (all enabled ones when none are named) from the shared Redis frontier."""
    from crawlers.distributed.worker import run_worker

    settings = _needs_redis(ctx)
    chosen = choose_sources(settings, sources, regions)
    worker = run_worker(settings, chosen, until_idle=until_idle)
    click.echo(f"crawl worker {worker} stopped", err=True)


# A province's name with or without its kind: 江西省 and 江西 are one province.
_REGION_KINDS = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")


def _bare(region: str) -> str:
    region = region.strip()
    for kind in _REGION_KINDS:
        if region.endswith(kind) and len(region) > len(kind) + 1:
            return region[: -len(kind)]
    return region


def choose_sources(
    settings: Settings, names: tuple[str, ...], regions: tuple[str, ...] = ()
) -> list[SourceSettings]:
    """The sources a worker crawls: those named (else every enabled one), then only those
    whose ``region`` lies in one of ``regions`` (a prefix: a province holds its cities)."""
    try:
        chosen = [settings.source(name) for name in names]
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    chosen = chosen or [s for s in settings.sources if s.enabled]
    if regions:
        wanted = [_bare(r) for r in regions if r.strip()]
        chosen = [s for s in chosen if any(s.region.strip().startswith(w) for w in wanted)]
        if not chosen:
            raise click.ClickException(
                f"no enabled source has a region in {', '.join(regions)} "
                "(each source's 'region:' in the configuration)"
            )
    if not chosen:
        raise click.ClickException("no enabled sources in the configuration")
    return chosen


@click.command("analyze-worker")
@click.option(
    "--until-idle",
    is_flag=True,
    help="Exit once every stored mention is analysed; by default run until stopped.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
    default=None,
    help="Analyse as of this time (e.g. 2026-11-16T08:00+0800), for replays and backtests; "
    "by default the wall clock.",
)
@click.option("--lease", type=float, default=10.0, show_default=True, help="Lease time in seconds.")
@pass_context
def analyze_worker(ctx: Context, until_idle: bool, as_of: datetime | None, lease: float) -> None:
    """Analyse with the other analyze-workers: one holds the lease, the others prepare texts."""
    from core.clock import Clock, RealClock, SimulatedClock
    from yuqing.analyze_worker import AnalyzeWorker

    settings = _needs_redis(ctx)
    if as_of is not None and as_of.tzinfo is None:
        raise click.BadParameter("give the time zone, e.g. +0800", param_hint="--as-of")
    clock: Clock = SimulatedClock(as_of) if as_of is not None else RealClock()
    with ctx.archive() as archive:
        worker = AnalyzeWorker(settings, archive, clock, lease_seconds=lease)
        report = worker.run(until_idle=until_idle)
    click.echo(
        f"analyze worker {worker.worker}: analysed {report.analysed}, prepared "
        f"{report.prepared} mentions for others (CPU {report.cpu_leading:.2f} s leading, "
        f"{report.cpu_helping:.2f} s helping, {report.cpu_starting:.2f} s starting; "
        f"{report.texts_taken} of {report.texts_wanted} texts prepared by others, "
        f"{report.waited:.2f} s waiting for them)"
    )


def run_led(ctx: Context, once: bool) -> None:
    """``yuqing run`` with ``redis:``: the alert process, one at a time by leader election.

    Any number may be started (on any hosts); one leads, the others wait on standby and the
    first to see the lease expire takes over from the archive's durable cursors. The archive
    is opened with the ``alert`` role lock only while leading, so a standby on the same host
    as a SQLite archive does not hold it.
    """
    from archive.base import ArchiveError
    from yuqing.leader import Leadership
    from yuqing.runner import Runner

    settings = ctx.settings
    assert settings.redis is not None
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    # A leader that stopped renewing is dead after the same time as a silent crawl worker.
    lease = settings.redis.worker_timeout
    leadership = Leadership(settings.redis, ttl=lease)
    click.echo(f"alert process {leadership.me}: campaigning on {settings.redis.where()}", err=True)
    while leadership.acquire(stop):
        try:
            with ctx.archive(lock="alert") as archive:
                runner = Runner(settings, archive, RealClock(), LEADER_STAGES, leadership.held)
                runner.stop_event = stop
                if once:
                    report = runner.tick()
                    runner.close()
                    click.echo(
                        f"alerts {report.alerts_new}, obligations {report.obligations_opened}, "
                        f"sent {report.messages_sent}"
                    )
                    return
                click.echo(f"leading on {archive.describe()}; Ctrl-C to stop", err=True)
                totals = runner.run()
                click.echo(f"stopped leading after {totals.ticks} passes", err=True)
        except ArchiveError as exc:
            # E.g. a paused former leader on this host still holds the role lock: hand the
            # lease back and campaign again, rather than act beside it.
            logger.warning("cannot lead: %s", exc)
            leadership.release()
            stop.wait(lease)
        finally:
            leadership.release()

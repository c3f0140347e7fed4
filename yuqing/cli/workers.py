"""``yuqing crawl-worker`` and ``yuqing analyze-worker``: the scale-out processes.

Both need ``redis:`` in the configuration; any number of each may run on any hosts against
the same Redis and archive (docs/scale-out.md). ``yuqing run`` stays the one-process mode.
"""

from __future__ import annotations

import click

from core.settings import Settings
from yuqing.cli import Context, pass_context

__all__ = ["crawl_worker"]


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
@pass_context
def crawl_worker(ctx: Context, sources: tuple[str, ...], until_idle: bool) -> None:
    """Crawl SOURCES (all enabled ones when none are named) from the shared Redis frontier."""
    from crawlers.distributed.worker import run_worker

    settings = _needs_redis(ctx)
    try:
        chosen = [settings.source(name) for name in sources]
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    chosen = chosen or [s for s in settings.sources if s.enabled]
    if not chosen:
        raise click.ClickException("no enabled sources in the configuration")
    worker = run_worker(settings, chosen, until_idle=until_idle)
    click.echo(f"crawl worker {worker} stopped", err=True)

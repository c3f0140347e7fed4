"""``yuqing archive copy`` and ``yuqing archive verify``: move an archive to Elasticsearch."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from archive import open_archive
from archive.base import Archive
from archive.es.copy import checkpoint_name, copy_archive, verify_copy


def _target(ctx: Any, backend: str) -> Archive:
    settings = ctx.settings.archive
    if settings.backend != backend:
        raise click.UsageError(
            f"--to {backend}: {ctx.config_path} has archive.backend {settings.backend!r};"
            f" set archive.backend: {backend} and archive.hosts first"
        )
    return open_archive(settings)


def _source(path: str) -> Archive:
    return open_archive(Path(path), readonly=True)


@click.group("archive")
def archive_group() -> None:
    """Move the archive between backends (SQLite → Elasticsearch) and check the copy."""


@archive_group.command("copy")
@click.option(
    "--from",
    "source_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The SQLite archive file to copy from.",
)
@click.option(
    "--to",
    "backend",
    type=click.Choice(["elasticsearch"]),
    default="elasticsearch",
    show_default=True,
    help="The archive of the configuration file (its backend must be this one).",
)
@click.option("--batch", default=1000, show_default=True, help="Mentions per bulk write.")
@click.pass_obj
def copy_command(ctx: Any, source_path: str, backend: str, batch: int) -> None:
    """Copy mentions, analyses and events; an interrupted copy resumes where it stopped."""
    with _source(source_path) as source, _target(ctx, backend) as target:
        name = checkpoint_name(Path(source_path))
        if target.ledger.get_cursor(name):
            click.echo(f"resuming the copy from position {target.ledger.get_cursor(name)}")
        total = source.count_mentions()
        with click.progressbar(length=total, label="复制舆情记录", file=sys.stderr) as bar:
            shown = [0]

            def progress(done: int, _total: int) -> None:
                bar.update(done - shown[0])
                shown[0] = done

            report = copy_archive(source, target, name, progress=progress, batch=batch)
        click.echo(
            f"copied {report.mentions} mentions, {report.analyses} analyses and"
            f" {report.events} events from {source.describe()} to {target.describe()}"
        )
        ledger = getattr(getattr(target, "ledger", None), "path", None)
        if ledger is not None and Path(ledger).resolve() != Path(source_path).resolve():
            click.echo(
                "note: alerts, obligations, the outbox and the audit log stay in"
                f" {source_path}; set archive.path to it to keep them (now {ledger})"
            )


@archive_group.command("verify")
@click.option(
    "--from",
    "source_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The SQLite archive the copy was made from.",
)
@click.option("--samples", default=200, show_default=True, help="Mentions compared one by one.")
@click.pass_obj
def verify_command(ctx: Any, source_path: str, samples: int) -> None:
    """Compare counts, facet counts and a random sample of mentions with the source."""
    with _source(source_path) as source, open_archive(ctx.settings.archive) as target:
        report = verify_copy(source, target, samples=samples)
    for name, (left, right) in report.counts.items():
        click.echo(f"{name}: {left} in the source, {right} in the copy")
    click.echo(f"sampled {report.sampled} mentions")
    if report.ok:
        click.echo("verify: the copy matches")
        return
    for problem in report.problems[:50]:
        click.echo(f"  {problem}", err=True)
    click.echo(f"verify: {len(report.problems)} differences", err=True)
    sys.exit(1)

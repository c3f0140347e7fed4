"""Crawler commands: ``yuqing extract PAGE.html`` and ``yuqing replay``.

``extract`` is for operators writing per-site selectors: run it on a saved page, see what the
extraction chain finds, and add ``selectors`` to the source until it is right. ``replay``
plays recorded data sets through the whole pipeline in simulated time (evaluation on real
data, demonstrations).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from core.clock import RealClock, local
from crawlers.encoding import decode_html, looks_binary
from crawlers.extract import extract_article
from crawlers.settings import DOWNLOAD_MAXSIZE
from yuqing.cli.types import DURATION, INSTANT

__all__ = ["extract", "replay"]


@click.command()
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--url", default="", help="The address the page was saved from (for relative dates and links)."
)
@click.option(
    "--encoding", default=None, help="Read the file in this charset instead of detecting it."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print {title, published_at, author, text} as JSON."
)
def extract(page: Path, url: str, encoding: str | None, as_json: bool) -> None:
    """Extract title, publish time, author and body from one saved HTML PAGE."""
    size = page.stat().st_size
    if size > DOWNLOAD_MAXSIZE:
        # The crawler's own limit: a page this large is not an article (a 50 MB file took
        # 1.5 GB and minutes), so it is refused before it is read.
        raise click.UsageError(
            f"{page}: {size / 1048576:.1f} MB is larger than a page may be "
            f"({DOWNLOAD_MAXSIZE // 1048576} MB, as the crawler allows)"
        )
    body = page.read_bytes()
    if not body.strip():
        raise click.UsageError(f"{page}: the file is empty")
    try:
        html = body.decode(encoding) if encoding else decode_html(body)
    except (LookupError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{page}: cannot be read as {encoding}: {exc}") from None
    if looks_binary(html):
        raise click.UsageError(f"{page}: not an HTML page (binary data)")
    article = extract_article(html, url, RealClock().now())
    published = local(article.published_at).isoformat() if article.published_at else None
    result = {
        "title": article.title,
        "published_at": published,
        "author": article.author,
        "text": article.text,
    }
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"标题: {article.title}")
    click.echo(f"发布时间: {published or '（未找到）'}  (读自: {article.published_raw or '-'})")
    click.echo(f"作者: {article.author or '（未找到）'}")
    click.echo(f"正文 ({len(article.text)} 字, {article.method}):")
    click.echo(article.text)


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--start",
    default=None,
    type=INSTANT,
    help="Simulated start, ISO 8601 (naive = Beijing time); default: now.",
)
@click.option(
    "--step",
    default="10m",
    type=DURATION,
    show_default=True,
    help="Simulated time between pipeline passes.",
)
@click.option(
    "--until",
    "until_span",
    default=None,
    type=DURATION,
    help="Stop after this much simulated time (e.g. 3d); default: when every record has played.",
)
@click.pass_obj
def replay(
    ctx: Any,
    sources: tuple[str, ...],
    start: datetime | None,
    step: timedelta,
    until_span: timedelta | None,
) -> None:
    """Play the replay SOURCES (all replay sources when none are named) through the whole
    pipeline — crawl, analyse, alert — under a simulated clock, as fast as the machine goes."""
    from core.clock import SimulatedClock
    from crawlers.replay import load_timeline
    from yuqing.runner import Runner

    settings = ctx.settings
    try:
        chosen = [settings.source(name) for name in sources] or [
            s for s in settings.sources if s.type == "replay" and s.enabled
        ]
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    wrong = [s.name for s in chosen if s.type != "replay"]
    if wrong or not chosen:
        raise click.ClickException(
            f"not replay sources: {', '.join(wrong)}" if wrong else "no replay sources configured"
        )
    tick = step
    begin = start or RealClock().now()
    if until_span:
        span = until_span
    else:
        spans = []
        for source in chosen:
            assert source.path is not None
            timeline = load_timeline(source.path)
            dated = [r.at for r in timeline.records if r.at is not None]
            if dated:
                spans.append((max(dated) - min(dated)) / source.speed + source.interval)
        span = max(spans, default=tick)
    only = settings.model_copy(
        update={"sources": chosen, "runner": settings.runner.model_copy(update={"tick": tick})}
    )
    clock = SimulatedClock(begin, 0)
    click.echo(
        f"replaying {', '.join(s.name for s in chosen)} from {local(begin):%Y-%m-%d %H:%M} "
        f"for {span} of simulated time, a pass every {tick}",
        err=True,
    )
    with ctx.archive(lock="runner") as archive:
        runner = Runner(only, archive, clock)
        runner.install_signal_handlers()
        totals = runner.run(until=begin + span, status=None)
        stats = archive.stats()
    click.echo(
        f"passes {totals.ticks}; new mentions {totals.new_mentions}; analysed {totals.analyzed}; "
        f"alerts {totals.alerts_new}; obligations {totals.obligations_opened}; "
        f"archive now holds {stats['mentions']} mentions"
    )

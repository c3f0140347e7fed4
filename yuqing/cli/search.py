"""``yuqing search``: the archive's query language from a shell, as a table, JSON or CSV."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from archive.export import hit_record, write_csv
from archive.query import QueryError
from archive.search import SearchFilters, SearchRequest, SearchScope
from archive.vocabulary import (
    CLOSED_FIELDS,
    PLATFORM_LABELS,
    VocabularyError,
    canonical,
    valid_values,
)
from yuqing.cli.types import INSTANT

QUERY_HELP = """\b
Query language:
  电梯 事故          both words
  "电梯 困人"        an exact phrase
  召回 OR 缺陷       either word (|| too; AND / && are optional)
  -演习              without this word (NOT 演习 too)
  電梯               Traditional is folded: finds 电梯 too
  platform:weibo     field filter: source, platform, kind, topic, event,
                     sentiment, region, author, entity (-field:value excludes);
                     codes or Chinese names (platform:微博, topic:食品安全),
                     region:江州 also finds 江州市
\b
Values:
""" + "\n".join(f"  {field}: {valid_values(field)}" for field in CLOSED_FIELDS)
# A table printed to a pipe or file has no terminal to fit: this many columns.
PIPE_WIDTH = 120


def _canonical(field: str, values: tuple[str, ...]) -> list[str]:
    """--platform 微博 is --platform weibo; an unknown value lists the valid ones."""
    try:
        return [code for value in values for code in canonical(field, value)]
    except VocabularyError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{field}") from None


def print_table(
    records: list[dict[str, Any]], total: str, shown: Callable[[str], str] = str
) -> None:
    """The hits as a table that fits the terminal (Rich wraps no cell: the text is clipped
    with an ellipsis, and Chinese characters count two columns). Piped, it is 120 wide."""
    console = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH, highlight=False)
    console.print(f"共 {total} 条结果" + (f"，显示 {len(records)} 条" if records else ""))
    if not records:
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=False)
    # Every column but the text keeps its width; the text takes what is left, clipped.
    table.add_column("时间（北京）", no_wrap=True, min_width=16)
    table.add_column("平台", no_wrap=True, min_width=8)
    table.add_column("来源", no_wrap=True, min_width=8, max_width=16, overflow="ellipsis")
    # The other columns take at most 16 + 8 + 16 + 4 + 18 cells and 2 of padding each.
    text_width = max(10, console.width - 62 - 2 * 6)
    table.add_column("标题 / 内容", no_wrap=True, overflow="ellipsis", max_width=text_width)
    table.add_column("谣言", justify="right", no_wrap=True, min_width=4)
    table.add_column("编号", no_wrap=True, overflow="ellipsis", min_width=6, max_width=18)
    for record in records:
        rumour = record["rumor_score"]
        table.add_row(
            record["published_at"][:16].replace("T", " "),
            PLATFORM_LABELS.get(record["platform"], record["platform"]),
            shown(record["source"]),  # the source's display name; --json keeps the id
            Text((record["title"] or record["text"]).replace("\n", " ")),
            "" if rumour is None else f"{rumour:.2f}",
            record["id"],
        )
    console.print(table)


def scope_of(
    settings: Any, archive: Any, unit_id: str, since: datetime | None
) -> SearchScope | None:
    """``--unit``'s search scope; a clear error without ``units:`` or for an unknown id."""
    from alerts.unit_scope import unit_scope
    from alerts.units import tree_of

    tree = tree_of(settings.units, settings.nlp.authorities)
    if tree is None:
        raise click.BadParameter("no units: in the configuration", param_hint="--unit")
    if unit_id not in tree.by_id:
        known = ", ".join(tree.by_id)
        raise click.BadParameter(f"unknown unit {unit_id!r} (known: {known})", param_hint="--unit")
    return unit_scope(archive, tree, unit_id, since)


# A query may start with '-' (`yuqing search '-演习'`, exclusion as the query language has it):
# unknown options are passed on as the query instead of being refused as options.
@click.command(epilog=QUERY_HELP, context_settings={"ignore_unknown_options": True})
@click.argument("query", default="")
@click.option("--since", type=INSTANT, help="From this time (ISO 8601; naive is Beijing time).")
@click.option("--until", type=INSTANT, help="Before this time.")
@click.option("--platform", "platforms", multiple=True, help="news, rss, weibo, official…")
@click.option("--source", "sources", multiple=True)
@click.option("--topic", "topics", multiple=True)
@click.option("--region", "regions", multiple=True)
@click.option("--sentiment", "sentiments", multiple=True)
@click.option(
    "--entity",
    "entities",
    multiple=True,
    help="Mentions whose analysis names this company, brand, product or region "
    "(a region also by its six-digit code, e.g. 440300).",
)
@click.option(
    "--unit",
    "unit_id",
    default=None,
    help="Only this unit's subtree (units: in the YAML): mentions of the events routed to it "
    "or below, and mentions in no event naming its places.",
)
@click.option("--min-rumor", type=float, help="Only rumour scores at or above this.")
@click.option("--relevant", is_flag=True, help="Only mentions analysed as relevant.")
@click.option("--sort", type=click.Choice(["time", "relevance"]), default="time", show_default=True)
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--all", "fetch_all", is_flag=True, help="Every hit, page by page (for export).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row.")
@click.pass_obj
def search(
    ctx: Any,
    query: str,
    since: datetime | None,
    until: datetime | None,
    platforms: tuple[str, ...],
    sources: tuple[str, ...],
    topics: tuple[str, ...],
    regions: tuple[str, ...],
    sentiments: tuple[str, ...],
    entities: tuple[str, ...],
    unit_id: str | None,
    min_rumor: float | None,
    relevant: bool,
    sort: str,
    limit: int,
    fetch_all: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Search the archive of mentions (full-text Chinese search with filters)."""
    try:
        filters = SearchFilters(
            since=since,
            until=until,
            platforms=_canonical("platform", platforms),
            sources=list(sources),
            topics=_canonical("topic", topics),
            regions=_canonical("region", regions),
            sentiments=_canonical("sentiment", sentiments),
            entities=list(entities),
            rumor_min=min_rumor,
            relevant_only=relevant,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    request = SearchRequest(query=query, filters=filters, sort=sort, limit=min(limit, 1000))
    with ctx.archive(readonly=True) as archive:
        if unit_id is not None:
            filters.scope = scope_of(ctx.settings, archive, unit_id, since)
        try:
            result = archive.search(request)
            hits = list(result.hits)
            while fetch_all and result.next_cursor:
                request.after = result.next_cursor
                result = archive.search(request)
                hits.extend(result.hits)
        except QueryError as exc:
            raise click.ClickException(f"query error: {exc}") from None
    records = [hit_record(hit) for hit in hits]
    if as_json:
        for record in records:
            click.echo(json.dumps(record, ensure_ascii=False))
    elif as_csv:
        # A byte-order mark, as the dashboard's export has, so Excel reads the text as UTF-8.
        sys.stdout.write("\ufeff")
        write_csv(records, sys.stdout)
    else:
        total = f"{result.total}" + ("" if result.total_exact else "+")
        print_table(records, total, ctx.settings.display_name)


__all__ = ["search"]

"""``yuqing propagation EVENT_ID``: where an event's story started and who carried it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from core.clock import SHANGHAI
from nlp.propagation import build_cascade
from nlp.propagation_figures import Figures, Spreader, cascade_figures
from nlp.propagation_read import MAX_MENTIONS, cascade_mentions, stored_figures
from nlp.propagation_stage import STORED_TOP

__all__ = ["propagation"]


def _when(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "时间未知"


def _span(value: timedelta | None) -> str:
    if value is None:
        return "未达到"
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60}小时{minutes % 60}分钟" if minutes >= 60 else f"{minutes}分钟"


def _spreader_line(rank: int, s: Spreader) -> str:
    return (
        f"  {rank:>2}. {s.author or '（未知作者）'}［{s.account}］ 带来 {s.brought_in} 条"
        f"（直接 {s.direct}），中介度 {s.betweenness:.0f}  {_when(s.at)}  {s.url}"
    )


def render(title: str, figures: Figures) -> list[str]:
    """The figures as the lines a press officer reads (Chinese, Beijing time)."""
    first = figures.first_source
    lines = [
        f"事件：{title}",
        f"传播节点 {figures.nodes}（已存档 {figures.mentions}，"
        f"未存档占位 {figures.placeholders}），"
        f"传播关系 {figures.edges}，传播树 {figures.trees}",
    ]
    if first is not None:
        lines.append(
            f"首发：{first.author or '（未知作者）'}［{first.account}］ {first.platform} "
            f"{_when(first.at)}  {first.url}"
        )
    lines += [
        f"深度 {figures.depth}，最大宽度 {figures.breadth}，"
        f"最大传播树 {figures.largest_tree} 个节点，"
        f"接力转发程度（结构病毒性）{figures.virality:.2f}（加权平均 {figures.virality_mean:.2f}）",
        f"传播速度：平均每小时 {figures.reposts_per_hour:.1f} 次，"
        f"峰值每小时 {figures.peak_hour} 次；"
        + "，".join(f"达到 {k} 条用时 {_span(v)}" for k, v in figures.time_to.items()),
        "发布占比：" + "，".join(f"{k} {v:.0%}" for k, v in figures.share_posted.items()),
        "带动转发占比：" + "，".join(f"{k} {v:.0%}" for k, v in figures.share_carried.items()),
    ]
    if figures.spreaders:
        lines.append("关键传播节点（按带来的传播量）：")
        lines += [_spreader_line(i, s) for i, s in enumerate(figures.spreaders, start=1)]
    if figures.betweenness_spreaders:
        lines.append("按中介度另列：")
        lines += [_spreader_line(i, s) for i, s in enumerate(figures.betweenness_spreaders, 1)]
    return lines


@click.command()
@click.argument("event_id")
@click.option("--json", "as_json", is_flag=True, help="The figures as one JSON object.")
@click.option(
    "--tree",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the cascade (nodes, edges) as JSON to this file.",
)
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--limit", type=click.IntRange(1), default=MAX_MENTIONS, show_default=True)
@click.pass_obj
def propagation(
    ctx: Any, event_id: str, as_json: bool, tree: Path | None, top: int, limit: int
) -> None:
    """Propagation of an event: first source, depth, virality, speed and key spreaders,
    from the repost tree rebuilt from explicit parents, //@ chains and reprint links."""
    with ctx.archive(readonly=True) as archive:
        event = archive.get_event(event_id)
        if event is None:
            raise click.ClickException(f"no event {event_id!r} in the archive")
        # The figures the analysis stored, while current and over the same cascade (ranked as
        # deep, every member read); a tree to write needs the cascade itself.
        as_stored = top == STORED_TOP and limit == MAX_MENTIONS and tree is None
        figures = stored_figures(event) if as_stored else None
        if figures is None:
            _, mentions = cascade_mentions(archive, event_id, limit=limit)
    if figures is None:
        cascade = build_cascade(mentions)
        figures = cascade_figures(cascade, top=top)
        if tree is not None:
            tree.write_text(
                json.dumps({"event": event.id, **cascade.to_json()}, ensure_ascii=False, indent=1),
                encoding="utf-8",
            )
    if as_json:
        click.echo(json.dumps({"event": event.id, **figures.to_json()}, ensure_ascii=False))
    else:
        for line in render(event.title, figures):
            click.echo(line)
        if tree is not None:
            click.echo(f"传播树已写入 {tree}")

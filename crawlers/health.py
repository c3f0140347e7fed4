"""Per-source health as people read it: what ``yuqing stats`` prints (and the dashboard shows).

Everything comes from the ``SourceState`` the crawler stores after each run
(``crawlers.extensions.record_run``): runs, failed runs, last success, last error with its
reason, items per run over the recent runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.models import SourceState
from core.clock import local

__all__ = ["SourceHealth", "health_line", "health_of"]


@dataclass
class SourceHealth:
    source: str
    runs: int
    failed_runs: int
    error_rate: float
    last_success: str
    last_error: str
    last_error_at: str
    items_last_run: int
    mean_items: float
    blocked: str


def _when(value: Any) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def health_of(state: SourceState) -> SourceHealth:
    history = [h for h in state.state.get("history", []) if isinstance(h, dict)]
    failed = int(state.state.get("failed_runs", 0))
    return SourceHealth(
        source=state.source,
        runs=state.runs,
        failed_runs=failed,
        error_rate=failed / state.runs if state.runs else 0.0,
        last_success=_when(state.last_success_at),
        last_error=state.last_error,
        last_error_at=_when(state.last_error_at),
        items_last_run=state.items_last_run,
        mean_items=sum(int(h.get("items", 0)) for h in history) / len(history) if history else 0.0,
        blocked=str(state.state.get("blocked") or ""),
    )


def health_line(state: SourceState) -> str:
    """One line per source, in Chinese like the rest of what people read."""
    h = health_of(state)
    line = (
        f"{h.source}: 运行 {h.runs} 次, 失败 {h.failed_runs} 次 (错误率 {h.error_rate:.0%}), "
        f"最近成功 {h.last_success or '从未'}, 上次条目 {h.items_last_run}, "
        f"近期平均 {h.mean_items:.1f} 条/次"
    )
    if h.blocked:
        line += f", 被拒: {h.blocked}"
    if h.last_error:
        line += f", 最近错误 ({h.last_error_at}): {h.last_error}"
    return line

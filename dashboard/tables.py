"""Rows for the pages' tables (``st.dataframe``): plain text and numbers, never markup.

A dataframe cell is shown as text, so crawled titles need no escaping here.
"""

from __future__ import annotations

from typing import Any

from archive.models import Alert, Event
from dashboard.formatting import fmt_time
from dashboard.labels import (
    ALERT_LEVEL_LABELS,
    ALERT_STATUS_LABELS,
    EVENT_STATUS_LABELS,
    label,
    shown,
)
from reports.heat_scale import HeatScale


def alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "编号": alert.id,
        "规则": shown(alert.rule),
        "级别": label(ALERT_LEVEL_LABELS, alert.level),
        "状态": label(ALERT_STATUS_LABELS, alert.status),
        "标题": alert.title,
        "首次触发": fmt_time(alert.first_at),
        "最近触发": fmt_time(alert.last_at),
    }


def event_row(event: Event, scale: HeatScale) -> dict[str, Any]:
    """An event's row; its heat's level last (pages place it beside 热度 by column order)."""
    return {
        "事件": event.title,
        "热度": event.heat,
        "提及数": event.mention_count,
        "严重程度": event.severity or "未分级",
        "状态": label(EVENT_STATUS_LABELS, event.status),
        "首次发现": fmt_time(event.first_seen),
        "最近提及": fmt_time(event.last_seen),
        "热度等级": scale.level(event.heat),
    }

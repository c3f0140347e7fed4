"""Telling the administrators when a channel keeps failing.

A channel "keeps failing" when a message on it has failed ``outbox.failing_after`` times in a
row, or was given up. The report goes to every recipient in ``outbox.admins`` through each of
their channels except the failing one (a broken DingTalk robot is reported by e-mail), at most
once per channel per Beijing day (the dedup key says so), through the same outbox: it is
delivered, retried and never doubled like any other message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alerts.outbox import queue_for
from archive.base import Archive
from core.clock import local
from core.settings import Settings


@dataclass
class ChannelFailure:
    channel: str
    attempts: int
    gave_up: bool
    error: str  # already redacted by the notifier


def report_failing_channels(
    archive: Archive, settings: Settings, failures: list[ChannelFailure], now: datetime
) -> int:
    """Queue one report per failing channel per day; returns how many were queued."""
    threshold = settings.outbox.failing_after
    failing: dict[str, ChannelFailure] = {}
    for failure in failures:
        if failure.gave_up or failure.attempts >= threshold:
            failing.setdefault(failure.channel, failure)
    if not failing or not settings.outbox.admins:
        return 0
    recipients = {r.name: r for r in settings.recipients}
    day = local(now).strftime("%Y%m%d")
    queued = 0
    for channel, failure in failing.items():
        subject = f"【系统告警】通知渠道 {channel} 持续发送失败"
        state = "已放弃发送" if failure.gave_up else f"已连续失败 {failure.attempts} 次，仍在重试"
        body = "\n".join(
            [
                f"渠道：{channel}",
                f"状态：{state}",
                f"最近错误：{failure.error}",
                f"时间：{local(now):%Y-%m-%d %H:%M}（北京时间）",
                "请检查该渠道的配置（地址、密钥）和网络；恢复后未发出的通知会自动补发。",
            ]
        )
        key = f"admin:channel-failing:{channel}:{day}"
        queued += queue_for(
            archive,
            recipients,
            settings.outbox.admins,
            key,
            subject,
            body,
            now,
            skip_channel=channel,
        )
    return queued

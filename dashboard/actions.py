"""User actions: the same operations as ``yuqing obligations ack|done|waive|assign``.

Each action checks the actor's role first (server side: a hidden button is not the only
guard), opens a short-lived writable archive, calls ``alerts.obligations`` (which writes the
change and its audit entry in one transaction), closes the archive and clears the read
caches, so the next rerun shows the new state to everyone.

Silencing an alert is ``alerts.silences.add_silence`` / ``expire_silence``, the operations of
``yuqing silence add|expire``: a silence on the alert's rule and subject until an end time,
kept in the audit log with who and why; the alert stage applies it at its next pass.

Snoozing an obligation's reminders is ``alerts.obligations.snooze``, the operation of
``yuqing obligations snooze``; the reminder sender holds the reminders until it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal, TypeVar

from alerts import obligations as ops
from alerts.silences import add_silence, expire_silence, stored_silences
from archive.base import Archive, ArchiveError
from archive.models import Alert, Obligation
from core.settings import SilenceSettings
from dashboard import roles
from dashboard.context import DashboardClock, settings, writer
from dashboard.data import invalidate
from dashboard.roles import Principal

Operation = Literal["acknowledge", "complete", "waive", "assign", "snooze", "undo", "accept"]
SCAN_LIMIT = 1_000_000
MAX_SILENCE = timedelta(days=7)
UNSILENCE_REASON = "在仪表盘取消静默"
T = TypeVar("T")


class ActionError(Exception):
    """The action was not done; ``str()`` is the message for the screen."""


def _run(config: str, principal: Principal, permission: str, work: Callable[..., T]) -> T:
    try:
        roles.require(principal, permission)
    except roles.PermissionDenied as exc:
        raise ActionError(str(exc)) from None
    try:
        archive = writer(config)
    except ArchiveError as exc:
        raise ActionError(f"无法写入档案库：{exc}") from None
    try:
        clock = DashboardClock(archive, settings(config).runner.clock)
        result = work(archive, clock)
    except ops.ObligationError as exc:
        raise ActionError(f"操作未完成：{exc}") from None
    except ArchiveError as exc:
        raise ActionError(f"操作未完成，档案库错误：{exc}") from None
    finally:
        archive.close()
    invalidate()
    return result


def perform(
    config: str, operation: Operation, obligation_id: int, principal: Principal, text: str = ""
) -> Obligation:
    """Do ``operation`` on obligation ``obligation_id`` as ``principal``.

    ``text`` is the link for ``complete``, the reason for ``waive``, the assignee for
    ``assign`` and the number of hours for ``snooze``; ``undo`` (the system's automatic close)
    and ``accept`` (the proposed fulfilment) need none.
    """
    text = text.strip()
    if operation == "complete" and not text:
        raise ActionError("办结需要填写已发布内容的链接")
    if operation == "waive" and not text:
        raise ActionError("豁免需要填写理由")
    if operation == "assign" and not text:
        raise ActionError("指派需要填写负责人")
    actor = principal.name

    def work(archive: Archive, clock: DashboardClock) -> Obligation:
        if operation == "acknowledge":
            return ops.acknowledge(archive, obligation_id, actor, clock=clock)
        if operation == "complete":
            return ops.complete(archive, obligation_id, actor, link=text, clock=clock)
        if operation == "waive":
            return ops.waive(archive, obligation_id, actor, reason=text, clock=clock)
        if operation == "assign":
            return ops.assign(archive, obligation_id, actor, assignee=text, clock=clock)
        if operation == "undo":
            return ops.undo(archive, obligation_id, actor, clock=clock)
        if operation == "accept":
            return ops.accept(archive, obligation_id, actor, clock=clock)
        return ops.snooze(archive, obligation_id, actor, hours=_hours(text), clock=clock)

    return _run(config, principal, roles.ACT, work)


def _hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise ActionError("暂停提醒的时长须为小时数") from None
    if not 0 < hours <= ops.MAX_SNOOZE.total_seconds() / 3600:
        raise ActionError("暂停提醒的时长须在0到168小时之间")
    return hours


def silence(
    config: str,
    alert_id: int,
    principal: Principal,
    reason: str,
    on: bool = True,
    hours: float = 24.0,
) -> str:
    """Silence one alert (its rule and subject) for ``hours``, as ``yuqing silence add`` does,
    and return the silence's id; or, with ``on=False``, lift the silences set on it from the
    dashboard or the shell (``yuqing silence expire``) and return their ids. The alert stage
    marks the alert ``silenced`` or ``firing`` at its next pass."""
    reason = reason.strip()
    if on and not reason:
        raise ActionError("静默告警需要填写理由")
    if on and not 0 < hours <= MAX_SILENCE.total_seconds() / 3600:
        raise ActionError("静默时长须在0到168小时之间")

    def work(archive: Archive, clock: DashboardClock) -> str:
        found = next(
            (a for a in archive.ledger.list_alerts(limit=SCAN_LIMIT) if a.id == alert_id), None
        )
        if found is None:
            raise ActionError(f"没有编号为 {alert_id} 的告警")
        now = clock.now()
        if not on:
            return _lift_on(archive, found, principal, reason or UNSILENCE_REASON, now)
        try:
            spec = SilenceSettings(
                rule=found.rule,
                subject=found.subject,
                ends_at=now + timedelta(hours=hours),
                created_by=principal.name,
                comment=reason,
            )
            return add_silence(archive, spec, now)
        except ValueError as exc:  # pydantic's ValidationError is one too
            raise ActionError(f"静默未设置：{exc}") from None

    return _run(config, principal, roles.SILENCE, work)


def _lift_on(
    archive: Archive, alert: Alert, principal: Principal, reason: str, now: datetime
) -> str:
    """Expire the stored silences aimed at exactly this alert (rule and subject)."""
    mine = [
        key
        for key, spec in stored_silences(archive, now).items()
        if spec.rule == alert.rule and spec.subject == alert.subject
    ]
    if not mine:
        raise ActionError(f"告警 #{alert.id} 没有可解除的静默（配置文件中的静默需修改配置）")
    for key in mine:
        expire_silence(archive, key, principal.name, reason, now)
    return ",".join(mine)


def lift_silence(config: str, silence_id: str, principal: Principal, reason: str) -> None:
    """End a silence set from the dashboard or the shell now (``yuqing silence expire``)."""
    reason = reason.strip()
    if not reason:
        raise ActionError("解除静默需要填写理由")

    def work(archive: Archive, clock: DashboardClock) -> None:
        try:
            expire_silence(archive, silence_id, principal.name, reason, clock.now())
        except LookupError:
            raise ActionError(f"静默 {silence_id} 不存在或已结束") from None

    _run(config, principal, roles.SILENCE, work)

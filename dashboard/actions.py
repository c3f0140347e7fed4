"""User actions on obligations: the same operations as ``yuqing obligations ack|done|waive``.

Each action opens a short-lived writable archive, calls ``alerts.obligations`` (which writes the
change and its audit entry in one transaction), closes the archive and clears the read caches,
so the next rerun shows the new state to everyone.
"""

from __future__ import annotations

from typing import Literal

from alerts import obligations as ops
from archive.base import ArchiveError
from archive.models import Obligation
from dashboard.context import DashboardClock, settings, writer
from dashboard.data import invalidate

Operation = Literal["acknowledge", "complete", "waive"]


class ActionError(Exception):
    """The action was not done; ``str()`` is the message for the screen."""


def perform(
    config: str, operation: Operation, obligation_id: int, actor: str, text: str = ""
) -> Obligation:
    """Do ``operation`` on obligation ``obligation_id`` as ``actor``.

    ``text`` is the link for ``complete`` and the reason for ``waive``.
    """
    if operation == "complete" and not text.strip():
        raise ActionError("办结需要填写已发布内容的链接")
    if operation == "waive" and not text.strip():
        raise ActionError("豁免需要填写理由")
    try:
        archive = writer(config)
    except ArchiveError as exc:
        raise ActionError(f"无法写入档案库：{exc}") from None
    try:
        clock = DashboardClock(archive, settings(config).runner.clock)
        if operation == "acknowledge":
            result = ops.acknowledge(archive, obligation_id, actor, clock=clock)
        elif operation == "complete":
            result = ops.complete(archive, obligation_id, actor, link=text.strip(), clock=clock)
        else:
            result = ops.waive(archive, obligation_id, actor, reason=text.strip(), clock=clock)
    except ops.ObligationError as exc:
        raise ActionError(f"操作未完成：{exc}") from None
    except ArchiveError as exc:
        raise ActionError(f"操作未完成，档案库错误：{exc}") from None
    finally:
        archive.close()
    invalidate()
    return result

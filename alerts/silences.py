"""Silences: mute the notifications of matching alerts until an end time, with who and why.

A silence (``silences:`` in yuqing.yaml) has matchers — rule, subject (``*`` at the end for a
prefix), a title substring, a level — all of which must match, an ``ends_at``, the person who
set it and the reason. While it runs, a matching alert is stored as ``silenced`` and neither
its own messages nor those of the obligations it opens are queued; the obligations still open
and show on the dashboard, because a duty does not go away by muting its messages. When the
silence ends and the alert still fires, it becomes ``firing`` again and its messages go out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from archive.models import Alert
from yuqing.settings import SilenceSettings


def matches(silence: SilenceSettings, alert: Alert) -> bool:
    if silence.rule is not None and silence.rule != alert.rule:
        return False
    if silence.subject is not None:
        wanted = silence.subject
        if wanted.endswith("*"):
            if not alert.subject.startswith(wanted[:-1]):
                return False
        elif wanted != alert.subject:
            return False
    if silence.title_contains is not None and silence.title_contains not in alert.title:
        return False
    return silence.level is None or silence.level == alert.level


def active_silence(
    silences: Sequence[SilenceSettings], alert: Alert, now: datetime
) -> SilenceSettings | None:
    """The silence (ending last) that mutes ``alert`` at ``now``, if any."""
    running = [s for s in silences if s.ends_at > now and matches(s, alert)]
    return max(running, key=lambda s: s.ends_at) if running else None

"""The 已自动办结 notice: one message per (publication, recipient), every obligation it closed.

One publication often answers several duties at once (the bureau's 情况说明 both clarifies the
rumour and responds to the public), and two messages a minute apart about one story is what
issue 16's fatigue aim forbids. So ``alerts.fulfilment`` plans the evaluation's closings first,
then queues, per publication and recipient, one notice listing every obligation it closes now,
and only then writes the closings. Telling before closing is what keeps the notice across a
crash: an obligation not yet written as done is found and closed again by the next
evaluation, which queues the same notice under the same key (a no-op); after a complete
evaluation nothing is left untold. (The reverse order would lose the notice: a closed
obligation is not closed again.)

The key must come out the same after a crash that wrote some of the closings, so it is
derived from the state the evaluation leads to, not from what it is writing now:

- ``obligation:<id>:fulfilled:<mention>`` when the publication closes one obligation in all
  (the key of one obligation's notice before grouping, so an upgraded outbox sends nothing
  twice);
- ``obligation:<lowest id>:fulfilled:<mention>:<id>,<id>,…`` when it closes several — every
  obligation the publication has closed by the end of the evaluation, earlier ones included,
  so a later obligation it closes makes a new key while one evaluation's closings, written in
  full or in part, keep theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from alerts.deadlines import kind_label
from alerts.messages import dashboard_url, mention_label, obligation_link, show_outcome
from alerts.outbox import queue_for
from archive.base import Archive
from archive.models import Mention, Obligation
from core.settings import Settings


@dataclass(frozen=True)
class Closing:
    """An obligation the evaluation closes as done by ``mention`` (not yet written)."""

    closed: Obligation  # as it will be stored: status done, done_at, link, fulfilled_by
    mention: Mention


def notice_key(mention_id: str, closed_ids: Iterable[int]) -> str:
    """The outbox key of the notice (see the module doc); ``closed_ids`` is never empty."""
    ids = sorted(set(closed_ids))
    key = f"obligation:{ids[0]}:fulfilled:{mention_id}"
    return key if len(ids) == 1 else f"{key}:{','.join(map(str, ids))}"


def queue_fulfilled(
    archive: Archive,
    settings: Settings,
    closings: Sequence[Closing],
    closed_by: Callable[[str], set[int]],
    recipients_of: Callable[[Obligation], list[str]],
    now: datetime,
) -> int:
    """Queue one notice per (publication, recipient) for ``closings``; ``closed_by(mention)``
    gives every obligation the publication has closed once the evaluation is written."""
    recipients = {r.name: r for r in settings.recipients}
    link = dashboard_url(settings)
    groups: dict[tuple[str, str], list[Closing]] = {}
    for closing in closings:
        for name in recipients_of(closing.closed):
            groups.setdefault((closing.mention.id, name), []).append(closing)
    queued = 0
    for (mention_id, name), members in groups.items():
        members.sort(key=lambda c: c.closed.id or 0)
        subject, body = notice_text([c.closed for c in members], members[0].mention, link)
        key = notice_key(mention_id, closed_by(mention_id))
        queued += queue_for(archive, recipients, [name], key, subject, body, now)
    return queued


def notice_text(closed: Sequence[Obligation], m: Mention, link: str) -> tuple[str, str]:
    """Subject and body: the publication once, then each obligation with its outcome."""
    source = mention_label(m)
    if len(closed) == 1:
        [ob] = closed
        subject = f"【{show_outcome(ob)}·{kind_label(ob.kind)}】{ob.title}"
        head = f"义务 #{ob.id}「{ob.title}」已有发布履行，系统已自动办结（{show_outcome(ob)}）："
        lines = [head, f"  · {source} {m.url}"]
    else:
        subject = f"【自动办结{len(closed)}项义务】{source}"
        lines = [
            f"以下 {len(closed)} 项义务已由同一发布履行，系统已自动办结：",
            f"  发布：{source} {m.url}",
        ]
        lines += [
            f"  · 义务 #{ob.id}「{ob.title}」（{kind_label(ob.kind)}，{show_outcome(ob)}）"
            for ob in closed
        ]
    lines += [f"如认定有误，一步撤销：yuqing obligations undo {ob.id}" for ob in closed]
    lines += [f"或在系统中办理：{obligation_link(link, ob)}" for ob in closed]
    return subject, "\n".join(lines)

"""Scoring a scenario run against its expected decisions: the decisions benchmark's figures.

The inputs are plain records (``RunData``) that ``yuqing.demo.run_data`` reads from a run's
archive, so each metric can be checked on a handful of hand-made rows. The figures and their
aims (issue 16) are:

- obligations: recall and precision per (story, kind) — within a (story, kind) the expected
  and the opened obligations are matched by count, so a second obligation for one duty is a
  false positive; ``allowed`` kinds are neither required nor counted against precision; every
  opened kind the story forbids is listed. Aims: recall 1.0, precision ≥ 0.9, none forbidden.
- fulfilment: the share of the expected obligations a press officer met on time that the
  system closed on time (done, and on time by its own ``on_time`` flag when the archive has
  one, else by the fulfilling item's publication or the completion time against the
  deadline); also how many were closed by the expected (or an accepted) item. Aim ≥ 0.8.
- rumours: accuracy on the labelled items (score ≥ 0.5 means "rumour"); non-rumours at ≥ 0.5,
  and among them official or debunk posts. Aims: accuracy ≥ 0.9, no official/debunk ≥ 0.5.
- events: B-cubed F1 of the events against the stories (a noise item and an item in no event
  are each their own cluster) and the share of story items placed in an event. Aim F1 ≥ 0.85.
- fatigue: alerts and notifications per story, and the most notifications one recipient got
  for one story within any 60 minutes, escalations excepted. Aim ≤ 1. What counts is what a
  phone receives: a delivery, not an outbox row. A delivery pass sends everything due for one
  recipient on one channel as one message (``alerts.grouping``: the DingTalk, WeCom, Feishu,
  webhook and e-mail notifiers combine; only the file sink writes one record per row), so a
  recipient's rows sent in one pass, ``group_max`` to a message, are one notification for
  each story they carry, at the time they were sent (a row never sent counts alone, when it
  was queued). A message that carries an escalation of a story is that escalation, exempt,
  with whatever else of the story rides in it (``alerts.intervals`` releases a story's held
  notes with its escalation, so the phone buzzes once). The queued rows per hour are reported
  beside it (``max_queued_…``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.settings import OutboxSettings
from nlp.training.cluster_metrics import bcubed
from yuqing.demo.expected import Expected

RUMOUR_THRESHOLD = 0.5
FATIGUE_WINDOW = timedelta(hours=1)
GROUP_MAX = OutboxSettings().group_max  # the scenario runs keep the default
UNKNOWN = "(unknown)"
DEBUNK_WORDS = ("辟谣", "不实", "谣言", "澄清")
AIMS = {
    "obligation_recall": 1.0,
    "obligation_precision": 0.9,
    "forbidden_opened": 0,
    "fulfilled_on_time": 0.8,
    "rumour_accuracy": 0.9,
    "official_or_debunk_over_half": 0,
    "bcubed_f1": 0.85,
    "max_notifications_per_recipient_story_hour": 1,
}


@dataclass
class OpenedObligation:
    id: int
    kind: str
    story: str
    status: str
    due_at: datetime
    opened_at: datetime | None = None
    done_at: datetime | None = None
    on_time: bool | None = None  # the archive's own flag, when it has one
    fulfilled_item: str | None = None  # corpus item of the link / evidence
    fulfilled_published: datetime | None = None
    title: str = ""


@dataclass
class Notification:
    recipient: str
    story: str
    created_at: datetime
    escalation: bool = False
    sent_at: datetime | None = None  # the delivery pass that sent it; None: never sent
    channel: str = ""
    id: int = 0  # outbox order: a pass combines its rows in this order


@dataclass(frozen=True)
class Delivery:
    """One message a recipient received about a story (escalations excepted)."""

    recipient: str
    story: str
    at: datetime


@dataclass
class RunData:
    """What a run decided, keyed by corpus item ids (top-level items)."""

    collected: set[str] = field(default_factory=set)
    rumour: dict[str, float | None] = field(default_factory=dict)
    event_of: dict[str, str | None] = field(default_factory=dict)
    obligations: list[OpenedObligation] = field(default_factory=list)
    alert_stories: list[str] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)


def majority_story(stories: Iterable[str], noise: Iterable[str] = ()) -> str:
    """The most common story among ``stories``, preferring a real story to noise on a tie."""
    counts = Counter(stories)
    if not counts:
        return UNKNOWN
    quiet = set(noise)
    return max(counts, key=lambda s: (counts[s], s not in quiet, s))


# ---- obligations ---------------------------------------------------------------------
def closed_on_time(ob: OpenedObligation) -> bool:
    if ob.status != "done":
        return False
    if ob.on_time is not None:
        return ob.on_time
    when = ob.fulfilled_published or ob.done_at
    return when is not None and when <= ob.due_at


def obligation_scores(expected: Expected, opened: list[OpenedObligation]) -> dict[str, Any]:
    """Recall, precision, forbidden kinds and on-time fulfilment (see the module doc)."""
    by_key: dict[tuple[str, str], list[OpenedObligation]] = defaultdict(list)
    for ob in opened:
        by_key[(ob.story, ob.kind)].append(ob)
    wanted: dict[tuple[str, str], int] = Counter(
        (story.name, ob.kind) for story in expected.stories.values() for ob in story.obligations
    )
    rows: list[dict[str, Any]] = []
    forbidden: list[str] = []
    tp = n_expected = n_counted = 0
    for key in sorted(set(wanted) | set(by_key)):
        story_name, kind = key
        story = expected.stories.get(story_name)
        n, m = wanted.get(key, 0), len(by_key.get(key, []))
        allowed = story is not None and kind in story.allowed and n == 0
        hits = min(n, m)
        tp, n_expected = tp + hits, n_expected + n
        n_counted += 0 if allowed else m
        if story is None or kind in story.forbidden:
            forbidden.extend(f"#{ob.id} {story_name}/{kind}" for ob in by_key.get(key, []))
        rows.append(
            {
                "story": story_name,
                "kind": kind,
                "expected": n,
                "opened": m,
                "recall": hits / n if n else None,
                "precision": None if allowed or not m else hits / m,
                "allowed": allowed,
            }
        )
    on_time = fulfilment(expected, by_key)
    return {
        "rows": rows,
        "recall": tp / n_expected if n_expected else 1.0,
        "precision": tp / n_counted if n_counted else 1.0,
        "forbidden": forbidden,
        **on_time,
    }


def fulfilment(
    expected: Expected, by_key: Mapping[tuple[str, str], list[OpenedObligation]]
) -> dict[str, Any]:
    """Expected on-time obligations closed on time, preferring the one closed by its item."""
    due = met = right_item = 0
    unearned = 0
    for story in expected.stories.values():
        for kind in {ob.kind for ob in story.obligations}:
            pool = [ob for ob in by_key.get((story.name, kind), []) if closed_on_time(ob)]
            goals = [ob for ob in story.obligations if ob.kind == kind and ob.on_time]
            for goal in goals:
                items = {goal.fulfilled_by, *goal.also_fulfilled_by}
                pick = next((ob for ob in pool if ob.fulfilled_item in items), None)
                pick = pick or (pool[0] if pool else None)
                due += 1
                if pick is not None:
                    pool.remove(pick)
                    met += 1
                    right_item += pick.fulfilled_item in items
            unearned += len(pool)  # closed on time where the press officer saw no such thing
    return {
        "on_time_expected": due,
        "on_time_met": met,
        "on_time_share": met / due if due else 1.0,
        "on_time_by_expected_item": right_item,
        "unearned_on_time": unearned,
    }


# ---- rumours ---------------------------------------------------------------------------
def is_authority(record: Mapping[str, Any]) -> bool:
    """An official document, or a post by a government account (Weibo verified_type 1)."""
    if record.get("channel") == "official":
        return True
    user = (record.get("weibo") or {}).get("user") or {}
    return bool(user.get("verified")) and user.get("verified_type") == 1


def is_debunk(record: Mapping[str, Any]) -> bool:
    text = f"{record.get('title') or ''}{record.get('text') or ''}"
    return record.get("doc_type") == "debunk" or any(w in text for w in DEBUNK_WORDS)


def rumour_scores(expected: Expected, scores: Mapping[str, float | None]) -> dict[str, Any]:
    """Accuracy on the labelled items that were collected; misjudged and alarming items."""
    records = {r["id"]: r for r in expected.records}
    labelled: dict[str, bool] = {}
    for story in expected.stories.values():
        labelled.update(dict.fromkeys(story.rumours, True))
        labelled.update(dict.fromkeys(story.not_rumours, False))
    seen = {item: truth for item, truth in labelled.items() if item in scores}
    wrong = sorted(
        item for item, truth in seen.items() if ((scores[item] or 0.0) >= RUMOUR_THRESHOLD) != truth
    )
    high = sorted(
        item
        for item, truth in seen.items()
        if not truth and (scores[item] or 0.0) >= RUMOUR_THRESHOLD
    )
    authority_high = [i for i in high if is_authority(records[i]) or is_debunk(records[i])]
    return {
        "labelled": len(labelled),
        "scored": len(seen),
        "accuracy": (len(seen) - len(wrong)) / len(seen) if seen else 0.0,
        "wrong": wrong,
        "non_rumours_over_half": len(high),
        "official_or_debunk_over_half": authority_high,
        "rumours_caught": sum(
            1 for i, t in seen.items() if t and (scores[i] or 0.0) >= RUMOUR_THRESHOLD
        ),
        "rumours": sum(seen.values()),
    }


# ---- events ----------------------------------------------------------------------------
def event_scores(expected: Expected, event_of: Mapping[str, str | None]) -> dict[str, Any]:
    """B-cubed against the stories over collected top-level items, and events per story."""
    stories = expected.story_of()
    gold: dict[str, str] = {}
    predicted: dict[str, str] = {}
    for item, event in event_of.items():
        if item not in stories:
            continue
        story = stories[item]
        gold[item] = f"noise:{item}" if story in expected.noise_stories else story
        predicted[item] = event or f"none:{item}"
    score = bcubed(predicted, gold)
    per_story = {}
    in_event = total = 0
    for name in expected.event_stories():
        items = [i for i in event_of if stories.get(i) == name]
        placed = [i for i in items if event_of[i]]
        events = Counter(event_of[i] for i in placed)
        in_event, total = in_event + len(placed), total + len(items)
        per_story[name] = {
            "items": len(items),
            "in_event": len(placed),
            "events": len(events),
            "largest_event_share": max(events.values()) / len(items) if events else 0.0,
        }
    noise_in_events = sum(
        1 for i, e in event_of.items() if e and stories.get(i) in expected.noise_stories
    )
    return {
        "bcubed_precision": score.precision,
        "bcubed_recall": score.recall,
        "bcubed_f1": score.f1,
        "items": score.items,
        "story_items_in_event": in_event / total if total else 0.0,
        "noise_items_in_event": noise_in_events,
        "stories": per_story,
    }


# ---- alert fatigue ---------------------------------------------------------------------
def max_in_window(times: list[datetime], window: timedelta = FATIGUE_WINDOW) -> int:
    """The most of ``times`` inside any half-open window [t, t + window)."""
    ordered = sorted(times)
    best = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def deliveries(notifications: Iterable[Notification], group_max: int = GROUP_MAX) -> list[Delivery]:
    """What the recipients' phones received (module doc): one delivery per story per sent
    message, a pass's rows for one (recipient, channel) combined ``group_max`` at a time."""
    passes: dict[tuple[str, str, datetime], list[Notification]] = defaultdict(list)
    result: list[Delivery] = []
    for note in notifications:
        if note.sent_at is None:
            if not note.escalation:
                result.append(Delivery(note.recipient, note.story, note.created_at))
            continue
        passes[(note.recipient, note.channel, note.sent_at)].append(note)
    for (recipient, _, sent_at), members in passes.items():
        members.sort(key=lambda note: note.id)
        for start in range(0, len(members), group_max):
            chunk = members[start : start + group_max]
            # A message carrying a story's escalation is that escalation (exempt); a held
            # note of the same story riding in it adds no second buzz (alerts.intervals).
            escalated = {note.story for note in chunk if note.escalation}
            stories = {note.story for note in chunk if not note.escalation} - escalated
            result += [Delivery(recipient, story, sent_at) for story in sorted(stories)]
    return result


def fatigue_scores(
    alert_stories: list[str], notifications: list[Notification], group_max: int = GROUP_MAX
) -> dict[str, dict[str, Any]]:
    per_story: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "alerts": 0,
            "notifications": 0,
            "escalations": 0,
            "deliveries": 0,
            "max_per_recipient_hour": 0,
            "max_queued_per_recipient_hour": 0,
        }
    )
    for story in alert_stories:
        per_story[story]["alerts"] += 1
    queued: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for note in notifications:
        row = per_story[note.story]
        row["notifications"] += 1
        if note.escalation:
            row["escalations"] += 1
        else:
            queued[(note.story, note.recipient)].append(note.created_at)
    received: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for delivery in deliveries(notifications, group_max):
        per_story[delivery.story]["deliveries"] += 1
        received[(delivery.story, delivery.recipient)].append(delivery.at)
    for figure, times in (
        ("max_queued_per_recipient_hour", queued),
        ("max_per_recipient_hour", received),
    ):
        for (story, _), moments in times.items():
            row = per_story[story]
            row[figure] = max(row[figure], max_in_window(moments))
    return dict(per_story)


def score_run(expected: Expected, run: RunData) -> dict[str, Any]:
    """Every figure of one scenario run, with the aims beside them."""
    fatigue = fatigue_scores(run.alert_stories, run.notifications)
    stories = expected.story_of()
    collected_top = {i for i in run.collected if i in stories}
    return {
        "items": len(stories),
        "items_collected": len(collected_top),
        "obligations": obligation_scores(expected, run.obligations),
        "rumours": rumour_scores(expected, run.rumour),
        "events": event_scores(expected, run.event_of),
        "fatigue": fatigue,
        "max_notifications_per_recipient_story_hour": max(
            (row["max_per_recipient_hour"] for row in fatigue.values()), default=0
        ),
        "max_queued_per_recipient_story_hour": max(
            (row["max_queued_per_recipient_hour"] for row in fatigue.values()), default=0
        ),
        "aims": AIMS,
    }

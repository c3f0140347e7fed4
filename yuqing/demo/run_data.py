"""Reading a scenario run's archive back into corpus terms, for ``yuqing.demo.scoring``.

Every mention the demo sites served carries its corpus item in its URL (``sites.py``): news
and feed articles and official documents end in ``/<item id>.html``; Weibo posts are
``/detail/<mid>`` and comments ``/detail/<mid>?cid=<cid>``, where the numbers are the sites'
stable hash of the item id (``<post id>c001`` for a post's first comment). So a mention maps to
its item, and an item to its story, without trusting anything the pipeline derived.

Decisions map to stories through what they rest on: an event by the majority story of its
members (comments count for their post's story), an alert by its event or else its evidence
mentions, an obligation by its event or else its alert, a notification by the alert or the
obligation its key names (``alert:<id>:…``, ``obligation:<id>:…``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from archive.base import Archive
from yuqing.demo.expected import Expected
from yuqing.demo.records import DEMO_START, stable_number
from yuqing.demo.scoring import UNKNOWN, Notification, OpenedObligation, RunData, majority_story

_SLUG = re.compile(
    r"/(?:jzrb|lcxw)/\d{8}/([\w-]+)\.html|/msjc/([\w-]+)\.html|/official/\w+/([\w-]+)\.html"
)
_DETAIL = re.compile(r"/detail/(\d+)")
_KEY = re.compile(r"(alert|obligation):(\d+):")
PAGE = 2000


class ItemIndex:
    """URL → corpus item (``(item id, top-level item id)``) for one scenario."""

    def __init__(self, expected: Expected) -> None:
        self.top: dict[str, str] = {}  # any item id (comments too) → its top-level item
        self.by_number: dict[str, str] = {}
        self.published: dict[str, datetime] = {}
        for record in expected.records:
            item = record["id"]
            self.top[item] = item
            self.by_number[str(stable_number(item))] = item
            self.published[item] = DEMO_START + timedelta(minutes=record["offset_minutes"])
            for index, _ in enumerate(record.get("comments") or [], 1):
                comment = f"{item}c{index:03d}"
                self.top[comment] = item
                self.by_number[str(stable_number(comment))] = comment

    def item_of(self, url: str) -> str | None:
        """The corpus item id (a comment's own id for comments) a served URL stands for."""
        if not url:
            return None
        parts = urlsplit(url)
        match = _SLUG.search(parts.path)
        if match:
            slug = next(g for g in match.groups() if g)
            return slug if slug in self.top else None
        match = _DETAIL.search(parts.path)
        if match:
            cid = parse_qs(parts.query).get("cid", [None])[0]
            return self.by_number.get(cid or match.group(1))
        return None


def _all_mentions(archive: Archive) -> list[Any]:
    mentions: list[Any] = []
    position = 0
    while True:
        page = archive.mentions_since(position, PAGE)
        if not page:
            return mentions
        mentions.extend(m for _, m in page)
        position = page[-1][0]


def _mention_ids(ob: Any, *names: str) -> list[str]:
    """Mention ids an obligation records under any of ``names`` (fields other work may add:
    the evidence of an obligation, the mention that fulfilled it); [] when it has none."""
    for name in names:
        value = getattr(ob, name, None)
        if isinstance(value, str) and value:
            return [value]
        if isinstance(value, list | tuple) and value:
            return [str(v) for v in value]
    return []


def read_run(archive: Archive, expected: Expected) -> RunData:
    """The run's decisions about the scenario's items (see the module doc)."""
    index = ItemIndex(expected)
    story_of = {i: expected.story_of()[index.top[i]] for i in index.top}
    noise = expected.noise_stories
    mentions = _all_mentions(archive)
    item_of_mention = {m.id: index.item_of(m.url) for m in mentions}
    analyses = archive.get_analyses([m.id for m in mentions])
    run = RunData()
    members: dict[str, list[str]] = defaultdict(list)
    for mention_id, item in item_of_mention.items():
        if item is None:
            continue
        analysis = analyses.get(mention_id)
        event = analysis.event_id if analysis else None
        if event:
            members[event].append(story_of[item])
        if index.top[item] == item:  # a post or article, not a comment
            run.collected.add(item)
            run.rumour[item] = analysis.rumor_score if analysis else None
            run.event_of[item] = event
    event_story = {event: majority_story(stories, noise) for event, stories in members.items()}

    def story_of_mentions(ids: list[str]) -> str:
        items = [item_of_mention.get(i) for i in ids]
        return majority_story([story_of[i] for i in items if i], noise)

    alerts = archive.ledger.list_alerts(limit=100_000)
    alert_story: dict[int, str] = {}
    for alert in alerts:
        story = event_story.get(alert.event_id or "", "")
        if not story:
            story = story_of_mentions([r.mention_id for r in alert.evidence if r.mention_id])
        alert_story[alert.id or 0] = story
        run.alert_stories.append(story)
    ob_story: dict[int, str] = {}
    for ob in archive.ledger.list_obligations(limit=100_000):
        story = event_story.get(ob.event_id or "", "") or alert_story.get(ob.alert_id or 0, "")
        evidence = _mention_ids(ob, "evidence", "evidence_ids", "evidence_mention_ids")
        if (not story or story == UNKNOWN) and evidence:
            story = story_of_mentions(evidence)
        story = story or UNKNOWN
        ob_story[ob.id or 0] = story
        fulfilled = None
        if ob.status == "done":
            fulfilled = index.item_of(ob.link)
            by = _mention_ids(ob, "fulfilled_by", "done_mention_id", "fulfilment_mention_id")
            fulfilled = fulfilled or next((item_of_mention.get(m) for m in by), None)
        fulfilled = index.top.get(fulfilled or "", fulfilled)
        run.obligations.append(
            OpenedObligation(
                id=ob.id or 0,
                kind=ob.kind,
                story=story,
                status=ob.status,
                due_at=ob.due_at,
                opened_at=ob.opened_at,
                done_at=getattr(ob, "done_at", None)
                or (ob.updated_at if ob.status == "done" else None),
                on_time=getattr(ob, "on_time", None),
                fulfilled_item=fulfilled,
                fulfilled_published=index.published.get(fulfilled or ""),
                title=ob.title,
            )
        )
    for message in archive.ledger.list_messages(limit=1_000_000):
        match = _KEY.match(message.dedup_key)
        story = UNKNOWN
        if match:
            table = alert_story if match.group(1) == "alert" else ob_story
            story = table.get(int(match.group(2)), UNKNOWN)
        run.notifications.append(
            Notification(
                recipient=message.recipient,
                story=story,
                created_at=message.created_at,
                escalation=":escalate:" in message.dedup_key,
                sent_at=message.sent_at,
                channel=message.channel,
                id=message.id or 0,
            )
        )
    return run

"""Recent posts that joined no event, judged again when an event around them takes shape.

The first posts of an accident come before the reports that make its event: a witness naming
the road ("开发区纬五路那边“砰”一下"), a media account's post under a #topic# nobody else
carries yet. Judged on arrival they tie to nothing (a place links only once two members name
it), and a mention was never judged again unless the crawler fetched it again, so the story's
opening stayed outside its event (scenarios/linchuan_boiler.jsonl: 5 of the boiler's first 8
posts). ``Unlinked`` keeps the posts and articles judged not relevant and in no event; when a
member brings a link key that two members of its event now carry (a road, a district, a firm's
name, a #topic#), or a chain user, the kept posts naming it are judged again (the analyser's
``analyse(..., again=True)``) and, when one joins, the reposts of it that are kept too.

A post relevant by a word pair alone (``nlp.relevance.relevant_by_pair_alone``: 跳楼机 + 卡在,
a witness's telling) was one of those posts before the pairs; now it founds an event of its own
on arrival. It is kept too while it is that event's only member, and judged again the same way:
the analyser then lets it leave its own event for the one the new link ties it to
(``leave_own_event``), the only case where a mention does not keep the event it was first
given. A second post joining its event (a second witness, a reply) makes it a story of its own.

Comments are not kept: a comment counts through its post only. What is kept is rebuilt from
the archive on start (the mentions published in the window around the first batch that were
analysed, not relevant and in no event), so a restarted pipeline judges the same posts again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from archive.base import Archive
from archive.models import Analysis, Mention, Reason, stable_id
from archive.search import SearchFilters, SearchRequest
from nlp.event_context import RARE, SUBJECT
from nlp.event_links import AUTHOR, DISTRICT, NAME, PLACE, QUOTE, TAG, zone_text
from nlp.event_store import PLACE_RECENT, EventStore
from nlp.events import EventState, Member
from nlp.relevance import relevant_by_pair_alone

# Kept posts are judged again against members published within RECHECK_WINDOW of them (the
# place and live-name links hold only this long: nlp.event_store.PLACE_RECENT), and kept for
# KEEP behind the newest mention seen (a report crawled late still finds the posts before it).
RECHECK_WINDOW = PLACE_RECENT
KEEP = timedelta(hours=24)
# Link keys whose arrival can tie a kept post: how a key's value shows in a post's text.
_TEXT_KEYS = (TAG, NAME, QUOTE, PLACE, DISTRICT, SUBJECT, RARE)
LOAD_PAGE = 500


def alone_in_own_event(mention: Mention, event_id: str | None, reasons: Iterable[Reason]) -> bool:
    """A post relevant by a word pair alone in the event it founded (its members not checked)."""
    return event_id == stable_id("event", mention.id) and relevant_by_pair_alone(reasons)


def leave_own_event(
    store: EventStore, mention: Mention, event_id: str, reasons: Iterable[Reason]
) -> Member | None:
    """A mention keeps the event it was given, but for a post relevant by a word pair alone
    that is still the only member of the event it founded: it is taken out of that event to
    choose again (the analyser's ``_choose_event``), and its member returned to be put back if
    nothing else takes it. None, and nothing changed, for any other mention."""
    # The founder-by-a-pair check first: it needs no store lookup, and most mentions given
    # an event again (re-analysis, a repost's post) are no such founder.
    if not alone_in_own_event(mention, event_id, reasons) or not _alone(
        store, mention.id, event_id
    ):
        return None
    left = store.ensure(event_id).members[mention.id]
    store.remove_member(mention.id)
    return left


def movable(store: EventStore, mention: Mention) -> bool:
    """A kept post a new link may still move: in no event, or alone in the one it founded (a
    founder's event not in memory is loaded and asked when the post is analysed)."""
    current = store.event_of(mention.id)
    return current is None or _alone(store, mention.id, current)


def _alone(store: EventStore, mention_id: str, event_id: str) -> bool:
    state = store.get(event_id)
    return state is not None and state.members.keys() == {mention_id}


def _keeps(mention: Mention, analysis: Analysis) -> bool:
    """In no event (so judged not relevant), or founding one by a word pair alone."""
    if mention.kind == "comment" or not mention.text:
        return False
    return analysis.event_id is None or alone_in_own_event(
        mention, analysis.event_id, analysis.reasons
    )


class Unlinked:
    """Posts and articles judged not relevant and in no event, and the posts relevant by a word
    pair alone that founded an event, kept for KEEP."""

    def __init__(self) -> None:
        self.posts: dict[str, Mention] = {}
        self._texts: dict[str, str] = {}  # what a key's value is looked for in, per post
        self.since: datetime | None = None  # kept from here on (loaded or seen)

    def note(self, mention: Mention, analysis: Analysis) -> None:
        """Keep or forget a mention after it was (again) analysed."""
        if _keeps(mention, analysis):
            self.posts[mention.id] = mention
            self._texts[mention.id] = zone_text(f"{mention.title}\n{mention.text}")
        else:
            self.posts.pop(mention.id, None)
            self._texts.pop(mention.id, None)

    def prune(self, newest: datetime) -> None:
        horizon = newest - KEEP
        for mention_id in [k for k, m in self.posts.items() if m.published_at < horizon]:
            del self.posts[mention_id], self._texts[mention_id]
        if self.since is not None and horizon > self.since:
            self.since = horizon

    def cover(self, archive: Archive, earliest: datetime) -> None:
        """Make sure the posts a batch starting at ``earliest`` may recheck are kept: those
        published from RECHECK_WINDOW before it, read from the archive where not kept (on
        start, and for a batch older than what is kept), so a restart decides the same."""
        since = earliest - RECHECK_WINDOW
        if self.since is None or since < self.since:
            self._load(archive, since, self.since)
            self.since = since

    def _load(self, archive: Archive, since: datetime, until: datetime | None) -> None:
        """The posts analysed and kept (``_keeps``), published in [since, until)."""
        after: str | None = None
        while True:
            request = SearchRequest(
                filters=SearchFilters(since=since, until=until), limit=LOAD_PAGE, after=after
            )
            result = archive.search(request)
            for hit in result.hits:
                analysis, at = hit.analysis, hit.mention.published_at
                if analysis is None or (until is not None and at >= until):
                    continue
                if hit.mention.id not in self.posts and _keeps(hit.mention, analysis):
                    self.note(hit.mention, analysis)
            if not result.next_cursor or not result.hits:
                return
            after = result.next_cursor

    def recheck(
        self,
        member: Member,
        state: EventState,
        again: Callable[[Mention], Analysis],
        movable: Callable[[Mention], bool],
    ) -> None:
        """Judge again the kept posts the member's new links may tie to its event and that
        are still ``movable`` (a founder no longer alone in its event keeps it)."""
        if not self.posts or not member.links:
            return
        values = [_shown(key) for key in member.links if _usable(key, state)]
        values = [v for v in values if v]
        if not values:
            return
        at = member.at
        for mention in self._naming(values, at):
            if mention.id not in self.posts or not movable(mention):
                continue
            if _joined(mention, again(mention)):
                self._follow(mention.id, again)

    def _naming(self, values: Iterable[str], at: datetime) -> list[Mention]:
        found = [
            m
            for m in self.posts.values()
            if abs(m.published_at - at) <= RECHECK_WINDOW
            and any(v in self._texts[m.id] for v in values)
        ]
        return sorted(found, key=lambda m: (m.published_at, m.id))

    def _follow(self, parent_id: str, again: Callable[[Mention], Analysis]) -> None:
        """The kept reposts of a post that joined: their parent is now in an event."""
        children = sorted(
            (m for m in self.posts.values() if m.parent_id == parent_id),
            key=lambda m: (m.published_at, m.id),
        )
        for child in children:
            if child.id in self.posts and again(child).event_id is not None:
                self._follow(child.id, again)


def _joined(mention: Mention, analysis: Analysis) -> bool:
    """Judged again, the post is in an event another post founded."""
    return analysis.event_id not in (None, stable_id("event", mention.id))


def _usable(key: tuple[str, str], state: EventState) -> bool:
    """A key the member just made usable for a post not relevant by its own words: a chain
    user's (one member is enough), else one two members now carry."""
    if key[0] == AUTHOR:
        return True
    return key[0] in _TEXT_KEYS and state.link_counts.get(key, 0) == 2


def _shown(key: tuple[str, str]) -> str:
    """The text a post shows when it carries the key: a chain user's name, a #topic#, a name."""
    kind, value = key
    if kind == AUTHOR:
        return "@" + value.split("\x1f", 1)[0]
    if kind == TAG:
        return f"#{value}#"
    return value

"""Where the public's reactions happen (属地化): a thread or a poster's words that name no place
go where the story they continue is handled.

The public rarely names where a story happens once the reports have said it:
"看了市场监管局的通报，之前转的‘死了十几个’是假的" retracts the poster's own repost of a toll
that named 临川金桥物流园; "大超市卖过期食品罚多少？" is a comment under a post about 白沙区's
fine. When such posts found an
event of their own (clustering did not tie them to the story's event), no member names a unit
below the one ``alerts.units.route`` reaches, and the event stays with that unit — the city,
whose duty officer does not handle the story (jinqiao_crane: seven of fifteen events, all such
fragments, docs/scenarios.md).

An event is a **reaction** when every member is the public's: a Weibo post, repost or comment
by a person's account (unverified, or verified as a person — Weibo's ``verified_type`` 0: the
lawyer or the engineer who comments on the day's stories). A report, an authority's, a firm's
or a medium's post or a document says where it happens itself, or is the unit's own (a policy
the city issues names no district and is the city's).
A reaction whose members name no unit below its own route takes the place of its **kin**, the
mentions its members continue:

- the post a member comments on or reposts (its ``parent_id``), when not a member itself;
- the other posts and reposts, with words of their own (``nlp.event_links.own_words``), of
  its posters within ``KIN_WINDOW`` of the event that share the words of what they wrote or
  passed on in it (``KIN_FLOOR``) — a witness writing again, a poster retracting their own
  repost, a lawyer writing a second time about one fine. Not a person's post about another
  matter: the demo's worker who asked about the elevator accident on Monday and passed on the
  nori rumour on Tuesday put the rumour in no district. Not their comments: commenters write
  under every story of the day.

Each kin mention in an event counts once for the unit that event routes to on its own members
(``route``; no kin of kin), and the reaction goes to the deepest unit below its own route that
more than half of them fall in: kin in events of the top unit count for it, so a poster who
wrote about a city story and a district one leaves the reaction where it was. No floor of two:
each count stands for a whole event's evidence. Kin refine where the reaction's own words put
it, never contradict them: a unit outside its own route is not taken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from alerts.units import UnitTree, place_of, route, weights
from archive.base import Archive
from archive.models import Event, Mention
from archive.search import SearchFilters, SearchRequest
from nlp.event_links import fingerprint, own_words
from nlp.rumor.score import RUMOR_KINDS
from nlp.text import document_from_text
from nlp.vectors import Vector, cosine, term_vector

# Enough members to see where a story happens; a 5,000-mention event names its district in
# its first few hundred as surely as in all of them.
MEMBER_LIMIT = 300
# How far from a reaction a poster's other words still continue the same story: the event
# window's order (a story is live for days; the scenarios' retractions and second posts come
# within two). Set on principle, not tuned.
KIN_WINDOW = timedelta(days=3)
# Posters read per reaction, and posts read per poster (the newest in the window): a reaction
# is a few posts and their comments, and bounds keep routing it a handful of queries.
KIN_POSTERS = 5
KIN_POSTS = 20
# A poster's other post continues the reaction when its words are this like what they wrote
# in it (TF-IDF cosine): read off jinqiao_crane, where the retraction and the toll repost it
# retracts share 0.15 and the lawyer's first and second posts on the fine 0.09 (法定最低), and the
# demo, where one person's elevator question and nori repost share nothing (0.0). Under the
# clustering's own floor for a person writing again (nlp.event_join.POSTER_FLOOR, 0.10): the
# post is not joined to the story here, only taken as a sign of where the reaction belongs.
KIN_FLOOR = 0.05


def own_route(archive: Archive, tree: UnitTree, event: Event) -> tuple[str, Sequence[Mention]]:
    """The unit ``event``'s own members place it in (before schemes) and those members."""
    mentions = archive.event_mentions(event.id, MEMBER_LIMIT)
    return route(tree, place_of(tree, event, mentions)), mentions


# Weibo's verified_type of a person's account (1 government, 2 enterprise, 3 media, 4–7 campus,
# website, app, organisation are channels).
PERSONAL_TYPE = 0


def personal(mention: Mention) -> bool:
    """Whether ``mention`` is a person's Weibo: unverified or verified as a person."""
    metrics = mention.metrics
    kind = metrics.get("verified_type")
    return mention.platform == "weibo" and (not metrics.get("verified") or kind == PERSONAL_TYPE)


def poster(mention: Mention) -> str:
    """The author of a person's post or repost in words of their own, "" otherwise."""
    own = mention.kind in RUMOR_KINDS and fingerprint(own_words(mention.text))
    return mention.author if own and personal(mention) else ""


def is_reaction(mentions: Sequence[Mention]) -> bool:
    """Whether every member is the public's (``personal``)."""
    return bool(mentions) and all(personal(m) for m in mentions)


def names_below(tree: UnitTree, event: Event, mentions: Sequence[Mention], unit_id: str) -> bool:
    """Whether the members (or the event's region codes) name any unit below ``unit_id``."""
    weight = weights(tree, place_of(tree, event, mentions))
    return any(weight[child] > 0 for child in tree.subtree(unit_id) - {unit_id})


def kin_mentions(archive: Archive, event: Event, mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions the members continue: parents outside the event, and their posters'
    other posts and reposts within ``KIN_WINDOW`` that share their words (``KIN_FLOOR``)."""
    members = {m.id for m in mentions}
    parents = {m.parent_id for m in mentions if m.parent_id and m.parent_id not in members}
    kin = archive.get_mentions(sorted(parents))
    posters = list(dict.fromkeys(who for m in mentions if (who := poster(m))))
    for author in posters[:KIN_POSTERS]:
        wrote = _vector(*(m for m in mentions if m.author == author and poster(m)))
        filters = SearchFilters(
            since=event.first_seen - KIN_WINDOW,
            until=event.last_seen + KIN_WINDOW,
            authors=[author],
            kinds=list(RUMOR_KINDS),
        )
        hits = archive.search(SearchRequest(filters=filters, limit=KIN_POSTS)).hits
        kin += [
            h.mention
            for h in hits
            if h.mention.id not in members
            and poster(h.mention)
            and cosine(_vector(h.mention), wrote) >= KIN_FLOOR
        ]
    return kin


def _vector(*mentions: Mention) -> Vector:
    """The TF-IDF vector of ``mentions`` together, a repost with what it passed on (a
    retraction names what was reposted, not the reposter's two words)."""
    return term_vector(document_from_text("\n".join(f"{m.title}\n{m.text}" for m in mentions)))


def kin_unit(
    archive: Archive, tree: UnitTree, event: Event, mentions: Sequence[Mention], own: str
) -> str | None:
    """The unit below ``own`` where the story a reaction continues is handled (module doc);
    None when it is not a reaction naming nothing below ``own``, or its kin say nothing more."""
    if not is_reaction(mentions) or names_below(tree, event, mentions, own):
        return None
    kin = kin_mentions(archive, event, mentions)
    analyses = archive.get_analyses([m.id for m in kin])
    kin_events = [a.event_id for a in analyses.values() if a.event_id and a.event_id != event.id]
    units: dict[str, str] = {}
    for event_id in dict.fromkeys(kin_events):
        other = archive.get_event(event_id)
        if other is not None:
            units[event_id] = own_route(archive, tree, other)[0]
    return _majority_below(tree, own, Counter(units[e] for e in kin_events if e in units))


def _majority_below(tree: UnitTree, own: str, votes: Counter[str]) -> str | None:
    """The deepest unit below ``own`` that more than half of the ``votes`` (kin per unit)
    fall in or below; None when none does."""
    held: Counter[str] = Counter()
    for unit_id, count in votes.items():
        for unit in tree.chain(unit_id):
            held[unit.id] += count
    total = sum(votes.values())
    current = own
    while True:
        more = [c.id for c in tree.children_of(current) if 2 * held[c.id] > total]
        if not more:
            return current if current != own else None
        current = more[0]

"""Obligations that close on evidence: the earliest qualifying publication after the trigger.

A publication qualifies for an obligation when

- its **channel** may fulfil it: the agency's own site or verified accounts (``agency.name``
  and ``agency.accounts``, matched against the publisher), a configured superior
  (``agency.superiors``), or — for ``press_conference`` only — a news report of the agency's
  press conference (发布会 and the agency's name in it). Without an ``agency`` section every
  official notice counts as a superior's (proposed, never applied), as before;
- its **type** answers the obligation's kind (``FULFILS``: a debunk clarifies, an
  interpretation interprets, a notice informs, a penalty decision discloses; a post's type is
  read from its wording when the crawler gave none); a notice clarifies only when it answers
  a claim going round (``addresses_claim``: 网传…不属实), not when it reports the event;
- it was published at or after the obligation's **trigger** (``opened_at``: first detection,
  publication or decision; for an event's obligation the event's start, when earlier: a
  complaint answered before it crossed the hot-topic threshold is answered), and is not the
  document that opened it (unless it is a penalty decision on the agency's own site: that
  publication *is* its disclosure);
- it is about the **same thing** (``match_score``): the document number decides alone when
  there is one; else the policy's full title, membership of the obligation's event, or most
  of the event's keywords and entities or of the title's character pairs.

Of the qualifying publications the earliest strong match decides. Once the agency's own
channels have published a strong match too, the obligation is closed as done (``done_at`` =
the earliest one's publication time — a superior's joint release can be earlier than the
agency's own — its link, ``fulfilled_by``; audited with actor ``系统``; one action undoes it,
``alerts.obligations.undo``, and the undone publication is never used again). Anything
weaker — only a superior's publication or a news report, or a partial match from the own
channels — is proposed (建议办结) for a person to confirm.

It runs for the obligations opened in this evaluation (searching the archive for what was
published since their trigger: an obligation found late may already be fulfilled) and, when
new publications arrive, for every obligation still active or closed by the system (a later
crawl can bring an earlier publication). The recipients hear of the closings as one notice
per publication (``alerts.fulfilled``), queued before the closings are written; a proposal's
message too is queued before the proposal is written.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from alerts.deadlines import kind_label
from alerts.fulfilled import Closing, queue_fulfilled
from alerts.messages import dashboard_url, mention_label, obligation_link
from alerts.outbox import queue_for
from archive.base import Archive
from archive.models import Alert, Analysis, EntityRef, Mention, Obligation, publisher
from archive.search import SearchFilters, SearchRequest
from core.settings import AgencySettings, RuleSettings, Settings
from core.text.segment import cut_words
from nlp.event_context import institution_names
from nlp.event_links import firm_names, place_names

FULFILS: dict[str, tuple[str, ...]] = {
    "debunk": ("clarification", "response", "authoritative_release"),
    # An interpretation answers the public's questions about the policy too.
    "interpretation": ("policy_interpretation", "response"),
    # A notice also publishes the work plan's implementation report (落实情况).
    "notice": ("authoritative_release", "response", "clarification", "implementation_report"),
    "penalty": ("penalty_disclosure",),
    "press": ("press_conference", "authoritative_release", "response"),
}
# A post's type from its wording, first match wins (a 【辟谣】 post is a debunk even when it
# says 情况通报); set on the demo corpus' official and government posts.
POST_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("press", re.compile(r"新闻发布会|发布会")),
    ("debunk", re.compile(r"辟谣|不实|谣言|情况说明")),
    ("interpretation", re.compile(r"政策解读|一图读懂|解读")),
    ("penalty", re.compile(r"行政处罚决定书")),
    ("notice", re.compile(r"情况通报|通报|通告|公告|回应|答复|进展")),
)
# Share of keywords / title character pairs that must appear for a strong match; set on the
# demo corpus, where an answer repeats most of the story's words and an unrelated notice
# shares under a fifth. Between WEAK and STRONG a match is only proposed.
STRONG = 0.6
WEAK = 0.4
PROPOSAL = "建议办结："
ACTOR = "系统"
CANDIDATES = 500  # publications read per obligation; far more than one story ever has


def _pairs(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in itertools.pairwise(chars)}


DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号")


def match_score(
    ob: Obligation,
    notice: Mention,
    keywords: Sequence[str],
    topic_title: str,
    same_event: bool = False,
) -> float:
    """1.0 for a certain match, else the share of keywords or title pairs found, else 0.

    A document number (临市监处罚〔2026〕88号) in the obligation decides alone: sibling
    penalty decisions differ only in it, so they must not answer each other."""
    text = f"{notice.title}\n{notice.text}"
    numbers = set(DOCUMENT_NUMBER.findall(f"{ob.subject}\n{topic_title}"))
    if numbers:
        return 1.0 if any(number in text for number in numbers) else 0.0
    if len(ob.subject) >= 6 and ":" not in ob.subject and ob.subject in text:
        return 1.0  # a key entered by hand
    if len(topic_title) >= 8 and topic_title in text:
        return 1.0  # the policy document's full name in its interpretation
    if same_event:
        return 1.0  # the clustering put it in the obligation's event
    scores = []
    words = [w for w in keywords if len(w) >= 2]
    if len(words) >= 2:
        scores.append(sum(w in text for w in words) / len(words))
    pairs = _pairs(topic_title)
    if len(pairs) >= 4:
        scores.append(len(pairs & _pairs(text)) / len(pairs))
    return max(scores, default=0.0)


@dataclass(frozen=True)
class Channels:
    """Who may fulfil the agency's obligations, from ``agency`` (None: legacy, see above)."""

    agency: AgencySettings | None

    @classmethod
    def of(cls, settings: Settings) -> Channels:
        return cls(settings.agency)

    def channel(self, m: Mention) -> str | None:
        """'own', 'superior', 'press' (a news report) or None."""
        official = m.platform == "official" or m.kind == "official"
        if self.agency is None:
            return "superior" if official and m.extra.get("doc_type") in FULFILS else None
        who = publisher(m)
        if who in self.agency.own_names():
            return "own"
        if who in self.agency.superiors:
            return "superior"
        if not official and post_type(m) == "press" and self.names_agency(m):
            return "press"
        return None

    def own_site(self, m: Mention) -> bool:
        return self.agency is not None and self.agency.owns_source(m.source)

    def names_agency(self, m: Mention) -> bool:
        assert self.agency is not None
        text = f"{m.title}\n{m.text}"
        return any(name in text for name in self.agency.spoken_names())

    def authors(self) -> list[str]:
        if self.agency is None:
            return []
        return sorted({*self.agency.own_names(), *self.agency.superiors})


def post_type(m: Mention) -> str | None:
    """The document type: the crawler's ``doc_type``, else read from the wording."""
    doc_type = m.extra.get("doc_type")
    if isinstance(doc_type, str) and doc_type in FULFILS:
        return doc_type
    text = f"{m.title}\n{m.text[:200]}"
    return next((name for name, pattern in POST_TYPES if pattern.search(text)), None)


# Words with which a notice answers a claim going round (网传“死亡五十余人”等说法均不属实):
# a notice without them reports its event and clarifies nothing.
ADDRESSING = ("网传", "传言", "流传", "声称", "谣", "不实", "不属实", "虚假")


def addresses_claim(m: Mention) -> bool:
    """Whether a notice answers a circulating claim rather than only reporting its event."""
    text = f"{m.title}\n{m.text}"
    return any(word in text for word in ADDRESSING)


@dataclass
class Finding:
    mention: Mention  # the publication that fulfils it (the earliest qualifying one)
    channel: str
    score: float
    # The agency's own publication that makes the close automatic (may be ``mention``); None
    # when there is none yet: the finding is then only proposed.
    confirmed_by: Mention | None = None

    @property
    def applies(self) -> bool:
        return self.confirmed_by is not None


@dataclass
class FulfilmentReport:
    closed: int = 0
    proposed: int = 0


def self_disclosure(ob: Obligation, m: Mention, channels: Channels) -> bool:
    """A penalty decision published on the agency's own site is its own disclosure."""
    if ob.kind != "penalty_disclosure" or ob.subject != f"doc:{m.id}":
        return False
    return channels.agency is not None and (channels.own_site(m) or channels.channel(m) == "own")


def find(
    archive: Archive,
    ob: Obligation,
    channels: Channels,
    candidates: Sequence[tuple[Mention, Analysis | None]],
) -> Finding | None:
    """What fulfils ``ob``: the earliest strong match (own or a superior's), applied when the
    agency's own channels published a strong match too; else the earliest weaker one to
    propose; None if nothing fits. The 江州发布 情况通报 three hours after an accident is the
    city's release; the bureau's own 通报 that evening confirms it and closes the duty, dated
    by the earlier one."""
    keywords, title = _keywords(archive, ob), _topic_title(ob)
    places: list[str] | None = None  # read when a superior's publication in the event comes
    since = window_start(archive, ob)
    strong: Finding | None = None
    weaker: Finding | None = None
    for m, analysis in sorted(candidates, key=lambda pair: pair[0].published_at):
        if m.published_at < since or m.id in ob.rejected:
            continue
        if self_disclosure(ob, m, channels):
            return Finding(m, "own", 1.0, confirmed_by=m)
        if ob.subject == f"doc:{m.id}":
            continue  # the notice that opened it
        channel = channels.channel(m)
        kind = post_type(m)
        if channel is None or kind is None or ob.kind not in FULFILS[kind]:
            continue
        if ob.kind == "clarification" and kind != "debunk" and not addresses_claim(m):
            continue  # the accident's 情况通报 states facts; it does not answer the hearsay
        same_event = bool(ob.event_id and analysis and analysis.event_id == ob.event_id)
        score = match_score(ob, m, keywords, title, same_event)
        if same_event and channel == "superior" and score >= STRONG:
            places = event_places(archive, ob) if places is None else places
            score = superior_in_event(ob, m, keywords, title, places)
        if score >= STRONG:
            strong = strong or Finding(m, channel, score)
            if channel == "own":
                return replace(strong, confirmed_by=m)
        elif channel == "own" and score >= WEAK:
            weaker = weaker or Finding(m, channel, score)
    return strong or weaker


def superior_in_event(
    ob: Obligation,
    m: Mention,
    keywords: Sequence[str],
    title: str,
    places: Sequence[str] = (),
) -> float:
    """A superior's publication in the obligation's event counts when its words agree at least
    weakly too, and when it names the event's place, institution or firm (``places``:
    ``event_places``, when the event has any): a province or city publishes on every
    district's theme, and a province-wide consumer tip the clustering put in a local event
    answers nothing of it (cuihu_ebike: the province's 冬季电动自行车安全使用的消费提示, 0.27
    of the fire's keywords, closed the fire's response, dated before it opened; once the
    fire's event grew its keywords, 0.4 and more of them, naming neither 白沙 nor 翠湖苑). A
    release about the event names its words and its place or subject (the province's ropeway
    notice names 临川区青屏山景区, the city's 辟谣 of a plant's explosion the plant)."""
    if places and not any(place in f"{m.title}\n{m.text}" for place in places):
        return 0.0
    words = match_score(ob, m, keywords, title)
    return 1.0 if words >= WEAK else words


# A place or an institution is the event's when this many of its members name it (a firm when
# this many name it, ``Event.entities``): the story's whereabouts are told by its witnesses and
# reports alike, a noise item's (another city's district) by itself alone.
PLACE_MEMBERS = 2
EVENT_MEMBERS_READ = 200  # the event's first members are enough to know where it happens


def event_places(archive: Archive, ob: Obligation) -> list[str]:
    """Where and at whom the obligation's event happens: the places below the city (districts
    by their short name, 白沙; roads, squares and estates, 人民路, 翠湖苑: ``nlp.event_links``),
    the institutions (晨曦幼儿园: ``nlp.event_context``) and the firms (恒泰印染, by the short
    names the public use) at least ``PLACE_MEMBERS`` of its members name. The city's 辟谣 of a
    plant's explosion names the plant, not always its road."""
    event = archive.get_event(ob.event_id) if ob.event_id else None
    if event is None:
        return []
    named: dict[str, int] = {}
    for member in archive.event_mentions(event.id, limit=EVENT_MEMBERS_READ):
        words = cut_words(f"{member.title}\n{member.text}")
        found = {name for _, name in place_names(words)} | set(institution_names(words))
        for name in found:
            named[name] = named.get(name, 0) + 1
    firms = [EntityRef(e.kind, e.name) for e in event.entities or [] if e.count >= PLACE_MEMBERS]
    places = [name for name, count in named.items() if count >= PLACE_MEMBERS]
    return list(dict.fromkeys([*places, *firm_names(firms)]))


def window_start(archive: Archive, ob: Obligation) -> datetime:
    """From when a publication can answer ``ob``: its trigger, or for an event's obligation
    the event's start if earlier — a bureau that answered a complaint in the morning has
    answered the hot topic it becomes at noon (the threshold's crossing, the trigger)."""
    event = archive.get_event(ob.event_id) if ob.event_id else None
    if event is not None and event.first_seen < ob.opened_at:
        return event.first_seen
    return ob.opened_at


def candidates_for(
    archive: Archive, ob: Obligation, channels: Channels, now: datetime
) -> list[tuple[Mention, Analysis | None]]:
    """Publications since the obligation's trigger from the channels that may fulfil it."""
    requests = []
    since = window_start(archive, ob)
    if channels.agency is None:
        requests.append(SearchFilters(since=since, until=now, platforms=["official"]))
    else:
        requests.append(SearchFilters(since=since, until=now, authors=channels.authors()))
        if ob.kind == "penalty_disclosure" and ob.subject.startswith("doc:"):
            opening = archive.get_mention(ob.subject[4:])
            if opening is not None:
                return [(opening, None)]
    found: dict[str, tuple[Mention, Analysis | None]] = {}
    for filters in requests:
        result = archive.search(SearchRequest(filters=filters, limit=CANDIDATES))
        for hit in result.hits:
            found[hit.mention.id] = (hit.mention, hit.analysis)
    if channels.agency is not None and ob.kind == "press_conference":
        query = SearchRequest(
            query="发布会",
            filters=SearchFilters(since=since, until=now, platforms=["news", "rss"]),
            limit=CANDIDATES,
        )
        for hit in archive.search(query).hits:
            found.setdefault(hit.mention.id, (hit.mention, hit.analysis))
    return list(found.values())


def fulfil(
    archive: Archive,
    settings: Settings,
    rules: Mapping[str, RuleSettings],
    alerts: Mapping[int, Alert],
    mentions: Sequence[tuple[Mention, Analysis | None]],
    opened: Iterable[int],
    now: datetime,
) -> FulfilmentReport:
    """Close or propose the obligations that qualifying publications answer.

    The closings are planned first, told (``alerts.fulfilled``: one notice per publication
    and recipient) and only then written, so a crash between the two loses no notice."""
    channels = Channels.of(settings)
    report = FulfilmentReport()
    fresh = any(channels.channel(m) is not None or channels.own_site(m) for m, _ in mentions)
    wanted = set(opened)
    stored = archive.ledger.list_obligations(["open", "acknowledged", "done"], limit=1_000_000)
    told: list[Closing] = []  # closings the recipients hear of
    quiet: list[Closing] = []  # a close dated earlier, a penalty decision's own disclosure
    proposals: list[tuple[Obligation, Finding]] = []
    for ob in stored:
        if ob.id is None or not (fresh or ob.id in wanted):
            continue
        if ob.status == "done" and not _system_done(ob):
            continue
        found = find(archive, ob, channels, candidates_for(archive, ob, channels, now))
        if found is None:
            continue
        if _system_done(ob):
            assert ob.done_at is not None
            if found.applies and found.mention.published_at < ob.done_at:
                quiet.append(Closing(_closed(ob, found, now), found.mention))
            continue
        if found.applies:
            own = ob.kind == "penalty_disclosure" and (
                ob.id in wanted or self_disclosure(ob, found.mention, channels)
            )
            (quiet if own else told).append(Closing(_closed(ob, found, now), found.mention))
            report.closed += 1
        elif found.mention.id != ob.fulfilled_by:
            proposals.append((ob, found))
            report.proposed += 1
    final = {ob.id: ob.fulfilled_by for ob in stored if ob.id is not None and _system_done(ob)}
    final.update({c.closed.id: c.mention.id for c in [*told, *quiet] if c.closed.id is not None})

    def closed_by(mention_id: str) -> set[int]:
        return {ob_id for ob_id, by in final.items() if by == mention_id}

    def recipients_of(ob: Obligation) -> list[str]:
        return _recipients(settings, rules, alerts, ob)

    queue_fulfilled(archive, settings, told, closed_by, recipients_of, now)
    for closing in [*told, *quiet]:
        archive.ledger.update_obligation(closing.closed, ACTOR, "obligation.fulfilled")
    for ob, found in proposals:
        _propose(archive, settings, rules, alerts, ob, found, now)
    return report


def _system_done(ob: Obligation) -> bool:
    """Closed by the system on a publication (a person's close is never reopened here)."""
    return ob.status == "done" and bool(ob.fulfilled_by) and ob.done_at is not None


def _keywords(archive: Archive, ob: Obligation) -> list[str]:
    if not ob.event_id:
        return []
    event = archive.get_event(ob.event_id)
    if event is None:
        return []
    names = [e.name for e in (event.entities or []) if e.kind != "region"][:4]
    return list(dict.fromkeys([*event.keywords[:8], *names]))


def _topic_title(ob: Obligation) -> str:
    """The obligation's title without its kind label: the document's or event's own title."""
    _, _, rest = ob.title.partition("：")
    return rest or ob.title


CHANNEL_NAMES = {"own": "本单位发布", "superior": "上级发布", "press": "发布会报道"}


def _recipients(
    settings: Settings,
    rules: Mapping[str, RuleSettings],
    alerts: Mapping[int, Alert],
    ob: Obligation,
) -> list[str]:
    alert = alerts.get(ob.alert_id) if ob.alert_id is not None else None
    rule = rules.get(alert.rule) if alert is not None else None
    return list(rule.recipients) if rule else list(settings.obligations.recipients)


def _tell(
    archive: Archive,
    settings: Settings,
    names: list[str],
    key: str,
    subject: str,
    body: str,
    now: datetime,
) -> None:
    """Queue one message about an obligation to ``names`` on each of their channels."""
    recipients = {r.name: r for r in settings.recipients}
    queue_for(archive, recipients, names, key, subject, body, now)


def _closed(ob: Obligation, found: Finding, now: datetime) -> Obligation:
    """``ob`` as the system closes it on ``found`` (not written)."""
    m = found.mention
    source = mention_label(m)
    confirmed = found.confirmed_by
    also = ""
    if confirmed is not None and confirmed.id != m.id:
        also = f"；本单位发布确认：{mention_label(confirmed, 30)}"
    return replace(
        ob,
        status="done",
        done_at=m.published_at,
        link=m.url,
        fulfilled_by=m.id,
        note=f"系统自动办结：{source}（{CHANNEL_NAMES[found.channel]}，匹配度 "
        f"{found.score:.2f}{also}）",
        updated_at=now,
    )


def _propose(
    archive: Archive,
    settings: Settings,
    rules: Mapping[str, RuleSettings],
    alerts: Mapping[int, Alert],
    ob: Obligation,
    found: Finding,
    now: datetime,
) -> None:
    notice = found.mention
    where = f"{CHANNEL_NAMES[found.channel]}，" if settings.agency is not None else ""
    note = (
        f"{PROPOSAL}{notice.url}（{notice.title or notice.source}，{where}"
        f"匹配度 {found.score:.2f}）"
    )
    subject = f"【建议办结·{kind_label(ob.kind)}】{ob.title}"
    body = "\n".join(
        [
            f"已采集到可能履行义务 #{ob.id} 的发布：",
            f"  · {mention_label(notice)} {notice.url}",
            f"请核对后办结：yuqing obligations done {ob.id} --link {notice.url}",
            f"或在系统中办理：{obligation_link(dashboard_url(settings), ob)}",
        ]
    )
    _tell(
        archive,
        settings,
        _recipients(settings, rules, alerts, ob),
        f"obligation:{ob.id}:proposed:{notice.id}",
        subject,
        body,
        now,
    )
    # Told first, like a close: a proposal written is not proposed again, so a crash between
    # the two would otherwise lose the message; a repeated one is the same outbox key.
    archive.ledger.update_obligation(
        replace(ob, note=note, fulfilled_by=notice.id, updated_at=now),
        "system",
        "obligation.fulfilment_proposed",
    )

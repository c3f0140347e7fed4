"""The per-mention pipeline and the state it needs between mentions: events and debunks.

``Analyzer.process`` takes mentions in archive change order and returns their analyses and
the events they touched; ``nlp.stage`` does the reading, writing and cursor keeping. The
analyzer is long-lived (one per archive per process) so the runner's frequent small batches
do not rebuild its state, but everything it holds can be rebuilt from the archive: events
from their member mentions and stored analyses, debunks from the debunk mentions already
analysed. That is what makes the stage restartable and its results reproducible.

Besides analysing each new mention, two arrivals re-analyse earlier ones:
- a comment or repost of a post in an event re-scores that post's rumour score (doubt in the
  comments is the strongest rumour signal there is);
- a debunk re-checks the posts of active events against its claim, so posts that spread a
  rumour before it was debunked are marked too.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from archive.base import Archive
from archive.models import Analysis, EntityRef, Event, Mention, Reason, stable_id
from archive.search import SearchFilters, SearchRequest
from core.settings import NlpSettings
from nlp.analysis_rumor import RumorScoring, repeating
from nlp.analysis_state import BatchState as _Batch
from nlp.analysis_state import RumorJob as _RumorJob
from nlp.analysis_state import TextParts as _Text
from nlp.analysis_state import collector_paused as _collector_paused
from nlp.analysis_state import rescore_due
from nlp.declared_entities import with_declared
from nlp.event_context import CONTEXT_KIND, context_match, context_probe, is_context
from nlp.event_join import link_match
from nlp.event_links import Probe
from nlp.event_member import event_member, event_probe
from nlp.event_recheck import Unlinked, leave_own_event, movable
from nlp.event_store import EventStore
from nlp.events import EventState, Member, build_event
from nlp.notice_links import NoticeLinks
from nlp.relevance import (
    RelevanceResult,
    RelevanceScorer,
    default_scorer,
    relevant_by_pair_alone,
)
from nlp.rumor.score import RUMOR_KINDS, RumorResult
from nlp.sentiment import score_sentiment
from nlp.severity import SeverityResult, grade_text
from nlp.text import Document, document_from_text

# How many stored debunks are loaded at start (newest first). At a few hundred debunks a year
# per province this is years of them; the cap only bounds start-up time.
MAX_DEBUNKS = 5000
# Events listed per load, and members read per event. Generous: an event of 50,000 mentions
# is a national story; past that, the earliest members describe it well enough.
EVENT_LOAD_LIMIT = 10_000
MAX_EVENT_MEMBERS = 50_000
# Distinct (title, text) pairs whose document, relevance and sentiment are kept: a post is
# re-analysed as its comments arrive, and a stream repeats itself (the CED development file's
# responses: 6,281 empty ones, 706 "转发微博。", 167 "[蜡烛]" among 16,406 mentions).
DOCUMENT_CACHE = 20_000
# Events with nothing new for this many event windows behind the newest mention seen are
# dropped from memory (they stay in the archive and are reloaded if a late mention needs one).
EVICT_AFTER_WINDOWS = 2


def configured_scorer(settings: NlpSettings) -> RelevanceScorer | None:
    """The trained relevance scorer when ``models_dir`` holds ``relevance.npz`` (opt-in)."""
    if settings.models_dir is None or not (settings.models_dir / "relevance.npz").exists():
        return None
    from nlp.relevance_model import trained_scorer

    return trained_scorer(settings.models_dir / "relevance.npz")


# The reason a mention joined an event by a link rather than its words begins so.
LINK_REASON = "关联事件："


@dataclass
class BatchOutcome:
    analyses: list[Analysis] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    relevant: int = 0


def in_time_order(mentions: Sequence[Mention]) -> list[Mention]:
    """A batch's mentions with each source's in the order they were published (ties: as
    read), in the places that source's mentions hold, so the interleaving of sources (the
    crawl's order) stays as read. A feed lists its newest items first (a Weibo timeline, the
    demo's API), and a batch taken in that order shows the event store an accident's later
    report before the witness posts it follows: in the demo's crawled run the fire brigade's
    警情通报 (12:58) was analysed before the three posts of 12:36-12:41 fetched with it, met
    an event of two witness posts (too few to be live, too unlike it in words) and founded an
    event of its own, while the time-ordered replay joins it to the accident's. A mention
    keeps the event it was first given, so the first order is the one that counts. Only within
    a source: reordering across sources would make a late-crawled item of another site (an
    official notice) found events by its publication time in one batch and not in smaller
    ones."""
    by_source: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_source[mention.source].append(mention)
    ordered = {
        source: iter(sorted(items, key=lambda mention: mention.published_at))
        for source, items in by_source.items()
    }
    return [next(ordered[mention.source]) for mention in mentions]


class Analyzer:
    def __init__(
        self, archive: Archive, settings: NlpSettings, scorer: RelevanceScorer | None = None
    ) -> None:
        self.archive = archive
        self.settings = settings.model_copy(deep=True)
        self.window = settings.event_window
        self.threshold = settings.relevance_threshold
        self.scorer = scorer or configured_scorer(settings) or default_scorer()
        self.rumors = RumorScoring(settings, self.window)
        self.store = EventStore(self.window)
        self.notices = NoticeLinks(self.window)
        self.unlinked = Unlinked()
        self.stored_events: set[str] = set()
        self._covered_since: datetime | None = None
        self._debunks_loaded = False
        self._texts: OrderedDict[tuple[str, str], _Text] = OrderedDict()
        self._newest: datetime | None = None

    # ---- documents ---------------------------------------------------------------------
    def _text(self, mention: Mention) -> _Text:
        key = (mention.title, mention.text)
        cached = self._texts.get(key)
        if cached is not None:
            self._texts.move_to_end(key)
            return cached
        document = document_from_text(mention.text, mention.title, mention.id, mention.kind)
        cached = _Text(document, self.scorer.score(document), score_sentiment(document))
        self._texts[key] = cached
        if len(self._texts) > DOCUMENT_CACHE:
            self._texts.popitem(last=False)
        return cached

    def entities(self, mention: Mention) -> tuple[EntityRef, ...]:
        """What the mention's text names, from the words already segmented, and what its
        source states (``nlp.declared_entities``: a notice's records, a complaint's company)."""
        return with_declared(self._text(mention).entities, mention)

    def document(self, mention: Mention, text: _Text | None = None) -> Document:
        """The mention's document: its text's, under its own id and kind."""
        shared = (text or self._text(mention)).document
        if shared.mention_id == mention.id and shared.kind == mention.kind:
            return shared
        return Document(
            mention.id,
            mention.kind,
            shared.prepared,
            shared.title_words,
            shared.body_words,
            shared.sentiment_clauses,
        )

    # ---- loading state from the archive ------------------------------------------------
    def _load_debunks(self) -> None:
        if self._debunks_loaded:
            return
        after: str | None = None
        seen = 0
        while seen < MAX_DEBUNKS:
            request = SearchRequest(filters=SearchFilters(kinds=["debunk"]), limit=500, after=after)
            result = self.archive.search(request)
            for hit in result.hits:
                if hit.analysis is not None:  # only debunks this stage has already reached
                    mention = hit.mention
                    self.rumors.debunks.add(
                        mention.id, self.document(mention).prepared, mention.published_at
                    )
            seen += len(result.hits)
            if not result.next_cursor or not result.hits:
                break
            after = result.next_cursor
        self._debunks_loaded = True

    def _load_event(self, event_id: str) -> None:
        if event_id in self.store:
            return
        mentions = self.archive.event_mentions(event_id, limit=MAX_EVENT_MEMBERS)
        analyses = self.archive.get_analyses([m.id for m in mentions])
        self.store.ensure(event_id)
        for mention in mentions:
            analysis = analyses.get(mention.id)
            if analysis is None or analysis.event_id != event_id:
                continue
            document = self.document(mention)
            self.store.add(event_id, self._member(mention, document, analysis))
        self.stored_events.add(event_id)

    def _load_events(self, mentions: Sequence[Mention], prior: dict[str, Analysis]) -> None:
        needed = {a.event_id for a in prior.values() if a.event_id}
        since = min(m.published_at for m in mentions) - self.window
        if self._covered_since is None or since < self._covered_since:
            for event in self.archive.list_events(active_since=since, limit=EVENT_LOAD_LIMIT):
                needed.add(event.id)
            self._covered_since = since
        for event_id in sorted(needed):
            if event_id not in self.store:
                self._load_event(event_id)

    def _analysis_of(self, mention_id: str, batch: _Batch) -> Analysis | None:
        if mention_id in batch.pending:
            return batch.pending[mention_id]
        if mention_id not in batch.prior:
            found = self.archive.get_analyses([mention_id])
            if mention_id not in found:
                return None
            batch.prior.update(found)
        return batch.prior[mention_id]

    # ---- members ----------------------------------------------------------------------
    def _member(
        self,
        mention: Mention,
        document: Document,
        analysis: Analysis,
        relevance: RelevanceResult | None = None,
        vector: dict[str, float] | None = None,
        severity: SeverityResult | None = None,
    ) -> Member:
        entities = tuple(analysis.entities) or self.entities(mention)
        return event_member(
            mention, document, analysis, self._text(mention), entities, self.threshold,
            relevance, vector, severity,
        )  # fmt: skip

    # ---- the per-mention pipeline ------------------------------------------------------
    def _current_event(self, mention: Mention, batch: _Batch) -> str | None:
        """The event the mention was given before (it keeps it), loaded."""
        current = self.store.event_of(mention.id)
        if current is None:
            stored = batch.prior.get(mention.id)
            current = stored.event_id if stored is not None else None
        if current is not None:
            self._load_event(current)
        return current

    def _probe(self, mention: Mention, text: _Text, firms: bool = False) -> Probe:
        return event_probe(mention, text, self.entities(mention) if firms else ())

    def _choose_event(
        self, mention: Mention, text: _Text, parent: Analysis | None, batch: _Batch
    ) -> tuple[str, str]:
        """The mention's event and, when a link other than its words chose it, the link."""
        current = self._current_event(mention, batch)
        if current is None:
            return self._new_event(mention, text, parent, batch)
        left = leave_own_event(self.store, mention, current, text.relevance.reasons)
        if left is None:
            return current, ""
        chosen = self._new_event(mention, text, parent, batch)
        if chosen[0] == current:
            self.store.add(current, left)  # nothing else took it: back as it was
        return chosen

    def _new_event(
        self, mention: Mention, text: _Text, parent: Analysis | None, batch: _Batch
    ) -> tuple[str, str]:
        """A relevant mention's event when it has none: its parent's, a linked one, its own."""
        if parent is not None and parent.relevant and parent.event_id:
            self._load_event(parent.event_id)
            return parent.event_id, ""
        # An inspection notice and the public's posts on the same firm: one event.
        joined = self.notices.event_for_notice(self.store, mention)
        joined = joined or self.notices.event_for_post(self.store, mention)
        if joined is not None:
            return joined
        # Relevant by a word pair alone: first the links of a post not relevant by its words
        # (before the pairs it was one, and joined by them, with the link shown), then the rest.
        alone = relevant_by_pair_alone(text.relevance.reasons)
        match = self._unrelated_match(mention, text) if alone else None
        if match is None:
            probe = self._probe(mention, text, firms=True)
            match = link_match(self.store, text.vector, probe, mention.published_at, relevant=True)
            match = match or self._in_context(mention, text, relevant=True)
        if match is not None:
            return match[0], match[2]
        return stable_id("event", mention.id), ""

    def _in_context(
        self, mention: Mention, text: _Text, relevant: bool = False
    ) -> tuple[str, float, str] | None:
        """The live event whose subject or rare words the mention names (nlp.event_context)."""
        return context_match(self.store, context_probe(mention, text), relevant)

    def _unrelated_link(
        self, mention: Mention, text: _Text, batch: _Batch
    ) -> tuple[str, str] | None:
        """For a mention not relevant by its words: the event a link makes it part of (its
        event kept from before, or a #topic#, chain, name or place an event carries) and the
        link's description, or None. The event is the one the link found: choosing again as a
        relevant mention would hold it to the floors of a post relevant by its own words."""
        if mention.kind == "comment":
            return None  # a comment counts through its post only
        current = self._current_event(mention, batch)
        if current is not None:
            return current, self._kept_reason(mention.id, batch)
        match = self._unrelated_match(mention, text)
        return (match[0], match[2]) if match is not None else None

    def _unrelated_match(self, mention: Mention, text: _Text) -> tuple[str, float, str] | None:
        """The event a link ties a mention to by the rules for one not relevant by its words."""
        if not text.vector:
            return None
        probe = self._probe(mention, text)
        match = link_match(self.store, text.vector, probe, mention.published_at, relevant=False)
        return match or self._in_context(mention, text)

    def _kept_reason(self, mention_id: str, batch: _Batch) -> str:
        """Why a mention analysed again is still in its event: the link that first put it
        there, as its earlier analysis gave it."""
        before = self._analysis_of(mention_id, batch)
        for reason in before.reasons if before is not None else ():
            if reason.text.startswith(LINK_REASON):
                return reason.text.removeprefix(LINK_REASON)
        return "此前已归入该事件"

    def analyse(
        self, mention: Mention, batch: _Batch, now: datetime, *, again: bool = False
    ) -> Analysis:
        text = self._text(mention)
        # The text's document as it is: what follows reads its text and words, not its id.
        document, relevance = text.document, text.relevance
        batch.rumor_jobs.pop(mention.id, None)
        parent = self._analysis_of(mention.parent_id, batch) if mention.parent_id else None
        inherited = parent is not None and parent.relevant and parent.event_id is not None
        relevant = relevance.score >= self.threshold or inherited
        linked = None if relevant else self._unrelated_link(mention, text, batch)
        relevant = relevant or linked is not None
        score = relevance.score
        topics = list(relevance.topics)
        reasons = list(relevance.reasons)
        if inherited and parent is not None:
            score = max(score, parent.relevance)
            topics = topics or list(parent.topics)
            reasons.append(
                Reason("post", "评论或转发了相关内容", parent.relevance, parent.mention_id)
            )
        old_event = self.store.event_of(mention.id)
        event_id: str | None = None
        vector = text.vector if relevant else {}
        if relevant:
            if linked is not None:
                event_id, why = linked
            else:
                event_id, why = self._choose_event(mention, text, parent, batch)
            if why:
                kind = CONTEXT_KIND if is_context(why) else "post"
                reasons.append(Reason(kind, f"{LINK_REASON}{why}", 0.0, None))
        if old_event is not None and old_event != event_id:
            self.store.remove_member(mention.id)
            batch.touched.add(old_event)
        event = self.store.get(event_id) if event_id else None
        rumor = self.rumors.score(mention, document, text, relevant, event)
        if mention.kind == "debunk":
            reasons.append(Reason("feature", "辟谣信息：已登记为辟谣", 0.0, mention.id))
        # A comment's figures only count inside an event (as uncredible ones); outside one they
        # are never used, and most of a stream is such comments.
        needs_figures = mention.kind != "comment" or event_id is not None
        full_severity = (
            grade_text(document.full_text, mention.id, text.figures) if needs_figures else None
        )
        severity = full_severity if mention.kind != "comment" else None
        sentiment = text.sentiment
        job = rumor if isinstance(rumor, _RumorJob) else None
        head = len(reasons)
        if isinstance(rumor, RumorResult):
            reasons += rumor.reasons
        if severity is not None:
            reasons += severity.reasons
        reasons += [
            Reason("signal", f"情感：{r.text}", r.weight, r.mention_id)
            for r in sentiment.reasons[:5]
        ]
        analysis = Analysis(
            mention_id=mention.id,
            relevant=relevant,
            relevance=round(score, 4),
            topics=topics,
            sentiment=sentiment.label,
            rumor_score=rumor.score if isinstance(rumor, RumorResult) else None,
            event_id=event_id,
            severity=severity.grade if severity is not None else None,
            reasons=reasons,
            analyzed_at=now,
            # Irrelevant mentions (most of a stream) are not extracted: nothing reads them.
            entities=list(self.entities(mention)) if relevant else [],
        )
        batch.pending[mention.id] = analysis
        self.unlinked.note(mention, analysis)
        member: Member | None = None
        if event_id is not None:
            member = self._member(mention, document, analysis, relevance, vector, full_severity)
            self.store.add(event_id, member)
            self.notices.note(mention)
            batch.touched.add(event_id)
        if job is not None:
            job.analysis, job.head, job.member = analysis, head, member
            batch.rumor_jobs[mention.id] = job
        if event_id is not None and not again:
            self._after_join(mention, event_id, batch, now)
            # A report's casualty figure: the event's hearsay tolls are judged against it.
            for claim in self.rumors.hearsay_to_rejudge(mention, self.store.get(event_id)):
                self.analyse(claim.mention, batch, now, again=True)
        if member is not None and event_id is not None and not again:
            state = self.store.ensure(event_id)
            judge = partial(self.analyse, batch=batch, now=now, again=True)
            self.unlinked.recheck(member, state, judge, lambda m: movable(self.store, m))
        if mention.kind == "debunk" and not again:
            self._after_debunk(mention, document, batch, now)
        return analysis

    def _after_join(self, mention: Mention, event_id: str, batch: _Batch, now: datetime) -> None:
        """A reply arrived: re-score the post it replies to."""
        if mention.parent_id is None:
            return
        state = self.store.get(event_id)
        parent = state.members.get(mention.parent_id) if state else None
        if state is None or parent is None or parent.mention.kind not in RUMOR_KINDS:
            return
        member = state.members.get(mention.id)
        doubting = member is not None and member.doubting
        if rescore_due(state.reply_count(parent.id), doubting):
            self.analyse(parent.mention, batch, now, again=True)

    def _after_debunk(
        self, mention: Mention, document: Document, batch: _Batch, now: datetime
    ) -> None:
        """A debunk arrived: index its claims and mark the active posts that repeat them."""
        claims = self.rumors.debunks.add(mention.id, document.prepared, mention.published_at)
        if not claims:
            return
        reach = mention.published_at - self.window
        for member in repeating(claims, self.store.events, reach):
            self.analyse(member.mention, batch, now, again=True)

    # ---- batches -----------------------------------------------------------------------
    def process(self, mentions: Sequence[Mention], now: datetime) -> BatchOutcome:
        if not mentions:
            return BatchOutcome()
        with _collector_paused():
            return self._process(mentions, now)

    def _process(self, mentions: Sequence[Mention], now: datetime) -> BatchOutcome:
        mentions = in_time_order(mentions)
        self._load_debunks()
        self.unlinked.cover(self.archive, min(m.published_at for m in mentions))
        wanted = [m.id for m in mentions] + [m.parent_id for m in mentions if m.parent_id]
        batch = _Batch(prior=self.archive.get_analyses(list(dict.fromkeys(wanted))))
        self._load_events(mentions, batch.prior)
        # The batch's texts first, in one run: segmentation and the lexicons stay in the
        # processor's caches instead of being evicted by the event work between mentions.
        for mention in mentions:
            self._text(mention)
        outcome = BatchOutcome()
        for mention in mentions:
            analysis = self.analyse(mention, batch, now)
            outcome.relevant += int(analysis.relevant)
            newest = mention.published_at
            self._newest = newest if self._newest is None else max(self._newest, newest)
        self.rumors.resolve(batch)
        outcome.analyses = list(batch.pending.values())
        for event_id in sorted(batch.touched):
            state = self.store.get(event_id) or EventState(event_id)
            outcome.events.append(build_event(state, now, self.window))
            if event_id in self.stored_events:
                outcome.updated += 1
            else:
                outcome.created += 1
        return outcome

    def committed(self, outcome: BatchOutcome) -> None:
        """The outcome is in the archive: remember its events as stored, forget old ones."""
        self.stored_events.update(event.id for event in outcome.events)
        if self._newest is not None:
            self.unlinked.prune(self._newest)
            horizon = self._newest - EVICT_AFTER_WINDOWS * self.window
            for event_id in self.store.evict_before(horizon):
                self.stored_events.discard(event_id)
                self.rumors.forget(event_id)
            if self._covered_since is not None and horizon > self._covered_since:
                self._covered_since = horizon

    def refresh(self, now: datetime) -> list[Event]:
        """Heat, burst and status of every active event as of ``now`` (nothing else moves)."""
        since = now - self.window
        if self._covered_since is None or since < self._covered_since:
            for event in self.archive.list_events(active_since=since, limit=EVENT_LOAD_LIMIT):
                self._load_event(event.id)
            self._covered_since = since
        return [
            build_event(self.store.events[event_id], now, self.window)
            for event_id in sorted(self.store.events)
            if self.store.events[event_id].members
            and self.store.events[event_id].last_seen >= since
        ]

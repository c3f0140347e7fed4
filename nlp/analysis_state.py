"""Per-text and per-batch state of the analyser (``nlp.analyzer``).

- ``TextParts``: what depends on a mention's title and text alone, shared by every mention
  with that text (a stream repeats itself: empty replies, "转发微博。");
- ``RumorJob`` and ``BatchState``: a batch's pending analyses, and the rumour-model scores
  deferred to its end so that a post re-scored several times in one batch is scored once;
- ``rescore_due``: when a reply re-scores its post; ``collector_paused``: the garbage
  collector held off for a batch.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from archive.models import Analysis, EntityRef, Mention
from nlp.analysis_entities import entity_refs
from nlp.event_links import firm_names
from nlp.event_scope import named_cities, scope_links
from nlp.events import Member, title_vector
from nlp.relevance import RelevanceResult
from nlp.rumor.hearsay import Reference
from nlp.rumor.model import MAX_RESPONSES
from nlp.rumor.score import RumorResult, bigrams, doubt_phrases
from nlp.sentiment import SentimentResult
from nlp.severity import TextFigures, text_figures
from nlp.text import Document, summary_lead
from nlp.vectors import term_vector

__all__ = [
    "RESCORE_EVERY_UP_TO",
    "BatchState",
    "RumorJob",
    "TextParts",
    "collector_paused",
    "rescore_due",
]

# A post is re-scored on each of its first replies (the early ones move the score most;
# CED: the first hour's responses lift accuracy from the post alone by five points).
RESCORE_EVERY_UP_TO = 16


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for one batch, back on (if it was on) after it.

    The analysis allocates many short-lived objects and makes almost no reference cycles (on
    the stream of benchmarks/nlp_throughput_bench.py, 275 collections found 110 objects in
    all), so the collector's passes over a heap that holds the events and the text cache are
    pure overhead: 19 % of the analysis's CPU time there (2.21 s → 1.80 s, best of three).
    Reference counting still frees everything acyclic at once; the few cycles wait for the
    next collection after the batch.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def rescore_due(replies: int, doubting: bool) -> bool:
    """Whether the reply that brought a post to ``replies`` replies re-scores the post.

    Every reply up to RESCORE_EVERY_UP_TO, every doubting one up to the model's response cap,
    then at each doubling: a viral post's ten-thousandth comment rarely moves its score, and
    re-scoring on each would make the stage quadratic in the replies. Decided by the count
    alone, so the same replies in the same order re-score at the same points however they
    are batched.
    """
    if replies <= RESCORE_EVERY_UP_TO or (doubting and replies <= MAX_RESPONSES):
        return True
    return replies & (replies - 1) == 0


@dataclass
class TextParts:
    """What depends on a mention's title and text alone (a scorer reads the text, not the id).

    The event parts are computed on first need (most mentions join no event) and shared by
    the members with this text: nothing changes a member's vectors or bigrams in place.
    """

    document: Document
    relevance: RelevanceResult
    sentiment: SentimentResult

    @cached_property
    def vector(self) -> dict[str, float]:
        return term_vector(self.document)

    @cached_property
    def title_vector(self) -> dict[str, float]:
        return title_vector(self.document.title_words)

    @cached_property
    def lead(self) -> str:
        return summary_lead(self.document.prepared)

    @cached_property
    def entities(self) -> tuple[EntityRef, ...]:
        """What the text names; computed only for relevant mentions and event members."""
        return entity_refs(self.document)

    @cached_property
    def figures(self) -> TextFigures:
        """Its casualty, loss and response figures (``nlp.severity.text_figures``): the
        costly part of a mention's severity, which only adds the mention's id to them."""
        return text_figures(self.document.full_text)

    @cached_property
    def firm_names(self) -> tuple[str, ...]:
        """The firms its entities name, with their short names (``nlp.event_links``)."""
        return firm_names(self.entities)

    def firms_of(self, entities: tuple[EntityRef, ...]) -> tuple[str, ...]:
        """``firm_names(entities)``: prepared when they are the text's own entities (a
        mention's source may declare more: ``nlp.declared_entities``). The text's entities
        are compared only when computed already: a member rebuilt from a stored analysis
        has its entities, and extracting them again to compare would cost more than this."""
        if "entities" in self.__dict__ and entities == self.entities:
            return self.firm_names
        return firm_names(entities)

    @cached_property
    def grams(self) -> frozenset[str]:
        return bigrams(self.document.full_text)

    @cached_property
    def cities(self) -> tuple[str, ...]:
        """The cities the text names (``nlp.event_scope.named_cities``), for its probe."""
        return named_cities(self.document.full_text, self.words)

    @cached_property
    def scope_keys(self) -> tuple[tuple[str, str], ...]:
        """Its member's city and decision keys (``nlp.event_scope.scope_links``)."""
        return scope_links(self.document.full_text, self.words)

    @cached_property
    def context_keys(self) -> tuple[tuple[str, str], ...]:
        """The subject, rare-word and area keys its member adds to an event when relevant by
        its own words (``nlp.event_context.context_links``). Kept with the text like the rest:
        a pure function of it, so an analysis worker's helper prepares it too."""
        from nlp.event_context import context_links  # it imports this module

        return context_links(self.words, self.vector, True)

    @property
    def words(self) -> tuple[str, ...]:
        return self.document.title_words + self.document.body_words

    @cached_property
    def doubting(self) -> bool:
        """Whether the author's own words question or refute (a reply's doubt)."""
        prepared = self.document.prepared
        return bool(doubt_phrases(prepared.own_text or prepared.body))


@dataclass
class RumorJob:
    """A post's model score, computed once at the end of the batch (``_resolve_rumors``)."""

    mention: Mention
    replies: list[Mention]  # as they were when the post was (re-)analysed
    doubting: list[str]
    match: RumorResult | None  # the debunk override found then (score_post over a 0 score)
    corroboration: Mention | None = None  # a report stating its event as fact, then
    reference: Reference | None = None  # the event's reference toll then, for hearsay figures
    analysis: Analysis | None = None
    head: int = 0  # how many of analysis.reasons come before the rumour's
    member: Member | None = None


@dataclass
class BatchState:
    prior: dict[str, Analysis]
    pending: dict[str, Analysis] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)
    # mention id → its latest rumour job: a post re-scored three times in a batch is scored
    # once, with the replies of the last time, as only that analysis leaves the batch.
    rumor_jobs: dict[str, RumorJob] = field(default_factory=dict)

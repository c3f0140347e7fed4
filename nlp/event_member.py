"""What a mention brings to the events: its ``Member`` (when it joins one) and its ``Probe``
(what it offers for linking when it looks for one).

Both are built from the mention, its text's shared parts (``nlp.analysis_state.TextParts``)
and its entities alone, so a member rebuilt from the archive on start is the member the
analysis built, which is what makes a restart invisible.
"""

from __future__ import annotations

from dataclasses import replace

from archive.models import Analysis, EntityRef, Mention
from nlp.analysis_entities import region_names
from nlp.analysis_state import TextParts
from nlp.drills import is_drill_report
from nlp.event_links import (
    POSTER,
    Probe,
    chain_links,
    fingerprint,
    member_links,
    own_words,
    place_names,
)
from nlp.event_scope import decision_keys
from nlp.events import Member, is_official
from nlp.heat import mention_weight
from nlp.notice_links import is_notice
from nlp.relevance import RelevanceResult
from nlp.rumor.score import RUMOR_KINDS
from nlp.severity import SeverityResult, SourcedFigures, best_figures, grade_text
from nlp.text import Document


def event_member(
    mention: Mention,
    document: Document,
    analysis: Analysis,
    text: TextParts,
    entities: tuple[EntityRef, ...],
    threshold: float,
    relevance: RelevanceResult | None = None,
    vector: dict[str, float] | None = None,
    severity: SeverityResult | None = None,
) -> Member:
    """A member from a mention and its analysis: the same whether just computed or rebuilt
    from the archive. ``entities`` are the mention's own (``Analyzer.entities``); a member
    rebuilt from an analysis stored before entities were kept gets them extracted
    (deterministic: the same as a fresh analysis would store)."""
    relevance = relevance or text.relevance
    severity = severity or grade_text(document.full_text, mention.id, text.figures)
    official = is_official(mention)
    figures = SourcedFigures(
        mention_id=mention.id,
        published_at=mention.published_at,
        official=official,
        credible=mention.kind != "comment",
        best=best_figures(severity.figures),
        accident_context=severity.accident_context,
    )
    is_post = mention.kind in RUMOR_KINDS
    entities = tuple(analysis.entities) or entities
    linked = analysis.relevance < threshold
    words = document.title_words + document.body_words
    member = Member(
        mention=mention,
        title=document.prepared.title,
        vector=vector if vector is not None else text.vector,
        title_vector=text.title_vector,
        lead=text.lead,
        relevance=analysis.relevance,
        topic_evidence=dict(relevance.topic_evidence),
        rumor_score=analysis.rumor_score,
        figures=figures,
        grams=text.grams if is_post else frozenset(),
        doubting=mention.parent_id is not None and text.doubting,
        weight=mention_weight(mention.platform, mention.metrics),
        regions=region_names(entities),
        entities=entities,
        links=(
            *member_links(
                document.prepared.hashtags,
                mention.author,
                # An inspection notice lists tens of firms: which of them its event is about
                # is nlp.notice_links' judgement, so its firms tie no posts to it here.
                () if is_notice(mention) else entities,
                f"{mention.title}\n{mention.text}",
                own_words(mention.text) if mention.kind != "comment" else "",
                place_names(words, document.full_text),
                () if is_notice(mention) else text.firms_of(entities),
            ),
            *text.scope_keys,
            *(((POSTER, who),) if (who := witness(mention)) else ()),
            # What the event is about (nlp.event_context): from its posts and reports relevant
            # by their own words; a comment's words are its thread's, a notice lists tens of
            # firms.
            *(
                text.context_keys
                if not linked and mention.kind != "comment" and not is_notice(mention)
                else ()
            ),
        ),
        linked=linked,
    )
    if mention.kind != "comment" and is_drill_report(document.prepared.title, mention.text):
        return offering_nothing(member)
    return member


def offering_nothing(member: Member) -> Member:
    """A drill report's member: it offers no words, title, names or links, so nothing joins
    the event it founds by similarity or link — a real accident at the same place the next
    day founds its own (``nlp.drills``). Its comments and reposts still join it through
    their parent."""
    return replace(member, vector={}, title_vector={}, entities=(), links=())


def event_probe(mention: Mention, text: TextParts, entities: tuple[EntityRef, ...] = ()) -> Probe:
    """What the mention offers for linking; ``entities`` (its firms, looked for in events'
    own words) only when the caller wants firms found that way."""
    prepared = text.document.prepared
    return Probe(
        firms=text.firms_of(entities) if entities and not is_notice(mention) else (),
        hashtags=prepared.hashtags,
        chain=chain_links(mention.text) if prepared.repost_chain else (),
        text=text.document.full_text,
        terms=tuple(r.text for r in text.relevance.reasons if r.kind == "term"),
        cities=text.cities,
        decisions=decision_keys(text.document.full_text),
        region=mention.region or "",
        witness=witness(mention),
    )


def witness(mention: Mention) -> str:
    """The author of a post or a repost with words of its own by an unverified Weibo account
    (a member of the public, not a channel: media, agencies and marketing accounts write in
    every story), "" otherwise."""
    public = mention.platform == "weibo" and not mention.metrics.get("verified")
    own = mention.kind != "comment" and fingerprint(own_words(mention.text))
    return mention.author if public and own else ""

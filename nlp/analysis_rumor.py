"""The analyser's rumour part: a post's score (the trained model, else the heuristic), with
debunk matching and the rules in context, and the debunks that re-check earlier posts.

The model scores a batch's posts in one call at the batch's end (``RumorJob``s resolved by
``resolve``); the heuristic, used only when no model file loads, scores a post at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from archive.models import Mention, Reason
from core.settings import NlpSettings
from nlp.analysis_state import BatchState, RumorJob, TextParts
from nlp.events import EventState, Member
from nlp.rumor.context import Authorities, FactReports, authoritative, in_context
from nlp.rumor.hearsay import Reference, hearsay_claim, report_tolls, with_report
from nlp.rumor.model import MODEL_PATH, RumorModel, input_of, load_model
from nlp.rumor.score import (
    MATCH_THRESHOLD,
    RUMOR_KINDS,
    Claim,
    DebunkIndex,
    RumorFeatures,
    RumorResult,
    features_of,
    heuristic_score,
    overlap,
    score_post,
)
from nlp.text import Document

# The share of rumours the stage's probabilities assume. CED, the training data, is 45 %
# rumours, and its non-rumours are mostly news-media posts, so an ordinary person's post with
# no replies yet scores ~0.9 there. Among the relevant posts of a monitoring stream rumours
# are a minority; 10 % is judgement (on the demo corpus it leaves 3 of 29 events at ≥ 0.8
# instead of 9: the plastic-seaweed rumour among them), and the prior is shown as a reason.
STAGE_RUMOR_PRIOR = 0.10


def rumor_model_path(settings: NlpSettings) -> Path:
    """``models_dir/rumor.npz`` when configured and present, else the shipped model."""
    if settings.models_dir is not None and (settings.models_dir / "rumor.npz").exists():
        return settings.models_dir / "rumor.npz"
    return MODEL_PATH


class ReferenceTolls:
    """Per event, the reference toll of its authoritative reports (``nlp.rumor.hearsay``),
    taking in only the members added since the last look: a viral hearsay toll is reposted
    thousands of times, and each repost reads its event's reference."""

    def __init__(self, authorities: Authorities) -> None:
        self.authorities = authorities
        self._found: dict[str, tuple[Reference | None, int]] = {}

    def of(self, event: EventState) -> Reference | None:
        found, scanned = self._found.get(event.id, (None, 0))
        gone = found is not None and not (
            found.deaths_by.id in event.members and found.casualties_by.id in event.members
        )
        if gone or scanned > len(event.members):  # members left: take them in again
            found, scanned = None, 0
        for member in islice(event.members.values(), scanned, None):
            if authoritative(member.mention, self.authorities):
                found = with_report(found, member.mention)
        self._found[event.id] = (found, len(event.members))
        return found

    def forget(self, event_id: str) -> None:
        self._found.pop(event_id, None)


class RumorScoring:
    """The rumour model, the authorities and fact reports it is read against, the debunks."""

    def __init__(self, settings: NlpSettings, window: timedelta) -> None:
        self.model: RumorModel | None = load_model(rumor_model_path(settings))
        self.authorities = Authorities.from_settings(settings.authorities)
        self.facts = FactReports(self.authorities)
        self.references = ReferenceTolls(self.authorities)
        self.debunks = DebunkIndex(backward_reach=window)

    def warm_up(self, mention: Mention) -> None:
        """Score ``mention`` once and forget it: the model's first call builds its vocabulary
        lookups (~0.4 s of CPU, which the first batch would otherwise carry; nothing it
        builds depends on the text scored)."""
        if self.model is not None:
            self.model.score([input_of(mention)], prior=STAGE_RUMOR_PRIOR)

    def reference(self, mention: Mention, event: EventState | None) -> Reference | None:
        """The event's reference toll, read only for a hearsay casualty claim."""
        if event is None or not hearsay_claim(f"{mention.title} {mention.text}"):
            return None
        return self.references.of(event)

    def forget(self, event_id: str) -> None:
        """The event left memory: what was kept about it goes too."""
        self.facts.forget(event_id)
        self.references.forget(event_id)

    def hearsay_to_rejudge(self, mention: Mention, event: EventState | None) -> list[Member]:
        """A report with a casualty figure joined ``event``: the event's hearsay casualty
        claims to score again against it (posted before it, they were judged without it)."""
        if event is None or not authoritative(mention, self.authorities):
            return []
        if report_tolls(f"{mention.title}\n{mention.text}") is None:
            return []
        return [
            member
            for member in event.ordered()
            if member.id != mention.id
            and member.mention.kind in RUMOR_KINDS
            and hearsay_claim(f"{member.mention.title} {member.mention.text}") is not None
        ]

    def score(
        self,
        mention: Mention,
        document: Document,
        text: TextParts,
        relevant: bool,
        event: EventState | None,
    ) -> RumorResult | RumorJob | None:
        """The heuristic's score now, or the model's score as a job for the batch's end."""
        if mention.kind not in RUMOR_KINDS:
            return None
        replies = event.children_of(mention.id) if event else []
        doubting = [m.mention.id for m in replies if m.doubting]
        if self.model is None:
            features = features_of(document.prepared, mention.metrics)
            if not relevant:
                return in_context(heuristic_score(features), mention, self.authorities)
            at = mention.published_at
            result = score_post(features, text.grams, at, self.debunks, len(doubting), doubting)
            reference = self.reference(mention, event)
            return in_context(result, mention, self.authorities, self.facts.of(event), reference)
        match = None
        if relevant:
            # The debunk match as of now (a debunk later in the batch re-analyses the posts it
            # matches itself); over a zero base score, so it can be laid over the model's.
            # score_post reads the features only when it has no base.
            match = score_post(
                RumorFeatures(),
                text.grams,
                mention.published_at,
                self.debunks,
                base=RumorResult(score=0.0),
            )
        corroboration = self.facts.of(event) if relevant else None
        reference = self.reference(mention, event) if relevant else None
        return RumorJob(
            mention, [r.mention for r in replies], doubting, match, corroboration, reference
        )

    def resolve(self, batch: BatchState) -> None:
        """Score the batch's posts with the model in one call and put the scores in place.

        Row by row the same numbers as one call per post (the model's features are per row),
        at a fraction of the cost: scikit-learn's per-call overhead is paid once per batch.
        """
        jobs = list(batch.rumor_jobs.values())
        batch.rumor_jobs.clear()
        if not jobs or self.model is None:
            return
        inputs = [input_of(job.mention, job.replies) for job in jobs]
        scored = self.model.score(inputs, prior=STAGE_RUMOR_PRIOR)
        for job, score in zip(jobs, scored, strict=True):
            reasons = [
                Reason(r.kind, r.text, r.weight, job.doubting[0])
                if job.doubting and "条评论质疑" in r.text
                else r
                for r in score.reasons
            ]
            result = RumorResult(score=round(score.probability, 4), reasons=reasons)
            if job.match is not None and job.match.matched_debunk is not None:
                # = score_post(..., base=result): round(max(x, floor)) = max(x, round(floor))
                # as x is rounded already.
                result.score = max(result.score, job.match.score)
                result.reasons = job.match.reasons + result.reasons
                result.matched_debunk = job.match.matched_debunk
            result = in_context(
                result, job.mention, self.authorities, job.corroboration, job.reference
            )
            assert job.analysis is not None
            job.analysis.rumor_score = result.score
            job.analysis.reasons[job.head : job.head] = result.reasons
            if job.member is not None:
                job.member.rumor_score = result.score


def repeating(
    claims: Iterable[Claim], events: dict[str, EventState], reach: datetime
) -> list[Member]:
    """The posts of events active since ``reach`` that repeat one of a debunk's claims."""
    claims = list(claims)
    marked: list[Member] = []
    for event_id in sorted(events):
        state = events[event_id]
        if not state.members or state.last_seen < reach:
            continue
        for member in state.ordered():
            if member.mention.kind not in RUMOR_KINDS or member.at < reach:
                continue
            if any(overlap(c.grams, member.grams) >= MATCH_THRESHOLD for c in claims):
                marked.append(member)
    return marked

"""What the event store keeps instead of recomputing (nlp/event_memo.py, the spans in
nlp/event_store.py) equals what it would compute: after the demo corpus, every event's kept
centroid, span and norms are those of a fresh computation, float for float."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import open_archive
from core.clock import SimulatedClock
from core.settings import ArchiveSettings, NlpSettings, Settings
from nlp import event_memo, event_store, events
from nlp.event_memo import Norms
from nlp.event_store import EventStore
from nlp.events import EventState, Member
from nlp.severity import SourcedFigures
from nlp.stage import analyze_new, analyzer_for
from nlp.vectors import cosine
from tests.conftest import T0, make_mention
from tests.support.demo_mentions import demo_mentions

AS_OF = datetime(2026, 12, 31, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EventStore:
    path: Path = tmp_path_factory.mktemp("memo") / "archive.db"
    settings = Settings(archive=ArchiveSettings(path=path), nlp=NlpSettings(batch_size=50))
    with open_archive(settings.archive) as archive:
        archive.upsert_mentions(demo_mentions())
        analyze_new(archive, settings, SimulatedClock(AS_OF))
        return analyzer_for(archive, settings).store


def test_kept_centroids_and_spans_equal_fresh_ones(store: EventStore) -> None:
    with_replies = kept_ones = 0
    for event_id, state in store.events.items():
        if not state.members:
            continue
        kept_ones += state._centroid is not None
        fresh = copy.copy(state)
        fresh._centroid = None
        kept = state.centroid
        # The same words in the same order with the same sums (the order decides ties and
        # the order of a dot product's terms).
        assert list(kept.items()) == list(fresh.centroid.items()), event_id
        assert store.span(event_id, state) == (state.first_seen, state.last_seen)
        with_replies += any(state.is_child(m) for m in state.members.values())
    # The corpus's events have replies, and centroids kept since they were last read: what
    # the store kept was compared, not only computed again.
    assert with_replies > 0 and kept_ones > 0


def test_norms_give_the_cosine_of_nlp_vectors(store: EventStore) -> None:
    norms = Norms()
    states = [s for s in store.events.values() if s.members]
    vectors = [m.vector for s in states for m in s.members.values() if m.vector]
    compared = 0
    for state in states:
        for vector in vectors[:40]:
            # Twice: computed, then from the kept norms.
            for _ in range(2):
                assert norms.cosine(vector, state.centroid) == cosine(vector, state.centroid)
                assert norms.cosine(state.centroid, vector) == cosine(state.centroid, vector)
            compared += 1
    assert compared > 100


def test_norms_are_kept_by_object_not_by_equal_content() -> None:
    norms = Norms()
    a = {"扶梯": 0.6, "逆行": 0.8}
    assert norms.norm(a) == pytest.approx(1.0)
    b = {"扶梯": 3.0, "逆行": 4.0}  # another object: its own norm
    assert norms.norm(b) == pytest.approx(5.0)
    assert norms.cosine(a, b) == cosine(a, b)


def _member(i: int, hour: float, linked: bool, parent: int | None, rng: random.Random) -> Member:
    mention = make_mention(
        i,
        f"第{i}条",
        published_at=T0 + timedelta(hours=hour),
        parent_id=f"m{parent:04d}" if parent is not None else None,
    )
    words = rng.sample(["扶梯", "逆行", "商场", "停运", "维保", "检查", "事故", "通报"], 4)
    return Member(
        mention=mention,
        title="",
        # Fractions whose sums round: the order of the additions shows in the floats.
        vector={w: rng.random() / 3 for w in words},
        title_vector={},
        lead="",
        relevance=1.0,
        topic_evidence={},
        rumor_score=None,
        figures=SourcedFigures(mention.id, mention.published_at, False, True, {}, False),
        linked=linked,
    )


@pytest.mark.parametrize("seed", range(6))
def test_grown_centroids_equal_fresh_ones_float_for_float(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Members arriving in and out of order, linked or not, replies before and after their
    posts, some analysed again: after every addition the store's centroid (grown, kept or
    recomputed) is the one computed afresh, the same words in the same order."""
    monkeypatch.setattr(event_memo, "CENTROID_MEMBERS", 12)  # the cap reached too
    monkeypatch.setattr(events, "CENTROID_MEMBERS", 12)
    taken: list[bool] = []

    def counted(state: EventState, member: Member) -> object:
        found = event_memo.grown_centroid(state, member)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(event_store, "grown_centroid", counted)
    rng = random.Random(seed)
    linked_share = 0.3 if seed < 3 else 0.8  # events of linked roots alone, too
    store = EventStore(timedelta(days=30))
    for i in range(40):
        hour = i + (rng.choice([0, 0, 0, -6.5]) if i > 8 else 0)  # now and then a late one
        parent = rng.randrange(i + 3) if i and rng.random() < 0.3 else None  # later posts too
        again = i > 3 and rng.random() < 0.1
        member = _member(
            rng.randrange(i) if again else i, hour, rng.random() < linked_share, parent, rng
        )
        store.add("e", member)
        state = store.events["e"]
        kept = list(state.centroid.items())
        fresh = copy.copy(state)
        fresh._centroid = None
        assert kept == list(fresh.centroid.items()), i
    # Grown (or left) many times, and computed afresh where it does not follow.
    assert sum(taken) > 5 and not all(taken)

"""What the event store keeps instead of recomputing (nlp/event_memo.py, the spans in
nlp/event_store.py) equals what it would compute: after the demo corpus, every event's kept
centroid, span and norms are those of a fresh computation, float for float."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import open_archive
from core.clock import SimulatedClock
from core.settings import ArchiveSettings, NlpSettings, Settings
from nlp.event_memo import Norms
from nlp.event_store import EventStore
from nlp.stage import analyze_new, analyzer_for
from nlp.vectors import cosine
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

"""``yuqing analyze-worker`` × N: event clustering in one place, per-mention work fanned out.

Event clustering is sequential by nature: a mention joins the event the mentions before it
formed, and an event's rumour scores move as its replies arrive. Splitting the stream by a key
would give each worker its own, different, events. So the workers share the work this way:

- one worker holds the **lease** (a Redis key with a time to live, renewed while it works)
  and runs the ordinary analyse stage (``nlp.stage.analyze_new``) from the archive's durable
  ``analyze`` cursor: the same code, in the same order, as ``yuqing run`` — hence the same
  analyses and events;
- the others **prepare** what depends on a mention's title and text alone (segmentation,
  relevance, topics, sentiment, vectors, entities, bigrams, the cities and context keys its
  event member carries: ``TextParts``, the bulk of the per-mention cost) for the batches just
  after the cursor, claiming a quarter of a batch at a time in Redis, and leave it in Redis
  for the leaseholder, whose analyzer takes it instead of computing it again. A part is a
  pure function of the text, so where it was computed does not change the result.

A killed leaseholder's lease expires and another worker takes it over from the cursor (a
batch redone lands under the same keys: the stage is idempotent). A killed helper's batch is
computed by the leaseholder itself. Without ``redis:`` none of this exists: ``yuqing run``
analyses in its own process.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import redis

from archive.base import Archive
from archive.models import Mention
from core.clock import Clock
from core.settings import Settings
from crawlers.distributed.connection import HOLD_LEASE, connect, patient, worker_id
from nlp.analysis_state import TextParts, collector_paused
from nlp.rumor.score import RUMOR_KINDS
from nlp.stage import CURSOR, analyze_new, analyzer_for, refresh_events
from yuqing.runner import EVENT_REFRESH

__all__ = ["PREPARED", "AnalyzeWorker", "WorkerReport", "parts_needed"]

logger = logging.getLogger(__name__)

# Batches after the cursor a helper prepares ahead; prepared parts live this long unused.
LOOKAHEAD = 4
PARTS_TTL_MS = 600_000
# A helper claims a batch in this many chunks and stores each chunk's texts once computed:
# a leaseholder reaching a batch a helper is still on takes the chunks already done (with
# whole batches it found none and computed the batch again, the helper's work lost), and
# several helpers share one batch.
CHUNKS = 4
# A chunk's claim lives this long: the leaseholder waits for a chunk while its claim lives,
# so a helper killed mid-chunk costs it at most this once. A chunk takes a helper a tenth
# of a second of CPU (50 texts); past its claim, a chunk already done is found present
# and not computed again.
CLAIM_MS = 5_000
WAIT_STEP = 0.01
# How often a helper with nothing left to claim in its window looks for the next batch.
HELPER_POLL = 0.02
# The TextParts properties computed ahead for every text: cheap, and read for most of them.
_ALWAYS = ("vector", "figures")
# What a member of an event reads besides (``nlp.event_member``).
_MEMBER = ("entities", "firm_names", "scope_keys", "title_vector", "lead")
# Every lazily computed TextParts property (warm-up loads what each of them needs).
PREPARED = (*_ALWAYS, *_MEMBER, "grams", "doubting", "cities", "context_keys")


@dataclass
class WorkerReport:
    analysed: int = 0
    prepared: int = 0
    led_steps: int = 0
    # Process CPU seconds spent leading (the analyse stage) and helping (preparing texts): a
    # loaded machine stretches wall time, not these (benchmarks/scale_bench.py).
    cpu_leading: float = 0.0
    cpu_helping: float = 0.0
    # Loading the models and the segmenter before the first step (``warm_up``).
    cpu_starting: float = 0.0
    # Leading: texts of the batches not in the analyzer's cache, and how many of them a
    # helper had prepared (the rest the leaseholder computed itself).
    texts_wanted: int = 0
    texts_taken: int = 0
    # Seconds the leaseholder waited for chunks a helper was on (no CPU spent).
    waited: float = 0.0


def parts_needed(mention: Mention, parts: TextParts, threshold: float) -> tuple[str, ...]:
    """The parts of ``mention``'s text the leaseholder will read, as far as the text tells.

    A member's parts (entities, city keys, title words, lead) only for a mention relevant by
    its words or replying to another (it may join its post's event whatever its words), the
    bigrams for such a post (debunk matching, ``RUMOR_KINDS``), whether it doubts for a reply, the
    cities of a probe for what is not a comment (a comment looks for no event of its own),
    the context keys for a relevant post or article (``nlp.event_member``): computing the
    rest would cost a helper a third more (entities of irrelevant articles) for texts the
    leaseholder never reads that way, and every part sent costs pickling, Redis and
    unpickling (on the scale replay the bigrams and doubt of every text were 1,035 parts
    the leaseholder never read, the largest but one in the pickle). A mention joined by a
    link only gets what is missing computed by the leaseholder.
    """
    relevant = parts.relevance.score >= threshold
    needed = list(_ALWAYS)
    if relevant or mention.parent_id is not None:
        needed += _MEMBER
        if mention.kind in RUMOR_KINDS:
            needed.append("grams")
    if mention.parent_id is not None:
        needed.append("doubting")
    if mention.kind != "comment":
        needed.append("cities")
        if relevant:
            needed.append("context_keys")
    return tuple(needed)


def _parts_key(prefix: str, mention: Mention) -> str:
    """Where a helper leaves the parts of ``mention``'s text: keyed by the text, not the
    mention, so a text repeated anywhere is prepared once."""
    digest = hashlib.blake2b(f"{mention.title}\x00{mention.text}".encode(), digest_size=16)
    return f"{prefix}:parts:{digest.hexdigest()}"


class AnalyzeWorker:
    def __init__(
        self,
        settings: Settings,
        archive: Archive,
        clock: Clock,
        server: redis.Redis | None = None,
        lease_seconds: float = 10.0,
    ) -> None:
        if settings.redis is None:
            raise ValueError("the analyze worker needs 'redis:' in the configuration")
        self.settings = settings
        self.archive = archive
        self.clock = clock
        self.where = settings.redis.where()
        self.server = server or connect(settings.redis)
        self.prefix = f"{settings.redis.prefix}:analyze"
        self.worker = worker_id()
        self.lease_ms = int(lease_seconds * 1000)
        self._hold = self.server.register_script(HOLD_LEASE)
        self.report = WorkerReport()
        # When the events were last re-scored (by ``clock``); first after one EVENT_REFRESH.
        self._refreshed: datetime = clock.now()
        # Helping: the rows from the cursor on, as last read (``_window``), and the claims
        # of the chunks among them this worker has tried.
        self._held: list[tuple[int, Mention]] = []
        self._tried: set[str] = set()

    # ---- the loop ----------------------------------------------------------------------
    def step(self) -> int:
        """One batch analysed (leaseholder) or prepared (helper); 0 when there was none."""
        started = time.process_time()
        if self.holds_lease():
            self.refresh_due()
            done = self.lead()
            self.report.analysed += done
            self.report.led_steps += 1
            self.report.cpu_leading += time.process_time() - started
            return done
        done = self.help()
        self.report.prepared += done
        self.report.cpu_helping += time.process_time() - started
        return done

    def run(self, until_idle: bool = False, idle_sleep: float = 0.5) -> WorkerReport:
        self.warm_up()
        while True:
            if self.step():
                continue
            if until_idle and self.caught_up():
                return self.report
            # A helper whose window is all claimed looks again soon: the leaseholder moves
            # the cursor a batch on every few tenths of a second, and a helper sleeping the
            # idle half second through it left the next batch's chunks to the leaseholder
            # (1.3 s idle in an 11 s run). Caught up, it rests.
            time.sleep(HELPER_POLL if self._held else idle_sleep)

    def warm_up(self) -> None:
        """Load the models, dictionaries and segmenter (seconds of CPU, lazily loaded by the
        first text) before taking any work: a standby that takes the lease over is ready at
        once, and the first batch does not carry the loading (its CPU is counted apart)."""
        started = time.process_time()
        analyzer = analyzer_for(self.archive, self.settings)
        rows = self.archive.mentions_since(max(0, self.archive.latest_position() - 1), 1)
        if rows:
            # A text's parts are a pure function of it: computing one early changes nothing.
            parts = analyzer._text(rows[0][1])
            for name in PREPARED:
                getattr(parts, name)
            analyzer.rumors.warm_up(rows[0][1])
        self.report.cpu_starting += time.process_time() - started

    def caught_up(self) -> bool:
        return not self.archive.mentions_since(self.archive.ledger.get_cursor(CURSOR), 1)

    def holds_lease(self) -> bool:
        key = f"{self.prefix}:lease"
        held = patient(
            lambda: self._hold(keys=[key], args=[self.worker, self.lease_ms]), self.where
        )
        return bool(held)

    # ---- leaseholder: the analyse stage, with prepared parts -----------------------------
    def lead(self) -> int:
        batch = self.settings.nlp.batch_size
        report = analyze_new(
            self.archive, self.settings, self.clock, limit=batch, before_batch=self._take_prepared
        )
        return report.processed

    def _take_prepared(self, analyzer: Any, rows: Sequence[tuple[int, Mention]]) -> None:
        """``_take_chunks`` with the cycle collector held off, as the analyse stage holds it
        for its batch (``collector_paused``): unpickling and computing texts make thousands
        of objects and no cycles, and each collection walks the events and caches held."""
        with collector_paused():
            self._take_chunks(analyzer, rows)

    def refresh_due(self) -> None:
        """Quiet events cool down (``yuqing run``'s EVENT_REFRESH): the leaseholder's job,
        since it is the one process writing events."""
        now = self.clock.now()
        if now - self._refreshed >= EVENT_REFRESH:
            refresh_events(self.archive, self.settings, self.clock)
            self._refreshed = now

    def _take_chunks(self, analyzer: Any, rows: Sequence[tuple[int, Mention]]) -> None:
        """Put the batch's texts prepared by helpers into the analyzer's text cache (nlp.analyzer:
        (title, text) → TextParts), where they are looked up before anything is computed.

        A chunk no helper has started is claimed and its texts computed here at once. Own
        chunks first: while this computes them, the helpers finish theirs (waiting first, the
        leaseholder idled while the helper went on to claim the batch's next chunk, and a
        helper slower than it made it wait for the whole batch: 4.7 s of a 12.7 s run). The
        chunks a helper is still on are then awaited (``_await``)."""
        cache = analyzer._texts
        others: list[tuple[str, dict[str, Mention]]] = []
        for chunk in _chunks(rows, CHUNKS):
            wanted = self._wanted(cache, chunk)
            if not wanted:
                continue
            self.report.texts_wanted += len(wanted)
            claim = self._chunk_claim(chunk)
            # What is there already (a text repeated from a chunk prepared before, too).
            self._take(cache, wanted)
            if not wanted:
                continue
            if self._claim(claim):
                for mention in wanted.values():
                    analyzer._text(mention)  # what the analyzer would compute first anyway
            else:
                others.append((claim, wanted))
        if others:
            self._await(analyzer, others, rows[-1][0])

    def _await(
        self, analyzer: Any, others: list[tuple[str, dict[str, Mention]]], last: int
    ) -> None:
        """Take the chunks a helper is on once it is done, and meanwhile compute chunks of
        the next batch no helper has started (``_work_ahead``) rather than idle.

        With the two workers' CPU equal, every idle moment of either is wall time lost:
        waiting for the chunk the helper was on cost the leaseholder ~0.5 s of a ~2.5 s
        run (half a chunk per batch) while the helper had chunks of the next batch before
        it. Computed here, they stay in this process's text cache for the next batch (no
        Redis, no pickling); the helper, finding them claimed, goes past them. A claim
        lives CLAIM_MS, renewed by nobody: a dead helper's ends soon, and its chunk is then
        computed by the analyzer itself. Waiting and working ahead stop after a quarter of
        the lease per batch, so that the lease is renewed in time."""
        cache = analyzer._texts
        deadline = time.monotonic() + self.lease_ms / 4000
        ahead: Iterator[Sequence[tuple[int, Mention]]] | None = None
        for claim, wanted in others:
            self._take(cache, wanted)  # done while this computed its own
            while wanted and time.monotonic() < deadline:
                if ahead is None:
                    ahead = iter(self._next_chunks(last))
                if not self._work_ahead(analyzer, ahead):
                    waiting = time.monotonic()
                    time.sleep(WAIT_STEP)
                    self.report.waited += time.monotonic() - waiting
                alive = patient(partial(self.server.exists, claim), self.where)
                self._take(cache, wanted)  # after the claim: a chunk finished as it ended
                if not alive:
                    break

    def _next_chunks(self, last: int) -> list[Sequence[tuple[int, Mention]]]:
        """The chunks of the batch after the one ending at position ``last``: the helpers'
        chunks of it too (their window starts at the cursor, in whole batches)."""
        return _chunks(self.archive.mentions_since(last, self.settings.nlp.batch_size), CHUNKS)

    def _work_ahead(self, analyzer: Any, ahead: Iterator[Sequence[tuple[int, Mention]]]) -> bool:
        """Claim the next chunk of ``ahead`` nobody has and compute its texts into the
        analyzer's cache; False when there is none left to claim."""
        cache = analyzer._texts
        for chunk in ahead:
            wanted = self._wanted(cache, chunk)
            if not wanted or not self._claim(self._chunk_claim(chunk)):
                continue
            self._take(cache, wanted)  # texts repeated from a chunk prepared before
            for mention in wanted.values():
                analyzer._text(mention)
            return True
        return False

    def _wanted(self, cache: Any, chunk: Sequence[tuple[int, Mention]]) -> dict[str, Mention]:
        """The Redis keys of the chunk's texts not in ``cache`` yet, with a mention of each."""
        return {_parts_key(self.prefix, m): m for _, m in chunk if (m.title, m.text) not in cache}

    def _chunk_claim(self, chunk: Sequence[tuple[int, Mention]]) -> str:
        return f"{self.prefix}:prep:{chunk[0][0]}:{chunk[-1][0]}"

    def _take(self, cache: Any, wanted: dict[str, Mention]) -> None:
        """Take what is in Redis of ``wanted`` into ``cache``; what was found leaves ``wanted``."""
        keys = list(wanted)
        blobs = patient(lambda: self.server.mget(keys), self.where)
        for key, blob in zip(keys, blobs, strict=True):
            if isinstance(blob, bytes):
                mention = wanted.pop(key)
                # Written by a helper of this deployment: Redis is trusted like the archive.
                cache[(mention.title, mention.text)] = pickle.loads(blob)
                self.report.texts_taken += 1

    # ---- helpers: prepare the batches just after the cursor -----------------------------
    def help(self) -> int:
        """Prepare every chunk this worker wins of the LOOKAHEAD batches after the
        leaseholder's (that one it is computing already), in order; the mentions prepared.

        A chunk the cursor has passed meanwhile is left: the leaseholder has analysed it."""
        with collector_paused():  # as the leaseholder's stage (``_take_prepared``)
            return self._help()

    def _help(self) -> int:
        analyzer = analyzer_for(self.archive, self.settings)
        batch = self.settings.nlp.batch_size
        rows = self._window(self.archive.ledger.get_cursor(CURSOR), batch)
        prepared = 0
        for start in range(0, len(rows), batch):
            for chunk in _chunks(rows[start : start + batch], CHUNKS):
                key = self._chunk_claim(chunk)
                if key in self._tried:
                    continue
                # Won or not, a chunk is tried once: its claim outlives this look (CLAIM_MS),
                # and a dead helper's chunk is the leaseholder's to compute.
                self._tried.add(key)
                if not self._claim(key):
                    continue
                if prepared and self.archive.ledger.get_cursor(CURSOR) >= chunk[-1][0]:
                    continue
                prepared += self._prepare(analyzer, [m for _, m in chunk])
        return prepared

    def _window(self, cursor: int, batch: int) -> list[tuple[int, Mention]]:
        """The rows of the LOOKAHEAD batches after the leaseholder's (the batch at ``cursor``).

        Kept between looks and read on from the last row held: a helper looks again every
        HELPER_POLL seconds while the leaseholder works, and reading the whole window
        (a thousand rows) each time cost a helper as much as the texts it prepared. Positions
        only grow (``Archive.mentions_since``), so the rows after the last held are the new
        ones; the chunks tried leave with the rows the cursor passed."""
        held = [row for row in self._held if row[0] > cursor]
        missing = batch * (LOOKAHEAD + 1) - len(held)
        if missing > 0:
            held += self.archive.mentions_since(held[-1][0] if held else cursor, missing)
        self._held = held
        first = held[0][0] if held else cursor
        self._tried = {key for key in self._tried if _claim_first(key) >= first}
        return held[batch:]

    def _claim(self, key: str) -> bool:
        won = patient(lambda: self.server.set(key, self.worker, nx=True, px=CLAIM_MS), self.where)
        return bool(won)

    def _prepare(self, analyzer: Any, mentions: Sequence[Mention]) -> int:
        wanted = {_parts_key(self.prefix, m): m for m in mentions}

        def present() -> list[bool]:
            # Texts prepared before (a repost's, a copy's) are kept, not computed again: their
            # time to live starts again instead.
            with self.server.pipeline(transaction=False) as pipe:
                for key in wanted:
                    pipe.pexpire(key, PARTS_TTL_MS)
                return [bool(found) for found in pipe.execute()]

        blobs: dict[str, bytes] = {}
        threshold = self.settings.nlp.relevance_threshold
        for (key, mention), found in zip(wanted.items(), patient(present, self.where), strict=True):
            if found:
                continue
            parts = analyzer._text(mention)
            for name in parts_needed(mention, parts, threshold):
                getattr(parts, name)
            blobs[key] = pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)

        def store() -> None:
            with self.server.pipeline(transaction=False) as pipe:
                for key, blob in blobs.items():
                    pipe.set(key, blob, px=PARTS_TTL_MS)
                pipe.execute()

        patient(store, self.where)
        return len(mentions)


def _claim_first(key: str) -> int:
    """The first position of the chunk a claim key (``_chunk_claim``) names."""
    return int(key.rsplit(":", 2)[1])


def _chunks(rows: Sequence[Any], count: int) -> list[Sequence[Any]]:
    """``rows`` in ``count`` consecutive parts as even as can be (fewer when shorter)."""
    size = -(-len(rows) // count)
    if not size:
        return []
    return [rows[i : i + size] for i in range(0, len(rows), size)]

"""Source health with N crawl workers: every worker's fetch results of a round, one run.

In one process a source's run is a spider run, and ``SourceStateRecorder`` stores its tally
when the spider closes. With workers, a run is a *round* (``schedule.claim_round``) crawled
by any number of processes, none of which sees all of it, and a worker left running never
closes its spider. So each worker ships what its ``RunTally`` gained to the round's tally in
Redis, and the round is recorded once, by whichever worker first finds it drained:

- ``TallyShipper.ship`` runs just before a held request is acknowledged (``TaskTracker``):
  the counts, error messages and rejected ids that the page produced go to
  ``<prefix>:crawl:<source>:tally:<round>`` in one transaction. A round cannot end while a
  request of it is held, so every page's results are in its round's tally before the round
  can be seen as drained;
- ``settle_round`` takes the round's tally out of Redis atomically (one Lua step: only one
  worker gets it) once nothing of the source is queued or held, and stores it as one run
  with ``crawlers.extensions.record_run``, the one-process code: ``yuqing stats`` and the
  dashboard's 信息源 page read the same ``SourceState`` in both modes.

A killed worker's results up to its last acknowledgement are in the tally; the pages it held
are fetched again by others and counted by them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from typing import Any

import redis
from scrapy.crawler import Crawler

from crawlers.context import CrawlContext, RunTally
from crawlers.distributed.connection import Keys, patient
from crawlers.extensions import SourceStateRecorder, record_run

__all__ = ["RoundStateRecorder", "TallyShipper", "round_number", "settle_round"]

logger = logging.getLogger(__name__)

# The counters of RunTally summed over the workers of a round.
_COUNTS = ("items", "inserted", "updated", "rejected", "not_modified", "unsettled")

# Take a round's tally (hash, errors, rejected ids, state updates) and delete it, atomically.
_TAKE = """
local counts = redis.call('HGETALL', KEYS[1])
local errors = redis.call('LRANGE', KEYS[2], 0, -1)
local rejected = redis.call('LRANGE', KEYS[3], 0, -1)
local states = redis.call('HGETALL', KEYS[4])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return {counts, errors, rejected, states}
"""


def round_number(server: redis.Redis, keys: Keys, source: str) -> int:
    value = server.get(keys.round_number(source))
    return int(value) if value is not None else 0


class TallyShipper:
    """Sends what this worker's ``RunTally`` holds to the current round, then empties it."""

    def __init__(self, server: redis.Redis, keys: Keys, source: str, tally: RunTally) -> None:
        self.server = server
        self.keys = keys
        self.source = source
        self.tally = tally
        self._states = ""

    def ship(self, also: Callable[[Any], object] | None = None) -> None:
        """Ship the tally; ``also`` adds commands to the same transaction (the request's
        acknowledgement: one round trip for both, not one each)."""
        tally = self.tally
        counts = {name: getattr(tally, name) for name in _COUNTS if getattr(tally, name)}
        flags = {"start_ok": tally.start_ok, "write_failed": tally.write_failed}
        states = json.dumps(tally.state_updates, sort_keys=True, default=str)
        gained = counts or tally.errors or tally.rejected_ids or tally.blocked
        if not gained and not any(flags.values()) and states == self._states:
            if also is not None:
                with self.server.pipeline(transaction=True) as pipe:
                    also(pipe)
                    pipe.execute()
            return
        key = self.keys.tally(self.source, round_number(self.server, self.keys, self.source))
        with self.server.pipeline(transaction=True) as pipe:
            for name, count in counts.items():
                pipe.hincrby(key, name, count)
            for name, flag in flags.items():
                if flag:
                    pipe.hset(key, name, 1)
            if tally.blocked:
                pipe.hset(key, "blocked", tally.blocked)
            pipe.hsetnx(key, "shipped", 1)  # a round with nothing counted is still a run
            if tally.errors:
                pipe.rpush(f"{key}:errors", *tally.errors)
            if tally.rejected_ids:
                pipe.rpush(f"{key}:rejected", *tally.rejected_ids)
            if states != self._states and tally.state_updates:
                for name, value in tally.state_updates.items():
                    pipe.hset(f"{key}:state", name, json.dumps(value, default=str))
            if also is not None:
                also(pipe)
            pipe.execute()
        # Shipped: the worker's tally starts again (a running worker's would grow forever).
        for name in _COUNTS:
            setattr(tally, name, 0)
        tally.errors.clear()
        tally.rejected_ids.clear()
        tally.start_ok = tally.write_failed = False
        tally.blocked = ""
        self._states = states


def settle_round(crawler: Crawler, server: redis.Redis) -> bool:
    """Record the source's current round as one run, if it has a tally no other worker took
    yet. The caller knows the round is drained."""
    context: CrawlContext = crawler.spider.context  # type: ignore[union-attr]
    redis_settings = crawler.settings["YUQING_REDIS"]
    keys = Keys(redis_settings.prefix)
    source = context.source.name

    def take() -> Any:
        key = keys.tally(source, round_number(server, keys, source))
        script = server.register_script(_TAKE)
        return script(keys=[key, f"{key}:errors", f"{key}:rejected", f"{key}:state"])

    counts_raw, errors, rejected, states_raw = patient(take, redis_settings.where())
    if not counts_raw:
        return False
    counts = {_text(counts_raw[i]): _text(counts_raw[i + 1]) for i in range(0, len(counts_raw), 2)}
    tally = RunTally(
        errors=[_text(e) for e in errors],
        rejected_ids=[_text(r) for r in rejected],
        blocked=counts.get("blocked", ""),
        start_ok=counts.get("start_ok") == "1",
        write_failed=counts.get("write_failed") == "1",
        state_updates={
            _text(states_raw[i]): json.loads(_text(states_raw[i + 1]))
            for i in range(0, len(states_raw), 2)
        },
        **{name: int(counts.get(name, 0)) for name in _COUNTS},
    )
    record_run(dataclasses.replace(context, tally=tally), "finished")
    logger.info("source %s: round recorded (%d items, %d errors)", source, tally.items, len(errors))
    return True


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RoundStateRecorder(SourceStateRecorder):
    """``SourceStateRecorder`` for a worker: a spider's close is not a run (rounds are), and
    a worker opening does not make the source's last run incomplete (a dead worker's pages
    are fetched by the others)."""

    def spider_opened(self, spider: Any) -> None:
        context = self._context()
        if context is None:
            return
        state = context.archive.ledger.get_source_state(context.source.name)
        context.trust_seen = bool(state.state.get("complete", False))
        context.rejected_before = set(state.state.get("rejected_ids", []))

    def spider_closed(self, spider: Any, reason: str) -> None:
        context = self._context()
        if context is not None and context.owns_archive:
            context.archive.close()

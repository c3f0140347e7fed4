"""A reliable priority queue of requests for one source, on scrapy-redis' queue base.

scrapy-redis pops a request and forgets it: a worker killed before the page is archived
loses it. Here a pop moves the request atomically (one Lua script) from the source's sorted
set into a hash held by the popping worker; the worker removes it (``ack``) only once the
items the request produced are in the archive. Whatever a worker holds when it dies goes
back to the queue (``requeue_held``), which is the reliable-queue pattern of BRPOPLPUSH /
LMOVE, kept on a sorted set so requests keep their Scrapy priority.

The source's held hashes are listed in a set (``holders``), added to by the pop and removed
from by the requeue, each in the same script as the hash's change: "is anything held?" and
"whose work is orphaned?" read that set, not a ``SCAN`` of the keyspace (which walks every
key of the server, the near-duplicate memory's millions of band keys included, ten keys a
round trip, every second in every worker).

Members are ``<task id>|<score>|<pickled request>``: the task id (enqueue time, then random)
names the request in the held hash and orders equal priorities first in, first out; the
score lets a requeue restore its priority.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy_redis.queue import Base

__all__ = ["TASK", "ReliableQueue"]

# Request.meta key carrying the task id of a popped request.
TASK = "yuqing_task"

_POP = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
local member = popped[1]
local task = string.sub(member, 1, string.find(member, '|', 1, true) - 1)
redis.call('HSET', KEYS[2], task, member)
redis.call('SADD', KEYS[3], KEYS[2])
return member
"""

# Queue a request unless the duplicate filter has seen it (KEYS[2], fingerprint ARGV[3]; ''
# when not filtered), and drop the held request it replaces (ARGV[4], a retry's), in one
# step: a worker killed or stopped between "seen" and "queued" would lose the request for
# the round (a page fetched again finds it again, and the filter would then drop it).
_PUSH = """
if ARGV[3] ~= '' and redis.call('SADD', KEYS[2], ARGV[3]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
return 1
"""

_REQUEUE = """
local entries = redis.call('HGETALL', KEYS[1])
for i = 2, #entries, 2 do
  local member = entries[i]
  local first = string.find(member, '|', 1, true)
  local second = string.find(member, '|', first + 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(member, first + 1, second - 1)), member)
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], KEYS[1])
return #entries / 2
"""


class ReliableQueue(Base):
    """Push, pop into this worker's held hash, ack; see the module docstring."""

    def __init__(
        self,
        server: redis.Redis,
        spider: Spider,
        key: str,
        held_key: str,
        serializer: Any,
        holders_key: str,
    ) -> None:
        super().__init__(server, spider, key, serializer)
        self.held_key = held_key
        self.holders_key = holders_key
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._push = server.register_script(_PUSH)

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def _member(self, request: Request) -> tuple[bytes, float]:
        # Time first: requests of equal priority leave in the order they came (ZPOPMIN takes
        # the lowest member of a score), not in a random one; the suffix keeps ids unique.
        task = f"{time.time_ns():016x}{uuid.uuid4().hex[:12]}"
        request.meta[TASK] = task
        score = float(-request.priority)
        return f"{task}|{score}|".encode() + self._encode_request(request), score

    def push(self, request: Request, seen_key: str = "", fingerprint: str = "") -> bool:
        """Queue ``request`` unless ``fingerprint`` is already in ``seen_key`` (then False)."""
        return self.replace("", request, seen_key, fingerprint)

    def replace(
        self, old_task: str, request: Request, seen_key: str = "", fingerprint: str = ""
    ) -> bool:
        """Queue ``request`` (a retry or redirect of a held one) and drop the held one, at
        once; neither when the filter has seen ``request`` (False)."""
        member, score = self._member(request)
        keys = [self.key, seen_key or self.key, self.held_key]
        return bool(self._push(keys=keys, args=[score, member, fingerprint, old_task]))

    def pop(self, timeout: int = 0) -> Request | None:
        member = self._pop(keys=[self.key, self.held_key, self.holders_key])
        if not member:
            return None
        payload = bytes(member).split(b"|", 2)[2]
        request: Request = self._decode_request(payload)
        return request

    def ack(self, task: str, pipe: Any = None) -> None:
        """Drop ``task`` from the held hash (in ``pipe``, a Redis pipeline, when given)."""
        (self.server if pipe is None else pipe).hdel(self.held_key, task)

    def nack(self, task: str) -> int:
        """Put one held request back in the queue (its items could not be archived)."""
        member = self.server.hget(self.held_key, task)
        if member is None:
            return 0
        score = float(bytes(member).split(b"|", 2)[1])
        with self.server.pipeline(transaction=True) as pipe:
            pipe.zadd(self.key, {member: score})
            pipe.hdel(self.held_key, task)
            pipe.execute()
        return 1

    def held_tasks(self) -> set[str]:
        return {bytes(t).decode() for t in self.server.hkeys(self.held_key)}

    def requeue_held(self, held_key: str) -> int:
        """Move every request of ``held_key`` (a dead worker's) back to the queue."""
        return int(self._requeue(keys=[held_key, self.key, self.holders_key]))

    def clear(self) -> None:
        self.server.delete(self.key)

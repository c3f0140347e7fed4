"""The near-duplicate memory every crawl worker shares, in Redis (``crawlers.copies``).

Each worker process used to keep its own MinHash/LSH index (``crawlers.neardup``), warmed from
the archive once at start: a reprint was linked to its original only when one worker saw both.
Here the same index lives in Redis, and a text's check and its addition are one Lua step
(``_ADD``): of two near-copies fetched at the same moment by two workers, exactly one is the
original and the other finds it — the decision a single process would make, whatever the
interleaving. The signatures are ``crawlers.neardup``'s (fixed seeds: the same text has the
same signature on every host), so the threshold measured for one process holds.

Keys, under ``<prefix>:copies:``: ``sig`` (hash: mention id → 64 × uint32 signature),
``order`` (sorted set: id by arrival, for ties and eviction), ``band:<band><4 values>`` (sets
of ids, the LSH buckets), ``root`` (hash: copy → its story's original) and ``story:<root>``
(set of a story's copies). The newest ``capacity`` texts are kept, as in one process.
The band keys are named inside the script, which a single Redis server (or a primary with
replicas) allows; Redis Cluster would need them under one hash tag.
"""

from __future__ import annotations

import math

import redis

from crawlers.distributed.connection import patient
from crawlers.neardup import BANDS, NUM_PERM, ROWS, Match, signature

__all__ = ["SharedCopyMemory"]

# A story's copies are kept this long after its last new copy (a story older than that is
# out of the index anyway at a busy bureau's rate: 200,000 texts are a few days).
STORY_SECONDS = 7 * 24 * 3600

# KEYS: sig, order, seq, root. ARGV: id, signature, positions that must agree, capacity, band
# prefix, bands, values per band. Returns {original, agreeing positions} or false.
_ADD = """
local id, sig, need = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('HEXISTS', KEYS[1], id) == 1 then return false end
local bands, rows, width = tonumber(ARGV[6]), tonumber(ARGV[7]), 4
local span = rows * width
local function band_key(s, band)
  return ARGV[5] .. string.char(band) .. string.sub(s, band * span + 1, (band + 1) * span)
end
local best, best_same, best_order = false, -1, 0
local looked = {}
for band = 0, bands - 1 do
  local key = band_key(sig, band)
  for _, other in ipairs(redis.call('SMEMBERS', key)) do
    if not looked[other] then
      looked[other] = true
      local theirs = redis.call('HGET', KEYS[1], other)
      if theirs then
        local same = 0
        for i = 0, bands * rows - 1 do
          local a = i * width + 1
          if string.sub(theirs, a, a + width - 1) == string.sub(sig, a, a + width - 1) then
            same = same + 1
          end
        end
        local order = tonumber(redis.call('ZSCORE', KEYS[2], other))
        -- Ties go to the text stored first: the first one seen is the original.
        if same >= need and (same > best_same or (same == best_same and order < best_order)) then
          best, best_same, best_order = other, same, order
        end
      end
    end
  end
  redis.call('SADD', key, id)
end
redis.call('HSET', KEYS[1], id, sig)
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), id)
while redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[4]) do
  local oldest = redis.call('ZPOPMIN', KEYS[2])[1]
  local theirs = redis.call('HGET', KEYS[1], oldest)
  if theirs then
    for band = 0, bands - 1 do redis.call('SREM', band_key(theirs, band), oldest) end
  end
  redis.call('HDEL', KEYS[1], oldest)
  redis.call('HDEL', KEYS[4], oldest)
end
if not best then return false end
return {best, best_same}
"""


class SharedCopyMemory:
    """``crawlers.copies.CopyMemory`` on Redis; every call waits out an outage (``patient``)."""

    def __init__(
        self,
        server: redis.Redis,
        prefix: str,
        where: str,
        threshold: float,
        capacity: int = 200_000,
    ) -> None:
        self.server = server
        self.where = where
        self.base = f"{prefix}:copies:"
        # The estimated Jaccard is the share of agreeing positions: at least the threshold.
        self.need = math.ceil(threshold * NUM_PERM - 1e-9)
        self.capacity = capacity
        self._add = server.register_script(_ADD)

    def _key(self, name: str) -> str:
        return self.base + name

    def __len__(self) -> int:
        return int(patient(lambda: self.server.hlen(self._key("sig")), self.where))

    def __contains__(self, mention_id: str) -> bool:
        return bool(patient(lambda: self.server.hexists(self._key("sig"), mention_id), self.where))

    def add(self, mention_id: str, text: str) -> Match | None:
        # crawlers.neardup's values are below 2**32 (kept in uint64 there): 4 bytes each.
        packed = signature(text).astype("<u4").tobytes()
        keys = [self._key(name) for name in ("sig", "order", "seq", "root")]
        args: list[bytes | str | int] = [
            mention_id,
            packed,
            self.need,
            self.capacity,
            self._key("band:"),
            BANDS,
            ROWS,
        ]
        found = patient(lambda: self._add(keys=keys, args=args), self.where)
        if not found:
            return None
        original, same = found
        return Match(original=_text(original), similarity=round(int(same) / NUM_PERM, 3))

    def root_of(self, mention_id: str) -> str:
        root = patient(lambda: self.server.hget(self._key("root"), mention_id), self.where)
        return mention_id if root is None else _text(root)

    def link(self, mention_id: str, root: str) -> None:
        story = self._key(f"story:{root}")

        def write() -> None:
            with self.server.pipeline(transaction=True) as pipe:
                pipe.hset(self._key("root"), mention_id, root)
                pipe.sadd(story, mention_id)
                pipe.expire(story, STORY_SECONDS)
                pipe.execute()

        patient(write, self.where)

    def members(self, root: str) -> list[str]:
        found = patient(lambda: self.server.smembers(self._key(f"story:{root}")), self.where)
        return sorted(_text(m) for m in found)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value

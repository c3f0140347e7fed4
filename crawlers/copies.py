"""Which stored mention a new one copies: the dedup pipeline's memory, shared across rounds.

A reprint is stored (reach matters) and linked to its original with ``extra["duplicate_of"]``
and ``extra["similarity"]``. The memory is the near-duplicate index of ``crawlers.neardup``;
a fresh process fills it from the newest mentions in the archive before its first decision,
so a copy crawled after a restart still finds an original stored before it. A mention that
is already stored keeps the decision made when it was first stored: re-crawling an original
after its copies must not turn it into a copy of them.

While the archive cannot be reached (an Elasticsearch outage, whose writes wait in the spool),
the decision is made from memory alone, as for a mention not stored yet: the crawl goes on
instead of failing every article, and a mention seen before keeps the decision it got then.

The original is the copy published first, not the one crawled first: when a site is crawled
before the site it reprints from, the reprint is stored first. When the earlier text arrives,
it becomes the original and the stored copies of the story are linked to it instead
(``take_relinks``: the pipeline writes them back).

The memory (signatures and which story each copy belongs to) is this process's by default
(``LocalCopyMemory``); crawl workers share one in Redis (``crawlers.distributed.copies``), so
a reprint is linked to its original whichever worker fetched each.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Protocol

from archive.base import Archive
from archive.es.bulk import ArchiveUnavailable
from archive.models import Mention
from crawlers.neardup import Match, NearDuplicateIndex

__all__ = ["COPY_KINDS", "MIN_COPY_CHARS", "CopyDetector", "CopyMemory", "LocalCopyMemory"]

# Texts shorter than this (normalised) are too generic to call two of them copies ("转发微博").
MIN_COPY_CHARS = 30
# Kinds whose similar text is a copy; a repost or comment repeating words is its own act.
COPY_KINDS = ("article", "post", "official", "debunk")
# Stored mentions read into a fresh memory: about a day of a busy press office's sources.
WARM_MENTIONS = 5000
# Measured with benchmarks/crawl_neardup_bench.py: 0.4 keeps precision 1.000 on edited copies
# of real news and posts, and recall 0.978 / 0.867 (0.5 gives 0.974 / 0.849).
THRESHOLD = 0.4


class CopyMemory(Protocol):
    """The detector's memory: texts' signatures (``add`` decides) and each copy's story."""

    def __len__(self) -> int: ...

    def __contains__(self, mention_id: str) -> bool: ...

    def add(self, mention_id: str, text: str) -> Match | None:
        """Remember ``text``; the stored text it copies, if any (None for a known id)."""

    def root_of(self, mention_id: str) -> str:
        """The original of the story ``mention_id`` belongs to (itself when none)."""

    def link(self, mention_id: str, root: str) -> None:
        """``mention_id`` is a copy in the story of ``root``."""

    def members(self, root: str) -> list[str]:
        """The copies linked to ``root``."""


class LocalCopyMemory:
    """The memory of one process: the in-memory LSH index and a dict of stories."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.index = NearDuplicateIndex(threshold=threshold)
        self._roots: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, mention_id: str) -> bool:
        return mention_id in self.index

    def add(self, mention_id: str, text: str) -> Match | None:
        return self.index.add(mention_id, text)

    def root_of(self, mention_id: str) -> str:
        return self._roots.get(mention_id, mention_id)

    def link(self, mention_id: str, root: str) -> None:
        self._roots[mention_id] = root

    def members(self, root: str) -> list[str]:
        return [m for m, r in self._roots.items() if r == root]


class CopyDetector:
    def __init__(
        self,
        threshold: float = THRESHOLD,
        warm: int = WARM_MENTIONS,
        memory: CopyMemory | None = None,
    ) -> None:
        self.index: CopyMemory = memory if memory is not None else LocalCopyMemory(threshold)
        self._links: dict[str, Match] = {}  # the decision given for each copy seen
        self._warm = warm
        self._warmed = False
        self._lock = threading.Lock()
        self._relinks: list[Mention] = []

    def original_of(self, archive: Archive, mention: Mention) -> Match | None:
        """The original ``mention`` copies, or None (also for kinds and texts not compared)."""
        if mention.kind not in COPY_KINDS or len(mention.text) < MIN_COPY_CHARS:
            return None
        with self._lock:
            try:
                if not self._warmed:
                    self._fill(archive)
                stored = archive.get_mention(mention.id)
            except ArchiveUnavailable:
                return self._from_memory(mention)
            if stored is not None:
                return self._remember(stored)
            match = self.index.add(mention.id, mention.text)
            if match is None:
                return None
            root = self.index.root_of(match.original)
            try:
                stored_root = archive.get_mention(root)
            except ArchiveUnavailable:
                stored_root = None  # the earlier-original check waits for the archive
            if stored_root is not None and mention.published_at < stored_root.published_at:
                self._become_original(archive, mention.id, root, match.similarity)
                return None
            return self._link(mention.id, Match(original=root, similarity=match.similarity))

    def _from_memory(self, mention: Mention) -> Match | None:
        """The decision while the archive is away: the one given before for a mention seen
        already, else the in-memory match of a new one."""
        if mention.id in self.index:
            return self._links.get(mention.id)
        match = self.index.add(mention.id, mention.text)
        if match is None:
            return None
        root = self.index.root_of(match.original)
        return self._link(mention.id, Match(original=root, similarity=match.similarity))

    def _link(self, mention_id: str, match: Match) -> Match:
        self.index.link(mention_id, match.original)
        self._links[mention_id] = match
        return match

    def take_relinks(self) -> list[Mention]:
        """Stored copies whose original changed since the last call, ready to be written."""
        with self._lock:
            relinks, self._relinks = self._relinks, []
        return relinks

    def _become_original(self, archive: Archive, new: str, old: str, similarity: float) -> None:
        """``new`` was published before the story's stored original ``old``: it takes its place."""
        members = [old, *self.index.members(old)]
        for stored in archive.get_mentions(members):
            # A copy keeps its own similarity to the story; the old original gets the new one's.
            kept = stored.extra.get("similarity", similarity)
            self._link(stored.id, Match(original=new, similarity=float(kept)))
            extra = {**stored.extra, "duplicate_of": new, "similarity": kept}
            self._relinks.append(replace(stored, extra=extra))

    def _fill(self, archive: Archive) -> None:
        if len(self.index):  # a shared memory other workers keep filled
            self._warmed = True
            return
        latest = archive.latest_position()
        for _, mention in archive.mentions_since(max(0, latest - self._warm), self._warm):
            if mention.kind in COPY_KINDS and len(mention.text) >= MIN_COPY_CHARS:
                self._remember(mention)
        self._warmed = True  # only once read: a fill cut short by an outage is done again

    def _remember(self, stored: Mention) -> Match | None:
        """Index a stored mention under the decision stored with it."""
        original = stored.extra.get("duplicate_of")
        if stored.id not in self.index:
            self.index.add(stored.id, stored.text)
        if not original:
            return None
        similarity = float(stored.extra.get("similarity", 1.0))
        return self._link(stored.id, Match(original=str(original), similarity=similarity))

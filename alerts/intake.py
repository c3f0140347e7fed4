"""What an evaluation reads: the mentions new or changed since the stage cursor.

Mentions are judged once the NLP stage has analysed them: the cursor does not pass a mention
without an analysis until ``ANALYSIS_GRACE`` after it was fetched (official documents, which
need no analysis, never hold it), when some rule needs analyses at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from archive.base import Archive
from archive.models import Analysis, Mention

BATCH = 500
MAX_MENTIONS = 5000  # per evaluation; the rest waits for the next one
ANALYSIS_GRACE = timedelta(hours=1)


def read_mentions(
    archive: Archive, cursor: int, now: datetime, hold: bool
) -> tuple[list[tuple[Mention, Analysis | None]], int]:
    """The mentions after ``cursor`` with their analyses, and the cursor to store after them."""
    out: list[tuple[Mention, Analysis | None]] = []
    position = cursor
    safe: int | None = None  # the cursor may not pass a mention still waiting for analysis
    while len(out) < MAX_MENTIONS:
        batch = archive.mentions_since(position, BATCH)
        if not batch:
            break
        analyses = archive.get_analyses([m.id for _, m in batch])
        for pos, mention in batch:
            analysis = analyses.get(mention.id)
            official = mention.platform == "official" or mention.kind == "official"
            waiting = analysis is None and hold and not official
            if waiting and safe is None and mention.fetched_at > now - ANALYSIS_GRACE:
                safe = position
            out.append((mention, analysis))
            position = pos
    return out, (safe if safe is not None else position)

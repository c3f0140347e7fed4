"""What a spider run needs besides Scrapy: its source, the archive, the clock, the run's tally.

The engine builds one ``CrawlContext`` per source per round and hands it to the spider, so the
pipelines and extensions of that crawler reach the same archive and clock through
``crawler.spider.context``. ``scrapy crawl`` builds it from ``-a config=`` and ``-a source=``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.base import Archive
from core.clock import Clock, RealClock
from core.settings import SourceSettings
from crawlers.copies import CopyDetector

__all__ = ["CrawlContext", "RunTally"]


@dataclass
class RunTally:
    """Counts and problems of one source's run, filled by spider, pipelines and extensions."""

    items: int = 0
    inserted: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    # Set when the site answered with a login wall, captcha or rate limit instead of content.
    blocked: str = ""
    # At least one start or list page was fetched and understood.
    start_ok: bool = False
    # Start pages answered 304 Not Modified to a conditional GET.
    not_modified: int = 0
    # Ids of the records kept aside in this run.
    rejected_ids: list[str] = field(default_factory=list)
    # Per-source progress (replay position, validators...) to store with the run's state,
    # only once the run's items are safely in the archive.
    state_updates: dict[str, Any] = field(default_factory=dict)
    # The final archive write failed: progress must not be recorded past unstored items.
    write_failed: bool = False

    # Errors after which something may be missing (a page not read that a later run must
    # read again); errors settled by keeping the page aside do not count.
    unsettled: int = 0

    def error(self, message: str, settled: bool = False) -> None:
        """Record a problem; ``settled`` when the page was kept aside and need not be retried."""
        self.errors.append(message)
        self.unsettled += not settled


@dataclass
class CrawlContext:
    source: SourceSettings
    archive: Archive
    clock: Clock
    tally: RunTally = field(default_factory=RunTally)
    copies: CopyDetector = field(default_factory=CopyDetector)
    # True when the context opened the archive itself (``scrapy crawl``) and must close it.
    owns_archive: bool = False
    # Whether the previous run of this source finished cleanly. Only then does "already in
    # the archive" mean "everything older was collected too", so paging may stop there; after
    # a crash or an error the spider pages back to ``max_pages`` to fill the gap.
    trust_seen: bool = False
    # Records kept aside by earlier runs: not fetched or kept aside again every round.
    rejected_before: set[str] = field(default_factory=set)

    @classmethod
    def from_config(cls, config: str | Path, source_name: str, spider_type: str) -> CrawlContext:
        """The context for ``scrapy crawl TYPE -a source=NAME -a config=PATH``: real time."""
        from archive import open_archive
        from core.config import load_config

        settings = load_config(config)
        source = settings.source(source_name)
        if source.type != spider_type:
            raise ValueError(
                f"source {source_name!r} in {config} is a {source.type} source; "
                f"run `scrapy crawl {source.type} -a source={source_name}`"
            )
        archive = open_archive(settings.archive)
        return cls(source=source, archive=archive, clock=RealClock(), owns_archive=True)

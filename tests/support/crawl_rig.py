"""A crawl rig for crawler tests: a fixture site on 127.0.0.1, settings from a config
(also written to ``yuqing.yaml`` so a test can run the CLI on the same archive), a simulated
clock, a real SQLite archive and the real Scrapy engine, wired together.

Paths in a source's URL lists stand for URLs on the site. Each test module keeps its own
site and sources; the rig is what they all share::

    @pytest.fixture(scope="module")
    def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrawlRig[Site]]:
        yield from crawled_once(CrawlRig(tmp_path_factory.mktemp("x"), Site(), SOURCES, NOW))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import yaml

from archive import open_archive
from archive.base import Archive
from archive.models import Mention
from core.clock import SimulatedClock
from core.settings import Settings
from crawlers.engine import CrawlEngine, CrawlReport

__all__ = ["CrawlRig", "crawled_once", "page_name"]


class Site(Protocol):
    base: str

    def close(self) -> None: ...


SiteT = TypeVar("SiteT", bound=Site)


def page_name(mention: Mention) -> str:
    """The last segment of a mention's URL: how the fixtures name their pages."""
    return mention.url.rstrip("/").rsplit("/", 1)[-1]


class CrawlRig(Generic[SiteT]):
    def __init__(
        self,
        tmp_path: Path,
        site: SiteT,
        sources: list[dict[str, Any]],
        now: datetime,
        *,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.site = site
        self.clock = SimulatedClock(now)
        database = tmp_path / "crawl.db"
        self.config: dict[str, Any] = {
            "archive": {"path": str(database)},
            "sources": [on_site(source, site.base) for source in sources],
        }
        self.config_path = tmp_path / "yuqing.yaml"
        self.config_path.write_text(yaml.safe_dump(self.config, allow_unicode=True))
        self.settings = Settings.model_validate(self.config)
        self.archive: Archive = open_archive(database)
        self.engine = CrawlEngine(self.settings, self.archive, self.clock, overrides=overrides)
        self.first: dict[str, CrawlReport] = {}  # the reports of the crawl a fixture ran

    def crawl(self) -> dict[str, CrawlReport]:
        """One round over every source, its reports by source name."""
        return {r.source: r for r in self.engine.crawl(self.settings.sources)}

    def crawl_one(self) -> CrawlReport:
        """One round of a rig with a single source, its report."""
        (report,) = self.crawl().values()
        return report

    def of(
        self, source: str | None = None, key: Callable[[Mention], str] = page_name
    ) -> dict[str, Mention]:
        """The stored mentions of ``source`` (of every source when None), by ``key``."""
        return {
            key(m): m
            for _, m in self.archive.mentions_since(0, 100_000)
            if source is None or m.source == source
        }

    def close(self) -> None:
        self.engine.close()
        self.archive.close()
        self.site.close()


def on_site(source: dict[str, Any], base: str) -> dict[str, Any]:
    """Paths in a source's URL lists (``start_urls``) become URLs on the fixture site."""
    return {
        key: [f"{base}{v}" if isinstance(v, str) and v.startswith("/") else v for v in value]
        if isinstance(value, list)
        else value
        for key, value in source.items()
    }


RigT = TypeVar("RigT", bound=CrawlRig[Any])


def crawled_once(rig: RigT) -> Iterator[RigT]:
    """The body of a module fixture: crawl once (reports kept in ``rig.first``), yield the
    rig to every test of the module, close it after."""
    try:
        rig.first = rig.crawl()
        yield rig
    finally:
        rig.close()

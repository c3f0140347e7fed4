"""Near-duplicates across crawl workers (issue 20): the MinHash/LSH memory shared in a real
Redis decides as one process's memory does, and two real ``yuqing crawl-worker`` processes,
one crawling a site's originals and the other a site reprinting them at the same time, link
every reprint to its original (each process's own memory links none it did not see both of)."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from archive import open_archive
from benchmarks.crawl_neardup_bench import EDITS, load_texts
from crawlers.copies import THRESHOLD, LocalCopyMemory
from crawlers.distributed.copies import SharedCopyMemory
from tests.support.crawl_workers import finish, kill_leftovers, start_worker
from tests.support.loopback import Route
from tests.support.redis_server import RedisServer
from tests.support.scale_site import HTML, SlowSite

PAIRS = 12


@pytest.fixture(scope="module")
def texts() -> dict[str, list[str]]:
    """Real news reports and Weibo posts, none a copy of another (the benchmark's choice)."""
    return load_texts(news=40, posts=40)


def test_shared_memory_decides_as_one_process(
    redis_server: RedisServer, texts: dict[str, list[str]]
) -> None:
    originals = texts["news"] + texts["posts"]
    rng = random.Random(11)
    copies = [
        (f"c{i}-{name}", edit(text, rng))
        for i, text in enumerate(originals)
        for name, edit in EDITS.items()
    ]
    rng.shuffle(copies)
    local = LocalCopyMemory(THRESHOLD)
    shared = SharedCopyMemory(redis.Redis.from_url(redis_server.url), "t", "test", THRESHOLD)
    story = {f"o{i}": i for i in range(len(originals))} | {
        c: int(c[1:].split("-")[0]) for c, _ in copies
    }
    linked = 0
    for mention_id, text in [(f"o{i}", t) for i, t in enumerate(originals)] + copies:
        mine, theirs = local.add(mention_id, text), shared.add(mention_id, text)
        assert (mine is None) == (theirs is None), mention_id
        if mine is not None and theirs is not None:
            # Equal similarities may break ties differently (band order against arrival
            # order), but always within the same story and at the same similarity.
            assert theirs.similarity == mine.similarity, mention_id
            assert story[theirs.original] == story[mine.original], mention_id
            linked += 1
    assert linked > len(copies) * 0.8  # the edits are copies: most are found
    assert len(shared) == len(originals) + len(copies)
    assert "o0" in shared and "nothing" not in shared
    assert shared.add("o0", originals[0]) is None  # a known id is not decided again
    shared.link("c0-reprint", "o0")
    shared.link("c0-typos", "o0")
    assert shared.root_of("c0-typos") == "o0" and shared.root_of("o0") == "o0"
    assert shared.members("o0") == ["c0-reprint", "c0-typos"]


def test_shared_memory_keeps_the_newest(redis_server: RedisServer) -> None:
    server = redis.Redis.from_url(redis_server.url)
    shared = SharedCopyMemory(server, "t", "test", THRESHOLD, capacity=3)
    base = "江州市市场监管局通报：青禾镇食品厂生产的速冻水饺抽检检出致病菌，已责令召回并停产整顿。"
    for i in range(5):
        shared.add(f"m{i}", f"第{i}号{base}")
    assert len(shared) == 3 and "m0" not in shared and "m4" in shared
    # The evicted texts left no band entries behind.
    members = {m for key in server.scan_iter(match="t:copies:band:*") for m in server.smembers(key)}
    assert members == {b"m2", b"m3", b"m4"}


class PairedSite(SlowSite):
    """Originals under /orig/, reprints under /copy/; each list page is answered only once both
    have been asked for, so the two workers crawl the pairs at the same time."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.listed: set[str] = set()
        self.both_listed = threading.Event()
        super().__init__(routes, delay=0.05)

    def answer(self, path: str, request_headers: Any) -> Route:
        if path.endswith("/list.html"):
            self.listed.add(path)
            if len(self.listed) == 2:
                self.both_listed.set()
            self.both_listed.wait(timeout=120)
        return super().answer(path, request_headers)


def page(title: str, text: str, day: int) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    return (
        f"<html><head><title>{title}</title>"
        f'<meta name="publishdate" content="2026-11-{day:02d} 08:00"></head>'
        f"<body><h1>{title}</h1><div class='date'>2026-11-{day:02d} 08:00</div>"
        f"<div class='content'>{body}</div></body></html>"
    ).encode()


@pytest.fixture
def site(texts: dict[str, list[str]]) -> Iterator[PairedSite]:
    rng = random.Random(5)
    routes: dict[str, Route] = {}
    for kind in ("orig", "copy"):
        links = "".join(f'<li><a href="/{kind}/{k}.html">稿件{k}</a></li>' for k in range(PAIRS))
        routes[f"/{kind}/list.html"] = (
            200,
            HTML,
            f"<html><body><ul>{links}</ul></body></html>".encode(),
        )
    for k, text in enumerate(texts["news"][:PAIRS]):
        title = f"市场监管稿件第{k}号"
        routes[f"/orig/{k}.html"] = (200, HTML, page(title, text, 1))
        routes[f"/copy/{k}.html"] = (200, HTML, page(title, EDITS["reprint"](text, rng), 2))
    site = PairedSite(routes)
    yield site
    site.close()


def test_two_workers_link_each_others_copies(
    tmp_path: Path, redis_server: RedisServer, site: PairedSite
) -> None:
    sources = [
        {
            "name": kind,
            "type": "news",
            "start_urls": [f"{site.base}/{kind}/list.html"],
            "article_pattern": rf"/{kind}/\d+\.html$",
            "max_pages": 1,
            "delay": 0,
            "concurrency": 2,
            "interval": "1h",
        }
        for kind in ("orig", "copy")
    ]
    config = tmp_path / "yuqing.yaml"
    settings = {
        "archive": {"backend": "sqlite", "path": str(tmp_path / "archive.db")},
        "redis": {"url": redis_server.url, "prefix": "t", "worker_timeout": 3},
        "sources": sources,
    }
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    open_archive(tmp_path / "archive.db").close()
    logs = [tmp_path / "orig.log", tmp_path / "copy.log"]
    workers = [start_worker(config, logs[0], "orig"), start_worker(config, logs[1], "copy")]
    try:
        finish(workers, logs)
    finally:
        kill_leftovers(workers)
    with open_archive(tmp_path / "archive.db", readonly=True) as archive:
        mentions = {m.url.split("/", 3)[3]: m for _, m in archive.mentions_since(0, 100_000)}
    assert len(mentions) == 2 * PAIRS
    for k in range(PAIRS):
        orig, copy = mentions[f"orig/{k}.html"], mentions[f"copy/{k}.html"]
        # Each pair is one story, whichever worker stored its first text.
        links = {orig.extra.get("duplicate_of"), copy.extra.get("duplicate_of")} - {None}
        # (Which way depends on which text reached the memory first, as in one process
        # when a reprint is crawled before its original's write: see crawlers/copies.py.)
        assert links in ({orig.id}, {copy.id}), (k, orig.extra, copy.extra)

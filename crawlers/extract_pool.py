"""Article extraction in worker processes, so the crawl's reactor thread keeps downloading.

Extraction (trafilatura and the fallback chain) is pure Python and takes most of the time a
page costs; in the reactor thread it stops every download and every archive write while it
runs. With ``EXTRACT_WORKERS`` > 0 it runs in that many worker processes instead (spawned,
not forked: the crawling process has threads), and the spider awaits the result. A broken
pool (a worker killed) costs only the pages in it: they are extracted in-process, and the
next page gets a new pool.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from twisted.internet.defer import Deferred

from crawlers.extract import Article, extract_article

__all__ = ["extract_in_pool", "shutdown", "start_pool"]

logger = logging.getLogger(__name__)

# Seconds between a worker's checks that the crawler process still exists.
_PARENT_CHECK = 1.0

_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
            _pool_size = workers
        return _pool


def _watch_parent(parent: int) -> None:
    """In a worker: exit when the crawler process is gone, even after a ``kill -9``.

    The pool's queues keep a pipe open in each worker, so a dead parent is not noticed by
    reading them; the worker would live on as an orphan.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _started() -> bool:
    """Run in a worker: unpickling it imported this module, hence the extraction chain."""
    return True


def start_pool(workers: int, timeout: float = 120.0) -> None:
    """Start the extraction processes now and wait until they have imported the extraction
    chain (trafilatura, lxml, the date parsers: seconds of CPU each), instead of on the first
    article. A long-running crawl worker calls it before it starts crawling, so its first
    pages do not wait for the imports."""
    if workers <= 0:
        return
    pool = _get_pool(workers)
    for future in [pool.submit(_started) for _ in range(workers)]:
        future.result(timeout)


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the workers (at interpreter exit; also for tests)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


atexit.register(shutdown)


async def extract_in_pool(
    html: str,
    url: str,
    now: datetime,
    selectors: Mapping[str, str] | None,
    workers: int,
) -> Article:
    """``extract_article`` in a worker process (in this one when ``workers`` is 0)."""
    if workers <= 0:
        return extract_article(html, url, now, selectors)
    pool = _get_pool(workers)
    try:
        future = pool.submit(extract_article, html, url, now, dict(selectors or {}))
    except (BrokenProcessPool, RuntimeError):
        _discard(pool)
        return extract_article(html, url, now, selectors)
    try:
        article: Article = await _deferred(future)
    except BrokenProcessPool:
        logger.warning("extraction worker died; extracting %s in the crawler process", url)
        _discard(pool)
        return extract_article(html, url, now, selectors)
    return article


def _deferred(future: Future[Any]) -> Deferred[Any]:
    """A Deferred fired in the reactor thread when ``future`` is done."""
    from twisted.internet import reactor  # the running one

    deferred: Deferred[Any] = Deferred()

    def fire(done: Future[Any]) -> None:
        exception = done.exception()
        if exception is not None:
            reactor.callFromThread(deferred.errback, exception)
        else:
            reactor.callFromThread(deferred.callback, done.result())

    future.add_done_callback(fire)
    return deferred

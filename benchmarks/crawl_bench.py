"""Crawl throughput on a local news site of 5,000+ article pages, as a ratio to `scrapy bench`.

The site runs in a child process on 127.0.0.1: list pages of 50 links each (with a 下一页
link), and article pages of 2–5 KB of Chinese text in the markup of a real news site
(navigation, byline, related links, footer), built from the demo corpus written for this
project. Yuqing's news spider crawls it through ``CrawlEngine`` with everything on:
robots.txt, extraction (trafilatura and the fallback chain), validation, near-duplicate
detection and SQLite archiving. ``scrapy bench`` (Scrapy's own benchmark: a local server and
a spider that only follows links) runs just before and just after on the same machine; the
ratio is Yuqing's pages per second over the mean of the two ``scrapy bench`` figures.

Run: ``.venv/bin/python benchmarks/crawl_bench.py [--articles 5000] [--concurrency 16]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_LIST = 50
CORPUS = ROOT / "yuqing" / "demo" / "corpus.jsonl"


def _paragraphs() -> list[str]:
    texts = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for part in str(record.get("text") or "").split("\n"):
            if len(part) >= 20:
                texts.append(part)
    return texts


def article_page(number: int, paragraphs: list[str]) -> bytes:
    count = 4 + number % 5
    body = "".join(
        f"<p>{paragraphs[(number * 7 + i * 13) % len(paragraphs)]}</p>" for i in range(count)
    )
    related = "".join(
        f'<li><a href="/a/{(number + k) % 99991:05d}.html">相关新闻标题第{k}条</a></li>'
        for k in range(1, 9)
    )
    minute = number % 60
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>第{number}号稿件：市场监管动态_江州日报</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/list_1.html'>要闻</a></div>"
        f"<h1>第{number}号稿件：市场监管动态</h1>"
        f"<div class='info'>2026-11-01 09:{minute:02d} 来源：江州日报 记者：张伟</div>"
        f"<div class='content'>{body}</div>"
        f"<div class='related'><h3>相关阅读</h3><ul>{related}</ul></div>"
        "<div class='footer'>江州日报社版权所有 未经授权不得转载</div></body></html>"
    ).encode()


def list_page(page: int, pages: int, articles: int) -> bytes:
    first = (page - 1) * PER_LIST
    links = "".join(
        f'<li><a href="/a/{n:05d}.html">第{n}号稿件：市场监管动态</a></li>'
        for n in range(first, min(first + PER_LIST, articles))
    )
    more = f'<a href="/list_{page + 1}.html">下一页</a>' if page < pages else ""
    return (
        f"<html><head><meta charset='utf-8'><title>要闻 第{page}页</title></head><body>"
        f"<h1>要闻</h1><ul>{links}</ul>{more}</body></html>"
    ).encode()


def serve(port_queue: Any, articles: int) -> None:
    """The site, in its own process so that it does not share the crawler's interpreter."""
    paragraphs = _paragraphs()
    pages = (articles + PER_LIST - 1) // PER_LIST

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path
            body: bytes | None = None
            kind = "text/html; charset=utf-8"
            if path == "/robots.txt":
                body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
            elif match := re.fullmatch(r"/list_(\d+)\.html", path):
                number = int(match.group(1))
                body = list_page(number, pages, articles) if 1 <= number <= pages else None
            elif match := re.fullmatch(r"/a/(\d+)\.html", path):
                body = article_page(int(match.group(1)), paragraphs)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_port)
    server.serve_forever()


def scrapy_bench() -> float:
    """Pages per second of `scrapy bench`, run outside the project (Scrapy's defaults)."""
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "bench", "-s", "LOGSTATS_INTERVAL=60"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
        )
    output = result.stdout + result.stderr
    responses = re.search(r"'downloader/response_count': (\d+)", output)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", output)
    if not responses or not elapsed:
        raise RuntimeError(f"could not read scrapy bench's figures:\n{output[-2000:]}")
    return int(responses.group(1)) / float(elapsed.group(1))


def crawl(base: str, articles: int, concurrency: int) -> tuple[int, int, float]:
    from archive import open_archive
    from core.clock import RealClock
    from core.settings import Settings
    from crawlers.engine import CrawlEngine

    pages = (articles + PER_LIST - 1) // PER_LIST
    settings = Settings.model_validate(
        {
            "sources": [
                {
                    "name": "bench-site",
                    "type": "news",
                    "start_urls": [f"{base}/list_1.html"],
                    "article_pattern": r"/a/\d+\.html$",
                    "next_page_pattern": r"/list_\d+\.html$",
                    "max_pages": pages,
                    "delay": 0,
                    "concurrency": concurrency,
                }
            ]
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        archive = open_archive(Path(folder) / "bench.db")
        engine = CrawlEngine(
            settings, archive, RealClock(), overrides={"CONCURRENT_REQUESTS": concurrency}
        )
        started = time.perf_counter()
        (report,) = engine.crawl(settings.sources)
        seconds = time.perf_counter() - started
        engine.close()
        stored = archive.count_mentions()
        archive.close()
    if report.errors:
        print("crawl errors:", report.errors[:5])
    return stored, pages, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    ports: Any = multiprocessing.Queue()
    site = multiprocessing.Process(target=serve, args=(ports, args.articles), daemon=True)
    site.start()
    base = f"http://127.0.0.1:{ports.get(timeout=30)}"
    try:
        before = scrapy_bench()
        print(f"scrapy bench (before): {before:.1f} pages/s")
        stored, lists, seconds = crawl(base, args.articles, args.concurrency)
        after = scrapy_bench()
        print(f"scrapy bench (after): {after:.1f} pages/s")
    finally:
        site.terminate()
    fetched = stored + lists
    rate = fetched / seconds
    reference = (before + after) / 2
    print(
        f"yuqing crawl: {stored} articles stored of {args.articles}, {lists} list pages, "
        f"{seconds:.1f} s, {rate:.1f} pages/s ({stored / seconds:.1f} articles/s) "
        f"with extraction and archiving, at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(f"ratio to scrapy bench: {rate / reference:.2f} (aim: at least 0.8)")


if __name__ == "__main__":
    main()

"""Local demo web sites that reveal the demo corpus as simulated time passes.

``DemoSites`` serves, on 127.0.0.1, the kinds of site Yuqing watches: two local news sites
(江州日报 in UTF-8, 临川新闻网 in GBK with and without an HTTP charset), an RSS feed (UTF-8 and a
GBK copy labelled gb2312), a Weibo-style mobile JSON API with comments, and the bureau's own
information portal. Only records whose publication time (``DEMO_START + offset_minutes``) is
not after ``now()`` are visible, so the real crawlers see news break as the clock moves.

The pages are rendered by ``yuqing.demo.pages`` and ``yuqing.demo.weibo_api`` from the records
of ``yuqing.demo.records``; this module holds what is visible when, and the HTTP server.
``weibo_block`` switches the Weibo API to the walls real Weibo puts up (login, captcha, 418).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from yuqing.demo.pages import (
    local_time,
    news_article_page,
    news_list_page,
    official_doc_page,
    official_list_page,
    plain_article_page,
    rss_feed,
    variant,
)
from yuqing.demo.records import DOC_TYPES, DemoRecord, to_record
from yuqing.demo.weibo_api import (
    CAPTCHA_PAGE,
    LOGIN_PAGE,
    weibo_comments_json,
    weibo_html,
    weibo_index_json,
)

__all__ = ["DemoSites"]

logger = logging.getLogger(__name__)


class DemoSites:
    """The demo sites on 127.0.0.1:PORT; ``start()`` returns the base URL."""

    def __init__(self, corpus: list[dict[str, Any]], now: Callable[[], datetime]) -> None:
        records = [to_record(raw, i) for i, raw in enumerate(corpus)]
        self.records = sorted((r for r in records if r is not None), key=lambda r: r.published)
        skipped = len(records) - len(self.records)
        if skipped:
            logger.warning(
                "demo sites: %d corpus record(s) name no known site; not served", skipped
            )
        self.by_id = {r.id: r for r in self.records}
        self.by_slug = {r.slug: r for r in self.records}
        self.by_number = {str(r.number): r for r in self.records}
        self.now = now
        self.base_url = ""
        # Requests answered, per path and query (the scale-out tests check that N crawl
        # workers fetch each page once).
        self.hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()
        # "login", "captcha", "rate_limit", "forbidden" or "ok0" to make the Weibo API refuse
        # crawlers (see _Handler._weibo_blocked); None serves content.
        self.weibo_block: str | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------
    def start(self) -> str:
        sites = self

        class Handler(_Handler):
            demo = sites

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="demo-sites",
            daemon=True,
        )
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> DemoSites:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- what is visible -------------------------------------------------------------
    def visible(self, channel: str, kinds: tuple[str, ...] | None = None) -> list[DemoRecord]:
        """Records of ``channel`` published by now, newest first."""
        now = self.now()
        return [
            r
            for r in reversed(self.records)
            if r.channel == channel and r.published <= now and (kinds is None or r.kind in kinds)
        ]

    def children(self, parent: DemoRecord, kind: str) -> list[DemoRecord]:
        return [r for r in self.visible("weibo", (kind,)) if r.parent == parent.id]


# ---- HTTP ------------------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops connections when ten crawlers start at once,
    # and a dropped SYN costs the client a one-second retransmit.
    request_queue_size = 128


class _BadRequest(Exception):
    pass


def _page_number(query: dict[str, list[str]], key: str = "page") -> int:
    raw = query.get(key, ["1"])[0]
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise _BadRequest(f"bad {key}: {raw!r}")
    return int(raw)


class _Handler(BaseHTTPRequestHandler):
    demo: DemoSites
    server_version = "nginx/1.24.0"
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes; without this, Nagle's algorithm and delayed
    # ACKs add 40 ms to every loopback response.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the crawler's own logs say what was fetched."""

    def do_GET(self) -> None:
        with self.demo._hits_lock:
            self.demo.hits[self.path] += 1
        try:
            self._route()
        except _BadRequest as exc:
            self._send(HTTPStatus.BAD_REQUEST, str(exc).encode(), "text/plain; charset=utf-8")
        except Exception as exc:  # a demo bug must answer 500, not kill the server thread
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, repr(exc).encode(), "text/plain")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _html(self, text: str | None, encoding: str = "utf-8", declare: bool = True) -> None:
        if text is None:
            self._not_found()
            return
        content_type = f"text/html; charset={encoding}" if declare else "text/html"
        self._send(200, text.encode(encoding, errors="xmlcharrefreplace"), content_type)

    def _json(self, data: Any, status: int = 200) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _not_found(self) -> None:
        self._send(404, "<h1>404 页面不存在</h1>".encode(), "text/html; charset=utf-8")

    def _route(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        for pattern, method in _ROUTES:
            match = pattern.fullmatch(path)
            if match:
                method(self, query, *match.groups())
                return
        self._not_found()

    # ---- routes ----------------------------------------------------------------------
    def robots(self, query: dict[str, list[str]]) -> None:
        self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")

    def home(self, query: dict[str, list[str]]) -> None:
        links = "".join(
            f'<li><a href="{href}">{name}</a></li>'
            for href, name in (
                ("/jzrb/list_1.html", "江州日报"),
                ("/lcxw/list_1.html", "临川新闻网"),
                ("/rss.xml", "民生财经 RSS"),
                ("/official/list_policy_1.html", "江州市市场监督管理局"),
            )
        )
        self._html(
            f'<html><head><meta charset="utf-8"><title>演示站点</title></head><ul>{links}</ul>'
        )

    def news_list(self, query: dict[str, list[str]], prefix: str, page: str) -> None:
        text = news_list_page(self.demo, prefix, int(page))
        # 临川新闻网 says its charset in the header on the first page only, as such sites do.
        self._html(text, *(("gbk", page == "1") if prefix == "lcxw" else ("utf-8", True)))

    def news_index(self, query: dict[str, list[str]], prefix: str) -> None:
        self.news_list(query, prefix, "1")

    def news_article(self, query: dict[str, list[str]], prefix: str, day: str, slug: str) -> None:
        record = self._visible(slug, prefix)
        if record is None or f"{local_time(record.published):%Y%m%d}" != day:
            self._not_found()
            return
        text = news_article_page(self.demo, prefix, record)
        if prefix == "lcxw":
            self._html(text, "gbk", declare=variant(record, 2) == 0)
        else:
            self._html(text)

    def feed(self, query: dict[str, list[str]], variant: str) -> None:
        base = f"http://{self.headers.get('Host', '127.0.0.1')}"
        if variant:
            body = rss_feed(self.demo, base, "gb2312", naive_some=True).encode(
                "gbk", "xmlcharrefreplace"
            )
            self._send(200, body, "application/rss+xml")
        else:
            body = rss_feed(self.demo, base, "utf-8", naive_some=False).encode("utf-8")
            self._send(200, body, "application/rss+xml; charset=utf-8")

    def feed_article(self, query: dict[str, list[str]], slug: str) -> None:
        record = self._visible(slug, "rss")
        self._html(plain_article_page(record, "民生财经") if record else None)

    def weibo_index(self, query: dict[str, list[str]]) -> None:
        if not query.get("containerid", [""])[0]:
            raise _BadRequest("containerid is required")
        page = _page_number(query)
        if not self._weibo_blocked():
            self._json(weibo_index_json(self.demo, page))

    def weibo_comments(self, query: dict[str, list[str]]) -> None:
        mid = query.get("id", [""])[0]
        if not mid.isdigit():
            raise _BadRequest("id must be a post id")
        page = _page_number(query)
        if self._weibo_blocked():
            return
        data = weibo_comments_json(self.demo, mid, page)
        self._json(data if data is not None else {"ok": 0, "msg": "微博不存在或暂无查看权限"})

    def weibo_detail(self, query: dict[str, list[str]], mid: str) -> None:
        record = self.demo.by_number.get(mid)
        if record is None or record.published > self.demo.now():
            self._not_found()
            return
        self._html(
            f'<html><head><meta charset="utf-8"><title>微博正文</title></head><body>'
            f'<div class="weibo-text">{weibo_html(record.text)}</div></body></html>'
        )

    def login_page(self, query: dict[str, list[str]]) -> None:
        self._html(LOGIN_PAGE)

    def official_index(self, query: dict[str, list[str]]) -> None:
        self._html(official_list_page(self.demo, "policy", 1))

    def official_list(self, query: dict[str, list[str]], doc_type: str, page: str) -> None:
        self._html(official_list_page(self.demo, doc_type, int(page)))

    def official_doc(self, query: dict[str, list[str]], doc_type: str, slug: str) -> None:
        record = self._visible(slug, "official")
        ok = record is not None and record.doc_type == doc_type
        self._html(official_doc_page(record) if record is not None and ok else None)

    # ---- helpers ---------------------------------------------------------------------
    def _visible(self, slug: str, channel: str) -> DemoRecord | None:
        record = self.demo.by_slug.get(slug)
        if record is None or record.channel != channel or record.published > self.demo.now():
            return None
        return record

    def _weibo_blocked(self) -> bool:
        """Answer as Weibo does when it refuses a crawler; True when it did."""
        block = self.demo.weibo_block
        if block is None:
            return False
        if block == "login":
            target = "/signin/login?r=" + quote(self.path, safe="")
            self._send(302, b"", "text/html", {"Location": target})
        elif block == "captcha":
            self._html(CAPTCHA_PAGE)
        elif block == "rate_limit":
            self._send(418, b"", "text/plain")
        elif block == "forbidden":
            self._send(403, b"Forbidden", "text/plain")
        else:
            self._json({"ok": 0, "errno": "100005", "msg": "请求过于频繁，请稍后再试"})
        return True


_ROUTES: list[tuple[re.Pattern[str], Callable[..., None]]] = [
    (re.compile(pattern), method)
    for pattern, method in (
        (r"/robots\.txt", _Handler.robots),
        (r"/", _Handler.home),
        (r"/(jzrb|lcxw)/", _Handler.news_index),
        (r"/(jzrb|lcxw)/list_(\d{1,4})\.html", _Handler.news_list),
        (r"/(jzrb|lcxw)/(\d{8})/([A-Za-z0-9_-]+)\.html", _Handler.news_article),
        (r"/rss(-gbk)?\.xml", _Handler.feed),
        (r"/msjc/([A-Za-z0-9_-]+)\.html", _Handler.feed_article),
        (r"/api/container/getIndex", _Handler.weibo_index),
        (r"/api/comments/show", _Handler.weibo_comments),
        (r"/detail/(\d+)", _Handler.weibo_detail),
        (r"/signin/login", _Handler.login_page),
        (r"/official/", _Handler.official_index),
        (r"/official/list_(" + "|".join(DOC_TYPES) + r")_(\d{1,4})\.html", _Handler.official_list),
        (r"/official/(" + "|".join(DOC_TYPES) + r")/([A-Za-z0-9_-]+)\.html", _Handler.official_doc),
    )
]

"""A fixture web site on 127.0.0.1 for crawler tests: a real threaded HTTP server answering
from a table of routes that a test may change between crawls.

Routes map a request path, with or without its query string (the full form wins), to
``(status, headers, body)``; anything else is a 404. Hits are counted per request path
(query included). A route whose headers carry ``ETag`` or ``Last-Modified`` answers a matching
conditional GET with ``304 Not Modified``, as real servers do.
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["LoopbackSite", "Route"]

Route = tuple[int, dict[str, str], bytes]
NOT_FOUND: Route = (404, {"Content-Type": "text/html; charset=utf-8"}, b"no such page")


class LoopbackSite:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: Counter[str] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits[self.path] += 1
                status, headers, body = site.answer(self.path, self.headers)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The crawler hangs up on a page over its size limit, as it should.
                with suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, path: str, request_headers: Any) -> Route:
        status, headers, body = (
            self.routes.get(path) or self.routes.get(path.split("?")[0]) or NOT_FOUND
        )
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        if etag and request_headers.get("If-None-Match") == etag:
            return 304, headers, b""
        if modified and request_headers.get("If-Modified-Since") == modified:
            return 304, headers, b""
        return status, headers, body

    def hits_of(self, prefix: str) -> int:
        return sum(n for path, n in self.hits.items() if path.startswith(prefix))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

"""A paged news site on loopback for the scale-out tests and benchmark: ``pages`` list pages,
each linking ``per_page`` articles and the next list page, optionally answering every request
after a fixed server-side ``delay`` (so the crawl is I/O-bound, as on the internet).

The articles are distinct Chinese news texts (a template with the article's number), so the
near-duplicate detector keeps each as its own mention.
"""

from __future__ import annotations

import time
from typing import Any

from tests.support.loopback import NOT_FOUND, LoopbackSite, Route

HTML = {"Content-Type": "text/html; charset=utf-8"}
_PLACES = ("江州市", "临川区", "青禾镇", "东湖县", "南岭市", "北山区", "西江县", "云台镇")
_GOODS = ("电动自行车", "儿童玩具", "燃气灶", "食用油", "婴儿奶粉", "电热水器", "口罩", "安全帽")


def article_html(n: int) -> bytes:
    place, goods = _PLACES[n % len(_PLACES)], _GOODS[(n // 8) % len(_GOODS)]
    title = f"{place}市场监管局抽检{goods}第{n}批次结果公布"
    body = "".join(
        f"<p>{place}市场监督管理局第{n}号通告第{k}段：本次抽检{goods}共{n % 97 + k}批次，"
        f"其中{(n * 7 + k) % 13}批次不合格，涉及编号{n * 31 + k}的生产企业，"
        f"监管部门已依法责令整改并立案调查，第{n}期抽检报告全文另行公布。</p>"
        for k in range(1, 5)
    )
    return (
        f"<html><head><title>{title}_江州日报</title>"
        f'<meta name="publishdate" content="2026-11-{1 + n % 28:02d} 08:{n % 60:02d}"></head>'
        f"<body><h1>{title}</h1><div class='date'>2026-11-{1 + n % 28:02d} 08:{n % 60:02d}</div>"
        f"<div class='content'>{body}</div></body></html>"
    ).encode()


def site_routes(pages: int, per_page: int) -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for page in range(1, pages + 1):
        first = (page - 1) * per_page
        links = "".join(
            f'<li><a href="/a/{n}.html">江州市场监管通报第{n}号稿件标题</a></li>'
            for n in range(first, first + per_page)
        )
        more = f'<a href="/list/{page + 1}.html">下一页</a>' if page < pages else ""
        routes[f"/list/{page}.html"] = (
            200,
            HTML,
            f"<html><body><h1>要闻</h1><ul>{links}</ul>{more}</body></html>".encode(),
        )
        for n in range(first, first + per_page):
            routes[f"/a/{n}.html"] = (200, HTML, article_html(n))
    routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
    return routes


class SlowSite(LoopbackSite):
    """``LoopbackSite`` that waits ``delay`` seconds before each answer (threaded: the waits
    of concurrent requests overlap, as a real server's would)."""

    def __init__(self, routes: dict[str, Route], delay: float = 0.0) -> None:
        self.delay = delay
        super().__init__(routes)

    def answer(self, path: str, request_headers: Any) -> Route:
        if self.delay:
            time.sleep(self.delay)
        return super().answer(path, request_headers)


def article_paths(pages: int, per_page: int) -> list[str]:
    return [f"/a/{n}.html" for n in range(pages * per_page)]


def source_yaml(name: str, base: str, pages: int, delay: float, concurrency: int) -> dict[str, Any]:
    return {
        "name": name,
        "type": "news",
        "start_urls": [f"{base}/list/1.html"],
        "article_pattern": r"/a/\d+\.html$",
        "next_page_pattern": r"/list/\d+\.html$",
        "max_pages": pages,
        "delay": delay,
        "concurrency": concurrency,
        "interval": "1h",
    }


__all__ = ["NOT_FOUND", "SlowSite", "article_html", "article_paths", "site_routes", "source_yaml"]

"""The demo's ``sources:`` and ``nlp.authorities`` entries for a yuqing.yaml that crawls the
demo sites (``yuqing.demo.sites``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from yuqing.demo.records import DOC_TYPES


def demo_authorities() -> dict[str, list[str]]:
    """``nlp.authorities`` of the demo: the bureau's own accounts and site, the city's other
    official accounts, its local media and the science account of the nori story (the
    built-in defaults list national ones; verified government and media Weibo accounts count
    without being listed)."""
    return {
        "own": ["江州市场监管", "江州市市场监督管理局"],
        "official": ["江州发布", "平安临川", "江州消防", "江州市互联网联合辟谣平台"],
        "media": ["江州日报", "临川新闻网"],
        "science": ["食品科普君"],
    }


def demo_sources(base_url: str) -> list[dict[str, Any]]:
    """``sources:`` entries of a yuqing.yaml that crawl the demo sites (intervals in sim time)."""
    base = base_url.rstrip("/")
    local_site = {"delay": 0, "concurrency": 8}
    sources: list[dict[str, Any]] = []
    for prefix, region, shown in (("jzrb", "江州", "江州日报"), ("lcxw", "临川", "临川新闻网")):
        sources.append(
            {
                "name": f"{prefix}-news",
                "display_name": shown,
                "type": "news",
                "start_urls": [f"{base}/{prefix}/list_1.html"],
                "interval": "1h",
                "article_pattern": rf"/{prefix}/\d{{8}}/[\w-]+\.html$",
                "next_page_pattern": rf"/{prefix}/list_\d+\.html$",
                "max_pages": 3,
                "region": region,
                **local_site,
            }
        )
    for name, shown, path, interval in (
        ("msjc-rss", "民生财经（RSS）", "rss.xml", "30m"),
        ("msjc-rss-gbk", "民生财经旧版（RSS，GBK编码）", "rss-gbk.xml", "2h"),
    ):
        sources.append(
            {"name": name, "display_name": shown, "type": "rss"}
            | {"start_urls": [f"{base}/{path}"], "interval": interval}
            | local_site
        )
    containerid = quote("100103type=1&q=江州 市场监管", safe="")
    sources.append(
        {
            "name": "weibo-search",
            "display_name": "微博搜索（江州 市场监管）",
            "type": "weibo",
            "start_urls": [f"{base}/api/container/getIndex?containerid={containerid}&page=1"],
            "interval": "30m",
            "max_pages": 10,
            **local_site,
        }
    )
    for doc_type in DOC_TYPES:
        sources.append(
            {
                "name": f"official-{doc_type}",
                "display_name": f"江州市市场监管局网站（{DOC_TYPES[doc_type]}）",
                "type": "official",
                "doc_type": doc_type,
                "start_urls": [f"{base}/official/list_{doc_type}_1.html"],
                "interval": "1h",
                "article_pattern": rf"/official/{doc_type}/[\w-]+\.html$",
                "next_page_pattern": rf"/official/list_{doc_type}_\d+\.html$",
                "max_pages": 3,
                "region": "江州",
                **local_site,
            }
        )
    return sources

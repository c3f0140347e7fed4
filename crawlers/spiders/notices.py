"""Sampling-inspection and recall notices (抽检信息公告, 召回公告) with their attachments.

List pages lead to notice pages as on any government portal (``ListingSpider``: pagination,
incremental); a notice page's XLSX / XLS / DOCX / ZIP / PDF attachments are then fetched one
after the other and read into records (``crawlers.attachments``) before the notice is stored, so the
mention carries its records (``extra.records``) and what they name (``extra.entities``: the
producers, brands, products and regions, which the analysis adds to the entities it finds in
the text, ``nlp.declared_entities``). The records are also written into the mention's text,
one line each, so a search for a producer finds the notice.

A broken or missing attachment is logged and counted with the source, the notice and the
attachment named, kept aside with its reason, and noted in ``extra.attachments``; the notice
and the other attachments are still stored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.attachments import ATTACHMENT_SUFFIXES, AttachmentError, parse_attachment
from crawlers.extract import Article
from crawlers.items import MentionItem
from crawlers.spiders.official import OfficialSpider
from crawlers.url import absolute_url

__all__ = ["NoticesSpider", "record_entities", "record_line"]

logger = logging.getLogger(__name__)

# Attachments of a national notice run to a few MiB (a ZIP of provincial tables); pages stay
# under the crawl's 5 MiB limit, attachments may be larger.
ATTACHMENT_MAXSIZE = 50 * 1024 * 1024
# Records kept in the mention's extra (the text lists them all): a notice of 3,000 samples
# is rare, and the mention stays a reasonable row.
MAX_KEPT_RECORDS = 500
# Brand cells that name no brand.
_NO_BRAND = frozenset({"", "/", "-", "—", "无", "图形商标", "图案", "/ ", "无商标"})
_LINE_FIELDS = (
    ("product", "产品"),
    ("brand", "商标"),
    ("spec", "规格"),
    ("producer", "标称生产企业"),
    ("producer_address", "地址"),
    ("sampled_unit", "被抽样单位"),
    ("region", "所在地"),
    ("batch", "生产日期/批号"),
    ("failed_item", "不合格项目"),
    ("quantity", "数量"),
    ("result", "结果"),
)


class NoticesSpider(OfficialSpider):
    name = "notices"
    platform = "official"

    def article_item(self, response: Response, article: Article) -> MentionItem:
        item = super().article_item(response, article)
        doc_type = self.source.doc_type or ("recall" if "召回" in article.title else "inspection")
        item.extra["doc_type"] = doc_type
        return item

    async def parse_article(self, response: Response) -> Any:
        async for item in super().parse_article(response):
            links = attachment_links(response.url, Selector(text=response.text))
            item.extra["attachments"] = []
            item.extra["records"] = []
            if not links:
                yield self._finished(item, [])
                continue
            yield self._attachment_request(item, links, 0, [])

    # ---- attachments, one after the other ---------------------------------------------
    def _attachment_request(
        self, item: MentionItem, links: list[tuple[str, str]], index: int, records: list[Any]
    ) -> scrapy.Request:
        url = links[index][0]
        state = {"item": item, "links": links, "index": index, "records": records}
        request = self.request(
            url,
            self._parse_attachment,
            cb_kwargs={"state": state},
            meta={"download_maxsize": ATTACHMENT_MAXSIZE, "attachment": True},
            dont_filter=True,
        )
        request.errback = self._attachment_failed
        return request

    def _parse_attachment(self, response: Response, state: dict[str, Any]) -> Iterator[Any]:
        item, links, index = state["item"], state["links"], state["index"]
        url, name = links[index]
        note: dict[str, Any] = {"name": name, "url": url, "records": 0}
        try:
            parsed = parse_attachment(name, response.body)
        except AttachmentError as exc:
            self._broken(item, url, name, str(exc), note)
        else:
            note["records"] = len(parsed.records)
            state["records"].extend(parsed.records)
            for problem in parsed.problems:  # a broken member of a ZIP: the rest still counts
                self._broken(item, url, f"{name}/{problem.split(': ', 1)[0]}", problem, note)
        item.extra["attachments"].append(note)
        yield from self._next(state)

    def _attachment_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        state = request.cb_kwargs["state"]
        item, links, index = state["item"], state["links"], state["index"]
        url, name = links[index]
        response = getattr(failure.value, "response", None)
        reason = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        note: dict[str, Any] = {"name": name, "url": url, "records": 0}
        self._broken(item, url, name, f"could not be fetched: {reason}", note)
        item.extra["attachments"].append(note)
        yield from self._next(state)

    def _next(self, state: dict[str, Any]) -> Iterator[Any]:
        index = state["index"] + 1
        if index < len(state["links"]):
            yield self._attachment_request(state["item"], state["links"], index, state["records"])
        else:
            yield self._finished(state["item"], state["records"])

    def _broken(
        self, item: MentionItem, url: str, name: str, reason: str, note: dict[str, Any]
    ) -> None:
        """Name the source, the notice and the attachment; keep it aside; go on."""
        message = f"notice {item.url} ({item.title}): attachment {name} ({url}): {reason}"
        logger.warning("source %s: %s", self.source.name, message)
        note["error"] = reason
        self.context.tally.error(message, settled=True)
        self.keep_aside(
            url, f"broken attachment: {reason}", {"notice": item.url, "attachment": name}
        )

    def _finished(self, item: MentionItem, records: list[dict[str, str]]) -> MentionItem:
        item.extra["records"] = records[:MAX_KEPT_RECORDS]
        item.extra["record_count"] = len(records)
        item.extra["entities"] = record_entities(records)
        if records:
            lines = "\n".join(record_line(r) for r in records)
            item.text = f"{item.text}\n{lines}"
        return item


def attachment_links(page_url: str, page: Selector) -> list[tuple[str, str]]:
    """(URL, file name) of the page's XLSX / ZIP / PDF links, in page order, each once.

    The name is the link's text when it names a file (附件1：不合格产品信息.xlsx), else the
    last part of the URL's path.
    """
    found: dict[str, str] = {}
    for anchor in page.xpath("//a[@href]"):
        url = absolute_url(page_url, anchor.attrib["href"])
        path = unquote(urlsplit(url).path)
        if not path.lower().endswith(ATTACHMENT_SUFFIXES):
            continue
        text = re.sub(r"\s+", " ", "".join(anchor.xpath(".//text()").getall())).strip()
        name = text if text.lower().endswith(ATTACHMENT_SUFFIXES) else path.rsplit("/", 1)[-1]
        found.setdefault(url, name)
    return list(found.items())


def record_line(record: dict[str, str]) -> str:
    """One record as a line of the notice's text: 产品：手撕牛肉；商标：禾丰；..."""
    return "；".join(f"{label}：{record[key]}" for key, label in _LINE_FIELDS if record.get(key))


def record_entities(records: list[dict[str, str]]) -> list[dict[str, str]]:
    """What the records name, each once: producers and sampled units as companies, brands,
    products, and each record's region (its region column, else the producer's address)."""
    found: dict[tuple[str, str], dict[str, str]] = {}

    def add(kind: str, name: str) -> None:
        name = name.strip()
        if name and (kind, name) not in found:
            found[kind, name] = {"kind": kind, "name": name}

    for record in records:
        add("company", record.get("producer", ""))
        add("company", record.get("sampled_unit", ""))
        if record.get("brand", "").strip() not in _NO_BRAND:
            add("brand", record["brand"])
        add("product", record.get("product", ""))
        # Where the producer is (the local regulator's concern), then where it was sampled.
        add("region", record.get("producer_address", ""))
        add("region", record.get("region", ""))
    return list(found.values())

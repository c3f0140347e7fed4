"""The agency's own site and other official portals: policies, penalties, rumour debunks.

Government portals put the facts that start obligations in a metadata table (文号, 发布机构,
发布日期): the document number identifies a policy or a penalty decision, and the publication
date starts the working-day clock, so the table wins over anything the extractor finds.
"""

from __future__ import annotations

import re

from parsel import Selector
from scrapy.http import Response

from core.vocabulary import DOC_TYPES
from crawlers.dates import find_datetime
from crawlers.extract import Article
from crawlers.items import MentionItem
from crawlers.spiders.listing import ListingSpider
from crawlers.text import clean_text

__all__ = ["OfficialSpider", "metadata_table"]

_LABELS = {
    "doc_number": ("文号", "发文字号", "文件编号", "决定书文号", "处罚决定书文号"),
    "issuer": ("发布机构", "发文机关", "发布单位", "发文单位", "处罚机关"),
    "published": ("发布日期", "发布时间", "公开日期", "成文日期", "处罚决定日期"),
    "index_no": ("索引号",),
    "subject": ("主题分类", "分类"),
}


class OfficialSpider(ListingSpider):
    name = "official"
    platform = "official"

    def article_item(self, response: Response, article: Article) -> MentionItem:
        meta = metadata_table(Selector(text=response.text))
        doc_type = self.source.doc_type or _doc_type_from_url(response.url)
        published, published_raw = article.published_at, article.published_raw
        if meta.get("published"):
            found = find_datetime(meta["published"], self.now())
            if found is not None:
                published, published_raw = found, meta["published"]
        extra: dict[str, object] = {
            "doc_type": doc_type,
            "doc_number": meta.get("doc_number", ""),
            "issuer": meta.get("issuer", ""),
            "site": self.source.name,
        }
        for key in ("index_no", "subject"):
            if meta.get(key):
                extra[key] = meta[key]
        return self.item(
            response,
            kind="debunk" if doc_type == "debunk" else "official",
            title=article.title,
            text=article.text,
            author=meta.get("issuer", "") or article.author,
            published_at=published,
            published_raw=published_raw,
            extra=extra,
        )


def metadata_table(page: Selector) -> dict[str, str]:
    """Label → value pairs from the page's 信息公开 table (th/td pairs or "标签：值" cells)."""
    found: dict[str, str] = {}
    nodes = page.xpath("//table//*[self::th or self::td]")
    cells = [clean_text(c) for c in nodes.xpath("string(.)").getall()]
    for index, cell in enumerate(cells):
        label = re.split(r"[:：]", cell, maxsplit=1)[0].strip()
        inline = cell[len(label) :].lstrip(":： ").strip()
        for key, names in _LABELS.items():
            if key in found or label not in names:
                continue
            value = inline or (cells[index + 1] if index + 1 < len(cells) else "")
            if value:
                found[key] = value
    return found


def _doc_type_from_url(url: str) -> str:
    for doc_type in DOC_TYPES:
        if f"/{doc_type}/" in url or f"_{doc_type}_" in url:
            return doc_type
    return "notice"

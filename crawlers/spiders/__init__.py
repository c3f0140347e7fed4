"""One spider per source type; ``SPIDERS`` maps a ``SourceSettings.type`` to its spider."""

from __future__ import annotations

from crawlers.spiders.base import SourceSpider
from crawlers.spiders.complaints import ComplaintSpider
from crawlers.spiders.news import NewsSpider
from crawlers.spiders.notices import NoticesSpider
from crawlers.spiders.official import OfficialSpider
from crawlers.spiders.petitions import PetitionSpider
from crawlers.spiders.portal import PortalSpider
from crawlers.spiders.replay import ReplaySpider
from crawlers.spiders.rss import RssSpider
from crawlers.spiders.wechat import WechatSpider
from crawlers.spiders.weibo import WeiboSpider

SPIDERS: dict[str, type[SourceSpider]] = {
    spider.name: spider
    for spider in (
        RssSpider, NewsSpider, WeiboSpider, OfficialSpider, ReplaySpider, NoticesSpider,
        ComplaintSpider, PetitionSpider, WechatSpider, PortalSpider,
    )
}  # fmt: skip

__all__ = [
    "SPIDERS",
    "ComplaintSpider",
    "NewsSpider",
    "NoticesSpider",
    "OfficialSpider",
    "PetitionSpider",
    "PortalSpider",
    "ReplaySpider",
    "RssSpider",
    "SourceSpider",
    "WechatSpider",
    "WeiboSpider",
]

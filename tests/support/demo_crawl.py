"""The demo sites crawled for the crawler tests: a small corpus touching every site (GBK-only
characters, bad records, records not yet published at ``NOW``) and a rig wiring the demo
sites, a simulated clock, a real archive and the real engine together."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from archive import open_archive
from archive.base import Archive
from archive.models import Mention
from core.clock import SimulatedClock
from core.settings import Settings, SourceSettings
from crawlers.engine import CrawlEngine, CrawlReport
from yuqing.demo.records import DEMO_START
from yuqing.demo.sites import DemoSites
from yuqing.demo.sources import demo_sources

__all__ = ["LATER", "NOW", "DemoRig", "sample_corpus"]

NOW = DEMO_START + timedelta(hours=5)
LATER = 600  # minutes after DEMO_START: records published after NOW


def sample_corpus() -> list[dict[str, Any]]:
    """A small corpus touching every site, with GBK-only characters, bad records and future
    records, so each test can check exact content."""
    corpus: list[dict[str, Any]] = []
    for i in range(25):
        corpus.append(
            {
                "id": f"jz{i:02d}",
                "channel": "jzrb",
                "offset_minutes": i * 10,
                "title": f"江州市通报第{i}批食品抽检结果",
                "text": f"江州市市场监督管理局今日通报第{i}批食品安全监督抽检情况。本次抽检食品样品"
                "200批次，其中不合格样品5批次，涉及婴幼儿配方奶粉菌落总数超标。\n"
                "市场监管部门已责令企业召回问题产品，并立案调查。消费者可拨打12315投诉举报。",
                "author": "张三",
            }
        )
    for i in range(22):
        corpus.append(
            {
                "id": f"lc{i:02d}",
                "channel": "lcxw",
                "offset_minutes": i * 12 + 1,
                "title": f"临川区镕堃电梯公司第{i}次被查出隐患",
                "text": f"临川区市场监管局对镕堃电梯公司开展第{i}次专项检查，发现维保记录缺失、"
                "应急救援装置失效等隐患18处，已责令限期整改。\n下一步将持续加强特种设备监管。",
                "author": "李四",
            }
        )
    for i in range(12):
        corpus.append(
            {
                "id": f"rs{i:02d}",
                "channel": "rss",
                "offset_minutes": i * 20 + 2,
                "title": f"民生财经：预付卡纠纷增多（{i}）",
                "text": "近期预付卡消费投诉明显增多，主要集中在健身、美容美发等行业，"
                "市场监管部门提醒消费者理性办卡。",
                "author": "王五",
            }
        )
    for i in range(14):
        corpus.append(
            {
                "id": f"wb{i:02d}",
                "channel": "weibo",
                "kind": "post",
                "offset_minutes": i * 20 + 3,
                "text": f"#江州奶粉事件# 第{i}条：孩子喝了以后腹泻，@江州市场监管 管不管？[怒]",
                "user": {
                    "screen_name": f"江州宝妈{i}",
                    "verified": i % 3 == 0,
                    "verified_type": 0 if i % 3 == 0 else -1,
                    "followers_count": 1000 + i,
                },
                "reposts": 60,
                "comments": 0,
                "likes": 120,
            }
        )
    for i in range(6):
        corpus.append(
            {
                "id": f"wr{i:02d}",
                "channel": "weibo",
                "kind": "repost",
                "parent": f"wb{i:02d}",
                "offset_minutes": i * 20 + 13,
                "text": f"太吓人了//@江州宝妈{i}:孩子喝了以后腹泻",
                "user": {"screen_name": f"转发者{i}"},
            }
        )
    for i in range(8):
        corpus.append(
            {
                "id": f"wc{i:02d}",
                "channel": "weibo",
                "kind": "comment",
                "parent": "wb01",
                "offset_minutes": 40 + i * 5,
                "text": f"评论{i}：必须严查[怒]",
                "user": {"screen_name": f"评论者{i}"},
            }
        )
    for i, doc_type in enumerate(("policy", "interpretation", "penalty", "debunk", "notice")):
        for j in range(2):
            corpus.append(
                {
                    "id": f"of-{doc_type}-{j}",
                    "channel": "official",
                    "doc_type": doc_type,
                    "doc_number": f"江市监〔2026〕{10 * i + j + 1}号",
                    "offset_minutes": 30 * i + j * 7,
                    "title": f"江州市市场监督管理局关于{doc_type}事项的公告（{j}）",
                    "text": "根据《中华人民共和国食品安全法》等法律法规，现将有关事项公告如下。"
                    "一、各经营者应当落实食品安全主体责任。二、本公告自发布之日起施行。",
                }
            )
    corpus += [
        # Bad records: the crawl must keep them aside and go on.
        {"id": "wb-bad-time", "channel": "weibo", "offset_minutes": 100, "text": "时间坏了",
         "created_at": "上古时期"},
        {"id": "wb-empty", "channel": "weibo", "offset_minutes": 101, "text": ""},
        {"id": "jz-bad-time", "channel": "jzrb", "offset_minutes": 102, "title": "年份错了的稿件",
         "text": "这篇稿件的发布时间写错了年份。" * 3, "date_text": "2099年01月01日 10:00"},
        # Not yet published at NOW.
        {"id": "jz-future", "channel": "jzrb", "offset_minutes": LATER, "title": "未来的新闻标题",
         "text": "还没有发布。" * 10},
        {"id": "wb-future", "channel": "weibo", "offset_minutes": LATER, "text": "未发布的微博"},
        {"id": "rs-future", "channel": "rss", "offset_minutes": LATER, "title": "未来",
         "text": "还没有发布的条目"},
    ]  # fmt: skip
    return corpus


class DemoRig:
    """Demo sites, a simulated clock, a real archive and an engine, wired together."""

    def __init__(self, tmp_path: Path, corpus: list[dict[str, Any]] | None = None) -> None:
        self.clock = SimulatedClock(NOW)
        self.sites = DemoSites(corpus if corpus is not None else sample_corpus(), self.clock.now)
        self.base = self.sites.start()
        self.archive: Archive = open_archive(tmp_path / "a.db")
        self.settings = Settings.model_validate({"sources": demo_sources(self.base)})
        self.engine = CrawlEngine(self.settings, self.archive, self.clock)

    def source(self, name: str, **changes: Any) -> SourceSettings:
        return self.settings.source(name).model_copy(update=changes)

    def crawl(self, *names: str) -> dict[str, CrawlReport]:
        reports = self.engine.crawl([self.source(n) for n in names])
        return {r.source: r for r in reports}

    def mentions(self) -> list[Mention]:
        return [m for _, m in self.archive.mentions_since(0, 100_000)]

    def by_source(self, source: str) -> list[Mention]:
        return [m for m in self.mentions() if m.source == source]

    def close(self) -> None:
        self.engine.close()
        self.archive.close()
        self.sites.stop()

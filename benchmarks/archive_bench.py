"""Archive benchmark: insert rate, size and search/facet latency of the SQLite archive at scale.

    python benchmarks/archive_bench.py [--mentions N] [--db PATH] [--keep] [--queries 30]

Generates N varied mentions deterministically (seeded) from ``yuqing/demo/corpus.jsonl`` when it
exists, otherwise from a built-in list of sentences; inserts them (and analyses for a share of
them) through the public ``Archive`` interface; then times ``search``, ``facets`` and
``histogram`` over a fixed set of queries, with and without filters, against a naive
``LIKE '%word%'`` scan of the same file. Prints a table, then one JSON line with every figure.

Generation is resumable: progress is recorded beside the archive (``PATH.bench.json``) after
every batch, so ``--db PATH --keep`` keeps the archive, an interrupted run picks up where it
stopped, and a second run on the same path skips generation (a larger ``--mentions`` extends
the archive: mention ``i`` is the same whatever N is).
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import math
import os
import platform as platform_module
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import archive.sqlite as archive_sqlite
from archive import open_archive
from archive.base import Archive
from archive.models import Analysis, Mention, Reason, stable_id
from archive.query import parse_query
from archive.search import FACET_FIELDS, TOTAL_HITS_LIMIT, SearchFilters, SearchRequest
from nlp.segment import ensure_loaded

GENERATOR_VERSION = 1
DEFAULT_SEED = 20261116
BATCH_SIZE = 2_000
ANALYSED_SHARE = 0.6
REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO / "yuqing" / "demo" / "corpus.jsonl"
# Latest publication time; mentions spread over the year before it.
END = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
SPAN = timedelta(days=365)
SHANGHAI = timedelta(hours=8)
DAY_US = 86_400 * 1_000_000
SHANGHAI_US = 8 * 3_600 * 1_000_000

TARGET_SEARCH_P95_MS = 50.0
TARGET_FACETS_MS = 300.0

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

REGIONS = (
    "江州市", "临川区", "青山县", "河西区", "南湖区", "东城区", "西江市", "北塘区", "云溪县",
    "白沙镇", "梧桐区", "石门县", "清河区", "滨海新区", "长宁县", "金水区", "柳林镇", "枫桥镇",
    "兴安区", "平江县", "安远县", "海陵区", "溪口镇", "凤凰县", "龙泉市", "桃源县", "宁远县",
    "新城区", "高新区", "洛川县",
)  # fmt: skip
RARE_PLACE = "青禾镇"  # in ~0.02% of mentions: a rare word
RARE_BRAND = "鑫达"  # in ~0.05% of mentions (as 鑫达牌…, which jieba splits as 鑫/达牌)
RARE_PRODUCT = "氢燃料电池"  # in ~0.05% of mentions
BRANDS = (
    "安心", "惠民", "华宇", "金品", "优选", "乐享", "恒通", "瑞丰", "佳禾", "永安", "宏图",
    "美嘉", "康源", "顺心", "天润", "福临", "绿洲", "星光", "润泽", "嘉和",
)  # fmt: skip
PRODUCTS = (
    "电动自行车", "充电宝", "儿童玩具", "燃气热水器", "电热毯", "插线板", "头盔", "空调",
    "冰箱", "洗衣机", "化妆品", "眼镜", "轮胎", "电饭煲", "口罩", "儿童安全座椅", "电暖器",
    "净水器", "保温杯", "跑步机",
)  # fmt: skip
FOODS = (
    "月饼", "食用油", "大米", "婴幼儿奶粉", "火锅底料", "酸奶", "辣条", "腊肉", "饮料",
    "面包", "蜂蜜", "粽子", "速冻水饺", "卤味", "瓶装水",
)  # fmt: skip
# Syllables for long-tail names (companies, streets); 鑫 and 达 are kept for the rare brand.
SYLLABLES = "华兴盛恒瑞丰泰安康宏源嘉德信隆润昌祥福和新星明辉金宇天海远鸿博通"
INDUSTRIES = ("科技", "电器", "食品", "商贸", "机电", "实业", "餐饮", "物业", "电梯", "汽车")
STREET_SUFFIXES = ("路", "街", "大道", "巷")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
NICK_HEADS = ("小", "阿", "老", "大", "爱吃", "快乐的", "江州", "路过的", "追风", "吃瓜")
NICK_TAILS = ("王", "猫", "鱼", "兔", "熊", "豆", "橙子", "阿姨", "大叔", "同学", "群众")

# (id, platform, weight): twenty sources over the four crawled platforms.
SOURCES: tuple[tuple[str, str, float], ...] = (
    ("jiangzhou-daily", "news", 5), ("linchuan-news", "news", 3), ("quality-daily", "news", 3),
    ("consumer-daily", "news", 2), ("xinhua-local", "news", 2), ("metro-evening", "news", 1),
    ("samr-rss", "rss", 3), ("cqn-rss", "rss", 2), ("foodsafety-rss", "rss", 2),
    ("gov-rss", "rss", 1),
    ("weibo-search", "weibo", 10), ("weibo-hot", "weibo", 6),
    ("weibo-keyword-elevator", "weibo", 3), ("weibo-keyword-food", "weibo", 3),
    ("weibo-local", "weibo", 4),
    ("samr-notices", "official", 2), ("province-amr", "official", 2),
    ("jiangzhou-amr", "official", 2), ("recall-center", "official", 1),
    ("piyao-platform", "official", 1),
)  # fmt: skip
PLATFORM_WEIGHTS = {"weibo": 0.5, "news": 0.22, "rss": 0.13, "official": 0.15}
KINDS = {
    "weibo": (("post", 0.6), ("repost", 0.25), ("comment", 0.15)),
    "news": (("article", 1.0),),
    "rss": (("article", 1.0),),
    "official": (("official", 0.85), ("debunk", 0.15)),
}

# Sentences with slots: {r} region, {s} street, {b} brand, {p} product, {f} food, {c} company,
# {m} model code, {d} date, {n}/{n2} small numbers, {k} a larger number.
TOPIC_SENTENCES: dict[str, tuple[str, ...]] = {
    "电梯安全": (
        "{r}{s}一小区电梯突发故障，{n}名居民被困约{n2}分钟后获救。",
        "网友反映{r}某商场自动扶梯突然逆行，多人摔倒受伤。",
        "{r}市场监管局对辖区{k}台电梯开展安全检查，责令{n}家维保单位限期整改。",
        "电梯维保不到位、年检过期的问题再次引发关注，业主呼吁物业尽快更换老旧电梯。",
        "记者了解到，涉事电梯由{c}负责维保，最近一次检验是在{d}。",
        "特种设备安全监察人员已赶到现场，对电梯控制系统进行检测。",
    ),
    "食品安全": (
        "{r}市场监管局通报{d}食品安全监督抽检结果，{n}批次样品不合格。",
        "不合格项目主要涉及农药残留超标、微生物污染和食品添加剂超范围使用。",
        "网友发帖称在{b}牌{f}中吃出异物，商家拒绝退款。",
        "{r}一学校食堂疑似发生食物中毒，{n}名学生出现呕吐腹泻症状。",
        "执法人员在{c}仓库查获过期食品{k}公斤，已依法立案调查。",
        "外卖平台商家后厨卫生堪忧，被曝使用过期食材制作{f}。",
    ),
    "产品召回": (
        "{c}向市场监管总局备案了召回计划，将召回{k}辆{m}型汽车。",
        "本次召回范围内的车辆因制动系统存在缺陷，极端情况下可能增加碰撞风险。",
        "{b}牌{p}因存在过热起火隐患启动召回，消费者可联系客服免费更换。",
        "缺陷产品管理中心提醒，儿童玩具中的小零件易被误吞，家长应谨慎选购。",
        "有车主反映{b}{p}召回进度缓慢，维修网点配件长期缺货。",
        "{r}消费者投诉{p}质量问题，涉事企业表示将主动召回问题批次产品。",
    ),
    "假冒伪劣": (
        "{r}市场监管局联合公安机关查处一起制售假冒{b}牌{p}案件，涉案金额{k}万元。",
        "执法人员在{s}一家门店查获假冒伪劣商品{k}件，涉嫌商标侵权。",
        "网购{p}收到假货，卖家以各种理由拒绝退换。",
        "打假专项行动开展以来，{r}共立案{n}起，罚没款{k}元。",
        "专家提醒，购买{p}应认准3C认证标志，谨防假冒伪劣产品。",
        "有网友曝光{s}批发市场售卖三无产品，包装上没有厂名厂址。",
    ),
    "计量价格": (
        "市民反映{r}{s}菜市场有商贩缺斤短两，电子秤疑似被动了手脚。",
        "{r}市场监管局对加油站开展计量检定，发现{n}台加油机计量超差。",
        "景区餐馆被曝价格欺诈，一份{f}收费{k}元。",
        "节日期间{p}价格上涨明显，部分商家涉嫌哄抬价格。",
        "执法人员现场查获作弊电子秤{n}台，对涉事商户作出行政处罚。",
        "消费者质疑{b}超市标价与结算价格不一致，要求退还差价。",
    ),
    "特种设备": (
        "{r}一工厂锅炉发生爆炸，造成{n}人受伤，事故原因正在调查中。",
        "{s}一餐馆燃气泄漏引发爆燃，附近商铺玻璃被震碎。",
        "游乐园大型游乐设施突发故障，{n}名游客被困高空{n2}分钟。",
        "{r}开展特种设备安全隐患排查，检查压力容器{k}台、起重机械{n}台。",
        "工地塔吊倒塌事故引发对起重机械安全管理的讨论。",
        "{c}因使用未经检验的压力容器被处以{k}元罚款。",
    ),
    "消费投诉": (
        "{r}12315热线{d}共受理消费投诉{k}件，同比增长{n}%。",
        "健身房突然关门跑路，{n}多名会员预付卡余额无法退还。",
        "消费者投诉网购{p}与宣传不符，平台客服推诿不处理。",
        "{b}教育机构停课，家长集体维权要求退费。",
        "12345接到市民反映{s}商户拒收现金，相关部门已介入。",
        "直播带货销售的{p}存在虚假宣传，消费者要求三倍赔偿。",
    ),
    "谣言辟谣": (
        "网传{r}自来水被污染不能饮用，经核实系谣言。",
        "{r}市场监管局辟谣：网传{b}牌{f}含有致癌物质的说法不实。",
        "近日有网友发布视频称{s}超市销售塑料大米，官方回应视频为摆拍。",
        "请广大网民不信谣、不传谣，以官方发布信息为准。",
        "关于{r}{p}爆炸致多人死亡的消息，当地应急管理部门表示为不实信息。",
        "网传{c}老板卷款跑路，公司回应称经营正常。",
    ),
}
CHATTER = (
    "今天{r}又下雨了，出门记得带伞。",
    "周末去{s}那家新开的火锅店排了两个小时队，味道还行。",
    "早高峰{s}堵得水泄不通，上班又要迟到了。",
    "昨晚的球赛太精彩了，最后{n}分钟绝杀！",
    "{r}的樱花开了，拍了{n}张照片分享给大家。",
    "家里的猫今天把{p}的包装盒拆了，哈哈哈。",
    "演唱会门票{n}分钟就抢光了，黄牛价格翻了好几倍。",
    "求推荐{r}好吃的小吃，周末带孩子去玩。",
    "今天健身打卡第{k}天，坚持就是胜利。",
    "高铁上遇到一位热心的阿姨，分了我{n}个橘子。",
)
TITLES: dict[str, tuple[str, ...]] = {
    "电梯安全": ("{r}一小区电梯故障致{n}人被困", "{r}开展电梯安全专项检查"),
    "食品安全": ("{r}通报{n}批次食品抽检不合格", "{b}牌{f}被曝吃出异物"),
    "产品召回": ("{c}召回{k}辆汽车", "{b}牌{p}启动召回"),
    "假冒伪劣": ("{r}查处假冒{b}牌{p}案", "打假行动{r}立案{n}起"),
    "计量价格": ("{r}菜市场电子秤作弊调查", "{p}价格上涨引关注"),
    "特种设备": ("{r}锅炉爆炸致{n}人受伤", "{r}开展特种设备隐患排查"),
    "消费投诉": ("{r}12315受理投诉{k}件", "预付卡退费难 消费者维权"),
    "谣言辟谣": ("网传{r}自来水污染系谣言", "{r}市场监管局辟谣"),
    "": ("{r}生活随笔", "周末见闻"),
}
OFFICIAL_OPENINGS = (
    "根据《中华人民共和国产品质量法》等规定，现将有关情况通报如下。",
    "为保障人民群众生命财产安全，{r}市场监督管理局作出如下通报。",
    "关于近期网络反映问题的情况说明。",
)
# Keyword -> topic, for analyses of corpus text (the built-in sentences carry their topic).
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "电梯安全": ("电梯", "扶梯"),
    "食品安全": ("食品", "食物中毒", "抽检", "外卖"),
    "产品召回": ("召回", "缺陷"),
    "假冒伪劣": ("假冒", "假货", "打假", "伪劣"),
    "计量价格": ("缺斤短两", "电子秤", "计量", "价格"),
    "特种设备": ("锅炉", "燃气", "压力容器", "游乐设施", "起重", "塔吊"),
    "消费投诉": ("投诉", "12315", "维权", "退费"),
    "谣言辟谣": ("谣言", "辟谣", "网传", "不实"),
}
SENTIMENT_PRIOR = {"": (0.1, 0.55, 0.35), "谣言辟谣": (0.45, 0.45, 0.1)}
DEFAULT_SENTIMENT = (0.55, 0.38, 0.07)  # negative, neutral, positive


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


@dataclass
class Story:
    """A happening many mentions talk about: shared topic, place, brand, time and event id."""

    event_id: str
    topic: str
    region: str
    brand: str
    product: str
    food: str
    company: str
    street: str
    peak: datetime
    spread_hours: float


@dataclass
class CorpusRecord:
    title: str
    sentences: list[str]
    region: str
    platform: str | None


@dataclass
class Batch:
    mentions: list[Mention]
    analyses: list[Analysis | None]  # one per mention: None for those not analysed
    text_bytes: list[int]  # UTF-8 bytes of title + text, per mention

    def tail(self, skip: int) -> Batch:
        """The batch without its first ``skip`` mentions (already stored before a resume)."""
        return Batch(self.mentions[skip:], self.analyses[skip:], self.text_bytes[skip:])


def load_corpus(path: Path) -> list[CorpusRecord]:
    """Records of the demo corpus (JSON lines with ``text``; ``title``, ``region``... optional)."""
    records: list[CorpusRecord] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                continue
            sentences = [s for s in re.split(r"(?<=[。！？!?\n])", item["text"]) if s.strip()]
            if not sentences:
                continue
            channel = str(item.get("platform") or item.get("channel") or "")
            if channel not in PLATFORM_WEIGHTS:
                channel = "weibo" if item.get("weibo") else ""
            records.append(
                CorpusRecord(
                    title=str(item.get("title") or ""),
                    sentences=sentences,
                    region=str(item.get("region") or ""),
                    platform=channel or None,
                )
            )
    return records


def _zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(count)]


class MentionGenerator:
    """Mention ``i`` depends only on the seed and ``i`` (one random stream per batch)."""

    def __init__(self, seed: int, corpus: list[CorpusRecord] | None) -> None:
        self.seed = seed
        self.corpus = corpus or None
        rng = random.Random(f"{seed}:setup")
        self.region_weights = _zipf_weights(len(REGIONS), 0.8)
        self.companies = [
            a + b + industry + "有限公司"
            for a in SYLLABLES
            for b in SYLLABLES
            if a != b
            for industry in INDUSTRIES
        ]
        rng.shuffle(self.companies)
        self.streets = [a + b + suffix for a in SYLLABLES for b in SYLLABLES for suffix in
                        STREET_SUFFIXES if a != b]  # fmt: skip
        rng.shuffle(self.streets)
        names = [s + g1 + g2 for s in SURNAMES for g1 in GIVEN for g2 in GIVEN]
        self.reporters = rng.sample(names, 400)
        self.nicknames = [
            f"{rng.choice(NICK_HEADS)}{rng.choice(NICK_TAILS)}{rng.randrange(10, 9999)}"
            for _ in range(8_000)
        ]
        topics = list(TOPIC_SENTENCES)
        self.stories: list[Story] = []
        for index in range(400):
            self.stories.append(
                Story(
                    event_id=f"evt-{index:04d}",
                    topic=rng.choice(topics),
                    region=rng.choices(REGIONS, self.region_weights)[0],
                    brand=rng.choice(BRANDS),
                    product=rng.choice(PRODUCTS),
                    food=rng.choice(FOODS),
                    company=rng.choice(self.companies),
                    street=rng.choice(self.streets),
                    peak=END - SPAN * rng.random(),
                    spread_hours=rng.expovariate(1 / 30),
                )
            )
        self.story_weights = _zipf_weights(len(self.stories), 0.9)
        self.sources = {
            name: [(source, weight) for source, plat, weight in SOURCES if plat == name]
            for name in PLATFORM_WEIGHTS
        }
        self.hour_weights = [0.3 if h < 7 else 1.4 if 9 <= h <= 22 else 0.8 for h in range(24)]
        self._place = re.compile("|".join(re.escape(r) for r in REGIONS))
        # Numbers, except those of dates and times (2025年, 11月16日, 8时).
        self._digits = re.compile(r"\d+(?![\d年月日号时点])")

    # -- helpers -------------------------------------------------------------------------
    def _slots(self, rng: random.Random, story: Story | None, region: str) -> dict[str, str]:
        def pick(values: Sequence[str], fixed: str | None) -> str:
            return fixed if fixed is not None and rng.random() < 0.85 else rng.choice(values)

        brand = pick(BRANDS, story.brand if story else None)
        product = pick(PRODUCTS, story.product if story else None)
        if rng.random() < 0.0005:
            brand = RARE_BRAND
        if rng.random() < 0.0005:
            product = RARE_PRODUCT
        return {
            "r": region,
            "s": pick(self.streets, story.street if story else None),
            "b": brand,
            "p": product,
            "f": pick(FOODS, story.food if story else None),
            "c": pick(self.companies, story.company if story else None),
        }

    def _time(self, rng: random.Random, story: Story | None) -> datetime:
        if story is not None:
            offset = timedelta(hours=rng.expovariate(1 / max(story.spread_hours, 1.0)))
            when = story.peak + offset - timedelta(hours=rng.random() * 3)
            if END - SPAN <= when < END:
                return when.replace(microsecond=rng.randrange(1_000_000))
        day = (END - SPAN + timedelta(days=rng.randrange(365))).replace(hour=0, minute=0)
        hour = rng.choices(range(24), self.hour_weights)[0]
        local = day + timedelta(hours=hour, seconds=rng.randrange(3600))
        return (local - SHANGHAI).replace(microsecond=rng.randrange(1_000_000))

    @staticmethod
    def _fill(rng: random.Random, template: str, slots: dict[str, str]) -> str:
        """``template`` with the mention's names and fresh numbers, dates and model codes."""
        return template.format(
            **slots,
            m=f"{chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}-"
            f"{rng.randrange(100, 9999)}",
            d=f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日",
            n=rng.randrange(2, 60),
            n2=rng.randrange(10, 95),
            k=rng.randrange(100, 99_999),
        )

    def _builtin_text(
        self, rng: random.Random, topic: str, platform: str, slots: dict[str, str]
    ) -> tuple[str, str]:
        pool = TOPIC_SENTENCES[topic] if topic else CHATTER
        if platform == "weibo":
            count = rng.choice((1, 1, 2, 2, 3))
        elif platform == "official":
            count = rng.randrange(3, 6)
        else:
            count = rng.randrange(3, 8)
        chosen = [self._fill(rng, t, slots) for t in rng.sample(pool, min(count, len(pool)))]
        if topic and rng.random() < 0.25:  # other topics and chatter leak in
            other = rng.choice([*TOPIC_SENTENCES.values(), CHATTER])
            chosen.insert(rng.randrange(len(chosen) + 1), self._fill(rng, rng.choice(other), slots))
        if platform == "official":
            chosen.insert(0, self._fill(rng, rng.choice(OFFICIAL_OPENINGS), slots))
        title = "" if platform == "weibo" else self._fill(rng, rng.choice(TITLES[topic]), slots)
        return title, "".join(chosen)

    def _corpus_text(
        self, rng: random.Random, region: str, slots: dict[str, str]
    ) -> tuple[str, str, str | None]:
        assert self.corpus is not None
        record = rng.choice(self.corpus)
        kept = [s for s in record.sentences if rng.random() < 0.8] or record.sentences[:1]
        if len(kept) > 2 and rng.random() < 0.3:
            middle = kept[1:-1]
            rng.shuffle(middle)
            kept = [kept[0], *middle, kept[-1]]
        if rng.random() < 0.4:
            other = rng.choice(self.corpus).sentences
            kept.insert(rng.randrange(len(kept) + 1), rng.choice(other))
        if rng.random() < 0.3:
            pool = rng.choice(list(TOPIC_SENTENCES.values()))
            kept.append(self._fill(rng, rng.choice(pool), slots))
        text = "".join(kept)
        title = record.title
        places = [record.region] if record.region else []
        for place in places:
            text, title = text.replace(place, region), title.replace(place, region)
        text = self._place.sub(region, text).replace(region + region, region)

        def number(match: re.Match[str]) -> str:
            value = match.group(0)
            if value in ("12315", "12345", "3") or len(value) > 6:
                return value
            return str(rng.randrange(10 ** (len(value) - 1) if len(value) > 1 else 1,
                                     10 ** len(value)))  # fmt: skip

        return self._place.sub(region, title), self._digits.sub(number, text), record.platform

    @staticmethod
    def _classify(text: str) -> list[str]:
        found = [t for t, words in TOPIC_KEYWORDS.items() if any(w in text for w in words)]
        return found[:2]

    # -- one batch -----------------------------------------------------------------------
    def batch(self, index: int, start: int, stop: int) -> Batch:
        rng = random.Random(f"{self.seed}:{GENERATOR_VERSION}:batch:{index}")
        mentions: list[Mention] = []
        analyses: list[Analysis | None] = []
        text_bytes: list[int] = []
        platforms = list(PLATFORM_WEIGHTS)
        platform_weights = list(PLATFORM_WEIGHTS.values())
        for number in range(start, stop):
            story = (
                rng.choices(self.stories, self.story_weights)[0] if rng.random() < 0.45 else None
            )
            plat = rng.choices(platforms, platform_weights)[0]
            if story is not None:
                topic = story.topic
                region = story.region if rng.random() < 0.8 else rng.choice(REGIONS)
            else:
                chatter = 0.35 if plat == "weibo" else 0.04
                topic = "" if rng.random() < chatter else rng.choice(list(TOPIC_SENTENCES))
                region = rng.choices(REGIONS, self.region_weights)[0]
            slots = self._slots(rng, story, region)
            if self.corpus is not None:
                title, text, corpus_platform = self._corpus_text(rng, region, slots)
                plat = corpus_platform or plat
                topics = self._classify(title + text)
            else:
                title, text = self._builtin_text(rng, topic, plat, slots)
                topics = [topic] if topic else []
            if rng.random() < 0.0002:
                text += f"{RARE_PLACE}{slots['s']}附近也有居民反映类似情况。"
            sources = self.sources[plat]
            source = rng.choices([s for s, _ in sources], [w for _, w in sources])[0]
            kinds = KINDS[plat]
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            published = self._time(rng, story)
            metrics: dict[str, Any] = {}
            extra: dict[str, Any] = {}
            if plat == "weibo":
                author = rng.choice(self.nicknames)
                metrics = {
                    "reposts": int(rng.paretovariate(1.2)) - 1,
                    "comments": int(rng.paretovariate(1.3)) - 1,
                    "likes": int(rng.paretovariate(1.1)) - 1,
                    "followers": int(rng.paretovariate(0.8) * 50),
                    "verified": rng.random() < 0.08,
                }
                if topics and rng.random() < 0.5:
                    extra["hashtags"] = [topics[0]]
                    text = f"#{topics[0]}#{text}"
                if kind == "repost":
                    text = "转发微博 " + text
                elif kind == "comment":
                    text = f"回复@{rng.choice(self.nicknames)}：{text}"
            elif plat == "official":
                author = source
                extra["doc_type"] = "辟谣" if kind == "debunk" else "通报"
            else:
                author = rng.choice(self.reporters)
            mention_id = stable_id("bench", str(self.seed), str(number))
            mentions.append(
                Mention(
                    id=mention_id,
                    source=source,
                    platform=plat,
                    kind=kind,
                    url=f"https://{source}.example.cn/{published:%Y/%m%d}/{number}.html",
                    title=title,
                    text=text,
                    published_at=published,
                    fetched_at=published + timedelta(minutes=rng.randrange(1, 240)),
                    author=author,
                    region=region,
                    metrics=metrics,
                    extra=extra,
                )
            )
            text_bytes.append(len(title.encode()) + len(text.encode()) + 1)
            analysed = rng.random() < ANALYSED_SHARE
            analyses.append(
                self._analysis(rng, mention_id, plat, topic, topics, story, published)
                if analysed
                else None
            )
        return Batch(mentions, analyses, text_bytes)

    @staticmethod
    def _analysis(
        rng: random.Random,
        mention_id: str,
        plat: str,
        topic: str,
        topics: list[str],
        story: Story | None,
        published: datetime,
    ) -> Analysis:
        relevant = bool(topics) and rng.random() < 0.9
        prior = SENTIMENT_PRIOR.get(topic, DEFAULT_SENTIMENT)
        sentiment = rng.choices(("negative", "neutral", "positive"), prior)[0]
        rumor = None
        if plat == "weibo" or topic == "谣言辟谣":
            rumor = round(rng.betavariate(1.3, 4.0 if topic != "谣言辟谣" else 1.5), 3)
        return Analysis(
            mention_id=mention_id,
            relevant=relevant,
            relevance=round(rng.random() * (1.0 if relevant else 0.4), 3),
            topics=topics if relevant else [],
            sentiment=sentiment,
            rumor_score=rumor,
            event_id=story.event_id if story is not None and relevant else None,
            severity=rng.choice(("一般", "较大")) if relevant and rng.random() < 0.05 else None,
            reasons=[Reason(kind="term", text=topics[0], weight=0.5)] if topics else [],
            analyzed_at=published + timedelta(minutes=rng.randrange(1, 30)),
        )


# ---------------------------------------------------------------------------------------------
# Generation driver: resumable, with progress
# ---------------------------------------------------------------------------------------------


@dataclass
class Progress:
    """What ``PATH.bench.json`` records after every batch."""

    generator: int
    seed: int
    batch_size: int
    corpus: str
    mentions_done: int = 0
    analyses_done: int = 0
    text_bytes: int = 0
    generate_s: float = 0.0
    upsert_mentions_s: float = 0.0
    segment_s: float = 0.0
    upsert_analyses_s: float = 0.0
    sessions: int = 0
    as_is: bool = False
    workarounds: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Progress | None:
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(vars(self), indent=1), encoding="utf-8")
        os.replace(tmp, path)


class SegmentTimer:
    """Times jieba inside ``upsert_mentions`` by wrapping the name the archive module calls."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original = archive_sqlite.index_tokens

    def __enter__(self) -> SegmentTimer:
        original = self._original

        def timed(text: str) -> list[str]:
            started = time.perf_counter()
            try:
                return original(text)
            finally:
                self.seconds += time.perf_counter() - started

        archive_sqlite.index_tokens = timed
        return self

    def __exit__(self, *exc: object) -> None:
        archive_sqlite.index_tokens = self._original


TOPIC_INDEX = "bench_mention_topics_by_rowid"
TOPIC_INDEX_NOTE = (
    f"benchmark-side index {TOPIC_INDEX} ON mention_topics(mention_rowid): without it "
    "upsert_analyses scans all of mention_topics for every analysis (quadratic; pass --as-is)"
)


def has_topic_rowid_index(conn: sqlite3.Connection) -> bool:
    """Whether some index on mention_topics starts with mention_rowid."""
    for row in conn.execute("PRAGMA index_list(mention_topics)").fetchall():
        columns = conn.execute(f"PRAGMA index_info({_quote(row[1])})").fetchall()
        if columns and columns[0][2] == "mention_rowid":
            return True
    return False


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def apply_workarounds(db: Path, progress: Progress, as_is: bool, log: TextIO) -> None:
    """Add the one index the archive lacks for bulk analyses, unless measuring as shipped."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        if as_is or has_topic_rowid_index(conn):
            return
        conn.execute(f"CREATE INDEX {TOPIC_INDEX} ON mention_topics (mention_rowid)")
        if TOPIC_INDEX_NOTE not in progress.workarounds:
            progress.workarounds.append(TOPIC_INDEX_NOTE)
        print(f"[generate] note: {TOPIC_INDEX_NOTE}", file=log, flush=True)
    finally:
        conn.close()


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"


def generate(
    db: Path,
    total: int,
    generator: MentionGenerator,
    progress: Progress,
    as_is: bool,
    log: TextIO,
) -> Progress:
    """Insert mentions ``progress.mentions_done`` .. ``total``, saving progress per batch."""
    sidecar = _sidecar(db)
    if progress.mentions_done >= total:
        return progress
    progress.sessions += 1
    first = progress.mentions_done
    batch_size = progress.batch_size
    started = time.perf_counter()
    last_report = 0.0
    ensure_loaded()
    with open_archive(db) as store, SegmentTimer() as timer:
        apply_workarounds(db, progress, as_is, log)
        for index in range(first // batch_size, math.ceil(total / batch_size)):
            lo, hi = index * batch_size, min(total, (index + 1) * batch_size)
            t0 = time.perf_counter()
            # After a resume the first batch may be partly stored: only its tail is new.
            batch = generator.batch(index, lo, hi).tail(max(0, progress.mentions_done - lo))
            analyses = [item for item in batch.analyses if item is not None]
            t1 = time.perf_counter()
            segment_before = timer.seconds
            store.upsert_mentions(batch.mentions)
            t2 = time.perf_counter()
            store.upsert_analyses(analyses)
            t3 = time.perf_counter()
            progress.generate_s += t1 - t0
            progress.upsert_mentions_s += t2 - t1
            progress.segment_s += timer.seconds - segment_before
            progress.upsert_analyses_s += t3 - t2
            progress.text_bytes += sum(batch.text_bytes)
            progress.analyses_done += len(analyses)
            progress.mentions_done = hi
            progress.save(sidecar)
            now = time.perf_counter()
            if now - last_report >= 5 or hi == total:
                last_report = now
                done = hi - first
                rate = done / (now - started)
                busy = progress.generate_s + progress.upsert_mentions_s
                busy += progress.upsert_analyses_s
                seg = progress.segment_s / busy if busy else 0.0
                sql = (progress.upsert_mentions_s - progress.segment_s) / busy if busy else 0.0
                sql_a = progress.upsert_analyses_s / busy if busy else 0.0
                print(
                    f"[generate] {hi:>10,}/{total:,} {100 * hi / total:5.1f}%  {rate:,.0f}/s  "
                    f"ETA {_duration((total - hi) / rate)}  time: jieba {100 * seg:.0f}%, "
                    f"sqlite+python {100 * sql:.0f}%, analyses {100 * sql_a:.0f}%, "
                    f"generation {100 * progress.generate_s / busy if busy else 0:.0f}%",
                    file=log,
                    flush=True,
                )
    return progress


def _sidecar(db: Path) -> Path:
    return db.with_name(db.name + ".bench.json")


def _archive_files(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), _sidecar(db)]


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


@dataclass
class QuerySpec:
    name: str
    request: SearchRequest

    @property
    def has_text(self) -> bool:
        return parse_query(self.request.query).has_text

    def describe(self) -> str:
        parts = [self.request.query] if self.request.query else []
        f = self.request.filters
        if f.since is not None:
            parts.append(f"since -{(END - f.since).days}d")
        if f.until is not None:
            parts.append(f"until -{(END - f.until).days}d")
        for label, values in (
            ("source", f.sources), ("platform", f.platforms), ("kind", f.kinds),
            ("topic", f.topics), ("event", f.events), ("sentiment", f.sentiments),
            ("region", f.regions), ("author", f.authors),
        ):  # fmt: skip
            if values:
                parts.append(f"{label}={'|'.join(values)}")
        if f.rumor_min is not None:
            parts.append(f"rumor>={f.rumor_min}")
        if f.rumor_max is not None:
            parts.append(f"rumor<={f.rumor_max}")
        return " ".join(parts) or "(everything)"


def query_specs() -> list[QuerySpec]:
    """Thirty searches: common, rare and absent words, phrases, OR, exclusion; with filters."""
    d7, d30, d90 = END - timedelta(days=7), END - timedelta(days=30), END - timedelta(days=90)

    def q(name: str, query: str = "", **filters: Any) -> QuerySpec:
        return QuerySpec(name, SearchRequest(query=query, filters=SearchFilters(**filters)))

    return [
        q("common word", "电梯"),
        q("two common words", "电梯 被困"),
        q("phrase", '"电梯突发故障"'),
        q("common compound", "食品安全"),
        q("OR", "召回 OR 缺陷"),
        q("exclusion", "投诉 -健身房"),
        q("two words, co-occurring", "燃气 爆炸"),
        q("rare brand (jieba splits 鑫达牌)", RARE_BRAND),
        q("rare place", RARE_PLACE),
        q("rare product", RARE_PRODUCT),
        q("absent word", "量子纠缠"),
        q("chatter word", "外卖"),
        q("filter only: platform", platforms=["weibo"]),
        q("filter only: last 7 days", since=d7),
        q("word + last 30 days", "电梯", since=d30),
        q("word + platform", "食品", platforms=["weibo"]),
        q("words + source", "抽检 不合格", sources=["samr-notices"]),
        q("word + topic", "召回", topics=["产品召回"]),
        q("word + sentiment", "投诉", sentiments=["negative"]),
        q("word + region", "电梯", regions=["江州市"]),
        q("OR + rumour score", "谣言 OR 辟谣", rumor_min=0.6),
        q("word + platform + 90 days", "质量", platforms=["official"], since=d90),
        q("field syntax in query", "锅炉 platform:news"),
        q("excluded field", "电梯 -platform:weibo"),
        q("OR + sentiment + 30 days", "价格 OR 涨价", sentiments=["negative"], since=d30),
        q("rare word + platform", f"{RARE_PLACE} platform:weibo"),
        q("phrase, official text", '"特种设备安全"'),
        q("filter only: topic + 30 days", topics=["食品安全"], since=d30),
        q("filter only: region + sentiment", regions=["临川区"], sentiments=["negative"]),
        q("filter only: event", events=["evt-0007"]),
    ]


_FILTER_LISTS = {
    "source": "sources", "platform": "platforms", "kind": "kinds", "topic": "topics",
    "event": "events", "sentiment": "sentiments", "region": "regions", "author": "authors",
}  # fmt: skip
_LIKE_COLUMNS = {
    "sources": "m.source", "platforms": "m.platform", "kinds": "m.kind", "regions": "m.region",
    "authors": "m.author", "events": "a.event_id", "sentiments": "a.sentiment",
}  # fmt: skip


def like_where(request: SearchRequest) -> tuple[str, list[Any]]:
    """The naive equivalent of ``request``: substring LIKE on title and text, same filters."""
    parsed = parse_query(request.query)
    conditions: list[str] = []
    params: list[Any] = []

    def contains(term: str) -> str:
        if any(ch in term for ch in "%_\\"):
            raise ValueError(f"benchmark words must not contain LIKE wildcards: {term!r}")
        params.extend([f"%{term}%", f"%{term}%"])
        return "(m.title LIKE ? OR m.text LIKE ?)"

    for group in parsed.groups:
        conditions.append("(" + " OR ".join(contains(term.text) for term in group) + ")")
    for term in parsed.excluded:
        conditions.append("NOT " + contains(term.text))
    filters = copy.deepcopy(request.filters)
    for item in parsed.filters:
        getattr(filters, _FILTER_LISTS[item.field]).append(item.value)
    if filters.since is not None:
        conditions.append("m.published_at >= ?")
        params.append(archive_sqlite.rowid_floor(filters.since))
    if filters.until is not None:
        conditions.append("m.published_at < ?")
        params.append(archive_sqlite.rowid_floor(filters.until))
    for name, column in _LIKE_COLUMNS.items():
        values = getattr(filters, name)
        if values:
            conditions.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if filters.topics:
        marks = ", ".join("?" for _ in filters.topics)
        conditions.append(
            f"m.rowid IN (SELECT mention_rowid FROM mention_topics WHERE topic IN ({marks}))"
        )
        params.extend(filters.topics)
    if filters.rumor_min is not None:
        conditions.append("a.rumor_score >= ?")
        params.append(filters.rumor_min)
    if filters.rumor_max is not None:
        conditions.append("a.rumor_score <= ?")
        params.append(filters.rumor_max)
    for item in parsed.excluded_filters:
        if item.field == "topic":
            conditions.append(
                "m.rowid NOT IN (SELECT mention_rowid FROM mention_topics WHERE topic = ?)"
            )
        else:
            column = _LIKE_COLUMNS[_FILTER_LISTS[item.field]]
            conditions.append(f"coalesce({column}, '') != ?")
        params.append(item.value)
    sql = "FROM mentions m LEFT JOIN analyses a ON a.mention_rowid = m.rowid"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return sql, params


def like_search(conn: sqlite3.Connection, request: SearchRequest) -> int:
    sql, params = like_where(request)
    conn.execute(
        f"SELECT m.rowid, m.id, m.title, m.text, m.source, m.platform, m.published_at, "
        f"a.sentiment, a.rumor_score {sql} ORDER BY m.published_at DESC LIMIT 20",
        params,
    ).fetchall()
    return int(conn.execute(f"SELECT count(*) {sql}", params).fetchone()[0])


def like_facets_histogram(conn: sqlite3.Connection, request: SearchRequest) -> None:
    """The same four queries the archive runs for facets + histogram, over LIKE matches."""
    sql, params = like_where(request)
    conn.execute(
        f"SELECT m.source, m.platform, m.kind, m.region, count(*) {sql} GROUP BY 1, 2, 3, 4",
        params,
    ).fetchall()
    conn.execute(f"SELECT a.sentiment, count(*) {sql} GROUP BY 1", params).fetchall()
    conn.execute(
        "SELECT t.topic, count(*) FROM mention_topics t WHERE t.mention_rowid IN "
        f"(SELECT m.rowid {sql}) GROUP BY 1",
        params,
    ).fetchall()
    conn.execute(
        f"SELECT (m.published_at + {SHANGHAI_US}) / {DAY_US}, count(*) {sql} GROUP BY 1",
        params,
    ).fetchall()


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


@dataclass
class Timed:
    ms: float  # median of the timed runs
    runs: int
    value: Any = None


def measure(action: Callable[[], Any], repeats: int, warmup: bool = True) -> Timed:
    """One warm-up, then ``repeats`` runs; a warm-up slower than 2 s is the only run."""
    value: Any = None
    samples: list[float] = []
    if warmup:
        started = time.perf_counter()
        value = action()
        first = time.perf_counter() - started
        if first > 2.0:
            return Timed(first * 1000, 1, value)
    for _ in range(repeats):
        started = time.perf_counter()
        value = action()
        samples.append(time.perf_counter() - started)
    return Timed(statistics.median(samples) * 1000, len(samples), value)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 30 values is the 29th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.5), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2) if values else float("nan"),
    }


@dataclass
class QueryResult:
    spec: QuerySpec
    total: int = 0
    total_exact: bool = True
    search: Timed | None = None
    relevance: Timed | None = None
    facets: Timed | None = None
    histogram: Timed | None = None
    like_total: int | None = None
    like_search: Timed | None = None
    like_facets: Timed | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def facets_histogram_ms(self) -> float:
        assert self.facets is not None and self.histogram is not None
        return self.facets.ms + self.histogram.ms


def run_queries(
    store: Archive, specs: list[QuerySpec], repeats: int, log: TextIO
) -> list[QueryResult]:
    results: list[QueryResult] = []
    for number, spec in enumerate(specs, 1):
        result = QueryResult(spec)
        request = replace(spec.request, limit=20)
        result.search = measure(functools.partial(store.search, request), repeats)
        result.total = result.search.value.total
        result.total_exact = result.search.value.total_exact
        if spec.has_text:
            by_rank = replace(request, sort="relevance")
            result.relevance = measure(functools.partial(store.search, by_rank), repeats)
        result.facets = measure(functools.partial(store.facets, request, FACET_FIELDS), repeats)
        result.histogram = measure(functools.partial(store.histogram, request, "day"), repeats)
        results.append(result)
        print(
            f"[fts] {number:>2}/{len(specs)} {spec.name}: search {result.search.ms:.1f} ms, "
            f"facets+histogram {result.facets_histogram_ms:.1f} ms",
            file=log,
            flush=True,
        )
    return results


def run_like(
    db: Path, results: list[QueryResult], count: int, repeats: int, log: TextIO
) -> list[QueryResult]:
    """Time the LIKE baseline on the first ``count`` queries (spread over the list)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA mmap_size = 268435456")
    # Read the table once so the first timed query is not the one that warms the cache.
    conn.execute("SELECT count(*) FROM mentions WHERE text LIKE '%热身%'").fetchone()
    step = max(1, len(results) / max(1, count))
    chosen = sorted({int(i * step) for i in range(min(count, len(results)))})
    picked = [results[i] for i in chosen]
    for number, result in enumerate(picked, 1):
        request = replace(result.spec.request, limit=20)
        timed = measure(functools.partial(like_search, conn, request), repeats, repeats > 1)
        result.like_search = timed
        result.like_total = int(timed.value)
        result.like_facets = measure(
            functools.partial(like_facets_histogram, conn, request), repeats, repeats > 1
        )
        print(
            f"[like] {number:>2}/{len(picked)} {result.spec.name}: search "
            f"{result.like_search.ms:.0f} ms, facets+histogram {result.like_facets.ms:.0f} ms",
            file=log,
            flush=True,
        )
    conn.close()
    return picked


# ---------------------------------------------------------------------------------------------
# Size
# ---------------------------------------------------------------------------------------------


def measure_size(db: Path, mentions: int) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    wal = db.with_name(db.name + "-wal")
    file_bytes = db.stat().st_size
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    objects: dict[str, int] = {}
    try:
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            objects[name] = int(size)
    except sqlite3.OperationalError:  # SQLite built without dbstat
        pass
    conn.close()
    total = file_bytes + wal_bytes
    return {
        "file_bytes": file_bytes,
        "wal_bytes": wal_bytes,
        "bytes_per_mention": round(total / mentions, 1) if mentions else 0.0,
        "objects": dict(sorted(objects.items(), key=lambda item: -item[1])),
    }


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _ms(timed: Timed | None) -> str:
    if timed is None:
        return "-"
    return f"{timed.ms:,.1f}" if timed.ms < 1000 else f"{timed.ms:,.0f}"


def _verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "FAIL"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-1]
    return text + " " * (width - _width(text))


def report(
    args: argparse.Namespace,
    db: Path,
    progress: Progress,
    generated_now: bool,
    size: dict[str, Any],
    results: list[QueryResult],
    like_results: list[QueryResult],
    like_repeats: int,
    kept: bool,
    load: tuple[float, float],
    out: TextIO,
) -> dict[str, Any]:
    n = progress.mentions_done
    busy = progress.upsert_mentions_s + progress.upsert_analyses_s
    sqlite_s = progress.upsert_mentions_s - progress.segment_s
    insert = {
        "mentions": n,
        "analyses": progress.analyses_done,
        "measured_in_this_run": generated_now,
        "resumed_sessions": progress.sessions,
        "text_mb": round(progress.text_bytes / 1e6, 1),
        "generate_s": round(progress.generate_s, 1),
        "upsert_mentions_s": round(progress.upsert_mentions_s, 1),
        "jieba_s": round(progress.segment_s, 1),
        "sqlite_and_python_s": round(sqlite_s, 1),
        "upsert_analyses_s": round(progress.upsert_analyses_s, 1),
        "mentions_per_s": round(n / progress.upsert_mentions_s, 1)
        if progress.upsert_mentions_s
        else None,
        "mentions_per_s_with_analyses": round(n / busy, 1) if busy else None,
        "sqlite_mentions_per_s": round(n / sqlite_s, 1) if sqlite_s > 0 else None,
        "jieba_mb_per_s": round(progress.text_bytes / 1e6 / progress.segment_s, 2)
        if progress.segment_s
        else None,
    }
    search_ms = [r.search.ms for r in results if r.search]
    relevance_ms = [r.relevance.ms for r in results if r.relevance]
    fh_ms = [r.facets_histogram_ms for r in results]
    facets_ms = [r.facets.ms for r in results if r.facets]
    hist_ms = [r.histogram.ms for r in results if r.histogram]
    search_ratio = [
        r.like_search.ms / r.search.ms for r in like_results if r.like_search and r.search
    ]
    fh_ratio = [r.like_facets.ms / r.facets_histogram_ms for r in like_results if r.like_facets]
    like_search_ms = [r.like_search.ms for r in like_results if r.like_search]
    like_fh_ms = [r.like_facets.ms for r in like_results if r.like_facets]

    w = out.write
    w("\n=== Yuqing archive benchmark ===\n")
    w(
        f"archive {db}  ({n:,} mentions, {progress.analyses_done:,} analyses; corpus: "
        f"{progress.corpus})\n"
        f"machine: {os.cpu_count()} CPUs, Python {platform_module.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}; timings are warm page cache, one warm-up + "
        f"{args.repeats} runs per query (median), a warm-up slower than 2 s is the only run\n"
        f"1-minute load average {load[0]:.2f} before the queries, {load[1]:.2f} after "
        "(other work on the machine inflates every figure)\n"
    )
    for note in progress.workarounds:
        w(f"NOTE: {note}\n")
    w(f"\n-- insert (upsert_mentions in batches of {progress.batch_size:,}) --\n")
    if not generated_now:
        w("(archive reused: insert figures are those recorded when it was generated)\n")
    w(
        f"text segmented       {insert['text_mb']:,} MB ({progress.text_bytes / max(n, 1):.0f} "
        f"bytes of title+text per mention)\n"
        f"upsert_mentions      {insert['upsert_mentions_s']:,} s  -> "
        f"{insert['mentions_per_s'] or 0:,.0f} mentions/s\n"
        f"  of which jieba     {insert['jieba_s']:,} s  ({insert['jieba_mb_per_s']} MB/s)\n"
        f"  of which SQLite+py {insert['sqlite_and_python_s']:,} s  -> "
        f"{insert['sqlite_mentions_per_s'] or 0:,.0f} mentions/s without segmentation\n"
        f"upsert_analyses      {insert['upsert_analyses_s']:,} s for "
        f"{progress.analyses_done:,} analyses\n"
        f"overall              {insert['mentions_per_s_with_analyses'] or 0:,.0f} mentions/s "
        f"including analyses (generation {insert['generate_s']} s not counted)\n"
    )
    w("\n-- size (after PRAGMA wal_checkpoint(TRUNCATE)) --\n")
    w(
        f"file {size['file_bytes'] / 1e6:,.1f} MB + WAL {size['wal_bytes'] / 1e6:,.1f} MB = "
        f"{size['bytes_per_mention']:,} bytes per mention\n"
    )
    fts = sum(v for k, v in size["objects"].items() if k.startswith("mention_fts"))
    w(f"  {'mention_fts_* together':<36} {fts / 1e6:9,.1f} MB  {fts / max(n, 1):7,.0f} B/mention\n")
    for name, value in list(size["objects"].items())[:10]:
        w(f"  {name:<36} {value / 1e6:9,.1f} MB  {value / max(n, 1):7,.0f} B/mention\n")

    w(f"\n-- per query (ms; totals above {TOTAL_HITS_LIMIT:,} are lower bounds) --\n")
    header = (
        f"{'#':>2} {_pad('query', 44)} {'total':>7} {'search':>8} {'relev.':>8} "
        f"{'facets':>8} {'hist':>7} {'LIKE n':>7} {'LIKE s':>8} {'LIKE f+h':>9}\n"
    )
    w(header)
    for number, r in enumerate(results, 1):
        total = f"{r.total:,}{'' if r.total_exact else '+'}"
        like_n = "-" if r.like_total is None else f"{r.like_total:,}"
        w(
            f"{number:>2} {_pad(r.spec.describe(), 44)} {total:>7} {_ms(r.search):>8} "
            f"{_ms(r.relevance):>8} {_ms(r.facets):>8} {_ms(r.histogram):>7} {like_n:>7} "
            f"{_ms(r.like_search):>8} {_ms(r.like_facets):>9}\n"
        )
    search_s, relevance_s, fh_s = summary(search_ms), summary(relevance_ms), summary(fh_ms)
    w(f"\n-- summary over {len(results)} queries --\n")
    w(f"{'':<32} {'p50':>9} {'p95':>9} {'max':>9}   target\n")

    def line(label: str, figures: dict[str, float], target: str = "") -> None:
        w(
            f"{label:<32} {figures['p50_ms']:>9,.1f} {figures['p95_ms']:>9,.1f} "
            f"{figures['max_ms']:>9,.1f}   {target}\n"
        )

    line(
        "search (time order, top 20)",
        search_s,
        f"p95 < {TARGET_SEARCH_P95_MS:.0f} ms: "
        + _verdict(search_s["p95_ms"], TARGET_SEARCH_P95_MS),
    )
    line(f"search sort=relevance ({len(relevance_ms)} q)", relevance_s)
    line("facets (6 fields)", summary(facets_ms))
    line("histogram (day)", summary(hist_ms))
    line(
        "facets + histogram",
        fh_s,
        f"p95 < {TARGET_FACETS_MS:.0f} ms: {_verdict(fh_s['p95_ms'], TARGET_FACETS_MS)}",
    )
    like_note = f"LIKE baseline on {len(like_results)} of {len(results)} queries, "
    like_note += f"{like_repeats} run(s) each"
    if len(like_results) < len(results):
        like_note += " (a subset: every LIKE query scans the whole table)"
    if like_results:
        line("LIKE search + count(*)", summary(like_search_ms))
        line("LIKE facets + histogram", summary(like_fh_ms))
        w(
            f"LIKE / FTS time ratio (p50)     search {percentile(search_ratio, 0.5):,.1f}x, "
            f"facets+histogram {percentile(fh_ratio, 0.5):,.1f}x   [{like_note}]\n"
        )
    slow = sorted(results, key=lambda r: -(r.search.ms if r.search else 0))[:3]
    w("slowest searches: " + "; ".join(
        f"{r.spec.describe()} {_ms(r.search)} ms" for r in slow) + "\n")  # fmt: skip
    slow = sorted(results, key=lambda r: -r.facets_histogram_ms)[:3]
    w("slowest facets+histogram: " + "; ".join(
        f"{r.spec.describe()} {r.facets_histogram_ms:,.0f} ms" for r in slow) + "\n")  # fmt: skip

    return {
        "benchmark": "archive",
        "mentions": n,
        "db": str(db),
        "kept": kept,
        "load_average_1m": {"before_queries": load[0], "after": load[1]},
        "corpus": progress.corpus,
        "workarounds": progress.workarounds,
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "insert": insert,
        "size": size,
        "queries": len(results),
        "search": search_s,
        "search_relevance": relevance_s,
        "facets": summary(facets_ms),
        "histogram": summary(hist_ms),
        "facets_histogram": fh_s,
        "like": {
            "queries": len(like_results),
            "runs_per_query": like_repeats,
            "search": summary(like_search_ms) if like_search_ms else None,
            "facets_histogram": summary(like_fh_ms) if like_fh_ms else None,
            "search_ratio_p50": round(percentile(search_ratio, 0.5), 1) if search_ratio else None,
            "facets_histogram_ratio_p50": round(percentile(fh_ratio, 0.5), 1) if fh_ratio else None,
        },
        "targets": {
            "search_p95_ms": TARGET_SEARCH_P95_MS,
            "search_p95_pass": search_s["p95_ms"] < TARGET_SEARCH_P95_MS,
            "facets_histogram_ms": TARGET_FACETS_MS,
            "facets_histogram_p95_pass": fh_s["p95_ms"] < TARGET_FACETS_MS,
        },
        "per_query": [
            {
                "query": r.spec.describe(),
                "shape": r.spec.name,
                "total": r.total,
                "total_exact": r.total_exact,
                "search_ms": round(r.search.ms, 2) if r.search else None,
                "relevance_ms": round(r.relevance.ms, 2) if r.relevance else None,
                "facets_ms": round(r.facets.ms, 2) if r.facets else None,
                "histogram_ms": round(r.histogram.ms, 2) if r.histogram else None,
                "like_total": r.like_total,
                "like_search_ms": round(r.like_search.ms, 1) if r.like_search else None,
                "like_facets_histogram_ms": round(r.like_facets.ms, 1) if r.like_facets else None,
            }
            for r in results
        ],
    }


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=1_000_000, help="how many (1,000,000)")
    parser.add_argument("--db", type=Path, help="archive to build or reuse (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the archive this run built")
    parser.add_argument("--queries", type=int, default=30, help="how many queries (up to 30)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per query (3)")
    parser.add_argument(
        "--like-queries",
        type=int,
        help="queries for the LIKE baseline (default: all up to 200k mentions, else 10)",
    )
    parser.add_argument(
        "--corpus",
        default=str(DEFAULT_CORPUS),
        help="JSON-lines corpus (default: yuqing/demo/corpus.jsonl when it exists); "
        "'builtin' for the built-in sentences",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="measure the archive exactly as shipped: no benchmark-side index on "
        "mention_topics(mention_rowid) (analyses then load in quadratic time)",
    )
    args = parser.parse_args(argv)
    if args.mentions < 1:
        parser.error("--mentions must be at least 1")
    if not 1 <= args.queries <= len(query_specs()):
        parser.error(f"--queries must be between 1 and {len(query_specs())}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log = sys.stderr
    corpus_path = Path(args.corpus)
    use_corpus = args.corpus != "builtin" and corpus_path.exists()
    corpus = load_corpus(corpus_path) if use_corpus else []
    corpus_name = f"{corpus_path.name} ({len(corpus)} records)" if corpus else "built-in"
    temporary: Path | None = None
    if args.db is None:
        temporary = Path(tempfile.mkdtemp(prefix="yuqing-bench-"))
        db = temporary / "archive.db"
    else:
        db = args.db.resolve()
    sidecar = _sidecar(db)
    progress = Progress.load(sidecar)
    created = progress is None
    if progress is None:
        if db.exists():
            print(f"error: {db} exists but is not a benchmark archive (no {sidecar.name}); "
                  "choose another --db", file=log)  # fmt: skip
            return 2
        db.parent.mkdir(parents=True, exist_ok=True)
        progress = Progress(GENERATOR_VERSION, args.seed, BATCH_SIZE, corpus_name)
        progress.as_is = args.as_is
    elif (progress.generator, progress.seed, progress.corpus) != (
        GENERATOR_VERSION, args.seed, corpus_name,
    ):  # fmt: skip
        print(
            f"error: {db} was generated with other settings ({progress.corpus}, seed "
            f"{progress.seed}, generator {progress.generator}); use another --db",
            file=log,
        )
        return 2
    elif progress.as_is != args.as_is:
        print(
            f"error: {db} was generated {'with' if progress.as_is else 'without'} --as-is; "
            "pass the same or use another --db",
            file=log,
        )
        return 2
    elif progress.mentions_done > args.mentions:
        print(f"error: {db} holds {progress.mentions_done:,} mentions, more than --mentions "
              f"{args.mentions:,}; pass --mentions {progress.mentions_done}", file=log)  # fmt: skip
        return 2
    try:
        generated_now = progress.mentions_done < args.mentions
        if generated_now:
            already = progress.mentions_done
            note = f" (resuming at {already:,})" if already else ""
            print(f"[generate] {args.mentions:,} mentions into {db}{note}; corpus: {corpus_name}",
                  file=log, flush=True)  # fmt: skip
            generator = MentionGenerator(args.seed, corpus)
            progress = generate(db, args.mentions, generator, progress, args.as_is, log)
        else:
            print(f"[generate] reusing {db} ({progress.mentions_done:,} mentions)", file=log)
        size = measure_size(db, progress.mentions_done)
        specs = query_specs()[: args.queries]
        ensure_loaded()
        load_before = os.getloadavg()[0]
        with open_archive(db) as store:
            results = run_queries(store, specs, args.repeats, log)
        like_count = args.like_queries
        if like_count is None:
            like_count = len(specs) if progress.mentions_done <= 200_000 else 10
        like_repeats = args.repeats if progress.mentions_done <= 200_000 else 1
        like_results = run_like(db, results, like_count, like_repeats, log) if like_count else []
        kept = bool(args.keep) or not (created or temporary is not None)
        load = (round(load_before, 2), round(os.getloadavg()[0], 2))
        figures = report(
            args, db, progress, generated_now, size, results, like_results, like_repeats,
            kept, load, sys.stdout,
        )  # fmt: skip
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        if not args.keep and (created or temporary is not None):
            for path in _archive_files(db):
                path.unlink(missing_ok=True)
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)
        elif args.keep:
            print(f"[keep] archive kept at {db}", file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())

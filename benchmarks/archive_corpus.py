"""Deterministic mention generator for the archive benchmark: vocabulary, stories, corpus."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from archive.models import Analysis, Mention, Reason, stable_id

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

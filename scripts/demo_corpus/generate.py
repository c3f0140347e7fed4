"""Generator of the Yuqing demo corpus, ``yuqing/demo/corpus.jsonl``.

The corpus is six days of invented public opinion in the fictional city of 江州市 (Monday
2026-11-16 08:00 to Sunday 08:00, Asia/Shanghai): six quality stories that rise and fall, plus
off-topic chatter. The story text is hand-written in ``material/`` (YAML, validated by
``schema``); this module places it in time, fills the templates (hashtags, emoticons, short
links, daily weather, vegetable prices and market closes, penalty decisions), invents Weibo
engagement and comments, and writes one JSON object per line. Everything random comes from one
``random.Random(20261116)`` drawn in a fixed order, so ``python -m scripts.demo_corpus``
rewrites the file byte for byte, and the tests can regenerate it to check that the committed
file was not edited by hand.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scripts.demo_corpus.schema import AFTER_DEBUNK, Item, Material, Stats, Story, load_material
from scripts.demo_corpus.times import (
    DAY_OF_MONTH,
    SPAN_MINUTES,
    minute_of,
    morning,
    window_bounds,
)

__all__ = ["SPAN_MINUTES", "build_records", "main", "minute_of", "render"]

SEED = 20261116
CORPUS_PATH = Path(__file__).resolve().parents[2] / "yuqing" / "demo" / "corpus.jsonl"

CHANNELS = ("news", "rss", "weibo", "official")
MATERIAL = load_material()
STORIES = tuple(MATERIAL.stories)
DOC_TYPES = ("policy", "interpretation", "penalty", "debunk", "notice")
NEWS_SITES = ("江州日报", "临川新闻网")
RSS_SITE = "民生财经"
OFFICIAL_SITES = ("江州市市场监督管理局", "省市场监督管理局", "网络辟谣平台")
GBK_SITE = "临川新闻网"  # served in GBK, so its text must encode in GBK
PENALTY_SITE = OFFICIAL_SITES[0]  # the city bureau publishes the district decisions too
CHATTER = "chatter"  # the story the daily series belong to

JZRB_REPORTERS = ("宋立平", "郭嘉禾", "何晓东")
LCXW_REPORTERS = ("林锐", "钱小雨", "方晴")
RSS_REPORTERS = ("何睿", "罗一鸣", "潘悦", "胡斐然")

# Vegetable prices per jin and the daily factor on leafy greens (the cold wave is Wed-Thu).
VEG_PRICES = (
    ("青菜", 2.4),
    ("白萝卜", 1.2),
    ("西红柿", 4.6),
    ("土豆", 2.1),
    ("猪肉（前腿）", 13.8),
    ("鸡蛋", 5.3),
)
LEAFY_FACTOR = {"Mon": 1.0, "Tue": 1.05, "Wed": 1.15, "Thu": 1.12, "Fri": 1.03}
# Daily range of the Shanghai index change in percent: the week must close lower (the Friday
# weibo says the weekly candle is negative), so the signs are fixed and only sizes are drawn.
STOCK_RANGES = {
    "Mon": (0.2, 0.6),
    "Tue": (-1.4, -0.9),
    "Wed": (0.2, 0.6),
    "Thu": (-1.0, -0.6),
    "Fri": (0.05, 0.25),
}
STOCK_START = 3412.36


def render_penalty(penalty: dict[str, str]) -> tuple[str, str]:
    """Title and body of an administrative penalty decision in the usual published layout."""
    title = f"{penalty['issuer']}行政处罚决定书（{penalty['docno']}）"
    evidence = penalty["evidence"]
    parts = [
        penalty["docno"],
        f"当事人：{penalty['party']}\n统一社会信用代码：{penalty['uscc']}\n"
        f"{penalty['rep_label']}：{penalty['rep']}\n住所（经营场所）：{penalty['addr']}",
        f"违法事实：{penalty['facts']}上述事实，有{evidence}等证据证实。",
        f"处罚依据：当事人的上述行为违反了{penalty['violated']}的规定，构成{penalty['offense']}。"
        f"{penalty['mitigation']}依据{penalty['basis']}的规定，本局决定对当事人作出如下行政处罚：",
        f"处罚结果：{penalty['result']}",
        "当事人应当自收到本处罚决定书之日起十五日内，将罚没款缴至指定银行。逾期不缴纳罚款的，"
        "本局将依法每日按罚款数额的百分之三加处罚款。",
        f"当事人如不服本处罚决定，可以在收到本处罚决定书之日起六十日内向{penalty['review']}申请"
        "行政复议，也可以在六个月内依法向人民法院提起行政诉讼。",
        f"{penalty['issuer']}\n{penalty['date']}",
    ]
    return title, "\n\n".join(parts)


class CorpusBuilder:
    """Collects records in material order, then sorts them by time and gives them ids."""

    def __init__(self, material: Material, seed: int = SEED) -> None:
        self.m = material
        self.rng = random.Random(seed)
        self.records: list[dict[str, Any]] = []
        self.reposts: dict[int, str] = {}  # record index -> material key of the original
        self.keys: dict[str, int] = {}
        self.followers: dict[str, int] = {}

    # -- records ---------------------------------------------------------------------------
    def add(
        self,
        story: str,
        channel: str,
        offset: int,
        *,
        title: str,
        text: str,
        author: str,
        site: str,
        region: str,
        doc_type: str | None = None,
        weibo: dict[str, Any] | None = None,
        comments: list[dict[str, Any]] | None = None,
        key: str | None = None,
        repost_of: str | None = None,
    ) -> None:
        index = len(self.records)
        self.records.append(
            {
                "id": "",
                "channel": channel,
                "story": story,
                "offset_minutes": offset,
                "title": title,
                "text": text,
                "author": author,
                "site": site,
                "region": region,
                "doc_type": doc_type,
                "weibo": weibo,
                "comments": comments or [],
            }
        )
        if key is not None:
            if key in self.keys:
                raise ValueError(f"duplicate material key {key}")
            self.keys[key] = index
        if repost_of is not None:
            self.reposts[index] = repost_of

    def article(self, story: str, region: str, item: Item) -> None:
        channel = item.channel
        site = RSS_SITE if channel == "rss" else item.site
        assert site is not None and item.title is not None and item.author is not None
        self.add(
            story,
            channel,
            minute_of(item.at),
            title=item.title,
            text=item.text,
            author=item.author,
            site=site,
            region=item.region if item.region is not None else region,
            doc_type=item.doc_type if channel == "official" else None,
            key=item.key,
        )

    def profile(self, name: str) -> dict[str, Any]:
        account = self.m.corpus.accounts.get(name)
        if account is not None:
            verified, verified_type = account.verified, account.verified_type
            followers = account.followers
        else:
            if name not in self.followers:
                self.followers[name] = int(self.rng.lognormvariate(6.0, 1.2)) + 5
            verified, verified_type, followers = False, -1, self.followers[name]
        return {
            "name": name,
            "verified": verified,
            "verified_type": verified_type,
            "followers": followers,
        }

    def comments(
        self,
        material: Story,
        offset: int,
        author: str,
        pools: Sequence[str],
        count: int,
    ) -> list[dict[str, Any]]:
        """Replies after the post; rumour replies written after the debunk acknowledge it."""
        chosen: list[dict[str, Any]] = []
        used: set[str] = set()
        debunk_at = minute_of(material.debunk_at) if material.debunk_at else None
        for _ in range(count):
            at = min(SPAN_MINUTES, offset + 1 + int(self.rng.expovariate(1 / 75)))
            if debunk_at is not None and at >= debunk_at:
                pool = material.comment_pools[AFTER_DEBUNK]
            else:
                pool = material.comment_pools[self.rng.choice(list(pools))]
            fresh = [text for text in pool if text not in used]
            if not fresh:
                continue
            text = self.rng.choice(fresh)
            used.add(text)
            user = self.rng.choice([u for u in self.m.corpus.generic_users if u != author])
            chosen.append({"user": user, "text": text, "offset_minutes": at})
        chosen.sort(key=lambda comment: comment["offset_minutes"])
        return chosen

    def engagement(self, followers: int, n_comments: int) -> tuple[int, int, int]:
        scale = math.log10(followers + 10)
        reposts = int(self.rng.lognormvariate(scale * 1.1 - 2.2, 0.9))
        comments = n_comments + int(self.rng.lognormvariate(scale - 2.0, 0.8))
        likes = int(reposts * self.rng.uniform(1.5, 6.0)) + self.rng.randint(0, 15)
        return reposts, comments, likes

    def weibo_post(
        self,
        story: str,
        material: Story,
        offset: int,
        user: str,
        text: str,
        region: str,
        *,
        key: str | None = None,
        repost_of: str | None = None,
        stats: Stats | None = None,
        pools: Sequence[str] | None = None,
        n_comments: int | None = None,
    ) -> None:
        profile = self.profile(user)
        if n_comments is None:
            n_comments = self.rng.randint(1, 5) if stats else self.rng.randint(0, 3)
        replies = self.comments(material, offset, user, pools or material.fill_pools, n_comments)
        if stats:
            reposts, total, likes = stats.reposts, stats.comments, stats.likes
            total = max(total, len(replies))
        else:
            reposts, total, likes = self.engagement(profile["followers"], len(replies))
        weibo = {
            "user": profile,
            "reposts": reposts,
            "comments": total,
            "likes": likes,
            "retweet_of": None,
        }
        self.add(
            story,
            "weibo",
            offset,
            title="",
            text=text,
            author=user,
            site="weibo",
            region=region,
            weibo=weibo,
            comments=replies,
            key=key,
            repost_of=repost_of,
        )

    # -- templates ---------------------------------------------------------------------------
    def short_link(self) -> str:
        chars = self.m.corpus.short_link_chars
        return "http://t.cn/A6" + "".join(self.rng.choice(chars) for _ in range(6))

    def fill_text(self, material: Story, text: str) -> str:
        if "{tag}" in text:
            text = text.replace("{tag}", self.rng.choice(material.tags))
        if "{emo}" in text:
            text = text.replace("{emo}", self.rng.choice(material.emoticons))
        if "{url}" in text:
            text = text.replace("{url}", self.short_link())
        return text

    # -- stories -----------------------------------------------------------------------------
    def story(self, name: str, material: Story) -> None:
        region = material.region
        for item in material.items:
            if item.channel == "weibo":
                assert item.user is not None
                self.weibo_post(
                    name,
                    material,
                    minute_of(item.at),
                    item.user,
                    item.text,
                    item.region if item.region is not None else region,
                    key=item.key,
                    repost_of=item.repost_of,
                    stats=item.stats,
                    pools=item.pools,
                    n_comments=item.comment_count,
                )
            else:
                self.article(name, region, item)
        for entry in material.penalties:
            penalty = material.penalty(entry)
            title, text = render_penalty(penalty)
            self.add(
                name,
                "official",
                minute_of(penalty["at"]),
                title=title,
                text=text,
                author=penalty["issuer"],
                site=PENALTY_SITE,
                region=region,
                doc_type="penalty",
            )
        fill_region = material.fill_region if material.fill_region is not None else region
        for fill in material.fill:
            offset = self.rng.randint(*window_bounds(fill.window))
            user = self.rng.choice(self.m.corpus.generic_users)
            text = self.fill_text(material, fill.text)
            self.weibo_post(
                name,
                material,
                offset,
                user,
                text,
                fill_region,
                repost_of=fill.repost_of,
            )

    def daily_series(self) -> None:
        """Weather, vegetable prices and market closes: one templated item per day."""
        chatter = self.m.stories[CHATTER]
        daily = self.m.daily
        for weather in daily.weather:
            day, cond, low, high = weather.day, weather.conditions, weather.low, weather.high
            wind, headline, note = weather.wind, weather.headline, weather.note
            text = (
                f"本报讯 记者从江州市气象台获悉，今天（11月{DAY_OF_MONTH[day]}日）我市{cond}，气温"
                f"{low}～{high}℃，{wind}。{note}。\n\n{weather.extra}\n\n"
                f"气象部门提醒：{weather.tip}。"
            )
            self.add(
                CHATTER,
                "news",
                morning(f"{day} 07:10") + self.rng.randint(0, 20),
                title=f"江州天气：{headline}",
                text=text,
                site="江州日报",
                author=self.rng.choice(JZRB_REPORTERS),
                region="江州市",
            )
            post = (
                f"【早安江州】今天{cond}，{low}～{high}℃，{wind}。{note}。"
                f"{self.rng.choice(chatter.emoticons)}#江州天气#"
            )
            self.weibo_post(
                CHATTER,
                chatter,
                morning(f"{day} 07:30") + self.rng.randint(0, 15),
                "江州气象",
                post,
                "江州市",
            )
        for veg in daily.vegetable_days:
            day, headline, summary, comment = veg.day, veg.headline, veg.summary, veg.comment
            prices = []
            for name, base in VEG_PRICES:
                factor = LEAFY_FACTOR[day] if name == "青菜" else 1.0
                price = base * factor * (1 + self.rng.uniform(-0.05, 0.05))
                prices.append(f"{name}每斤{price:.1f}元")
            text = (
                f"记者今天上午走访临川区东门农贸市场和两家大型超市了解到，{summary}。\n\n具体来看，"
                f"{'，'.join(prices)}。{comment}\n\n价格监测人员提醒，目前各类农产品供应充足，市民"
                "按需购买即可，不必囤积。"
            )
            self.add(
                CHATTER,
                "news",
                minute_of(f"{day} 09:00") + self.rng.randint(0, 60),
                title=f"临川菜篮子（11月{DAY_OF_MONTH[day]}日）：{headline}",
                text=text,
                site="临川新闻网",
                author=self.rng.choice(LCXW_REPORTERS),
                region="江州市临川区",
            )
        index = STOCK_START
        amount = self.rng.randint(10500, 12500)
        for market in daily.market_days:
            index, amount = self.market_close(
                market.day, market.comment, market.outlook, index, amount
            )

    def market_close(
        self, day: str, comment: str, outlook: str, index: float, previous_amount: int
    ) -> tuple[float, int]:
        sh = round(self.rng.uniform(*STOCK_RANGES[day]), 2)
        sz = round(sh * self.rng.uniform(0.8, 1.5) + self.rng.gauss(0, 0.15), 2)
        cy = round(sh * self.rng.uniform(1.0, 1.8) + self.rng.gauss(0, 0.25), 2)
        new_index = index * (1 + sh / 100)
        shenzhen = 10850.0 * (1 + sz / 100) + self.rng.uniform(-120, 120)
        amount = self.rng.randint(9800, 13500)
        change = amount - previous_amount
        moves = (sh, sz, cy)
        summary = (
            "集体收涨"
            if all(v > 0 for v in moves)
            else "集体收跌"
            if all(v < 0 for v in moves)
            else "涨跌不一"
        )
        up_a, up_b, down_a, down_b = self.rng.sample(self.m.daily.market_sectors, 4)

        def verb(value: float) -> str:
            return f"上涨{value:.2f}%" if value >= 0 else f"下跌{-value:.2f}%"

        text = (
            f"今日A股三大指数{summary}。截至收盘，上证指数{verb(sh)}，报{new_index:.2f}点；深证成指"
            f"{verb(sz)}，报{shenzhen:.2f}点；创业板指{verb(cy)}。沪深两市成交额{amount}亿元，较上"
            f"一交易日{'放量' if change >= 0 else '缩量'}{abs(change)}亿元。\n\n盘面上，{up_a}、"
            f"{up_b}等板块涨幅居前，{down_a}、{down_b}等板块跌幅较大。{comment}\n\n分析人士认为，"
            f"{outlook}"
        )
        lead = f"{up_a}板块领涨" if sh >= 0 else f"{down_a}板块领跌"
        title = f"A股收评：沪指{'涨' if sh >= 0 else '跌'}{abs(sh):.2f}% {lead}"
        self.add(
            CHATTER,
            "rss",
            minute_of(f"{day} 15:15") + self.rng.randint(0, 25),
            title=title,
            text=text,
            author=self.rng.choice(RSS_REPORTERS),
            site=RSS_SITE,
            region="",
        )
        return new_index, amount

    # -- output ------------------------------------------------------------------------------
    def finish(self) -> list[dict[str, Any]]:
        order = sorted(
            range(len(self.records)), key=lambda i: (self.records[i]["offset_minutes"], i)
        )
        for number, index in enumerate(order, 1):
            self.records[index]["id"] = f"d{number:04d}"
        for index, key in self.reposts.items():
            original = self.records[self.keys[key]]
            repost = self.records[index]
            if original["channel"] != "weibo" or self.keys[key] in self.reposts:
                raise ValueError(f"{key} is not an original Weibo post")
            if original["offset_minutes"] >= repost["offset_minutes"]:
                raise ValueError(f"repost of {key} is not after it")
            repost["weibo"]["retweet_of"] = original["id"]
        return [self.records[index] for index in order]


def build_records(seed: int = SEED, material: Material = MATERIAL) -> list[dict[str, Any]]:
    """The whole corpus, sorted by time then id."""
    builder = CorpusBuilder(material, seed)
    for name, story in material.stories.items():
        builder.story(name, story)
    builder.daily_series()
    return builder.finish()


def render(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(args[0]) if args else CORPUS_PATH
    records = build_records()
    path.write_text(render(records), encoding="utf-8", newline="\n")
    print(f"wrote {len(records)} records to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

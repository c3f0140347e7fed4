"""Local demo web sites that reveal the demo corpus as simulated time passes.

``DemoSites`` serves, on 127.0.0.1, the kinds of site Yuqing watches: two local news sites
(江州日报 in UTF-8, 临川新闻网 in GBK with and without an HTTP charset), an RSS feed (UTF-8 and a
GBK copy labelled gb2312), a Weibo-style mobile JSON API with comments, and the bureau's own
information portal. Only records whose publication time (``DEMO_START + offset_minutes``) is
not after ``now()`` are visible, so the real crawlers see news break as the clock moves.

The markup is deliberately like the real thing (navigation, ads, related links, footers,
varied date formats, tracking parameters on links), so the crawlers' extraction has real work.
``weibo_block`` switches the Weibo API to the walls real Weibo puts up (login, captcha, 418).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from core.clock import SHANGHAI

__all__ = ["DEMO_START", "DemoSites", "demo_sources", "load_corpus"]

logger = logging.getLogger(__name__)

DEMO_START = datetime(2026, 11, 16, 8, 0, tzinfo=SHANGHAI)
CORPUS_PATH = Path(__file__).with_name("corpus.jsonl")
LIST_PAGE_SIZE = 20
FEED_SIZE = 50
WEIBO_PAGE_SIZE = 10

SITE_NAMES = {"jzrb": "江州日报", "lcxw": "临川新闻网", "rss": "民生财经"}
DOC_TYPES = {
    "policy": "政策文件",
    "interpretation": "政策解读",
    "penalty": "行政处罚",
    "debunk": "辟谣澄清",
    "notice": "通知公告",
}
_CHANNEL_ALIASES = {
    "jzrb": "jzrb",
    "news": "jzrb",
    "江州日报": "jzrb",
    "lcxw": "lcxw",
    "临川新闻网": "lcxw",
    "rss": "rss",
    "feed": "rss",
    "msjc": "rss",
    "民生财经": "rss",
    "weibo": "weibo",
    "official": "official",
}


@dataclass
class DemoRecord:
    """One corpus record in the shape the sites need, whatever the corpus spelled it."""

    id: str
    channel: str
    published: datetime
    title: str = ""
    text: str = ""
    author: str = ""
    kind: str = "post"
    parent: str | None = None
    user: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    doc_type: str = "notice"
    doc_number: str = ""
    issuer: str = ""
    raw_time: str | None = None  # served instead of the formatted time (bad-data tests)
    slug: str = ""
    number: int = 0  # stable numeric id (Weibo mid, comment id)


def load_corpus(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The demo corpus as written: one JSON object per line (blank lines skipped)."""
    corpus_path = Path(path) if path is not None else CORPUS_PATH
    if not corpus_path.exists():
        raise FileNotFoundError(f"demo corpus not found: {corpus_path}")
    records: list[dict[str, Any]] = []
    for number, line in enumerate(corpus_path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                records.extend(flatten_corpus_record(json.loads(line)))
            except ValueError as exc:
                raise ValueError(f"{corpus_path}:{number}: not JSON: {exc}") from None
    return records


def flatten_corpus_record(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """Records as the sites serve them, from the corpus as written (``scripts/demo_corpus``).

    The corpus names a news site in ``site`` and nests Weibo user, counts, repost target and
    comments; the server wants one record per servable item with its site as ``channel``.
    Records already in the flat form pass through unchanged.
    """
    weibo = raw.get("weibo")
    if not isinstance(weibo, dict) and not isinstance(raw.get("comments"), list):
        if raw.get("channel") == "news" and raw.get("site"):
            return [dict(raw, channel=raw["site"])]
        return [raw]
    record = {k: v for k, v in raw.items() if k not in ("weibo", "comments")}
    if raw.get("channel") == "news" and raw.get("site"):
        record["channel"] = raw["site"]
    if raw.get("channel") == "official":
        record["issuer"] = raw.get("author") or raw.get("site") or ""
    out = [record]
    if isinstance(weibo, dict):
        user = weibo.get("user") or {}
        record["user"] = {
            "screen_name": user.get("name") or raw.get("author", ""),
            "verified": bool(user.get("verified", False)),
            "verified_type": int(user.get("verified_type", -1)),
            "followers_count": int(user.get("followers", 0)),
        }
        record["reposts"] = weibo.get("reposts", 0)
        record["comments"] = weibo.get("comments", 0)
        record["likes"] = weibo.get("likes", 0)
        record["kind"] = "repost" if weibo.get("retweet_of") else "post"
        if weibo.get("retweet_of"):
            record["parent"] = weibo["retweet_of"]
    for index, comment in enumerate(raw.get("comments") or [], 1):
        out.append(
            {
                "id": f"{raw['id']}c{index:03d}",
                "channel": "weibo",
                "story": raw.get("story", ""),
                "kind": "comment",
                "parent": raw["id"],
                "offset_minutes": comment.get("offset_minutes", raw.get("offset_minutes", 0)),
                "text": comment.get("text", ""),
                "author": comment.get("user", ""),
                "user": {"screen_name": comment.get("user", "")},
                "region": raw.get("region", ""),
            }
        )
    return out


def _first(record: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for key in keys:
        if record.get(key) not in (None, ""):
            return record[key]
    return default


def _number(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:13], 16) % 10**16 + 4 * 10**15


def _to_record(raw: dict[str, Any], index: int) -> DemoRecord | None:
    channel_name = str(_first(raw, "channel", "site", "source", "platform", default="")).strip()
    channel = _CHANNEL_ALIASES.get(channel_name.lower(), _CHANNEL_ALIASES.get(channel_name))
    if channel is None:
        return None
    record_id = str(_first(raw, "id", default=f"r{index}"))
    user: dict[str, Any] = raw["user"] if isinstance(raw.get("user"), dict) else {}
    screen_name = _first(user, "screen_name", "name") or _first(raw, "screen_name", "author")
    user = {
        "id": str(_first(user, "id", default=_number("u" + str(screen_name)) % 10**10)),
        "screen_name": str(screen_name or "江州网友"),
        "verified": bool(_first(user, "verified", default=raw.get("verified", False))),
        "verified_type": int(_first(user, "verified_type", default=raw.get("verified_type", -1))),
        "followers_count": int(
            _first(user, "followers_count", "followers", default=raw.get("followers", 100))
        ),
    }
    counts = {
        key: int(_first(raw, key, f"{key}_count", default=0) or 0)
        for key in ("reposts", "comments", "likes")
    }
    slug = re.sub(r"[^A-Za-z0-9_-]", "", record_id) or f"a{_number(record_id) % 10**8}"
    return DemoRecord(
        id=record_id,
        channel=channel,
        published=DEMO_START + timedelta(minutes=float(raw.get("offset_minutes", 0))),
        title=str(_first(raw, "title", default="")),
        text=str(_first(raw, "text", "content", "body", default="")),
        author=str(_first(raw, "author", "reporter", default="")),
        kind=str(_first(raw, "kind", "type", default="post")),
        parent=_first(raw, "parent", "parent_id", "repost_of", "post_id", "reply_to"),
        user=user,
        counts=counts,
        doc_type=str(_first(raw, "doc_type", default="notice")),
        doc_number=str(_first(raw, "doc_number", default="")),
        issuer=str(_first(raw, "issuer", default="江州市市场监督管理局")),
        raw_time=_first(raw, "created_at", "date_text"),
        slug=slug,
        number=_number(record_id),
    )


class DemoSites:
    """The demo sites on 127.0.0.1:PORT; ``start()`` returns the base URL."""

    def __init__(self, corpus: list[dict[str, Any]], now: Callable[[], datetime]) -> None:
        records = [_to_record(raw, i) for i, raw in enumerate(corpus)]
        self.records = sorted((r for r in records if r is not None), key=lambda r: r.published)
        skipped = len(records) - len(self.records)
        if skipped:
            logger.warning(
                "demo sites: %d corpus record(s) name no known site; not served", skipped
            )
        self.by_id = {r.id: r for r in self.records}
        self.by_slug = {r.slug: r for r in self.records}
        self.by_number = {str(r.number): r for r in self.records}
        self.now = now
        self.base_url = ""
        # Requests answered, per path and query (the scale-out tests check that N crawl
        # workers fetch each page once).
        self.hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()
        # "login", "captcha", "rate_limit", "forbidden" or "ok0" to make the Weibo API refuse
        # crawlers (see _Handler._weibo_blocked); None serves content.
        self.weibo_block: str | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------
    def start(self) -> str:
        sites = self

        class Handler(_Handler):
            demo = sites

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="demo-sites",
            daemon=True,
        )
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> DemoSites:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- what is visible -------------------------------------------------------------
    def visible(self, channel: str, kinds: tuple[str, ...] | None = None) -> list[DemoRecord]:
        """Records of ``channel`` published by now, newest first."""
        now = self.now()
        return [
            r
            for r in reversed(self.records)
            if r.channel == channel and r.published <= now and (kinds is None or r.kind in kinds)
        ]

    def children(self, parent: DemoRecord, kind: str) -> list[DemoRecord]:
        return [r for r in self.visible("weibo", (kind,)) if r.parent == parent.id]


# ---- rendering helpers ---------------------------------------------------------------
def _variant(record: DemoRecord, count: int) -> int:
    return record.number % count


def _local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def _paragraphs(text: str) -> str:
    pieces = [p.strip() for p in re.split(r"\n+", text) if p.strip()]
    if len(pieces) == 1:
        sentences = re.findall(r"[^。！？]+[。！？]?", pieces[0])
        pieces = ["".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in pieces if p.strip())


def _article_time(record: DemoRecord) -> str:
    if record.raw_time is not None:
        return html.escape(str(record.raw_time))
    moment = _local(record.published)
    return [
        f"{moment:%Y-%m-%d %H:%M}",
        f"{moment:%Y年%m月%d日 %H:%M}",
        f"{moment:%Y/%m/%d %H:%M:%S}",
        f"{moment:%Y年%m月%d日%H:%M}",
    ][_variant(record, 4)]


def _info_line(record: DemoRecord, site: str) -> str:
    when, author = _article_time(record), html.escape(record.author or "本报记者")
    return [
        f"{when} 来源：{site} 作者：{author}",
        f'<span class="time">{when}</span> <span class="source">来源：{site}</span> '
        f'<span class="author">记者 {author}</span>',
        f"发布时间：{when}&nbsp;&nbsp;来源：{site}&nbsp;&nbsp;作者：{author}",
        f"来源：{site} 作者：{author} {when}",
    ][_variant(record, 4)]


def _article_path(prefix: str, record: DemoRecord) -> str:
    return f"/{prefix}/{_local(record.published):%Y%m%d}/{record.slug}.html"


def _link(prefix: str, record: DemoRecord, tracking: str = "") -> str:
    href = _article_path(prefix, record) + tracking
    return f'<a href="{href}" target="_blank">{html.escape(record.title)}</a>'


_NEWS_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head>{meta}<title>{title}</title>
<meta name="keywords" content="{site},新闻,市场监管"><link rel="stylesheet" href="/static/site.css">
{extra_head}</head><body>
<div class="topbar">{site}主办 | <a href="/{prefix}/">首页</a> | <a href="/login">登录</a> | <a href="/register">注册</a> | 手机版</div>
<div class="header"><a class="logo" href="/{prefix}/">{site}</a><ul class="nav">
<li><a href="/{prefix}/list_1.html">要闻</a></li><li><a href="/{prefix}/list_1.html">时政</a></li>
<li><a href="/{prefix}/list_1.html">社会</a></li><li><a href="/{prefix}/list_1.html">民生</a></li>
<li><a href="/{prefix}/list_1.html">财经</a></li><li><a href="/{prefix}/list_1.html">视频</a></li></ul></div>
<div class="ad ad-banner"><a href="http://ads.example.cn/click?id=88">【广告】江州农商银行 信用卡新客户首刷礼 立即申请</a></div>
<div class="crumb">当前位置：<a href="/{prefix}/">首页</a> &gt; <a href="/{prefix}/list_1.html">新闻</a> &gt; {crumb}</div>
<div class="main">{main}
<div class="sidebar"><h3>热点排行</h3><ol>{hot}</ol>
<div class="ad">扫码关注{site}微信公众号，获取更多本地资讯</div></div></div>
<div class="footer"><p><a href="/about">关于我们</a> | <a href="/contact">联系我们</a> | <a href="/ads">广告服务</a> | <a href="/jobs">招聘信息</a></p>
<p>{site}版权所有 未经书面授权禁止转载、摘编、复制或建立镜像</p>
<p>互联网新闻信息服务许可证：36120170001 | 赣ICP备05000088号-1 | 违法和不良信息举报电话：0792-12345</p></div>
</body></html>"""  # noqa: E501 - one template line per page region reads best


def _news_list(sites: DemoSites, prefix: str, page: int) -> str | None:
    site = SITE_NAMES[prefix]
    items = sites.visible(prefix)
    pages = max(1, -(-len(items) // LIST_PAGE_SIZE))
    if not 1 <= page <= pages:
        return None
    chunk = items[(page - 1) * LIST_PAGE_SIZE : page * LIST_PAGE_SIZE]
    rows = "\n".join(
        f"<li>{_link(prefix, r, '?spm=list.0.0' if _variant(r, 3) == 0 else '')}"
        f'<span class="date">{_local(r.published):%Y-%m-%d %H:%M}</span></li>'
        for r in chunk
    )
    pager = f'<a href="/{prefix}/list_1.html">首页</a> '
    if page > 1:
        pager += f'<a href="/{prefix}/list_{page - 1}.html">上一页</a> '
    if page < pages:
        pager += f'<a href="/{prefix}/list_{page + 1}.html">下一页</a> '
    pager += f'<a href="/{prefix}/list_{pages}.html">尾页</a> 共{pages}页'
    main = (
        f'<div class="list"><ul class="news-list">{rows}</ul><div class="page">{pager}</div></div>'
    )
    return _NEWS_PAGE.format(
        meta=_charset_meta(prefix),
        title=f"新闻列表_第{page}页_{site}",
        extra_head="",
        site=site,
        prefix=prefix,
        crumb="列表",
        main=main,
        hot=_hot_links(items, prefix),
    )


def _hot_links(items: list[DemoRecord], prefix: str) -> str:
    return "".join(f"<li>{_link(prefix, r, '#comments')}</li>" for r in items[:8])


def _charset_meta(prefix: str) -> str:
    if prefix == "lcxw":
        return (
            '<meta http-equiv="Content-Type" content="text/html; charset=gbk"><meta charset="gbk">'
        )
    return '<meta charset="utf-8">'


def _news_article(sites: DemoSites, prefix: str, record: DemoRecord) -> str:
    site = SITE_NAMES[prefix]
    moment = _local(record.published)
    extra_head = ""
    if _variant(record, 2) == 0 and record.raw_time is None:
        extra_head = f'<meta name="publishdate" content="{moment:%Y-%m-%d %H:%M:%S}">'
    related = [r for r in sites.visible(prefix) if r.id != record.id][:5]
    heading = "h1" if prefix == "jzrb" else "h2"
    main = (
        f'<div class="article"><{heading} class="title">{html.escape(record.title)}</{heading}>'
        f'<div class="info">{_info_line(record, site)}</div>'
        f'<div class="content" id="article-content">{_paragraphs(record.text)}</div>'
        '<div class="editor">（责任编辑：王小明）</div>'
        '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> '
        '<a href="#">QQ空间</a></div>'
        '<div class="related"><h3>相关新闻</h3><ul>'
        + "".join(f"<li>{_link(prefix, r, '?from=related')}</li>" for r in related)
        + "</ul></div></div>"
    )
    return _NEWS_PAGE.format(
        meta=_charset_meta(prefix),
        title=f"{html.escape(record.title)}_{site}",
        extra_head=extra_head,
        site=site,
        prefix=prefix,
        crumb="正文",
        main=main,
        hot=_hot_links(sites.visible(prefix), prefix),
    )


# ---- RSS -----------------------------------------------------------------------------
def _rss(sites: DemoSites, base: str, declared: str, naive_some: bool) -> str:
    items = []
    for record in sites.visible("rss")[:FEED_SIZE]:
        link = f"{base}/msjc/{record.slug}.html"
        moment = _local(record.published)
        pub = format_datetime(moment)
        if naive_some and _variant(record, 2):
            pub = pub.rsplit(" ", 1)[0]  # no zone: the feed means Beijing time
        if record.raw_time is not None:
            pub = str(record.raw_time)
        items.append(
            f"<item><title>{html.escape(record.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid><pubDate>{html.escape(pub)}</pubDate>'
            f"<author>{html.escape(record.author)}</author><category>民生</category>"
            f"<description><![CDATA[{_paragraphs(record.text)}]]></description></item>"
        )
    now = format_datetime(_local(sites.now()))
    return (
        f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0"><channel>'
        f"<title>民生财经</title><link>{base}/msjc/</link>"
        "<description>民生财经 滚动新闻</description>"
        f"<language>zh-cn</language><lastBuildDate>{now}</lastBuildDate>"
        + "".join(items)
        + "</channel></rss>"
    )


def _plain_article(record: DemoRecord, site: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(record.title)}'
        f" - {site}</title></head><body><h1>{html.escape(record.title)}</h1>"
        f'<div class="info">{_article_time(record)} {site}</div>'
        f'<div class="content">{_paragraphs(record.text)}</div></body></html>'
    )


# ---- Weibo ---------------------------------------------------------------------------
_TOPIC = re.compile(r"#([^#\n]{1,60})#")
_AT = re.compile(r"@([\w\u4e00-\u9fff\-]{1,30})")
_EMOTICON = re.compile(r"\[([\u4e00-\u9fffA-Za-z]{1,8})\]")


def _weibo_html(text: str) -> str:
    """Plain text marked up the way m.weibo.cn sends it: topics, @users, emoticons as HTML."""
    escaped = html.escape(text, quote=False)
    escaped = _TOPIC.sub(
        lambda m: (
            f'<a href="https://m.weibo.cn/search?containerid=231522type%3D1%26q%3D%23'
            f'{quote(m.group(1))}%23"><span class="surl-text">#{m.group(1)}#</span></a>'
        ),
        escaped,
    )
    escaped = _AT.sub(lambda m: f"<a href='/n/{quote(m.group(1))}'>@{m.group(1)}</a>", escaped)
    escaped = _EMOTICON.sub(
        lambda m: (
            f'<span class="url-icon"><img alt="[{m.group(1)}]" '
            f'src="https://h5.sinaimg.cn/m/emoticon/icon/default/{quote(m.group(1))}.png" '
            'style="width:1em; height:1em;" /></span>'
        ),
        escaped,
    )
    return escaped.replace("\n", "<br />")


def _weibo_time(record: DemoRecord, now: datetime) -> str:
    """Weibo's display forms: full for some posts, relative or year-less for others."""
    if record.raw_time is not None:
        return str(record.raw_time)
    moment, current = _local(record.published), _local(now)
    style = _variant(record, 3)
    if style == 0:
        return moment.strftime("%a %b %d %H:%M:%S +0800 %Y")
    age = (now - record.published).total_seconds()
    if age < 60:
        return "刚刚"
    if age < 3600:
        return f"{int(age // 60)}分钟前"
    if moment.date() == current.date():
        return f"{int(age // 3600)}小时前" if style == 1 else f"今天 {moment:%H:%M}"
    if moment.date() == current.date() - timedelta(days=1):
        return f"昨天 {moment:%H:%M}"
    return f"{moment:%m-%d}" if moment.year == current.year else f"{moment:%Y-%m-%d}"


def _grown(count: int, record: DemoRecord, now: datetime) -> int:
    hours = (now - record.published).total_seconds() / 3600
    return int(count * min(1.0, max(0.0, hours) / 6))


def _mblog(sites: DemoSites, record: DemoRecord, depth: int = 0) -> dict[str, Any]:
    now = sites.now()
    reposts, comments = sites.children(record, "repost"), sites.children(record, "comment")
    mblog: dict[str, Any] = {
        "id": str(record.number),
        "mid": str(record.number),
        "text": _weibo_html(record.text),
        "created_at": _weibo_time(record, now),
        "source": "微博 weibo.com",
        "reposts_count": len(reposts) + _grown(record.counts["reposts"], record, now),
        "comments_count": len(comments) + _grown(record.counts["comments"], record, now),
        "attitudes_count": 3 * len(comments) + _grown(record.counts["likes"], record, now),
        "user": record.user,
    }
    parent = sites.by_id.get(str(record.parent)) if record.parent is not None else None
    if record.kind == "repost" and parent is not None and depth == 0:
        mblog["retweeted_status"] = _mblog(sites, parent, depth + 1)
    return mblog


def _weibo_index(sites: DemoSites, page: int) -> dict[str, Any]:
    posts = sites.visible("weibo", ("post", "repost"))
    chunk = posts[(page - 1) * WEIBO_PAGE_SIZE : page * WEIBO_PAGE_SIZE]
    more = page * WEIBO_PAGE_SIZE < len(posts)
    return {
        "ok": 1,
        "data": {
            "cardlistInfo": {"page": page + 1 if more else None, "total": len(posts)},
            "cards": [{"card_type": 9, "mblog": _mblog(sites, r)} for r in chunk],
        },
    }


def _weibo_comments(sites: DemoSites, mid: str, page: int) -> dict[str, Any] | None:
    post = sites.by_number.get(mid)
    if post is None or post.published > sites.now():
        return None
    comments = sites.children(post, "comment")
    chunk = comments[(page - 1) * WEIBO_PAGE_SIZE : page * WEIBO_PAGE_SIZE]
    rows = [
        {
            "id": str(c.number),
            "text": _weibo_html(c.text),
            "created_at": _weibo_time(c, sites.now()),
            "like_count": _grown(c.counts["likes"], c, sites.now()),
            "user": c.user,
        }
        for c in chunk
    ]
    pages = max(1, -(-len(comments) // WEIBO_PAGE_SIZE))
    return {"ok": 1, "data": {"data": rows, "total_number": len(comments), "max": pages}}


_LOGIN_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>登录 - 新浪微博</title>
</head><body><div class="login"><h2>登录微博，发现更多精彩</h2><form action="/signin/login" method="post">
<input name="username" placeholder="手机号/邮箱"><input name="password" type="password">
<button>登录</button></form></div></body></html>"""  # noqa: E501
_CAPTCHA_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head>
<body><p>您的访问出现异常，请输入验证码完成安全验证。</p><img src="/captcha.png"></body></html>"""


# ---- the bureau's portal ---------------------------------------------------------------
def _official_list(sites: DemoSites, doc_type: str, page: int) -> str | None:
    docs = [r for r in sites.visible("official") if r.doc_type == doc_type]
    pages = max(1, -(-len(docs) // LIST_PAGE_SIZE))
    if not 1 <= page <= pages:
        return None
    rows = "".join(
        f'<li><a href="/official/{doc_type}/{r.slug}.html" title="{html.escape(r.title)}">'
        f"{html.escape(r.title)}</a><span>{_local(r.published):%Y-%m-%d}</span></li>"
        for r in docs[(page - 1) * LIST_PAGE_SIZE : page * LIST_PAGE_SIZE]
    )
    nav = " ".join(f'<a href="/official/list_{t}_1.html">{n}</a>' for t, n in DOC_TYPES.items())
    pager = (
        f'<a href="/official/list_{doc_type}_{page + 1}.html">下一页</a>' if page < pages else ""
    )
    body = f'<div class="xxgk-list"><h2>{DOC_TYPES[doc_type]}</h2><ul>{rows}</ul>{pager}</div>'
    return _official_page(f"{DOC_TYPES[doc_type]}_江州市市场监督管理局", nav, body)


def _official_doc(record: DemoRecord) -> str:
    moment = _local(record.published)
    number = record.doc_number or f"江市监〔{moment:%Y}〕{record.number % 97 + 1}号"
    table = (
        '<table class="xxgk-table"><tr><th>索引号</th>'
        f"<td>11360400MB1234567X/{moment:%Y}-{record.number % 9000 + 1000}</td>"
        f"<th>主题分类</th><td>{DOC_TYPES.get(record.doc_type, '通知公告')}</td></tr>"
        f"<tr><th>发布机构</th><td>{html.escape(record.issuer)}</td><th>文号</th>"
        f"<td>{html.escape(number)}</td></tr><tr><th>发布日期</th>"
        f"<td>{moment:%Y-%m-%d %H:%M}</td><th>有效性</th><td>有效</td></tr></table>"
    )
    body = (
        f'<div class="article">{table}<h1 class="doc-title">{html.escape(record.title)}</h1>'
        f'<div class="TRS_Editor">{_paragraphs(record.text)}</div>'
        f'<p class="sign">{html.escape(record.issuer)}<br>{moment:%Y年%m月%d日}</p></div>'
    )
    nav = '<a href="/official/">首页</a> &gt; 政府信息公开'
    return _official_page(f"{html.escape(record.title)}_江州市市场监督管理局", nav, body)


def _official_page(title: str, nav: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<div class="gov-header"><span>江州市市场监督管理局</span> 政府信息公开平台</div>'
        f'<div class="nav">{nav}</div>{body}<div class="footer">主办：江州市市场监督管理局 '
        "网站标识码：3604000012 赣ICP备12000000号 赣公网安备 36040202000123号</div></body></html>"
    )


# ---- HTTP ------------------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops connections when ten crawlers start at once,
    # and a dropped SYN costs the client a one-second retransmit.
    request_queue_size = 128


class _BadRequest(Exception):
    pass


def _page_number(query: dict[str, list[str]], key: str = "page") -> int:
    raw = query.get(key, ["1"])[0]
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise _BadRequest(f"bad {key}: {raw!r}")
    return int(raw)


class _Handler(BaseHTTPRequestHandler):
    demo: DemoSites
    server_version = "nginx/1.24.0"
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes; without this, Nagle's algorithm and delayed
    # ACKs add 40 ms to every loopback response.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the crawler's own logs say what was fetched."""

    def do_GET(self) -> None:
        with self.demo._hits_lock:
            self.demo.hits[self.path] += 1
        try:
            self._route()
        except _BadRequest as exc:
            self._send(HTTPStatus.BAD_REQUEST, str(exc).encode(), "text/plain; charset=utf-8")
        except Exception as exc:  # a demo bug must answer 500, not kill the server thread
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, repr(exc).encode(), "text/plain")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _html(self, text: str | None, encoding: str = "utf-8", declare: bool = True) -> None:
        if text is None:
            self._not_found()
            return
        content_type = f"text/html; charset={encoding}" if declare else "text/html"
        self._send(200, text.encode(encoding, errors="xmlcharrefreplace"), content_type)

    def _json(self, data: Any, status: int = 200) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _not_found(self) -> None:
        self._send(404, "<h1>404 页面不存在</h1>".encode(), "text/html; charset=utf-8")

    def _route(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        for pattern, method in _ROUTES:
            match = pattern.fullmatch(path)
            if match:
                method(self, query, *match.groups())
                return
        self._not_found()

    # ---- routes ----------------------------------------------------------------------
    def robots(self, query: dict[str, list[str]]) -> None:
        self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")

    def home(self, query: dict[str, list[str]]) -> None:
        links = "".join(
            f'<li><a href="{href}">{name}</a></li>'
            for href, name in (
                ("/jzrb/list_1.html", "江州日报"),
                ("/lcxw/list_1.html", "临川新闻网"),
                ("/rss.xml", "民生财经 RSS"),
                ("/official/list_policy_1.html", "江州市市场监督管理局"),
            )
        )
        self._html(
            f'<html><head><meta charset="utf-8"><title>演示站点</title></head><ul>{links}</ul>'
        )

    def news_list(self, query: dict[str, list[str]], prefix: str, page: str) -> None:
        text = _news_list(self.demo, prefix, int(page))
        # 临川新闻网 says its charset in the header on the first page only, as such sites do.
        self._html(text, *(("gbk", page == "1") if prefix == "lcxw" else ("utf-8", True)))

    def news_index(self, query: dict[str, list[str]], prefix: str) -> None:
        self.news_list(query, prefix, "1")

    def news_article(self, query: dict[str, list[str]], prefix: str, day: str, slug: str) -> None:
        record = self._visible(slug, prefix)
        if record is None or f"{_local(record.published):%Y%m%d}" != day:
            self._not_found()
            return
        text = _news_article(self.demo, prefix, record)
        if prefix == "lcxw":
            self._html(text, "gbk", declare=_variant(record, 2) == 0)
        else:
            self._html(text)

    def feed(self, query: dict[str, list[str]], variant: str) -> None:
        base = f"http://{self.headers.get('Host', '127.0.0.1')}"
        if variant:
            body = _rss(self.demo, base, "gb2312", naive_some=True).encode(
                "gbk", "xmlcharrefreplace"
            )
            self._send(200, body, "application/rss+xml")
        else:
            body = _rss(self.demo, base, "utf-8", naive_some=False).encode("utf-8")
            self._send(200, body, "application/rss+xml; charset=utf-8")

    def feed_article(self, query: dict[str, list[str]], slug: str) -> None:
        record = self._visible(slug, "rss")
        self._html(_plain_article(record, "民生财经") if record else None)

    def weibo_index(self, query: dict[str, list[str]]) -> None:
        if not query.get("containerid", [""])[0]:
            raise _BadRequest("containerid is required")
        page = _page_number(query)
        if not self._weibo_blocked():
            self._json(_weibo_index(self.demo, page))

    def weibo_comments(self, query: dict[str, list[str]]) -> None:
        mid = query.get("id", [""])[0]
        if not mid.isdigit():
            raise _BadRequest("id must be a post id")
        page = _page_number(query)
        if self._weibo_blocked():
            return
        data = _weibo_comments(self.demo, mid, page)
        self._json(data if data is not None else {"ok": 0, "msg": "微博不存在或暂无查看权限"})

    def weibo_detail(self, query: dict[str, list[str]], mid: str) -> None:
        record = self.demo.by_number.get(mid)
        if record is None or record.published > self.demo.now():
            self._not_found()
            return
        self._html(
            f'<html><head><meta charset="utf-8"><title>微博正文</title></head><body>'
            f'<div class="weibo-text">{_weibo_html(record.text)}</div></body></html>'
        )

    def login_page(self, query: dict[str, list[str]]) -> None:
        self._html(_LOGIN_PAGE)

    def official_index(self, query: dict[str, list[str]]) -> None:
        self._html(_official_list(self.demo, "policy", 1))

    def official_list(self, query: dict[str, list[str]], doc_type: str, page: str) -> None:
        self._html(_official_list(self.demo, doc_type, int(page)))

    def official_doc(self, query: dict[str, list[str]], doc_type: str, slug: str) -> None:
        record = self._visible(slug, "official")
        ok = record is not None and record.doc_type == doc_type
        self._html(_official_doc(record) if record is not None and ok else None)

    # ---- helpers ---------------------------------------------------------------------
    def _visible(self, slug: str, channel: str) -> DemoRecord | None:
        record = self.demo.by_slug.get(slug)
        if record is None or record.channel != channel or record.published > self.demo.now():
            return None
        return record

    def _weibo_blocked(self) -> bool:
        """Answer as Weibo does when it refuses a crawler; True when it did."""
        block = self.demo.weibo_block
        if block is None:
            return False
        if block == "login":
            target = "/signin/login?r=" + quote(self.path, safe="")
            self._send(302, b"", "text/html", {"Location": target})
        elif block == "captcha":
            self._html(_CAPTCHA_PAGE)
        elif block == "rate_limit":
            self._send(418, b"", "text/plain")
        elif block == "forbidden":
            self._send(403, b"Forbidden", "text/plain")
        else:
            self._json({"ok": 0, "errno": "100005", "msg": "请求过于频繁，请稍后再试"})
        return True


_ROUTES: list[tuple[re.Pattern[str], Callable[..., None]]] = [
    (re.compile(pattern), method)
    for pattern, method in (
        (r"/robots\.txt", _Handler.robots),
        (r"/", _Handler.home),
        (r"/(jzrb|lcxw)/", _Handler.news_index),
        (r"/(jzrb|lcxw)/list_(\d{1,4})\.html", _Handler.news_list),
        (r"/(jzrb|lcxw)/(\d{8})/([A-Za-z0-9_-]+)\.html", _Handler.news_article),
        (r"/rss(-gbk)?\.xml", _Handler.feed),
        (r"/msjc/([A-Za-z0-9_-]+)\.html", _Handler.feed_article),
        (r"/api/container/getIndex", _Handler.weibo_index),
        (r"/api/comments/show", _Handler.weibo_comments),
        (r"/detail/(\d+)", _Handler.weibo_detail),
        (r"/signin/login", _Handler.login_page),
        (r"/official/", _Handler.official_index),
        (r"/official/list_(" + "|".join(DOC_TYPES) + r")_(\d{1,4})\.html", _Handler.official_list),
        (r"/official/(" + "|".join(DOC_TYPES) + r")/([A-Za-z0-9_-]+)\.html", _Handler.official_doc),
    )
]


# ---- the demo's sources ------------------------------------------------------------------
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

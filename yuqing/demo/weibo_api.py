"""The demo's Weibo-style mobile JSON API: posts, reposts and comments as m.weibo.cn sends
them (HTML-marked text, display times, counts that grow), and the walls it puts up."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from yuqing.demo.pages import local_time, variant
from yuqing.demo.records import DemoRecord

if TYPE_CHECKING:
    from yuqing.demo.sites import DemoSites

WEIBO_PAGE_SIZE = 10


_TOPIC = re.compile(r"#([^#\n]{1,60})#")
_AT = re.compile(r"@([\w\u4e00-\u9fff\-]{1,30})")
_EMOTICON = re.compile(r"\[([\u4e00-\u9fffA-Za-z]{1,8})\]")


def weibo_html(text: str) -> str:
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
    moment, current = local_time(record.published), local_time(now)
    style = variant(record, 3)
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
        "text": weibo_html(record.text),
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


def weibo_index_json(sites: DemoSites, page: int) -> dict[str, Any]:
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


def weibo_comments_json(sites: DemoSites, mid: str, page: int) -> dict[str, Any] | None:
    post = sites.by_number.get(mid)
    if post is None or post.published > sites.now():
        return None
    comments = sites.children(post, "comment")
    chunk = comments[(page - 1) * WEIBO_PAGE_SIZE : page * WEIBO_PAGE_SIZE]
    rows = [
        {
            "id": str(c.number),
            "text": weibo_html(c.text),
            "created_at": _weibo_time(c, sites.now()),
            "like_count": _grown(c.counts["likes"], c, sites.now()),
            "user": c.user,
        }
        for c in chunk
    ]
    pages = max(1, -(-len(comments) // WEIBO_PAGE_SIZE))
    return {"ok": 1, "data": {"data": rows, "total_number": len(comments), "max": pages}}


LOGIN_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>登录 - 新浪微博</title>
</head><body><div class="login"><h2>登录微博，发现更多精彩</h2><form action="/signin/login" method="post">
<input name="username" placeholder="手机号/邮箱"><input name="password" type="password">
<button>登录</button></form></div></body></html>"""  # noqa: E501
CAPTCHA_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head>
<body><p>您的访问出现异常，请输入验证码完成安全验证。</p><img src="/captcha.png"></body></html>"""

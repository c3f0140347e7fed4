"""The demo's news sites, RSS feed and the bureau's portal, rendered as HTML and XML.

The markup is deliberately like the real thing (navigation, ads, related links, footers,
varied date formats, tracking parameters on links), so the crawlers' extraction has real work.
Each function renders one page from the records ``DemoSites`` shows at the simulated now.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING

from core.clock import SHANGHAI
from yuqing.demo.records import DOC_TYPES, DemoRecord

if TYPE_CHECKING:
    from yuqing.demo.sites import DemoSites

LIST_PAGE_SIZE = 20
FEED_SIZE = 50
SITE_NAMES = {"jzrb": "江州日报", "lcxw": "临川新闻网", "rss": "民生财经"}


# ---- rendering helpers ---------------------------------------------------------------
def variant(record: DemoRecord, count: int) -> int:
    return record.number % count


def local_time(moment: datetime) -> datetime:
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
    moment = local_time(record.published)
    return [
        f"{moment:%Y-%m-%d %H:%M}",
        f"{moment:%Y年%m月%d日 %H:%M}",
        f"{moment:%Y/%m/%d %H:%M:%S}",
        f"{moment:%Y年%m月%d日%H:%M}",
    ][variant(record, 4)]


def _info_line(record: DemoRecord, site: str) -> str:
    when, author = _article_time(record), html.escape(record.author or "本报记者")
    return [
        f"{when} 来源：{site} 作者：{author}",
        f'<span class="time">{when}</span> <span class="source">来源：{site}</span> '
        f'<span class="author">记者 {author}</span>',
        f"发布时间：{when}&nbsp;&nbsp;来源：{site}&nbsp;&nbsp;作者：{author}",
        f"来源：{site} 作者：{author} {when}",
    ][variant(record, 4)]


def _article_path(prefix: str, record: DemoRecord) -> str:
    return f"/{prefix}/{local_time(record.published):%Y%m%d}/{record.slug}.html"


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


def news_list_page(sites: DemoSites, prefix: str, page: int) -> str | None:
    site = SITE_NAMES[prefix]
    items = sites.visible(prefix)
    pages = max(1, -(-len(items) // LIST_PAGE_SIZE))
    if not 1 <= page <= pages:
        return None
    chunk = items[(page - 1) * LIST_PAGE_SIZE : page * LIST_PAGE_SIZE]
    rows = "\n".join(
        f"<li>{_link(prefix, r, '?spm=list.0.0' if variant(r, 3) == 0 else '')}"
        f'<span class="date">{local_time(r.published):%Y-%m-%d %H:%M}</span></li>'
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


def news_article_page(sites: DemoSites, prefix: str, record: DemoRecord) -> str:
    site = SITE_NAMES[prefix]
    moment = local_time(record.published)
    extra_head = ""
    if variant(record, 2) == 0 and record.raw_time is None:
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
def rss_feed(sites: DemoSites, base: str, declared: str, naive_some: bool) -> str:
    items = []
    for record in sites.visible("rss")[:FEED_SIZE]:
        link = f"{base}/msjc/{record.slug}.html"
        moment = local_time(record.published)
        pub = format_datetime(moment)
        if naive_some and variant(record, 2):
            pub = pub.rsplit(" ", 1)[0]  # no zone: the feed means Beijing time
        if record.raw_time is not None:
            pub = str(record.raw_time)
        items.append(
            f"<item><title>{html.escape(record.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid><pubDate>{html.escape(pub)}</pubDate>'
            f"<author>{html.escape(record.author)}</author><category>民生</category>"
            f"<description><![CDATA[{_paragraphs(record.text)}]]></description></item>"
        )
    now = format_datetime(local_time(sites.now()))
    return (
        f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0"><channel>'
        f"<title>民生财经</title><link>{base}/msjc/</link>"
        "<description>民生财经 滚动新闻</description>"
        f"<language>zh-cn</language><lastBuildDate>{now}</lastBuildDate>"
        + "".join(items)
        + "</channel></rss>"
    )


def plain_article_page(record: DemoRecord, site: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(record.title)}'
        f" - {site}</title></head><body><h1>{html.escape(record.title)}</h1>"
        f'<div class="info">{_article_time(record)} {site}</div>'
        f'<div class="content">{_paragraphs(record.text)}</div></body></html>'
    )


# ---- the bureau's portal ---------------------------------------------------------------
def official_list_page(sites: DemoSites, doc_type: str, page: int) -> str | None:
    docs = [r for r in sites.visible("official") if r.doc_type == doc_type]
    pages = max(1, -(-len(docs) // LIST_PAGE_SIZE))
    if not 1 <= page <= pages:
        return None
    rows = "".join(
        f'<li><a href="/official/{doc_type}/{r.slug}.html" title="{html.escape(r.title)}">'
        f"{html.escape(r.title)}</a><span>{local_time(r.published):%Y-%m-%d}</span></li>"
        for r in docs[(page - 1) * LIST_PAGE_SIZE : page * LIST_PAGE_SIZE]
    )
    nav = " ".join(f'<a href="/official/list_{t}_1.html">{n}</a>' for t, n in DOC_TYPES.items())
    pager = (
        f'<a href="/official/list_{doc_type}_{page + 1}.html">下一页</a>' if page < pages else ""
    )
    body = f'<div class="xxgk-list"><h2>{DOC_TYPES[doc_type]}</h2><ul>{rows}</ul>{pager}</div>'
    return _official_page(f"{DOC_TYPES[doc_type]}_江州市市场监督管理局", nav, body)


def official_doc_page(record: DemoRecord) -> str:
    moment = local_time(record.published)
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

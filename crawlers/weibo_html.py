"""Weibo's HTML pages, read when its mobile JSON API gives no data.

Two page forms carry posts:

- the mobile post page ``m.weibo.cn/detail/ID``, which embeds the post as the API would
  send it, in ``var $render_data = [{... "status": {...}}][0] || {};``;
- the search results page ``s.weibo.com/weibo?q=...``: one ``div.card-wrap[mid]`` per post,
  with the author in ``a.name``, the text in ``p.txt`` (the full text, when the post was cut,
  in ``p.txt[node-type=feed_list_content_full]``), the time as the first link of
  ``div.from``, the counts in ``div.card-act``, and a reposted original in ``div.card-comment``.

Both are turned into the API's ``mblog`` shape (``mid``, ``text`` as HTML, ``created_at``,
counts, ``user``, ``retweeted_status``), so the spider builds mentions from either source by
the same code. A page that is a login wall, a captcha or a rate-limit notice carries neither
form; ``html_wall`` names which it is, so it is reported and never read as content.
"""

from __future__ import annotations

import json
import re
from typing import Any

from parsel import Selector, SelectorList

Block = Selector | SelectorList[Selector]

__all__ = ["WeiboPage", "html_wall", "parse_weibo_html"]

_RENDER_DATA = re.compile(r"var\s+\$render_data\s*=\s*(\[.*?\])\s*\[0\]\s*\|\|\s*\{\}\s*;", re.S)
_MID = re.compile(r"(?:^|[&?])mid=(\d+)")
_NUMBER = re.compile(r"[\d.]+\s*(?:万|亿)?\+?")
_FOLD_TOGGLE = re.compile(r"<a[^>]*action-type=\"fl_(?:un)?fold\"[^>]*>.*?</a>", re.S)
_CARD_MARK = 'class="card-wrap'
_NO_RESULT = ("card-no-result", "抱歉，未找到", "没有找到相关")

# Checked only on pages that carry no post: real content pages show "登录" in their nav bar.
_CAPTCHA_HINTS = ("验证码", "安全验证", "captcha", "geetest", "verifycode")
_RATE_HINTS = ("频繁", "频次过高", "访问过快", "too many requests")
_LOGIN_HINTS = ("passport.weibo", "sina visitor system", "/signin", "/login", "请先登录", "登录")


class WeiboPage:
    """What one HTML page held: posts in ``mblog`` shape and the next results page."""

    def __init__(self, mblogs: list[dict[str, Any]], next_url: str | None, kind: str) -> None:
        self.mblogs = mblogs
        self.next_url = next_url
        self.kind = kind  # "detail", "search" or "empty"


def html_wall(url: str, text: str) -> str:
    """Why this HTML page is a wall instead of posts ("" when it carries posts or none)."""
    if _RENDER_DATA.search(text) or _CARD_MARK in text:
        return ""
    if any(mark in text for mark in _NO_RESULT):
        return ""
    lowered = (url + " " + text[:20000]).lower()
    if any(hint in lowered for hint in _CAPTCHA_HINTS):
        return f"captcha page instead of posts ({url})"
    if any(hint in lowered for hint in _RATE_HINTS):
        return f"rate limited: the page says requests are too frequent ({url})"
    if any(hint in lowered for hint in _LOGIN_HINTS):
        return f"login wall: a login page instead of posts ({url})"
    return ""


def parse_weibo_html(url: str, text: str) -> WeiboPage | None:
    """The posts of a detail or search page; None when the page is neither form."""
    found = _RENDER_DATA.search(text)
    if found:
        return WeiboPage(_render_data_status(found.group(1)), None, "detail")
    if _CARD_MARK in text:
        selector = Selector(text=text)
        cards = selector.css("div.card-wrap[mid]")
        mblogs = [mblog for card in cards if (mblog := _card_mblog(card))]
        next_href = selector.css("div.m-page a.next::attr(href)").get()
        return WeiboPage(mblogs, next_href, "search")
    if any(mark in text for mark in _NO_RESULT):
        return WeiboPage([], None, "empty")
    return None


def _render_data_status(raw: str) -> list[dict[str, Any]]:
    """The ``status`` of ``$render_data``; [] when the embedded JSON is broken or empty."""
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    first = data[0] if isinstance(data, list) and data else {}
    status = first.get("status") if isinstance(first, dict) else None
    return [status] if isinstance(status, dict) else []


def _card_mblog(card: Selector) -> dict[str, Any] | None:
    mid = (card.attrib.get("mid") or "").strip()
    feed = card.css("div.card-feed")
    if not mid or not feed:
        return None
    content = feed.css("div.content")
    mblog = _post_fields(content, own_text=True)
    mblog["mid"] = mid
    mblog.update(_counts(card.xpath("./div[@class='card']/div[@class='card-act']")))
    original = content.css("div.card-comment")
    if original:
        retweeted = _post_fields(original, own_text=False)
        action = original.css("[action-data*='mid=']::attr(action-data)").get() or ""
        found = _MID.search(action)
        if found:
            retweeted["mid"] = found.group(1)
            retweeted.update(_counts(original.css("div.card-act, ul.act")))
            mblog["retweeted_status"] = retweeted
    return mblog


def _post_fields(block: Block, own_text: bool) -> dict[str, Any]:
    """Author, text (HTML) and raw time of one post block of a search results card."""
    # The repost's own text sits outside the nested original (div.card-comment).
    scope = "./p[contains(@class,'txt')]" if own_text else ".//p[contains(@class,'txt')]"
    full = block.xpath(f"{scope}[@node-type='feed_list_content_full']")
    short = block.xpath(f"{scope}[@node-type='feed_list_content']") or block.xpath(scope)
    paragraph = full or short
    text = "".join(paragraph[0].xpath("./node()").getall()) if paragraph else ""
    # The "展开" / "收起" (unfold / fold) toggles are page controls, not words of the post.
    text = _FOLD_TOGGLE.sub("", text)
    name_scope = "./div[@class='info']" if own_text else "."
    name = block.xpath(f"{name_scope}//a[contains(@class,'name')]")
    nick = name.xpath("@nick-name").get() or name.xpath("string()").get() or ""
    if not own_text and not nick:
        nick = (paragraph.xpath("@nick-name").get() if paragraph else "") or ""
    href = name.xpath("@href").get() or ""
    user_id = re.search(r"weibo\.com/(?:u/)?(\d+)", href)
    icons = " ".join(block.xpath(f"{name_scope}//i[contains(@class,'icon-vip')]/@class").getall())
    from_scope = "./div[@class='from']" if own_text else ".//div[@class='from']"
    when = block.xpath(f"{from_scope}/a[1]")
    return {
        "page_url": when.xpath("@href").get() or "",
        "text": text.strip(),
        "created_at": " ".join((when.xpath("string()").get() or "").split()),
        "user": {
            "screen_name": nick.strip().lstrip("@"),
            "id": user_id.group(1) if user_id else "",
            "verified": bool(icons),
            # Yellow V is a person (0); a blue V is an organisation, of a kind the page does
            # not say, so the first organisation type (1) stands for all of them.
            "verified_type": 0 if "icon-vip-y" in icons else (1 if icons else -1),
        },
    }


def _counts(act: Block) -> dict[str, str]:
    """Repost, comment and like counts as the card shows them ("转发 12", "1.2万", "赞")."""
    labels = {
        "reposts_count": "feed_list_forward",
        "comments_count": "feed_list_comment",
        "attitudes_count": "feed_list_like",
    }
    counts: dict[str, str] = {}
    for key, action in labels.items():
        shown = act.xpath(f".//a[@action-type='{action}']").xpath("string()").get() or ""
        number = _NUMBER.search(shown)
        counts[key] = number.group(0).replace(" ", "") if number else "0"
    return counts

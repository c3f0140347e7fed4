"""Weibo through its mobile JSON API: container pages of posts, then each post's comments.

Weibo answers a crawler that it dislikes with something that is not content: HTTP 418 or 403,
``{"ok": 0}``, or a redirect to a login page served as HTML. Those are recognised and reported
in the source state (so the dashboard's source health shows "login wall" rather than "0 new
posts"), and never parsed as posts.

Relative times ("5分钟前") lose precision as a post ages, so a post already in the archive keeps
the publish time stored when it was first seen; otherwise every round would move it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from scrapy.http import Response
from w3lib.url import add_or_replace_parameter

from archive.models import Mention
from crawlers.dates import DateParseError, parse_datetime
from crawlers.items import MentionItem
from crawlers.normalise import mention_id
from crawlers.spiders.base import SourceSpider
from crawlers.text import fragment_to_text, repost_chain, weibo_entities

__all__ = ["WeiboSpider", "detect_block"]

# Answers we want to see instead of having Scrapy drop them as HTTP errors.
_BLOCK_STATUSES = [403, 418, 429]
_LOGIN_HINTS = ("passport.weibo", "/signin", "/login", "登录", "login")
_CAPTCHA_HINTS = ("验证码", "captcha", "verify", "安全验证")
_RATE_HINTS = ("频繁", "稍后", "too many", "rate")
_EMPTY_HINTS = ("没有内容", "暂无", "还没有人评论", "快来发表")
_COUNT = re.compile(r"^\s*([\d.]+)\s*(万|亿)?\+?\s*$")


def detect_block(response: Response) -> str:
    """Why this answer is a wall rather than content ("" when it is content or empty)."""
    if response.status in (418, 429):
        return f"rate limited (HTTP {response.status})"
    if response.status == 403:
        return "access refused (HTTP 403)"
    body = response.body[:4000].decode("utf-8", errors="replace")
    if not body.lstrip().startswith(("{", "[")):
        lowered = (response.url + body).lower()
        if any(hint in lowered for hint in _CAPTCHA_HINTS):
            return f"captcha page instead of data ({response.url})"
        if any(hint in lowered for hint in _LOGIN_HINTS):
            return f"login wall: redirected to a login page ({response.url})"
        return f"unexpected answer, not JSON ({response.url})"
    return ""


def _refusal(data: dict[str, Any]) -> str:
    """Why an ``ok != 1`` answer refused us; "" when it only means "nothing here"."""
    if data.get("ok") == 1:
        return ""
    message = str(data.get("msg") or data.get("message") or "")
    lowered = message.lower() + " " + str(data.get("url", "")).lower()
    if any(hint in lowered for hint in _CAPTCHA_HINTS):
        return f"captcha required: {message}"
    if any(hint in lowered for hint in _LOGIN_HINTS):
        return f"login wall: {message}"
    if any(hint in lowered for hint in _RATE_HINTS):
        return f"rate limited: {message}"
    if any(hint in message for hint in _EMPTY_HINTS):
        return ""
    return f"API refused (ok={data.get('ok')!r}, errno={data.get('errno', '')}): {message}"


class WeiboSpider(SourceSpider):
    name = "weibo"
    platform = "weibo"

    async def start(self) -> Any:
        for url in self.start_urls:
            yield self._api_request(url, self.parse_start, dont_filter=True)

    def _api_request(self, url: str, callback: Any, **kwargs: Any) -> Any:
        meta = {"handle_httpstatus_list": _BLOCK_STATUSES}
        return self.request(url, callback, meta=meta, **kwargs)

    def parse_start(self, response: Response) -> Iterator[Any]:
        yield from self.parse_page(response, page=1)

    def parse_page(self, response: Response, page: int) -> Iterator[Any]:
        data = self._payload(response, comments=False)
        if data is None:
            return
        self.context.tally.start_ok = True
        body = data.get("data") or {}
        mblogs = list(_mblogs(body.get("cards") or []))
        top_items = [self._post_item(response, mblog) for mblog in mblogs]
        originals = [
            self._post_item(response, mblog["retweeted_status"])
            for mblog in mblogs
            if isinstance(mblog.get("retweeted_status"), dict)
        ]
        known = self._known(top_items + originals)
        yield from self._keep_first_times(top_items + originals, known)
        for item in top_items + originals:
            stored = known.get(mention_id("weibo", "", item.native_id))
            if self._wants_comments(item, stored, self.context.trust_seen):
                url = _comments_url(response, item.native_id, 1)
                yield self._api_request(
                    url, self.parse_comments, cb_kwargs={"post": item.native_id, "page": 1}
                )
        next_page = (body.get("cardlistInfo") or {}).get("page")
        seen_any = any(mention_id("weibo", "", i.native_id) in known for i in top_items)
        caught_up = seen_any and self.context.trust_seen
        if next_page and not caught_up and page < self.source.max_pages and top_items:
            url = add_or_replace_parameter(response.url, "page", str(next_page))
            yield self._api_request(url, self.parse_page, cb_kwargs={"page": page + 1})

    def parse_comments(self, response: Response, post: str, page: int) -> Iterator[Any]:
        data = self._payload(response, comments=True)
        if data is None:
            return
        body = data.get("data") or {}
        rows = body.get("data") or [] if isinstance(body, dict) else []
        items = [self._comment_item(response, row, post) for row in rows if isinstance(row, dict)]
        known = self._known(items)
        yield from self._keep_first_times(items, known)
        last_page = body.get("max") if isinstance(body, dict) else None
        fresh = any(mention_id("weibo", "", i.native_id) not in known for i in items)
        if (
            (fresh or not self.context.trust_seen)
            and isinstance(last_page, int)
            and page < min(last_page, self.source.max_pages)
        ):
            url = _comments_url(response, post, page + 1)
            yield self._api_request(
                url, self.parse_comments, cb_kwargs={"post": post, "page": page + 1}
            )

    # ---- answers ---------------------------------------------------------------------
    def _payload(self, response: Response, comments: bool) -> dict[str, Any] | None:
        """The JSON answer, or None after reporting a wall or garbage in the tally."""
        reason = detect_block(response)
        data: Any = None
        if not reason:
            try:
                data = json.loads(response.body)
            except ValueError:
                reason = f"unexpected answer, not JSON ({response.url})"
        if not reason and not isinstance(data, dict):
            reason = f"unexpected JSON, not an object ({response.url})"
        if not reason:
            reason = _refusal(data)
            if not reason and data.get("ok") != 1:
                return None  # an empty list, said the Weibo way
        if reason:
            self.context.tally.blocked = self.context.tally.blocked or reason
            self.context.tally.error(f"{response.url}: {reason}")
            return None
        return data

    def _known(self, items: Iterable[MentionItem]) -> dict[str, Mention]:
        ids = [mention_id("weibo", "", item.native_id) for item in items if item.native_id]
        return {m.id: m for m in self.context.archive.get_mentions(ids)} if ids else {}

    @staticmethod
    def _keep_first_times(
        items: Iterable[MentionItem], known: dict[str, Mention]
    ) -> Iterator[MentionItem]:
        for item in items:
            stored = known.get(mention_id("weibo", "", item.native_id))
            if stored is not None:
                item.published_at = stored.published_at
            yield item

    @staticmethod
    def _wants_comments(item: MentionItem, stored: Mention | None, trusted: bool) -> bool:
        """Fetch comments of new posts and of posts whose comment count went up.

        After an unclean previous run a stored count may belong to comments never fetched,
        so then every post with comments is asked again.
        """
        count = int(item.metrics.get("comments") or 0)
        if count <= 0 or not item.native_id:
            return False
        if stored is None or not trusted:
            return True
        return int(stored.metrics.get("comments") or 0) < count

    # ---- items -----------------------------------------------------------------------
    def _post_item(self, response: Response, mblog: dict[str, Any]) -> MentionItem:
        mid = str(mblog.get("mid") or mblog.get("id") or "")
        text = fragment_to_text(str(mblog.get("text") or ""))
        retweeted = mblog.get("retweeted_status")
        parent = None
        if isinstance(retweeted, dict):
            parent = str(retweeted.get("mid") or retweeted.get("id") or "") or None
        user = mblog.get("user") or {}
        extra: dict[str, Any] = {**weibo_entities(text), "site": "微博", **_user_extra(user)}
        if parent:
            extra["repost_chain"] = repost_chain(text)
            root_user = (retweeted.get("user") or {}) if isinstance(retweeted, dict) else {}
            extra["repost_of_user"] = str(root_user.get("screen_name") or "")
        metrics = {
            "reposts": _count(mblog.get("reposts_count")),
            "comments": _count(mblog.get("comments_count")),
            "likes": _count(mblog.get("attitudes_count")),
            **_user_metrics(user),
        }
        return self._item_with_time(
            response,
            mblog.get("created_at"),
            kind="repost" if parent else "post",
            url=response.urljoin(f"/detail/{mid}"),
            native_id=mid,
            text=text,
            author=str(user.get("screen_name") or ""),
            parent_native_id=parent,
            metrics=metrics,
            extra=extra,
        )

    def _comment_item(self, response: Response, row: dict[str, Any], post: str) -> MentionItem:
        text = fragment_to_text(str(row.get("text") or ""))
        user = row.get("user") or {}
        return self._item_with_time(
            response,
            row.get("created_at"),
            kind="comment",
            url=response.urljoin(f"/detail/{post}?cid={row.get('id') or ''}"),
            native_id=str(row.get("id") or row.get("mid") or ""),
            text=text,
            author=str(user.get("screen_name") or ""),
            parent_native_id=post,
            metrics={"likes": _count(row.get("like_count")), **_user_metrics(user)},
            extra={**weibo_entities(text), "site": "微博", **_user_extra(user)},
        )

    def _item_with_time(self, response: Response, raw: Any, **fields: Any) -> MentionItem:
        published = None
        if raw not in (None, ""):
            try:
                published = parse_datetime(raw, self.now())
            except DateParseError:
                published = None
        return self.item(response, published_at=published, published_raw=str(raw or ""), **fields)


def _mblogs(cards: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Posts in a card list; search results nest them in card groups (card_type 11)."""
    for card in cards:
        if not isinstance(card, dict):
            continue
        if isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        if isinstance(card.get("card_group"), list):
            yield from _mblogs(card["card_group"])


def _comments_url(response: Response, post: str, page: int) -> str:
    return response.urljoin(f"/api/comments/show?id={post}&page={page}")


def _count(value: Any) -> int:
    """Weibo counts come as ints or as display strings such as "1.2万" or "100万+"."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int | float):
        return int(value)
    match = _COUNT.match(str(value))
    if not match:
        return 0
    factor = {"万": 10_000, "亿": 100_000_000}.get(match.group(2) or "", 1)
    return int(float(match.group(1)) * factor)


def _user_metrics(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "followers": _count(user.get("followers_count")),
        "verified": bool(user.get("verified")),
        "verified_type": _verified_type(user.get("verified_type")),
    }


def _verified_type(value: Any) -> int:
    """Weibo's verified_type: -1 none, 0 personal (orange V), 1-7 organisations (blue V)."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.lstrip("-").isdigit() else -1


def _user_extra(user: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": str(user.get("id") or ""), "screen_name": str(user.get("screen_name") or "")}

"""Weibo through its mobile JSON API: container pages of posts, then each post's comments
and (with ``reposts: true``) its repost timeline; Weibo's HTML pages when the API fails.

Weibo answers a crawler that it dislikes with something that is not content: HTTP 418 or 403,
``{"ok": 0}``, or a redirect to a login page served as HTML. Those are recognised and reported
in the source state (so the dashboard's source health shows "login wall" rather than "0 new
posts"), and never parsed as posts.

Relative times ("5分钟前") lose precision as a post ages, so a post already in the archive keeps
the publish time stored when it was first seen; otherwise every round would move it.

When the API start page gives no data (an error, an answer that is not JSON, a refusal that
is not a rate limit), the source's ``html_fallback`` pages are read instead: a post page
(``m.weibo.cn/detail/ID``) or search results (``s.weibo.com/weibo?q=...``), parsed by
``crawlers.weibo_html``. A start URL that is such an HTML page is read the same way. Rate
limits are not answered with more requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from scrapy.http import Response
from w3lib.url import add_or_replace_parameter

from archive.models import Mention
from core.text.weibo import repost_chain, weibo_entities
from crawlers.dates import DateParseError, parse_datetime
from crawlers.ip_region import ip_region
from crawlers.items import MentionItem
from crawlers.normalise import mention_id
from crawlers.spiders.base import SourceSpider
from crawlers.text import fragment_to_text
from crawlers.weibo_html import html_wall, parse_weibo_html
from nlp.rumor.stance import refutes

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

    _fell_back = False

    async def start(self) -> Any:
        for url in self.start_urls:
            request = self._api_request(url, self.parse_start, dont_filter=True)
            yield request.replace(errback=self.on_start_error)

    def _api_request(self, url: str, callback: Any, **kwargs: Any) -> Any:
        meta = {"handle_httpstatus_list": _BLOCK_STATUSES}
        return self.request(url, callback, meta=meta, **kwargs)

    def parse_start(self, response: Response) -> Iterator[Any]:
        if response.status == 200 and not _looks_json(response):
            text = self._html(response)
            if parse_weibo_html(response.url, text) is not None or html_wall(response.url, text):
                yield from self.parse_html(response, page=1)  # an HTML start URL
                return
        yield from self.parse_page(response, page=1, start=True)

    def on_start_error(self, failure: Any) -> Iterator[Any]:
        """The API start page failed outright (HTTP error, timeout): read the HTML pages."""
        self.on_error(failure)
        yield from self._fallback()

    def parse_page(self, response: Response, page: int, start: bool = False) -> Iterator[Any]:
        data, reason = self._read(response)
        if reason:
            if start and self.source.html_fallback and not reason.startswith("rate limited"):
                self.context.tally.error(f"{response.url}: {reason}; reading the HTML pages")
                yield from self._fallback()
            else:
                self._report(response, reason)
            return
        if data is None:
            return
        self.context.tally.start_ok = True
        body = data.get("data") or {}
        mblogs = list(_mblogs(body.get("cards") or []))
        known, top_items = yield from self._posts(response, mblogs, children=True)
        next_page = (body.get("cardlistInfo") or {}).get("page")
        seen_any = any(mention_id("weibo", "", i.native_id) in known for i in top_items)
        caught_up = seen_any and self.context.trust_seen
        if next_page and not caught_up and page < self.source.max_pages and top_items:
            url = add_or_replace_parameter(response.url, "page", str(next_page))
            yield self._api_request(url, self.parse_page, cb_kwargs={"page": page + 1})

    def parse_html(self, response: Response, page: int) -> Iterator[Any]:
        """A post page or a search results page: posts as the API would give them."""
        text = self._html(response)
        reason = html_wall(response.url, text)
        if reason:
            self._report(response, reason)
            return
        parsed = parse_weibo_html(response.url, text)
        if parsed is None:
            what = "neither a Weibo post page nor search results"
            self.context.tally.error(f"{response.url}: unexpected page, {what}")
            return
        self.context.tally.start_ok = True
        # Comments and reposts come from the API only, which is what failed: not asked.
        known, top_items = yield from self._posts(response, parsed.mblogs, children=False)
        caught_up = self.context.trust_seen and any(
            mention_id("weibo", "", i.native_id) in known for i in top_items
        )
        if parsed.next_url and top_items and not caught_up and page < self.source.max_pages:
            yield self.request(
                response.urljoin(parsed.next_url),
                self.parse_html,
                cb_kwargs={"page": page + 1},
                meta={"handle_httpstatus_list": _BLOCK_STATUSES},
            )

    def _fallback(self) -> Iterator[Any]:
        """Requests for the source's HTML pages, once per run."""
        if self._fell_back:
            return
        self._fell_back = True
        for url in self.source.html_fallback:
            yield self.request(
                url,
                self.parse_html,
                dont_filter=True,
                cb_kwargs={"page": 1},
                meta={"handle_httpstatus_list": _BLOCK_STATUSES},
            )

    def _posts(self, response: Response, mblogs: list[dict[str, Any]], children: bool) -> Any:
        """Items of the posts and of the originals they repost, then requests for their
        comments (and reposts) when ``children``; returns (stored mentions, top items)."""
        top_items = [self._post_item(response, mblog) for mblog in mblogs]
        originals = [
            self._post_item(response, mblog["retweeted_status"])
            for mblog in mblogs
            if isinstance(mblog.get("retweeted_status"), dict)
        ]
        known = self._known(top_items + originals)
        yield from self._keep_first_times(top_items + originals, known)
        for item in top_items + originals if children else []:
            stored = known.get(mention_id("weibo", "", item.native_id))
            post = {"post": item.native_id, "page": 1}
            if self._wants_children(item, stored, self.context.trust_seen, "comments"):
                url = _comments_url(response, item.native_id, 1)
                yield self._api_request(url, self.parse_comments, cb_kwargs=post)
            wants = self._wants_children(item, stored, self.context.trust_seen, "reposts")
            if self.source.reposts and wants:
                url = _reposts_url(response, item.native_id, 1)
                yield self._api_request(url, self.parse_reposts, cb_kwargs=post)
        return known, top_items

    def parse_comments(self, response: Response, post: str, page: int) -> Iterator[Any]:
        yield from self._parse_children(response, post, page, self._comment_item, _comments_url)

    def parse_reposts(self, response: Response, post: str, page: int) -> Iterator[Any]:
        """A page of ``/api/statuses/repostTimeline``: reposts of ``post``, newest first."""
        yield from self._parse_children(response, post, page, self._repost_item, _reposts_url)

    def _parse_children(
        self, response: Response, post: str, page: int, make: Any, page_url: Any
    ) -> Iterator[Any]:
        """A page of comments or reposts (``data.data[]``, last page in ``data.max``)."""
        data = self._payload(response)
        if data is None:
            return
        body = data.get("data") or {}
        rows = body.get("data") or [] if isinstance(body, dict) else []
        items = [make(response, row, post) for row in rows if isinstance(row, dict)]
        known = self._known(items)
        yield from self._keep_first_times(items, known)
        last_page = body.get("max") if isinstance(body, dict) else None
        fresh = any(mention_id("weibo", "", i.native_id) not in known for i in items)
        if (
            (fresh or not self.context.trust_seen)
            and isinstance(last_page, int)
            and page < min(last_page, self.source.max_pages)
        ):
            url = page_url(response, post, page + 1)
            callback = self.parse_reposts if page_url is _reposts_url else self.parse_comments
            yield self._api_request(url, callback, cb_kwargs={"post": post, "page": page + 1})

    # ---- answers ---------------------------------------------------------------------
    def _payload(self, response: Response) -> dict[str, Any] | None:
        """The JSON answer, or None after reporting a wall or garbage in the tally."""
        data, reason = self._read(response)
        if reason:
            self._report(response, reason)
        return data

    def _report(self, response: Response, reason: str) -> None:
        self.context.tally.blocked = self.context.tally.blocked or reason
        self.context.tally.error(f"{response.url}: {reason}")

    def _html(self, response: Response) -> str:
        decoded = self.decoded(response)
        return str(decoded.text) if hasattr(decoded, "text") else ""

    @staticmethod
    def _read(response: Response) -> tuple[dict[str, Any] | None, str]:
        """The JSON answer (None when it only says "nothing here") and why it is unusable."""
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
                return None, ""  # an empty list, said the Weibo way
        return (None, reason) if reason else (data, "")

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
    def _wants_children(
        item: MentionItem, stored: Mention | None, trusted: bool, metric: str
    ) -> bool:
        """Fetch comments (reposts) of new posts and of posts whose count went up.

        After an unclean previous run a stored count may belong to comments never fetched,
        so then every post with comments is asked again.
        """
        count = int(item.metrics.get(metric) or 0)
        if count <= 0 or not item.native_id:
            return False
        if stored is None or not trusted:
            return True
        return int(stored.metrics.get(metric) or 0) < count

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
        extra.update(ip_region(mblog))
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
        kind = "repost" if parent else "post"
        if not parent and official_refutation(text, metrics["verified_type"]):
            kind = "debunk"
        return self._item_with_time(
            response,
            mblog.get("created_at"),
            kind=kind,
            url=response.urljoin(str(mblog.get("page_url") or f"/detail/{mid}")),
            native_id=mid,
            text=text,
            author=str(user.get("screen_name") or ""),
            parent_native_id=parent,
            metrics=metrics,
            extra=extra,
        )

    def _repost_item(self, response: Response, row: dict[str, Any], post: str) -> MentionItem:
        """A repost from the watched post's repost timeline: its parent is that post, even
        when ``retweeted_status`` names the root of a longer chain."""
        item = self._post_item(response, row)
        item.kind = "repost"
        item.parent_native_id = post
        item.extra.setdefault("repost_chain", repost_chain(item.text))
        item.extra["repost_of"] = post
        return item

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
            extra={**weibo_entities(text), "site": "微博", **_user_extra(user), **ip_region(row)},
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


def _reposts_url(response: Response, post: str, page: int) -> str:
    return response.urljoin(f"/api/statuses/repostTimeline?id={post}&page={page}")


def _looks_json(response: Response) -> bool:
    return response.body[:200].lstrip().startswith((b"{", b"["))


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


# Weibo's verified_type for government (1) and media (3) accounts.
REFUTING_ACCOUNT_TYPES = frozenset({1, 3})


def official_refutation(text: str, verified_type: int) -> bool:
    """A government or media account's own post that refutes a claim (【澄清】网传…不实) is a
    debunk, as a 辟谣 notice on an official site is: stored as one, it answers the claim
    (the analysis indexes it and marks the posts that spread it) and is never scored as one.
    Reposts keep their kind: they pass a refutation along, they do not make it."""
    if verified_type not in REFUTING_ACCOUNT_TYPES:
        return False
    # 经查 / 未检出 alone are how any investigation report reads (经查，系维保单位…): only
    # words that call something false make the post a refutation.
    return any(not phrase.startswith(("经", "未检出")) for phrase in refutes(text))


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

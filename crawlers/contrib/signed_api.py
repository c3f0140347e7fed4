"""A plug-in spider for a short-video platform's web search API behind a login and a signature.

Douyin-style web APIs answer only a logged-in session (a ``sessionid`` cookie copied from a
browser that logged in: ``cookies: {sessionid: ${VIDEO_SESSION}}`` in the YAML) and only
requests signed with a key that the site rotates: the spider asks ``sign_key_path`` for the
current key, signs each API request (HMAC-SHA256 of its path and query, ``ts`` included, as
``X-Bogus``), and when the site answers "signature expired" fetches the new key and signs
again, at most ``_RESIGNS`` times per request. A login wall is reported as the source being
blocked, never parsed. Posts become ``post`` mentions with the author, counts and the IP 属地
(``ip_label``) as ``extra.ip_region``.

It is an example of the plug-in contract (crawlers/plugins.py): a ``SourceSpider`` subclass
that yields ``self.item(...)``; pipelines, health, politeness and the archive are the same as
for the built-in spiders.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy.http import Response
from w3lib.url import add_or_replace_parameter

from crawlers.spiders.base import SourceSpider

__all__ = ["SignedVideoSearchSpider", "sign"]

# status_code values of the API: 0 ok, 8 not logged in, 2154 signature expired or wrong.
_OK, _LOGIN, _SIGNATURE = 0, 8, 2154
_RESIGNS = 2


def sign(key: str, url: str) -> str:
    """The request's signature: HMAC-SHA256 over its path and query (without the signature)."""
    parts = urlsplit(url)
    message = f"{parts.path}?{parts.query}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


class SignedVideoSearchSpider(SourceSpider):
    name = "signed_video_search"
    platform = "other"
    conditional_start = False
    sign_key_path: ClassVar[str] = "/aweme/v1/web/sign-key/"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key = ""

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            yield self._key_request(url, resigns=0, page=1)

    # ---- the key and the signed requests -----------------------------------------------
    def _key_request(self, url: str, resigns: int, page: int) -> Any:
        key_url = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}{self.sign_key_path}"
        return self.request(
            key_url,
            self._got_key,
            cb_kwargs={"target": url, "resigns": resigns, "page": page},
            dont_filter=True,
        )

    def _got_key(self, response: Response, target: str, resigns: int, page: int) -> Iterator[Any]:
        data = self._payload(response)
        if data is None:
            return
        self.key = str(data.get("key") or "")
        if not self.key:
            self._refused(response, "the site gave no signing key")
            return
        yield self._signed(target, resigns, page)

    def _signed(self, url: str, resigns: int, page: int) -> Any:
        stamped = add_or_replace_parameter(url, "ts", str(int(self.now().timestamp())))
        signed = add_or_replace_parameter(stamped, "X-Bogus", sign(self.key, stamped))
        return self.request(
            signed,
            self._parse_page,
            cb_kwargs={"target": url, "resigns": resigns, "page": page},
            dont_filter=True,
        )

    def _parse_page(
        self, response: Response, target: str, resigns: int, page: int
    ) -> Iterator[Any]:
        data = self._payload(response, expect_signature=True)
        if data is None:
            return
        if data.get("status_code") == _SIGNATURE:
            if resigns >= _RESIGNS:
                self._refused(response, f"signature refused {resigns + 1} times")
                return
            yield self._key_request(target, resigns + 1, page)  # the key rotated: fetch again
            return
        self.context.tally.start_ok = True
        for post in data.get("data") or []:
            if isinstance(post, dict):
                yield self._post_item(response, post)
        cursor = data.get("cursor")
        if data.get("has_more") and cursor is not None and page < self.source.max_pages:
            next_url = add_or_replace_parameter(target, "cursor", str(cursor))
            yield self._signed(next_url, 0, page + 1)

    # ---- answers -----------------------------------------------------------------------
    def _payload(self, response: Response, expect_signature: bool = False) -> dict[str, Any] | None:
        try:
            data = json.loads(response.body)
        except ValueError:
            self._refused(response, "not a JSON answer (a login page?)")
            return None
        if not isinstance(data, dict):
            self._refused(response, "not a JSON object")
            return None
        status = data.get("status_code", _OK)
        if status == _LOGIN:
            self._refused(response, f"login required ({data.get('status_msg') or 'not logged in'})")
            return None
        if status not in (_OK, _SIGNATURE) or (status == _SIGNATURE and not expect_signature):
            self._refused(response, f"status {status}: {data.get('status_msg') or ''}".strip())
            return None
        return data

    def _refused(self, response: Response, reason: str) -> None:
        """A wall, not content: the source is blocked this round (the URL without its
        signature, which is of no use to anyone reading the log)."""
        url = response.url.split("&X-Bogus=")[0]
        self.context.tally.blocked = self.context.tally.blocked or reason
        self.context.tally.error(f"{url}: {reason}")

    def _post_item(self, response: Response, post: dict[str, Any]) -> Any:
        author = post.get("author") or {}
        stats = post.get("statistics") or {}
        created = str(post.get("create_time") or "")
        published = datetime.fromtimestamp(int(created), UTC) if created.isdigit() else None
        aweme = str(post.get("aweme_id") or "")
        base = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}"
        extra: dict[str, Any] = {"site": "短视频平台", "uid": str(author.get("uid") or "")}
        if post.get("ip_label"):
            extra["ip_region"] = str(post["ip_label"])
        return self.item(
            response,
            kind="post",
            url=f"{base}/video/{aweme}",
            native_id=aweme,
            text=str(post.get("desc") or ""),
            author=str(author.get("nickname") or ""),
            published_at=published,
            published_raw=created,
            metrics={
                "comments": int(stats.get("comment_count") or 0),
                "likes": int(stats.get("digg_count") or 0),
                "reposts": int(stats.get("share_count") or 0),
            },
            extra=extra,
        )

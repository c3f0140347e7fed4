"""Decoding pages whose charset label is wrong or missing: GBK labelled UTF-8 and the reverse.

Chinese sites often declare one charset and send another (an old GBK CMS behind a proxy that
adds ``charset=utf-8``, a Big5 page with no label at all). Scrapy trusts the HTTP header, so a
mislabelled page comes out as replacement characters. Here the label is only the first guess:
a decoding that fails is replaced by the first candidate that decodes the bytes cleanly, in
the order a Chinese crawl meets them. GB18030 is tried before Big5 because it decodes almost
any byte string; Big5 is chosen over it only when Big5 decodes strictly and GB18030's reading
is full of kana and symbols (what Big5 text looks like when read as GB).
"""

from __future__ import annotations

import codecs
import re

__all__ = ["best_encoding", "decode_html"]

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""",
    re.I,
)
_CANDIDATES = ("utf-8", "gb18030", "big5")


def _normal(name: str | None) -> str | None:
    if not name:
        return None
    try:
        found = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    # GBK and GB2312 labels: decode as their superset, which also holds the newer characters.
    return "gb18030" if found in ("gbk", "gb2312", "cp936") else found


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _plausible_share(text: str) -> float:
    """Share of characters that Chinese text is made of: ideographs, ASCII, CJK punctuation.

    Big5 bytes read as GB18030 decode without error but come out as kana, symbols and rare
    ideographs; GB bytes read as Big5 mostly fail outright.
    """
    non_space = [c for c in text if not c.isspace()]
    if not non_space:
        return 1.0
    plausible = sum(
        1
        for c in non_space
        if c < "\u0080"
        or "\u4e00" <= c <= "\u9fff"
        or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef"
    )
    return plausible / len(non_space)


def best_encoding(body: bytes, declared: str | None = None) -> str:
    """The charset to read ``body`` with: the declared one if it fits, else the best fit."""
    order: list[str] = []
    for name in (_normal(declared), *_meta_charsets(body), *_CANDIDATES):
        if name and name not in order:
            order.append(name)
    readings = {name: _strict(body, name) for name in order}
    fitting = [name for name in order if readings[name] is not None]
    if not fitting:
        return order[0]
    # A strict UTF-8 reading of non-ASCII bytes is almost never an accident, whatever the
    # label says; the GB family, by contrast, decodes nearly anything.
    first = "utf-8" if "utf-8" in fitting else fitting[0]
    if first == "gb18030" and "big5" in fitting:
        gb, big5 = readings["gb18030"] or "", readings["big5"] or ""
        if _plausible_share(big5) > _plausible_share(gb) + 0.02:
            return "big5"
    return first


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_html(body: bytes, declared: str | None = None) -> str:
    """``body`` as text, read with ``best_encoding``; undecodable bytes become U+FFFD.

    A byte-order mark decides first (UTF-8, UTF-16 LE / BE): a page saved by a Windows editor
    as "Unicode" is UTF-16 whatever its meta tag says.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace")
    return body.decode(best_encoding(body, declared), errors="replace")


def looks_binary(text: str) -> bool:
    """Whether decoded text is binary data rather than a page: NULs or many control and
    replacement characters in its first 4 KB (markup and Chinese text have almost none)."""
    head = text[:4096]
    if not head or "\x00" in head:
        return bool(head)
    odd = sum(1 for c in head if c == "\ufffd" or (ord(c) < 32 and c not in "\t\n\r\f"))
    return odd / len(head) > 0.1


def _meta_charsets(body: bytes) -> list[str]:
    names = []
    for match in _META_CHARSET.finditer(body[:4096]):
        label = match.group(1) or match.group(2) or b""
        name = _normal(label.decode("ascii", errors="ignore"))
        if name:
            names.append(name)
    return names

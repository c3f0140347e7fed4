"""Canonical URLs: one page, one id, however a site or a share button decorates the link.

The id of a page mention is ``stable_id(canonical_url)``, so tracking parameters, fragments,
host case and the mobile variant of a site must not produce a second mention of one article.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote_plus, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import url_query_cleaner

__all__ = ["absolute_url", "canonical_url", "desktop_host", "identity_url"]

# Parameters that say how a reader arrived, never which page it is.
_TRACKING_EXACT = frozenset(
    {
        "spm",
        "from",
        "sharetype",
        "isappinstalled",
        "wfr",
        "scene",
        "clicktime",
        "enterid",
        "fbclid",
        "gclid",
    }
)
_TRACKING_PREFIXES = ("utm_", "share_", "spm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MOBILE_LABELS = frozenset({"m", "wap", "3g", "mobile", "touch"})


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def desktop_host(host: str) -> str:
    """The desktop name of a mobile host: m.thepaper.cn → www.thepaper.cn.

    Chinese news sites serve the same article path under m./wap./3g. hosts for phones; the
    share links people post are often the mobile ones. Hosts of two labels (m.cn) are left.
    """
    first, _, rest = host.partition(".")
    if first in _MOBILE_LABELS and rest.count(".") >= 1:
        return f"www.{rest}"
    return host


def identity_url(url: str) -> str:
    """What a page's id is made of: its canonical URL under the desktop host.

    Kept apart from ``canonical_url`` because the stored link must still open: some mobile
    hosts have no desktop twin at the same path.
    """
    parts = urlsplit(canonical_url(url))
    host = desktop_host(parts.hostname or "")
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters.

    The remaining query parameters keep their order: some CMSs route on the first one.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", _query_without_tracking(parts.query), ""))


def _query_without_tracking(query: str) -> str:
    """The query re-encoded one way (decoded, then ``urlencode``: the spelling every stored id
    was made from), without the tracking parameters.

    w3lib drops the parameters, but only by their exact encoded name, so the names are
    chosen here: ours match case-insensitively and by prefix (``utm_*``).
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    tracking = [quote_plus(name) for name, _ in pairs if _is_tracking(name)]
    cleaned = url_query_cleaner(f"?{urlencode(pairs)}", tracking, remove=True, unique=False)
    return cleaned.removeprefix("?")


def absolute_url(base: str, href: str) -> str:
    """``href`` resolved against the page it was found on, then made canonical."""
    return canonical_url(urljoin(base, href.strip()))

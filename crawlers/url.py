"""Canonical URLs: one page, one id, however a site or a share button decorates the link.

The id of a page mention is ``stable_id(canonical_url)``, so tracking parameters, fragments and
host case must not produce a second mention of the same article.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["absolute_url", "canonical_url"]

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


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


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
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def absolute_url(base: str, href: str) -> str:
    """``href`` resolved against the page it was found on, then made canonical."""
    return canonical_url(urljoin(base, href.strip()))

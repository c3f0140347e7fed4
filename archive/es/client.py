"""Connecting to Elasticsearch: the client, the version check and clear errors.

Every call the archive makes goes through ``calls(where)``, which turns the client's exceptions
into ``ArchiveError`` messages that say what to change: the cluster is unreachable, the
credentials were refused, they lack a privilege, or the server is not an Elasticsearch 8.
Messages name the hosts without their user-info part, never a key or password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TlsError
from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    Elasticsearch,
    UnsupportedProductError,
)

from archive.errors import ArchiveError
from archive.es.bulk import ArchiveUnavailable

SUPPORTED_MAJOR = 8


def safe_hosts(hosts: list[str]) -> str:
    """The hosts for messages: user names and passwords in URLs are removed."""
    shown = []
    for host in hosts:
        parts = urlsplit(host if "://" in host else f"http://{host}")
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        shown.append(urlunsplit((parts.scheme, netloc, parts.path, "", "")))
    return ", ".join(shown)


def make_client(
    hosts: list[str],
    *,
    api_key: str | None = None,
    username: str | None = None,
    password: str | None = None,
    ca_certs: str | None = None,
    verify_certs: bool = True,
    request_timeout: float = 30.0,
) -> Elasticsearch:
    if not hosts:
        raise ArchiveError(
            "archive.hosts is empty: list the Elasticsearch URLs, e.g. ['https://es1:9200']"
        )
    options: dict[str, Any] = {
        "request_timeout": request_timeout,
        # One quick retry for a dropped connection; bulk writes have their own backoff.
        "max_retries": 1,
        "retry_on_timeout": True,
    }
    if api_key:
        options["api_key"] = api_key
    elif username:
        options["basic_auth"] = (username, password or "")
    if ca_certs:
        options["ca_certs"] = ca_certs
    if not verify_certs:
        options["verify_certs"] = False
        options["ssl_show_warn"] = False
    return Elasticsearch(hosts, **options)


@contextmanager
def calls(where: str) -> Iterator[None]:
    """Translate client errors into ``ArchiveError`` messages for people."""
    try:
        yield
    except (TransportConnectionError, ConnectionTimeout) as exc:
        if isinstance(exc, TlsError):
            raise ArchiveError(
                f"TLS handshake with Elasticsearch at {where} failed ({exc}): check"
                " archive.ca_certs or archive.verify_certs"
            ) from None
        raise ArchiveUnavailable(f"Elasticsearch at {where} is unreachable ({exc})") from None
    except AuthenticationException:
        raise ArchiveError(
            f"Elasticsearch at {where} refused the credentials (HTTP 401): check archive.api_key"
            " (or archive.username / archive.password)"
        ) from None
    except AuthorizationException as exc:
        raise ArchiveError(
            f"the credentials for Elasticsearch at {where} lack a privilege (HTTP 403):"
            f" {exc.message}"
        ) from None
    except UnsupportedProductError:
        raise ArchiveError(
            f"the server at {where} is not Elasticsearch (no X-Elastic-Product header)"
        ) from None
    except ApiError as exc:
        status = exc.meta.status
        if status in (502, 503, 504):
            raise ArchiveUnavailable(
                f"Elasticsearch at {where} is unavailable (HTTP {status})"
            ) from None
        raise ArchiveError(f"Elasticsearch at {where}: HTTP {status} {exc.message}") from None


def check_version(client: Elasticsearch, where: str) -> list[str]:
    """Versions of every node; refuses a cluster with a node that is not 8.x."""
    with calls(where):
        answer = client.nodes.info(filter_path="nodes.*.version")
    versions = sorted({str(node["version"]) for node in answer.get("nodes", {}).values()})
    if not versions:
        raise ArchiveError(f"Elasticsearch at {where} reported no nodes")
    for version in versions:
        major = version.split(".", 1)[0]
        if not major.isdigit() or int(major) != SUPPORTED_MAJOR:
            raise ArchiveError(
                f"Elasticsearch {version} at {where} is not supported: this version of yuqing"
                f" needs Elasticsearch {SUPPORTED_MAJOR}.x (its client is elasticsearch-py"
                f" {SUPPORTED_MAJOR}.x)"
            )
    return versions

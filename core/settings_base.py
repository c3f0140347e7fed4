"""The building blocks of the settings schema: durations, strict models, located errors and
the checks several sections share (an http URL, a loopback address)."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> timedelta:
    """'30s', '10m', '2h', '1d' or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    raise ValueError(f"expected a duration such as '30s', '10m' or '2h', got {value!r}")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class LocatedError(ValueError):
    """A problem found by a check across entries, with the key path of the entry it is about,
    so the message points at that entry's own line instead of the top of the file."""

    def __init__(self, message: str, path: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.path = path


def http_url_problem(url: str) -> str | None:
    """What makes ``url`` unusable as a notifier's target, or None for an http(s) URL with a host.

    Checked at ``check-config`` and again at send time: ``file://`` would be "sent" without
    anything delivered, an empty address would be retried for hours, and ``user:pass@`` would
    leak credentials into a DNS error.
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"expected an http:// or https:// URL, got scheme {parts.scheme or '(none)'!r}"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "a name and password before @ in the URL are not accepted; use 'secret'"
    return None


def is_loopback_bind(host: str) -> bool:
    """Whether a server told to bind ``host`` is reachable from this machine only.

    Decided by what Streamlit will bind: an empty address means every interface; a host name
    other than ``localhost`` may resolve to any interface, so only literal loopback addresses
    count.
    """
    host = host.strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class StrictModel(BaseModel):
    """Unknown keys are errors, and defaults are validated too."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def literal_name(model: type[BaseModel], key: str = "type") -> str:
    """The one value of a model's ``Literal`` field: the name a per-type model registers."""
    (name,) = get_args(model.model_fields[key].annotation)
    return str(name)


def register_typed(registry: dict[str, Any], cls: Any, noun: str) -> None:
    """Put ``cls`` in ``registry`` under the name its ``settings_model``'s ``type`` gives and
    set its ``type_name``; a second class for one type is a programming error, refused."""
    name = literal_name(cls.settings_model)
    if name in registry:
        raise TypeError(f"{noun} type {name!r} has two classes: {registry[name].__name__}")
    cls.type_name = name
    registry[name] = cls


def check_keys_of_other_types(
    model: type[BaseModel], data: Any, registry: Mapping[str, type[BaseModel]], noun: str
) -> None:
    """Refuse a key that ``model`` lacks but other types of the registry have, naming those
    types ("'per_topic' applies to spike rules only"); other unknown keys are left to
    pydantic's "unknown key"."""
    if not isinstance(data, dict):
        return
    for key in data:
        if key in model.model_fields:
            continue
        owners = [name for name, other in registry.items() if key in other.model_fields]
        if owners:
            listed = ", ".join(owners[:-1]) + " and " if len(owners) > 1 else ""
            raise LocatedError(f"'{key}' applies to {listed}{owners[-1]} {noun} only", (key,))

"""Schema of ``units:``: one deployment for a province's units (属地化, issue 23).

The tree is province → city → county/district → 所 (market-regulation station). Each unit owns
its regions — GB/T 2260 codes and the names people write (临川区, 临川) — has its recipients and
dashboard users, and sets graded handling deadlines (特别重大 / 重大 / 较大 / 一般 handled within
fixed hours, on the calendar or on working days). What a unit leaves unset it inherits from its
parent. Routing events to units is ``alerts.units``; the checks that span the file (known
recipients and users, a child inside its parent's regions) are ``check_units``, called by
``Settings``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Literal, get_args

from pydantic import Field, model_validator

from core.settings_base import Duration, LocatedError, StrictModel
from core.settings_schemes import SchemeSettings, check_scheme
from core.vocabulary import SEVERITY_GRADES, AgencyLevel, Grade

# 所 (a county bureau's market-regulation station) acts on its county's obligations.
UnitLevel = Literal["province", "city", "county", "station"]
UNIT_LEVELS: tuple[str, ...] = get_args(UnitLevel)
UNIT_LEVEL_LABELS: dict[str, str] = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "station": "市场监管所",
}
_OBLIGATION_LEVEL: dict[str, AgencyLevel] = {
    "province": "province",
    "city": "city",
    "county": "county",
    "station": "county",
}
HandlingClock = Literal["hours", "working_hours"]


def code_contains(outer: str, inner: str) -> bool:
    """Whether GB/T 2260 code ``outer`` covers ``inner``: a province (XX0000) its cities and
    counties, a city (XXYY00) its counties, a county only itself."""
    if outer == inner:
        return True
    if outer.endswith("0000"):
        return inner.startswith(outer[:2])
    if outer.endswith("00"):
        return inner.startswith(outer[:4])
    return False


class UnitSettings(StrictModel):
    """One unit of the tree (a bureau or a station) with its own units below."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=2)  # 江州市临川区市场监督管理局: what pages and messages show
    level: UnitLevel
    # GB/T 2260 six-digit codes (330106) and the names the region goes by (临川区, 临川).
    region_codes: list[str] = Field(default_factory=list)
    region_names: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    users: list[str] = Field(default_factory=list)
    # Handling time by severity grade ("4h", "2d"); a grade left out is the parent's.
    handling: dict[Grade, Duration] = Field(default_factory=dict)
    # hours: calendar hours; working_hours: only the hours of working days count (调休 known).
    handling_clock: HandlingClock | None = None
    # What the unit watches (监测方案, core.settings_schemes); unset: its parent's.
    scheme: SchemeSettings | None = None
    # Routing enters this unit only when at least this many member mentions name places in it
    # (alerts.units); unset: the parent's, else ROUTE_MIN_MENTIONS.
    route_min_mentions: int | None = Field(default=None, ge=1)
    children: list[UnitSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_own(self) -> UnitSettings:
        for index, code in enumerate(self.region_codes):
            if len(code) != 6 or not code.isdigit():
                raise LocatedError(
                    f"expected a six-digit GB/T 2260 code such as '330106', got {code!r}",
                    ("region_codes", index),
                )
        for grade, allowed in self.handling.items():
            if allowed <= timedelta(0):
                raise LocatedError(
                    f"expected a positive duration such as '4h', got {allowed}", ("handling", grade)
                )
        return self

    @property
    def obligation_level(self) -> AgencyLevel:
        """The agency level whose deadlines its obligations run on (a 所 acts as its county)."""
        return _OBLIGATION_LEVEL[self.level]

    def walk(self, path: tuple[str | int, ...] = ()) -> Iterator[tuple[UnitSettings, tuple]]:
        """Every unit of the subtree, parents first, with its key path below ``units``."""
        yield self, path
        for index, child in enumerate(self.children):
            yield from child.walk((*path, "children", index))


def _check_child(parent: UnitSettings, child: UnitSettings, path: tuple) -> None:
    if UNIT_LEVELS.index(child.level) <= UNIT_LEVELS.index(parent.level):
        raise LocatedError(
            f"unit {child.id!r} is {child.level} under the {parent.level} unit {parent.id!r}: "
            f"expected a level below it ({', '.join(UNIT_LEVELS)}, top to bottom)",
            ("units", *path, "level"),
        )
    if parent.region_codes:
        for index, code in enumerate(child.region_codes):
            if not any(code_contains(outer, code) for outer in parent.region_codes):
                raise LocatedError(
                    f"region code {code} of unit {child.id!r} is not inside its parent "
                    f"{parent.id!r} ({', '.join(parent.region_codes)})",
                    ("units", *path, "region_codes", index),
                )


def check_units(
    root: UnitSettings | None,
    recipients: Sequence[str],
    users: Mapping[str, str | None],
    sources: Sequence[str] | None = None,
) -> None:
    """Cross-entry checks: unique ids, levels and regions nested, known recipients, users and
    scheme sources, each user in one unit. ``users``: username → its ``unit:`` (None when
    unset); ``sources``: the configured source names (None: not checked)."""
    if root is None:
        for index, (username, named) in enumerate(users.items()):
            if named is not None:
                raise LocatedError(
                    f"user {username!r} names unit {named!r} but no 'units:' are configured",
                    ("users", index, "unit"),
                )
        return
    seen: dict[str, tuple] = {}
    listed: dict[str, str] = {}
    restricts = {root.id: False}  # unit id → an ancestor's scheme says what to watch
    for unit, path in root.walk():
        if unit.id in seen:
            raise LocatedError(
                f"duplicate unit id {unit.id!r} (ids must be unique)", ("units", *path, "id")
            )
        seen[unit.id] = path
        check_scheme(
            unit.scheme,
            None if sources is None else set(sources),
            restricts[unit.id],
            ("units", *path),
        )
        own = unit.scheme is not None and unit.scheme.has_positive
        for child in unit.children:
            restricts[child.id] = restricts[unit.id] or own
        for index, child in enumerate(unit.children):
            _check_child(unit, child, (*path, "children", index))
        for index, name in enumerate(unit.recipients):
            if name not in recipients:
                raise LocatedError(
                    f"unit {unit.id!r} names unknown recipient {name!r}"
                    f" (known: {', '.join(sorted(recipients)) or 'none'})",
                    ("units", *path, "recipients", index),
                )
        for index, name in enumerate(unit.users):
            if name not in users:
                raise LocatedError(
                    f"unit {unit.id!r} names unknown user {name!r}"
                    f" (known: {', '.join(sorted(users)) or 'none'})",
                    ("units", *path, "users", index),
                )
            if name in listed:
                raise LocatedError(
                    f"user {name!r} is listed by units {listed[name]!r} and {unit.id!r}: "
                    "a user belongs to one unit",
                    ("units", *path, "users", index),
                )
            listed[name] = unit.id
    for index, (username, unit_id) in enumerate(users.items()):
        if unit_id is None:
            continue
        if unit_id not in seen:
            raise LocatedError(
                f"user {username!r} names unknown unit {unit_id!r} (known: {', '.join(seen)})",
                ("users", index, "unit"),
            )
        if listed.get(username, unit_id) != unit_id:
            raise LocatedError(
                f"user {username!r} has unit {unit_id!r} but unit {listed[username]!r} lists it",
                ("users", index, "unit"),
            )


__all__ = [
    "SEVERITY_GRADES",
    "UNIT_LEVELS",
    "UNIT_LEVEL_LABELS",
    "HandlingClock",
    "UnitLevel",
    "UnitSettings",
    "check_units",
    "code_contains",
]

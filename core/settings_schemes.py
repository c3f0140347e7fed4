"""Schema of a unit's watch scheme (监测方案, issue 23): what the unit watches.

``scheme:`` on a unit of ``units:`` (``core.settings_units``)::

    scheme:
      expression: "(电梯|扶梯) & (事故|故障) & !演练"   # core.keyword_expression
      any: [燃气, 液化气]          # at least one of these words
      all: [白沙]                  # every one of these words
      none: [演练, 演习]           # none of these words (exclusions)
      topics: [special_equipment]  # one of these topics (code or its label 特种设备)
      sources: [baisha-news]       # from one of these sources (names in ``sources:``)
      inherit: narrow              # or extend

A mention matches the unit's own positive part when it meets every part set (expression, any,
all, topics, sources). ``inherit`` says how that joins the parent's effective scheme:
``narrow`` (the default; a station that only watches food, a district that watches its own
markets within what the city watches) — the parent's AND its own; ``extend`` (a district that
adds its own enterprises to what the city watches) — the parent's OR its own. Narrow is the
default because a unit's scheme refines its superior's: under a top unit that watches
everything it is simply the unit's own scheme, while ``extend`` there would add nothing and is
refused at load. Exclusions (``none:``) always add up down the tree: what the province rules
out (drills, adverts) no unit below watches. A unit without ``scheme:`` watches what its
parent watches; the top unit without one watches everything. The matching is
``alerts.schemes``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from core.keyword_expression import ExpressionError, parse
from core.settings_base import LocatedError, StrictModel

SchemeInherit = Literal["extend", "narrow"]
_WORD_LISTS = ("any", "all", "none", "topics", "sources")


class SchemeSettings(StrictModel):
    """One unit's own scheme; ``alerts.schemes`` joins it with its ancestors'."""

    expression: str | None = None
    any: list[str] = Field(default_factory=list)
    all: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    inherit: SchemeInherit = "narrow"

    @model_validator(mode="after")
    def _check(self) -> SchemeSettings:
        if self.expression is not None:
            try:
                parse(self.expression)
            except ExpressionError as exc:
                raise LocatedError(str(exc), ("expression",)) from None
        for key in _WORD_LISTS:
            for index, word in enumerate(getattr(self, key)):
                if not word.strip():
                    raise LocatedError(
                        f"expected a non-empty word in '{key}', got {word!r}", (key, index)
                    )
        return self

    @property
    def has_positive(self) -> bool:
        """Whether it says what to watch (not only what to exclude)."""
        return bool(
            self.expression is not None or self.any or self.all or self.topics or self.sources
        )


def check_scheme(
    scheme: SchemeSettings | None,
    sources: set[str] | None,
    parent_restricts: bool,
    path: tuple[str | int, ...],
) -> None:
    """A scheme's ``sources`` must be configured sources (None: not checked), and ``extend``
    needs a parent that restricts something (``parent_restricts``: a positive part up the
    chain) to extend. ``path``: the unit's key path."""
    if scheme is None:
        return
    if scheme.inherit == "extend" and scheme.has_positive and not parent_restricts:
        raise LocatedError(
            "'extend' adds to what the parent units watch, but they watch everything (no "
            "scheme with expression, any, all, topics or sources above this unit): expected "
            "'narrow' (the default: this unit watches what its own scheme says)",
            (*path, "scheme", "inherit"),
        )
    if sources is None:
        return
    for index, name in enumerate(scheme.sources):
        if name not in sources:
            raise LocatedError(
                f"scheme names unknown source {name!r}"
                f" (known: {', '.join(sorted(sources)) or 'none'})",
                (*path, "scheme", "sources", index),
            )

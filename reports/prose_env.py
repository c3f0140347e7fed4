"""The Jinja2 environment of the briefing templates (``reports/templates``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


def nested(text: str) -> str:
    """Text that goes inside “…”: its own double quotes become single ones, as Chinese
    writing nests them (““鲜岛紫菜是塑料做的”系谣言” read as two quotations)."""
    return str(text).replace("“", "‘").replace("”", "’")


ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # plain text: each renderer escapes for its own format
)
ENV.filters["nested"] = nested


@cache
def module(name: str) -> Any:
    """The macros of template ``name``, callable as functions returning text."""
    return ENV.get_template(name).module

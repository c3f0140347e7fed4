"""Cutting a text to a length for display, marked as cut, so a reader never takes a cut word
for the text (messages, briefings, alerts)."""

from __future__ import annotations

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """``text`` with runs of whitespace as one space, cut to ``limit`` characters with the
    last one an ellipsis when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + ELLIPSIS

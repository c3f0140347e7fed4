"""A mention's figures as event grading reads them, for the severity tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nlp.severity import SourcedFigures, best_figures, extract_figures

T0 = datetime(2026, 11, 16, tzinfo=UTC)


def sourced(
    mention_id: str, hours: float, text: str, official: bool = False, credible: bool = True
) -> SourcedFigures:
    """``text``'s figures, published ``hours`` after ``T0`` (only the order matters)."""
    found, _, context = extract_figures(text, mention_id)
    return SourcedFigures(
        mention_id, T0 + timedelta(hours=hours), official, credible, best_figures(found), context
    )

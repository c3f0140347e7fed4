"""Drill reports (应急演练): a rehearsal of an accident is not an accident.

A port's crane-accident drill reported the day before a real crane collapse shares the
accident's words (起重机械, 消防救援支队, 被困) and district; as the first member of a live event
it founded the real accident's event, and every message about the accident cited the drill as
its first source (held-out jinqiao_crane, miss 5). A report whose subject is a drill — its
heading (the title, or a Weibo post's 【headline】 or first sentence) names 演练 or 演习, and
nothing in it says it was *not* one — is kept a story of its own (``nlp.event_member``).

A real accident report that mentions a drill in passing (应急演练流于形式, 去年曾开展演练) names
it in its body, not its heading, and stays an accident report.
"""

from __future__ import annotations

import re

DRILL = re.compile(r"演练|演习")
# 不是演练, 并非演习, 以为是演练 (a witness mistaking the real thing for a drill).
NOT_A_DRILL = re.compile(r"(不是|并非|并不是|非|以为是|还以为)(应急|消防|救援)?(演练|演习)")
# The first sentence of an untitled post: up to its first full stop, at most this long.
_FIRST_SENTENCE = re.compile(r"^[^。！？!?\n]{0,80}")


def heading(title: str, text: str) -> str:
    """What a report is about: its title, else its first sentence."""
    if title.strip():
        return title
    found = _FIRST_SENTENCE.match(text.strip())
    return found.group(0) if found else ""


def is_drill_report(title: str, text: str) -> bool:
    """Whether the report's subject is a drill or exercise (see the module docstring)."""
    if NOT_A_DRILL.search(f"{title}\n{text}"):
        return False
    return bool(DRILL.search(heading(title, text)))

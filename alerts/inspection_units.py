"""Where a sampling-inspection notice happens: at its failed samples' producers (属地化).

A notice's text names its publisher's area in the title (江州市市场监督管理局关于…的通告) and
every producer's address in its table, so read as one text it routes to the publisher or to
the common parent of every district it lists. What a county must act on is its own
producers' failed samples: ``alerts.unit_routing`` reads a notice among an alert's evidence
as one place per attachment record (the producer and its address, else the sampled region),
so an ``inspection`` alert on a 临川 producer's failed milk powder is 临川区's, at alert time and
on the dashboard alike. A notice none of whose records names a unit is read as its text.

A notice whose failed samples' producers are in two districts is two districts' work: the
``inspection`` rule raises one alert per district (``district_records``), each with that
district's records and a subject naming the unit (``doc:<id>@<unit>``, ``subject_unit``), so
each county is told of, and opens obligations on, its own producers; read as one place it
would go to their common parent, which acts on neither. Records naming no unit (a national
notice's firms elsewhere) join no district's alert when the notice is split.
"""

from __future__ import annotations

from collections.abc import Mapping

from alerts.units import Place, UnitTree, route, units_named
from archive.models import Mention
from nlp.notice_links import is_notice

# Where a record's producer is: its address first; the sampled region only when neither is
# given (a 流通环节 sample's producer may be elsewhere, but then its region is all there is).
_PRODUCER = ("producer_address", "producer")
_SAMPLED = ("region",)


def record_place(record: Mapping[str, object]) -> str:
    text = " ".join(str(record.get(key) or "") for key in _PRODUCER).strip()
    return text or " ".join(str(record.get(key) or "") for key in _SAMPLED).strip()


def place_texts(tree: UnitTree, mention: Mention) -> list[str]:
    """The texts that say where ``mention`` happens: one per record of a notice whose records
    name a unit, else its title and text."""
    whole = [f"{mention.title}\n{mention.text}"]
    if not is_notice(mention):
        return whole
    records = [r for r in mention.extra.get("records") or [] if isinstance(r, dict)]
    places = [record_place(r) for r in records]
    return places if any(units_named(tree, place) for place in places) else whole


# Between a notice's subject and the unit of one district's share of it.
UNIT_MARK = "@"


def record_unit(tree: UnitTree, record: Mapping[str, object]) -> str | None:
    """The most specific unit a record's producer is in (None: its place names no unit)."""
    named = units_named(tree, record_place(record))
    return route(tree, Place((named,)), floor=False) if named else None


def district_records(
    tree: UnitTree, records: list[dict[str, str]]
) -> dict[str, list[dict[str, str]]]:
    """Unit id → the records whose producer is there, in the records' order (records naming
    no unit left out)."""
    groups: dict[str, list[dict[str, str]]] = {}
    for record in records:
        unit_id = record_unit(tree, record)
        if unit_id is not None:
            groups.setdefault(unit_id, []).append(record)
    return groups


def unit_subject(subject: str, unit_id: str) -> str:
    return f"{subject}{UNIT_MARK}{unit_id}"


def subject_unit(tree: UnitTree, subject: str) -> str | None:
    """The unit a split notice's subject names (None for any other subject)."""
    if not subject.startswith("doc:") or UNIT_MARK not in subject:
        return None
    unit_id = subject.rsplit(UNIT_MARK, 1)[1]
    return unit_id if unit_id in tree.by_id else None

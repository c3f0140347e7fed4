"""Where a sampling-inspection notice happens: at its failed samples' producers (属地化).

A notice's text names its publisher's area in the title (江州市市场监督管理局关于…的通告) and
every producer's address in its table, so read as one text it routes to the publisher or to
the common parent of every district it lists. What a county must act on is its own
producers' failed samples: ``alerts.unit_routing`` reads a notice among an alert's evidence
as one place per attachment record (the producer and its address, else the sampled region),
so an ``inspection`` alert on a 临川 producer's failed milk powder is 临川区's, at alert time and
on the dashboard alike. A notice none of whose records names a unit is read as its text.
"""

from __future__ import annotations

from alerts.units import UnitTree, units_named
from archive.models import Mention
from nlp.notice_links import is_notice

# Where a record's producer is: its address first; the sampled region only when neither is
# given (a 流通环节 sample's producer may be elsewhere, but then its region is all there is).
_PRODUCER = ("producer_address", "producer")
_SAMPLED = ("region",)


def record_place(record: dict[str, object]) -> str:
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

"""The entities of the analysed mentions (``nlp.entities``) as the archive stores them.

Extraction reads the words the analyser has already segmented (no second segmentation) and
is kept per text: a relevant post is re-analysed as its comments arrive, and extraction
(jieba part-of-speech tagging around company and brand words) is the dearest step of the
analysis after segmentation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from archive.models import EntityRef
from nlp.entities import extract
from nlp.text import Document

# Distinct (title, text) pairs whose entities are kept (as nlp.analyzer.DOCUMENT_CACHE).
ENTITY_CACHE = 20_000


def entity_refs(document: Document) -> tuple[EntityRef, ...]:
    """Regions (with their codes) in the order named, then companies, brands, products."""
    found = extract(document.full_text, [*document.title_words, *document.body_words])
    return (
        *(EntityRef("region", r.name, r.code) for r in found.regions),
        *(EntityRef("company", name) for name in found.companies),
        *(EntityRef("brand", name) for name in found.brands),
        *(EntityRef("product", name) for name in found.products),
    )


def region_names(entities: Iterable[EntityRef]) -> tuple[str, ...]:
    """The regions' names, cities before provinces (``nlp.entities.cities_first``), each in
    the order named: what ``nlp.entities.named_regions`` gives for the same words."""
    regions = [e for e in entities if e.kind == "region"]
    return tuple(e.name for e in sorted(regions, key=lambda e: e.code.endswith("0000")))


class EntityCache:
    """Entities by (title, text), the least recently used dropped past ``size``."""

    def __init__(self, size: int = ENTITY_CACHE) -> None:
        self.size = size
        self._found: OrderedDict[tuple[str, str], tuple[EntityRef, ...]] = OrderedDict()

    def get(self, key: tuple[str, str], document: Document) -> tuple[EntityRef, ...]:
        cached = self._found.get(key)
        if cached is not None:
            self._found.move_to_end(key)
            return cached
        cached = self._found[key] = entity_refs(document)
        if len(self._found) > self.size:
            self._found.popitem(last=False)
        return cached

"""The entities of the analysed mentions (``nlp.entities``) as the archive stores them.

Extraction reads the words the analyser has already segmented (no second segmentation) and
is kept with the other parts of a text (``nlp.analysis_state.TextParts.entities``): a relevant
post is re-analysed as its comments arrive, and extraction (jieba part-of-speech tagging
around company and brand words) is the dearest step of the analysis after segmentation.
"""

from __future__ import annotations

from collections.abc import Iterable

from archive.models import EntityRef
from nlp.entities import extract
from nlp.text import Document


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
    """The regions' names, cities before provinces (``nlp.entities_regions.cities_first``), each in
    the order named: what ``nlp.entities_regions.named_regions`` gives for the same words."""
    regions = [e for e in entities if e.kind == "region"]
    return tuple(e.name for e in sorted(regions, key=lambda e: e.code.endswith("0000")))

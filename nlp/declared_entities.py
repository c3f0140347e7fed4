"""Entities a source states outright, beside those the analysis finds in the text.

Some sources say what they are about in structured fields: a sampling-inspection notice's
attachment rows name the producer, brand, product and address (``extra.entities``, written
by ``crawlers.spiders.notices``), a complaint names the company complained about
(``extra.company``). Those are stated, not guessed, so they join the mention's entities
as found. A Weibo post's IP 属地 (``extra.ip_region``, province level) is a weak signal: where
the poster was, not necessarily where the story is, so it is used only when the text names no
region at all.

The crawler gives names only (it sits below the analysis and knows no gazetteer); regions are
resolved here to their GB/T 2260 codes, an address by its province and city prefix.
"""

from __future__ import annotations

from functools import lru_cache

from archive.models import ENTITY_KINDS, EntityRef, Mention
from nlp.entities import Region, gazetteer

__all__ = ["declared_entities", "resolve_region", "with_declared"]


@lru_cache(maxsize=1)
def _names_longest_first() -> tuple[str, ...]:
    return tuple(sorted(gazetteer(), key=len, reverse=True))


@lru_cache(maxsize=4096)
def resolve_region(text: str) -> Region | None:
    """广东 → 广东省; 广东省深圳市宝安区… → 深圳市 (the most specific of the prefixes)."""
    text = text.strip()
    names = gazetteer()
    if text in names:
        return names[text]
    found: Region | None = None
    rest = text
    for _ in range(2):  # province, then city
        name = next((n for n in _names_longest_first() if len(n) >= 2 and rest.startswith(n)), "")
        if not name:
            break
        region = names[name]
        if found is not None and region.province != found.name:
            break  # a city of another province is not a part of this address
        found = region
        rest = rest[len(name) :]
    return found


def declared_entities(mention: Mention) -> tuple[EntityRef, ...]:
    """The entities the mention's source states (``extra.entities``, ``extra.company``)."""
    found: list[EntityRef] = []
    stated = mention.extra.get("entities")
    for entry in stated if isinstance(stated, list) else []:
        if not isinstance(entry, dict):
            continue
        kind, name = str(entry.get("kind", "")), str(entry.get("name", "")).strip()
        if kind not in ENTITY_KINDS or not name:
            continue
        if kind == "region":
            region = resolve_region(name)
            if region is not None:
                found.append(EntityRef("region", region.name, region.code))
        else:
            found.append(EntityRef(kind, name))
    company = mention.extra.get("company")
    if isinstance(company, str) and company.strip():
        found.append(EntityRef("company", company.strip()))
    return tuple(dict.fromkeys(found))


def with_declared(found: tuple[EntityRef, ...], mention: Mention) -> tuple[EntityRef, ...]:
    """The text's entities, then the stated ones, then (only when no region is named) the
    poster's IP 属地; each once, regions first as ``nlp.analysis_entities`` orders them."""
    extra = list(declared_entities(mention))
    merged = [*found, *extra]
    ip_region = mention.extra.get("ip_region")
    if isinstance(ip_region, str) and not any(e.kind == "region" for e in merged):
        region = resolve_region(ip_region)
        if region is not None:
            merged.append(EntityRef("region", region.name, region.code))
    if not extra and len(merged) == len(found):
        return found
    unique = list(dict.fromkeys(merged))
    return tuple(sorted(unique, key=lambda e: ENTITY_KINDS.index(e.kind)))

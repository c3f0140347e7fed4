"""The analyser stores the entities of relevant mentions, and events count their members'."""

from __future__ import annotations

from datetime import timedelta

from archive.base import Archive
from archive.models import EntityCount, EntityRef, Mention, stable_id
from core.clock import SimulatedClock
from core.settings import NlpSettings, Settings
from nlp.analysis_entities import region_names
from nlp.analysis_state import TextParts
from nlp.entities_regions import named_regions
from nlp.event_links import firm_names
from nlp.relevance import default_scorer
from nlp.sentiment import score_sentiment
from nlp.stage import analyze_new
from nlp.text import document_from_text
from tests.conftest import T0

MILK = [
    (
        "k1",
        "江州市美味食品有限公司生产的“佳佳”奶粉被检出三聚氰胺，深圳市市场监管局已介入调查，"
        "涉事批次婴幼儿配方奶粉已下架。",
        "深圳市通报“佳佳”奶粉抽检不合格",
    ),
    ("k2", "深圳市场监管局：江州市美味食品有限公司“佳佳”奶粉抽检不合格，已责令召回。", ""),
    ("k3", "广东省深圳市通报婴幼儿配方奶粉抽检不合格处置情况，涉事企业被立案调查。", ""),
]


def _mention(mid: str, text: str, hours: float, title: str = "") -> Mention:
    return Mention(
        id=mid,
        source="test-weibo",
        platform="weibo",
        kind="post",
        url=f"http://127.0.0.1/{mid}",
        text=text,
        title=title,
        published_at=T0 + timedelta(hours=hours),
        fetched_at=T0 + timedelta(hours=hours, minutes=2),
    )


def _run(archive: Archive, items: list[Mention]) -> None:
    archive.upsert_mentions(items)
    analyze_new(archive, Settings(nlp=NlpSettings()), SimulatedClock(T0 + timedelta(hours=10)))


def test_a_relevant_mention_stores_its_company_brand_product_and_region(
    archive: Archive,
) -> None:
    mid, text, title = MILK[0]
    chatter = _mention("x1", "今天天气不错，和朋友去深圳市的公园散步", 1)
    _run(archive, [_mention(mid, text, 0, title), chatter])
    analyses = archive.get_analyses([mid, "x1"])
    found = analyses[mid].entities
    assert analyses[mid].relevant
    assert EntityRef("company", "江州市美味食品有限公司") in found
    assert EntityRef("brand", "佳佳") in found
    assert EntityRef("product", "奶粉") in found
    assert EntityRef("region", "深圳市", "440300") in found
    # Irrelevant mentions are not extracted (most of a stream; nothing reads them).
    assert not analyses["x1"].relevant and analyses["x1"].entities == []


def test_member_regions_are_what_named_regions_gives() -> None:
    """Event regions now come from the stored entities: the same names, in the same order."""
    from nlp.analysis_entities import entity_refs

    for text in ["广东省深圳市一商场扶梯逆行", "北京晨报：吉林省长春市、广州市抽检", "无地名"]:
        document = document_from_text(text)
        words = [*document.title_words, *document.body_words]
        assert region_names(entity_refs(document)) == named_regions(words)


def test_an_event_counts_the_members_naming_each_entity(archive: Archive) -> None:
    _run(archive, [_mention(mid, text, i, title) for i, (mid, text, title) in enumerate(MILK)])
    analyses = archive.get_analyses([mid for mid, _, _ in MILK])
    event_ids = {a.event_id for a in analyses.values()}
    assert event_ids == {stable_id("event", "k1")}
    event = archive.get_event(stable_id("event", "k1"))
    assert event is not None and event.entities is not None
    counts = {(c.kind, c.name): c.count for c in event.entities}
    expected: dict[tuple[str, str], int] = {}
    for analysis in analyses.values():
        for entity in set(analysis.entities):
            key = (entity.kind, entity.name)
            expected[key] = expected.get(key, 0) + 1
    assert counts == expected
    assert counts[("company", "江州市美味食品有限公司")] == 2
    assert counts[("region", "深圳市")] == 3
    assert EntityCount("region", "深圳市", "440300", 3) in event.entities
    # Kinds in order, most named first within each.
    kinds = [c.kind for c in event.entities]
    assert kinds == sorted(kinds, key=["region", "company", "brand", "product"].index)
    regions = [c.count for c in event.entities if c.kind == "region"]
    assert regions == sorted(regions, reverse=True)


def test_a_texts_firm_names_are_prepared_for_its_own_entities_only() -> None:
    """``TextParts.firms_of``: the firm names prepared with the text (an analysis helper's)
    serve its own entities; entities a source declares besides get theirs computed; and a
    member rebuilt with stored entities does not have the text's extracted to compare."""
    _, text, title = MILK[0]
    document = document_from_text(text, title, "k1", "post")
    fresh = TextParts(document, default_scorer().score(document), score_sentiment(document))
    declared = (EntityRef("company", "江州恒泰印染有限公司"),)
    assert fresh.firms_of(declared) == ("江州恒泰印染有限公司", "恒泰印染", "恒泰")
    assert "entities" not in vars(fresh)
    own = fresh.entities
    assert "江州市美味食品有限公司" in fresh.firms_of(own) == firm_names(own)
    assert fresh.firms_of(own) is fresh.firm_names
    assert set(fresh.firms_of(own + declared)) == set(firm_names(own)) | {"恒泰印染", "恒泰"} | {
        "江州恒泰印染有限公司"
    }

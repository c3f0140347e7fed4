"""Filters, facets and histograms read the narrow mention_dims table: they must agree with a
brute-force count over the mentions and analyses themselves, after any sequence of writes,
after a schema upgrade that fills the table from older data, and beyond the topic bit mask."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from archive import open_archive
from archive.base import Archive
from archive.models import Analysis, Mention
from archive.search import FACET_FIELDS, SearchFilters, SearchRequest
from archive.sqlite.dims import TOPIC_BITS, UNANALYSED
from tests.conftest import OBLIGATION_EVIDENCE_UNDONE, T0, make_mention

WORDS = ["电梯", "召回", "食品", "锅炉", "投诉", "天气"]
SOURCES = ["demo-news", "demo-weibo", "samr-notices", "gbk-news"]
PLATFORMS = {"demo-news": "news", "demo-weibo": "weibo", "samr-notices": "official"}
REGIONS = ["江州市", "临川区", "青山县"]
TOPICS = ["food_safety", "special_equipment", "recall", "counterfeit"]
SENTIMENTS = ["negative", "neutral", "positive"]


def _mention(rng: random.Random, i: int) -> Mention:
    source = rng.choice(SOURCES)
    words = rng.sample(WORDS, 2)
    return make_mention(
        i,
        f"{words[0]}相关消息，{words[1]}情况通报第{i}号",
        source=source,
        platform=PLATFORMS.get(source, "news"),
        kind="post" if source == "demo-weibo" else "article",
        region=rng.choice(REGIONS),
        published_at=T0 + timedelta(hours=rng.randrange(0, 24 * 20)),
    )


def _analysis(rng: random.Random, mention_id: str, topics: list[str]) -> Analysis:
    return Analysis(
        mention_id=mention_id,
        relevant=rng.random() < 0.7,
        relevance=rng.random(),
        topics=rng.sample(topics, rng.randrange(0, 3)),
        sentiment=rng.choice(SENTIMENTS),
        rumor_score=round(rng.random(), 2),
        event_id=rng.choice([None, "e-1", "e-2"]),
    )


def _fill(store: Archive, seed: int, n: int = 160, topics: list[str] = TOPICS) -> None:
    rng = random.Random(seed)
    mentions = [_mention(rng, i) for i in range(n)]
    store.upsert_mentions(mentions)
    store.upsert_analyses(_analysis(rng, m.id, topics) for m in mentions if rng.random() < 0.75)
    # Re-analyse some (topics change) and move some in time (rowids move).
    store.upsert_analyses(_analysis(rng, m.id, topics) for m in mentions[::7])
    moved = [
        Mention(**{**m.__dict__, "published_at": m.published_at + timedelta(days=3)})
        for m in mentions[::11]
    ]
    store.upsert_mentions(moved)
    edited = [Mention(**{**m.__dict__, "region": "河西区"}) for m in mentions[::13]]
    store.upsert_mentions(edited)


def _everything(store: Archive) -> list[tuple[Mention, Analysis | None]]:
    result = store.search(SearchRequest(limit=1000))
    assert result.total_exact
    pairs = [(hit.mention, hit.analysis) for hit in result.hits]
    while result.next_cursor:
        result = store.search(SearchRequest(limit=1000, after=result.next_cursor))
        pairs += [(hit.mention, hit.analysis) for hit in result.hits]
    return pairs


def _brute_facets(pairs: list[tuple[Mention, Analysis | None]]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
    for mention, analysis in pairs:
        for name in ("source", "platform", "kind", "region"):
            counts[name][getattr(mention, name)] += 1
        counts["sentiment"][analysis.sentiment if analysis else UNANALYSED] += 1
        for topic in analysis.topics if analysis else []:
            counts["topic"][topic] += 1
    return counts


def _facets(store: Archive, request: SearchRequest) -> dict[str, Counter[str]]:
    found = store.facets(request, FACET_FIELDS, size=100)
    return {name: Counter({f.value: f.count for f in found[name]}) for name in FACET_FIELDS}


REQUESTS = [
    SearchRequest(),
    SearchRequest(query="电梯"),
    SearchRequest(query="召回 OR 锅炉", filters=SearchFilters(platforms=["weibo"])),
    SearchRequest(query="食品 -投诉", filters=SearchFilters(topics=["recall"])),
    SearchRequest(filters=SearchFilters(regions=["江州市", "河西区"], sentiments=["negative"])),
    SearchRequest(query="-platform:news -sentiment:neutral"),
    SearchRequest(query="-topic:food_safety", filters=SearchFilters(rumor_min=0.5)),
    SearchRequest(filters=SearchFilters(events=["e-1"], relevant_only=True)),
    SearchRequest(filters=SearchFilters(sources=["no-such-source"])),
    SearchRequest(
        filters=SearchFilters(since=T0 + timedelta(days=5), until=T0 + timedelta(days=9))
    ),
]


def _matches(request: SearchRequest, mention: Mention, analysis: Analysis | None) -> bool:
    """The request's meaning, written out directly over the records."""
    text = mention.title + mention.text
    query = request.query.split()
    f = request.filters
    checks = {
        "电梯": "电梯" in text,
        "召回 OR 锅炉": "召回" in text or "锅炉" in text,
        "食品 -投诉": "食品" in text and "投诉" not in text,
        "-platform:news -sentiment:neutral": mention.platform != "news"
        and (analysis is None or analysis.sentiment != "neutral"),
        "-topic:food_safety": analysis is None or "food_safety" not in analysis.topics,
    }
    if query and not checks[request.query]:
        return False
    if f.platforms and mention.platform not in f.platforms:
        return False
    if f.regions and mention.region not in f.regions:
        return False
    if f.sources and mention.source not in f.sources:
        return False
    if f.since and mention.published_at < f.since:
        return False
    if f.until and mention.published_at >= f.until:
        return False
    needs_analysis = f.topics or f.sentiments or f.rumor_min is not None
    if (needs_analysis or f.events or f.relevant_only) and analysis is None:
        return False
    assert analysis is not None or not needs_analysis
    if f.topics and analysis and not set(f.topics) & set(analysis.topics):
        return False
    if f.sentiments and analysis and analysis.sentiment not in f.sentiments:
        return False
    if f.rumor_min is not None and analysis and (analysis.rumor_score or 0) < f.rumor_min:
        return False
    if f.events and analysis and analysis.event_id not in f.events:
        return False
    return not (f.relevant_only and analysis and not analysis.relevant)


def _check_against_brute_force(store: Archive) -> None:
    everything = _everything(store)
    assert len(everything) == store.count_mentions()
    for request in REQUESTS:
        expected = [(m, a) for m, a in everything if _matches(request, m, a)]
        assert store.search(request).total == len(expected), request
        assert _facets(store, request) == _brute_facets(expected), request
        days = Counter(
            (m.published_at + timedelta(hours=8)).date().isoformat() for m, _ in expected
        )
        buckets = store.histogram(request, "day")
        assert {(b.start + timedelta(hours=8)).date().isoformat(): b.count for b in buckets} == (
            days
        ), request


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_facets_filters_and_histogram_agree_with_brute_force(archive: Archive, seed: int) -> None:
    _fill(archive, seed)
    _check_against_brute_force(archive)


def test_upgrade_from_schema_2_fills_the_dims_table(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with open_archive(path) as store:
        _fill(store, 7)
    # Turn the file back into a schema-2 archive: no dims tables, no entities (schema 5),
    # no event platforms (schema 6), no obligation evidence (schema 8).
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE mention_dims; DROP TABLE dim_values; DROP TABLE dims_tombstones; "
        "DELETE FROM meta WHERE key = 'dims_version'; "
        "DROP TABLE mention_entities; ALTER TABLE analyses DROP COLUMN entities; "
        "ALTER TABLE events DROP COLUMN entities; ALTER TABLE events DROP COLUMN platforms; "
        + OBLIGATION_EVIDENCE_UNDONE
        + "PRAGMA user_version = 2;"
    )
    conn.close()
    with open_archive(path) as store:
        _check_against_brute_force(store)
        # New writes after the upgrade extend the codes the migration assigned.
        store.upsert_mentions([make_mention(900, "电梯 新来源", source="new-source")])
        assert store.search(SearchRequest(query="source:new-source")).total == 1
        _check_against_brute_force(store)


def test_topics_beyond_the_bit_mask_are_counted_exactly(archive: Archive) -> None:
    many = [f"topic-{i:03d}" for i in range(TOPIC_BITS + 8)]
    rng = random.Random(5)
    mentions = [_mention(rng, i) for i in range(120)]
    archive.upsert_mentions(mentions)
    archive.upsert_analyses(
        Analysis(
            mention_id=m.id,
            relevant=True,
            relevance=1.0,
            topics=[many[(3 * i) % len(many)], many[(3 * i + 1) % len(many)]],
            sentiment="neutral",
        )
        for i, m in enumerate(mentions)
    )
    everything = _everything(archive)
    assert _facets(archive, SearchRequest())["topic"] == _brute_facets(everything)["topic"]
    late = many[-1]
    expected = sum(1 for _, a in everything if a and late in a.topics)
    assert expected > 0
    assert archive.search(SearchRequest(filters=SearchFilters(topics=[late]))).total == expected
    excluded = archive.search(SearchRequest(query=f"-topic:{late}")).total
    assert excluded == len(everything) - expected


def test_a_reader_sees_every_write_of_another_connection(tmp_path: Path) -> None:
    """The in-memory columns follow another process's inserts, moves and re-analyses."""
    path = tmp_path / "shared.db"
    with open_archive(path) as writer, open_archive(path, readonly=True) as reader:
        _fill(writer, 11, n=80)
        _check_against_brute_force(reader)
        rng = random.Random(12)
        more = [_mention(rng, 500 + i) for i in range(40)]
        writer.upsert_mentions(more)
        _check_against_brute_force(reader)
        writer.upsert_analyses(_analysis(rng, m.id, TOPICS) for m in more)
        moved = [
            Mention(**{**m.__dict__, "published_at": m.published_at - timedelta(days=2)})
            for m in more[::3]
        ]
        writer.upsert_mentions(moved)
        _check_against_brute_force(reader)
        # An unchanged re-crawl changes nothing, not even the change stamp.
        version = reader._columns.version  # type: ignore[attr-defined]
        writer.upsert_mentions(moved)
        _check_against_brute_force(reader)
        assert reader._columns.version == version  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", [4, 5])
def test_filtered_pages_are_newest_first_without_gaps_or_repeats(
    archive: Archive, seed: int
) -> None:
    _fill(archive, seed)
    everything = _everything(archive)
    for request in REQUESTS:
        expected = sorted(
            (m for m, a in everything if _matches(request, m, a)),
            key=lambda m: (m.published_at, m.id),
            reverse=True,
        )
        seen: list[str] = []
        page = archive.search(SearchRequest(query=request.query, filters=request.filters, limit=7))
        while True:
            seen += [hit.mention.id for hit in page.hits]
            for hit in page.hits:
                assert hit.analysis is None or hit.analysis.mention_id == hit.mention.id
                if request.query and "-" not in request.query.split()[0]:
                    assert hit.score > 0, request  # the FTS rank, read for the page
            if page.next_cursor is None:
                break
            page = archive.search(
                SearchRequest(
                    query=request.query, filters=request.filters, limit=7, after=page.next_cursor
                )
            )
        # Equal publication times keep their insertion order, not their ids' order.
        assert len(seen) == len(set(seen)), request
        assert set(seen) == {m.id for m in expected}, request
        times = {m.id: m.published_at for m in expected}
        assert [times[i] for i in seen] == [m.published_at for m in expected], request


def test_phrases_match_as_written_and_latin_letters_ignore_case(archive: Archive) -> None:
    archive.upsert_mentions(
        [
            make_mention(1, "某品牌IPHONE充电器抽检不合格，电梯突发故障"),
            make_mention(2, "电梯突然发生故障，突发情况已处置"),  # the words, not the phrase
            make_mention(3, "iPhone 充电器召回"),
        ]
    )

    def found(query: str) -> set[str]:
        return {hit.mention.id for hit in archive.search(SearchRequest(query=query)).hits}

    assert found('"电梯突发故障"') == {"m0001"}
    assert found('"iphone充电器"') == {"m0001"}
    assert found('"iPhone 充电器"') == {"m0003"}


def _integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def test_integrity_check_reads_ok_on_new_and_upgraded_archives(tmp_path: Path) -> None:
    # Before schema 7 SQLite 3.40 reported "NULL value in dim_values.code" on every archive.
    path = tmp_path / "new.db"
    with open_archive(path) as store:
        _fill(store, 3)
        before = _facets(store, SearchRequest())
    assert _integrity(path) == ["ok"]
    # The schema-6 shape of dim_values, as archives written before the change have it.
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE old_dims (dim TEXT NOT NULL, code INTEGER NOT NULL, value TEXT NOT NULL, "
        "PRIMARY KEY (dim, value), UNIQUE (dim, code)) WITHOUT ROWID; "
        "INSERT INTO old_dims SELECT dim, code, value FROM dim_values; DROP TABLE dim_values; "
        "ALTER TABLE old_dims RENAME TO dim_values; "
        + OBLIGATION_EVIDENCE_UNDONE
        + "PRAGMA user_version = 6;"
    )
    conn.close()
    with open_archive(path) as store:
        assert _facets(store, SearchRequest()) == before  # the codes survived the upgrade
        store.upsert_mentions([make_mention(901, "电梯 升级后", source="after-upgrade")])
        assert store.search(SearchRequest(query="source:after-upgrade")).total == 1
    assert _integrity(path) == ["ok"]

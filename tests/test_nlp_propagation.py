"""Cascades rebuilt from explicit parents, //@ chains and reprint links, and their figures, on
hand-made threads and on real CED threads replayed through the crawler into an archive."""

from __future__ import annotations

import gzip
import itertools
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from archive import open_archive
from archive.models import Mention, stable_id
from core.clock import SimulatedClock
from core.settings import Settings
from crawlers.engine import CrawlEngine
from nlp import propagation_figures
from nlp.propagation import Cascade, Edge, Node, account_type, build_cascade
from nlp.propagation_figures import cascade_figures
from tests.conftest import require_dataset
from tests.support.propagation_posts import T0, weibo


def article(
    key: str, minutes: float, fetched: float, duplicate_of: str = "", text: str = ""
) -> Mention:
    extra = (
        {"duplicate_of": stable_id(f"https://news.example/{duplicate_of}")} if duplicate_of else {}
    )
    return Mention(
        id=stable_id(f"https://news.example/{key}"),
        source="news",
        platform="news",
        kind="article",
        url=f"https://news.example/{key}",
        text=text or f"{key} 某地通报一批不合格食品。",
        published_at=T0 + timedelta(minutes=minutes),
        fetched_at=T0 + timedelta(minutes=fetched),
        author=key,
        extra=extra,
    )


def edges_by_author(cascade: Cascade) -> set[tuple[str, str, str]]:
    return {
        (cascade.nodes[e.parent].author, cascade.nodes[e.child].author, e.basis)
        for e in cascade.edges
    }


def test_explicit_parents_and_comments() -> None:
    cascade = build_cascade(
        [
            weibo("r", "root", 0, kind="post", text="某品牌奶粉检出问题"),
            weibo("a", "A", 3, "r"),
            weibo("c", "C", 4, "r", kind="comment", text="真的吗"),
            weibo("b", "B", 5, "a"),
        ]
    )
    assert edges_by_author(cascade) == {
        ("root", "A", "parent"),
        ("root", "C", "parent"),
        ("A", "B", "parent"),
    }
    kinds = {cascade.nodes[e.child].author: e.kind for e in cascade.edges}
    assert kinds == {"A": "repost", "C": "comment", "B": "repost"}
    assert not any(n.placeholder for n in cascade.nodes.values())


def test_chain_resolves_users_and_keeps_an_unarchived_middle_user_as_placeholder() -> None:
    # Weibo's retweeted_status names the root for every repost; the //@ chain says the rest.
    cascade = build_cascade(
        [
            weibo("r", "root", 0, kind="post", text="通报"),
            weibo("b", "B", 5, "r", text="转发"),
            weibo("c", "C", 9, "r", text="关注//@X:太可怕//@B:转发"),  # X never archived
            weibo("d", "D", 12, "r", text="嗯//@X:太可怕//@B:转发"),
            weibo("e", "E", 15, "r", text="嗯//@C:关注//@X:太可怕//@B:转发"),
        ]
    )
    assert edges_by_author(cascade) == {
        ("root", "B", "parent"),
        ("B", "X", "chain"),
        ("X", "C", "chain"),
        ("X", "D", "chain"),
        ("C", "E", "chain"),
    }
    placeholders = [n for n in cascade.nodes.values() if n.placeholder]
    assert [(p.author, p.at, p.account) for p in placeholders] == [("X", None, "未知")]


def test_chain_user_resolves_only_to_an_earlier_repost() -> None:
    # B reposts after C names B: C's parent cannot be that later repost.
    cascade = build_cascade(
        [
            weibo("r", "root", 0, kind="post"),
            weibo("c", "C", 5, "r", text="看//@B:转"),
            weibo("b", "B", 9, "r", text="转"),
        ]
    )
    assert ("B", "C", "chain") in edges_by_author(cascade)
    parent = cascade.nodes[cascade.parents()[stable_id("weibo", "c")]]
    assert parent.placeholder and parent.author == "B"


def test_unarchived_explicit_parent_is_a_placeholder_under_its_known_root() -> None:
    cascade = build_cascade(
        [
            weibo("r", "root", 0, kind="post"),
            weibo("x", "X", 5, "gone", root_id="r"),
            weibo("y", "Y", 6, "gone", root_id="r"),
            weibo("z", "Z", 7, "lost", repost_of_user="某网友"),
        ]
    )
    gone, lost = stable_id("weibo", "gone"), stable_id("weibo", "lost")
    assert cascade.nodes[gone].placeholder and cascade.nodes[lost].author == "某网友"
    assert {(e.parent, e.child, e.basis) for e in cascade.edges} == {
        (stable_id("weibo", "r"), gone, "root"),
        (gone, stable_id("weibo", "x"), "parent"),
        (gone, stable_id("weibo", "y"), "parent"),
        (lost, stable_id("weibo", "z"), "parent"),
    }
    figures = cascade_figures(cascade)
    assert figures.first_source is not None and figures.first_source.author == "root"
    assert figures.placeholders == 2 and figures.trees == 2


@pytest.mark.parametrize("crawl_order", list(itertools.permutations(range(3))))
def test_reprint_first_publisher_whatever_order_the_copies_were_crawled(
    crawl_order: tuple[int, ...],
) -> None:
    """The crawler links each copy to the one it saw first; the earliest published copy is
    the first publisher even when a reprint was crawled (and linked to) first."""
    keys, published = ["orig", "reprint1", "reprint2"], [0, 30, 90]
    seen: list[str] = []
    mentions = []
    for position, i in enumerate(crawl_order):
        mentions.append(article(keys[i], published[i], position, seen[0] if seen else ""))
        seen.append(keys[i])
    cascade = build_cascade(mentions)
    assert edges_by_author(cascade) == {
        ("orig", "reprint1", "reprint"),
        ("orig", "reprint2", "reprint"),
    }
    figures = cascade_figures(cascade)
    assert figures.first_source is not None and figures.first_source.author == "orig"


def test_same_instant_copies_prefer_the_one_without_a_reprint_marker() -> None:
    copy = article("copy", 0, 0, text="来源：江州日报\n某地通报一批不合格食品。")
    original = article("paper", 0, 5, duplicate_of="copy")
    cascade = build_cascade([copy, original])
    assert edges_by_author(cascade) == {("paper", "copy", "reprint")}


def test_same_instant_copies_prefer_the_one_fetched_first_not_the_last_refresh() -> None:
    """A page refreshed later keeps its first fetch: it was still the first copy seen."""
    first = article("early", 0, 1, duplicate_of="late")
    first.first_fetched_at, first.fetched_at = T0 + timedelta(minutes=1), T0 + timedelta(hours=6)
    later = article("late", 0, 5)
    cascade = build_cascade([later, first])
    assert edges_by_author(cascade) == {("early", "late", "reprint")}


def test_parent_loops_from_bad_data_are_cut() -> None:
    cascade = build_cascade([weibo("a", "A", 0, "b"), weibo("b", "B", 1, "a")])
    assert len(cascade.edges) == 1
    figures = cascade_figures(cascade)
    assert figures.trees == 1 and figures.depth == 1


def tree_cascade(parents: list[int]) -> Cascade:
    """A cascade whose node i has parent ``parents[i]`` (-1 for a root)."""
    nodes = {
        str(i): Node(str(i), f"u{i}", T0 + timedelta(minutes=i), "weibo", "repost", "普通用户")
        for i in range(len(parents))
    }
    edges = [Edge(str(p), str(i), "repost", "parent") for i, p in enumerate(parents) if p >= 0]
    return Cascade(nodes=nodes, edges=edges)


def brute_force(parents: list[int]) -> tuple[float, list[float]]:
    """Mean distance over pairs and betweenness, from all shortest paths (a test oracle)."""
    n = len(parents)
    rows = [i for i, p in enumerate(parents) if p >= 0]
    graph = csr_matrix(([1] * len(rows), (rows, [parents[i] for i in rows])), shape=(n, n))
    dist = shortest_path(graph, directed=False, unweighted=True)
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    mean = float(np.mean([dist[a, b] for a, b in pairs]))
    between = [
        float(sum(1 for a, b in pairs if v not in (a, b) and dist[a, v] + dist[v, b] == dist[a, b]))
        for v in range(n)
    ]
    return mean, between


def test_virality_of_a_star_and_a_chain() -> None:
    n = 50
    star = cascade_figures(tree_cascade([-1] + [0] * (n - 1)))
    chain = cascade_figures(tree_cascade([-1, *list(range(n - 1))]))
    assert star.virality == pytest.approx(2 - 2 / n)
    assert chain.virality == pytest.approx((n + 1) / 3)
    assert (star.depth, star.breadth) == (1, n - 1)
    assert (chain.depth, chain.breadth) == (n - 1, 1)


@pytest.mark.parametrize("seed", range(5))
def test_virality_and_betweenness_match_brute_force_on_random_trees(seed: int) -> None:
    rng = np.random.default_rng(seed)
    parents = [-1] + [int(rng.integers(0, i)) for i in range(1, 40)]
    figures = cascade_figures(tree_cascade(parents), top=40)
    mean, between = brute_force(parents)
    assert figures.virality == pytest.approx(mean)
    for spreader in figures.spreaders + figures.betweenness_spreaders:
        assert spreader.betweenness == pytest.approx(between[int(spreader.id)])


def test_spreaders_ranked_by_subtree_and_betweenness_listed_where_it_differs() -> None:
    # 0 → 1 → {2 … 11}; 0 → 12; 12 → 13. Node 1 brought in 10, node 0 everything.
    parents = [-1, 0] + [1] * 10 + [0, 12]
    figures = cascade_figures(tree_cascade(parents), top=2)
    assert [(s.id, s.brought_in, s.direct) for s in figures.spreaders] == [
        ("0", 13, 2),
        ("1", 10, 10),
    ]
    assert figures.spreaders[1].betweenness > figures.spreaders[0].betweenness
    # Top two by betweenness are 1 and 0: the same nodes, so nothing more is listed.
    assert figures.betweenness_spreaders == []
    wider = cascade_figures(tree_cascade(parents), top=1)
    assert [s.id for s in wider.spreaders] == ["0"]
    assert [s.id for s in wider.betweenness_spreaders] == ["1"]


def test_account_types_and_shares() -> None:
    assert account_type("official", "official", {}) == "官方"
    assert account_type("news", "article", {}) == "媒体"
    assert account_type("weibo", "post", {"verified_type": 1}) == "官方"
    assert account_type("weibo", "post", {"verified_type": 3}) == "媒体"
    assert account_type("weibo", "post", {"verified_type": 0}) == "大V"
    assert account_type("weibo", "post", {"verified_type": -1, "followers": 2_000_000}) == "大V"
    assert account_type("weibo", "post", {"verified_type": -1, "followers": 300}) == "普通用户"
    cascade = build_cascade(
        [
            weibo("r", "市监局", 0, kind="post", metrics={"verified_type": 1}),
            weibo("m", "日报", 2, "r", metrics={"verified_type": 3}),
            weibo("a", "A", 3, "m", text="转"),
            weibo("b", "B", 4, "m", text="转"),
        ]
    )
    figures = cascade_figures(cascade)
    assert figures.share_posted == {"官方": 0.25, "媒体": 0.25, "大V": 0.0, "普通用户": 0.5}
    assert figures.share_carried == pytest.approx(
        {"官方": 1 / 3, "媒体": 2 / 3, "大V": 0.0, "普通用户": 0.0}
    )


def test_speed_figures() -> None:
    mentions = [weibo("r", "root", 0, kind="post")]
    # 1,199 reposts, one every half minute: the 100th mention after 49.5 minutes.
    mentions += [weibo(f"p{i}", f"u{i}", 0.5 * i, "r") for i in range(1, 1200)]
    figures = cascade_figures(build_cascade(mentions))
    assert figures.time_to[100] == timedelta(minutes=49.5)
    assert figures.time_to[1000] == timedelta(minutes=499.5)
    assert figures.peak_hour == 120
    assert figures.reposts_per_hour == pytest.approx(1199 / (599.5 / 60))
    assert figures.to_json()["time_to"] == {"100": 2970.0, "1000": 29970.0}


# ---- real CED threads, replayed through the crawler into an archive ---------------------

POSTS = 4


@pytest.fixture(scope="module")
def ced_threads(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[Mention], list[dict[str, Any]]]:
    source = require_dataset("ced/ced_dev.jsonl.gz")
    folder = tmp_path_factory.mktemp("ced")
    target = folder / "slice.jsonl"
    posts = []
    with gzip.open(source, "rt", encoding="utf-8") as lines, target.open("w") as out:
        for _, line in zip(range(POSTS), lines, strict=False):
            out.write(line)
            posts.append(json.loads(line))
    clock = SimulatedClock(T0)
    archive = open_archive(folder / "replay.db")
    settings = Settings.model_validate(
        {"sources": [{"name": "ced", "type": "replay", "path": str(target), "speed": 1e6}]}
    )
    engine = CrawlEngine(settings, archive, clock)
    try:
        engine.crawl(settings.sources)
        clock.advance(86400)
        engine.crawl(settings.sources)
        mentions = [m for _, m in archive.mentions_since(0, 10_000_000)]
    finally:
        engine.close()
        archive.close()
    return mentions, posts


def test_ced_threads_rebuilt_from_their_parent_links(
    ced_threads: tuple[list[Mention], list[dict[str, Any]]],
) -> None:
    mentions, posts = ced_threads
    cascade = build_cascade(mentions)
    parents = cascade.parents()
    checked = 0
    for post in posts:
        root = post["id"].split("_")[1]
        mids = {r["mid"] for r in post["responses"]} | {root}
        for response in post["responses"]:
            child = stable_id("weibo", response["mid"])
            want = response["parent"] or root
            if want in mids and want != response["mid"]:
                assert parents[child] == stable_id("weibo", want)
                checked += 1
            elif want not in mids:
                placeholder = cascade.nodes[parents[child]]
                assert placeholder.placeholder and placeholder.id == stable_id("weibo", want)
                assert parents[placeholder.id] == stable_id("weibo", root)
    assert checked > 100
    figures = cascade_figures(cascade)
    roots = {stable_id("weibo", p["id"].split("_")[1]) for p in posts}
    assert figures.trees == POSTS and {s.id for s in figures.spreaders} >= roots


# ---- the command line over a real archive ------------------------------------------------


def test_cli_prints_figures_json_and_tree(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from archive.models import Analysis, Event
    from yuqing.cli import main

    config = tmp_path / "yuqing.yaml"
    config.write_text("archive:\n  path: a.db\n", encoding="utf-8")
    root = weibo("r", "市场监管局", 0, kind="post", text="通报", metrics={"verified_type": 1})
    members = [
        weibo("b", "B", 5, "r", text="转发"),
        weibo("c", "C", 9, "r", text="关注//@X:太可怕//@B:转发"),
        weibo("d", "D", 12, "r", text="嗯//@B:转发"),
    ]
    with open_archive(tmp_path / "a.db") as archive:
        # The root post is archived but not a member: the command fetches it as an ancestor.
        archive.upsert_mentions([root, *members])
        archive.upsert_analyses(
            [
                Analysis(mention_id=m.id, relevant=True, relevance=0.9, event_id="e1")
                for m in members
            ]
        )
        archive.upsert_event(
            Event(id="e1", title="某奶粉抽检不合格", first_seen=T0, last_seen=T0, mention_count=3)
        )
    runner = CliRunner()
    tree = tmp_path / "tree.json"
    result = runner.invoke(main, ["-c", str(config), "propagation", "e1", "--tree", str(tree)])
    assert result.exit_code == 0, result.output
    assert "首发：市场监管局［官方］ weibo 2026-03-01 16:00" in result.output
    assert "深度 3" in result.output and "未存档占位 1" in result.output
    assert "1. 市场监管局［官方］ 带来 4 条（直接 1）" in result.output
    assert "2. B［普通用户］ 带来 3 条（直接 2）" in result.output
    written = json.loads(tree.read_text(encoding="utf-8"))
    assert len(written["nodes"]) == 5 and len(written["edges"]) == 4
    assert [n["author"] for n in written["nodes"] if n["placeholder"]] == ["X"]
    result = runner.invoke(main, ["-c", str(config), "propagation", "e1", "--json"])
    data = json.loads(result.output)
    assert data["first_source"]["id"] == root.id and data["depth"] == 3
    assert data["spreaders"][0]["brought_in"] == 4
    missing = runner.invoke(main, ["-c", str(config), "propagation", "nope"])
    assert missing.exit_code == 1 and "no event 'nope'" in missing.output


def weibo_thread(count: int, seed: int) -> list[Mention]:
    """Reposts in Weibo's form (parent_id the root, the ancestors in a //@ chain), some with
    their explicit parent, and reprinted articles, in publication order."""
    rng = np.random.default_rng(seed)
    mentions = [weibo("r", "u0", 0, kind="post"), weibo("q", "v0", 1, kind="post")]
    chains: dict[int, list[str]] = {0: []}
    for i in range(1, count):
        parent = int(rng.integers(0, i))
        chains[i] = [f"u{parent}", *chains[parent]] if parent else []
        text = "转" + "".join(f"//@{u}:转" for u in chains[i])
        if rng.random() < 0.3 and parent:
            mentions.append(weibo(f"m{i}", f"u{i}", 2 + i, f"m{parent}"))
        else:
            mentions.append(weibo(f"m{i}", f"u{i}", 2 + i, "r", text=text))
    mentions[2:2] = [article("orig", 3, 9), article("copy", 5, 1, duplicate_of="orig")]
    return mentions


def as_sets(cascade: Cascade) -> tuple[set[Node], set[Edge]]:
    return set(cascade.nodes.values()), set(cascade.edges)


@pytest.mark.parametrize("shuffle", [False, True])
def test_incremental_batches_give_the_cascade_built_at_once(shuffle: bool) -> None:
    from nlp.propagation import CascadeBuilder

    mentions = weibo_thread(300, 3)
    whole = as_sets(build_cascade(mentions))
    order = list(mentions)
    if shuffle:  # a crawl that meets originals after their reposts: rebuilds, same result
        np.random.default_rng(5).shuffle(order)
    builder = CascadeBuilder()
    for start in range(0, len(order), 37):
        builder.add(order[start : start + 37])
        assert as_sets(builder.cascade()) == as_sets(build_cascade(order[: start + 37]))
    assert as_sets(builder.cascade()) == whole
    assert (builder.rebuilds > 0) == shuffle


def test_builder_columns_give_the_figures_computed_from_the_nodes() -> None:
    from nlp.propagation import CascadeBuilder

    mentions = weibo_thread(200, 8)
    builder = CascadeBuilder(mentions[:120])
    builder.add(mentions[120:])
    cascade = builder.cascade()
    assert cascade.columns is not None
    plain = Cascade(nodes=cascade.nodes, edges=cascade.edges)
    assert cascade_figures(cascade).to_json() == cascade_figures(plain).to_json()
    # The reprint edge is recomputed per call: a second call gives the same cascade.
    again = builder.cascade()
    assert as_sets(again) == as_sets(cascade)
    assert cascade_figures(again).to_json() == cascade_figures(plain).to_json()


def test_figures_of_posts_without_any_edge_and_of_nothing() -> None:
    lone = cascade_figures(build_cascade([weibo("a", "A", 0, kind="post"), article("n", 5, 5)]))
    assert (lone.nodes, lone.edges, lone.trees, lone.depth, lone.virality) == (2, 0, 0, 0, 0.0)
    assert lone.first_source is not None and lone.first_source.author == "A"
    assert lone.spreaders == [] and lone.reposts_per_hour == 0.0
    empty = cascade_figures(build_cascade([]))
    assert (empty.nodes, empty.first_source, empty.breadth) == (0, None, 0)


def test_a_user_who_reposted_twice_is_resolved_by_the_chain_their_repost_carried() -> None:
    cascade = build_cascade(
        [
            weibo("r", "root", 0, kind="post"),
            weibo("c", "C", 1, "r", text="转"),
            weibo("b1", "B", 2, "r", text="一//@C:转"),  # B reposts C's repost
            weibo("b2", "B", 3, "r", text="二"),  # then the root itself
            weibo("a", "A", 4, "r", text="看//@B:一//@C:转"),  # A reposts B's first one
        ]
    )
    assert cascade.parents()[stable_id("weibo", "a")] == stable_id("weibo", "b1")


def test_a_post_whose_text_is_a_repost_sits_under_a_placeholder_for_the_named_user() -> None:
    # A real CED "original" reads "…//@隆裕太后:…": its story started before it.
    cascade = build_cascade(
        [
            weibo("p", "P", 0, kind="post", text="转起//@隆裕太后:某地奶粉有毒"),
            weibo("x", "X", 5, "p"),
        ]
    )
    top = cascade.nodes[cascade.parents()[stable_id("weibo", "p")]]
    assert top.placeholder and top.author == "隆裕太后"
    figures = cascade_figures(cascade)
    # The first source known is the earliest archived mention, not the placeholder.
    assert figures.first_source is not None and figures.first_source.author == "P"


def test_the_python_walk_gives_scipys_depths_and_trees() -> None:
    """Small cascades are walked by following parents (``_walk``), large ones with
    scipy.sparse.csgraph (``_graph_walk``): on random forests of 1 to 400 nodes, some
    nodes alone, both give every node the same depth and the same tree number, and the
    figures of a cascade are the same by either walk."""
    rng = np.random.default_rng(20)
    for _ in range(200):
        n = int(rng.integers(1, 400))
        parent = np.full(n, -1, dtype=np.int64)
        order = rng.permutation(n)
        for k in range(1, n):
            if rng.random() < 0.8:  # else a root of its own tree
                parent[order[k]] = order[int(rng.integers(0, k))]
        walked = propagation_figures._walk(parent)
        assert walked is not None
        depth, tree, _ = propagation_figures._graph_walk(parent, np.flatnonzero(parent >= 0))
        assert (walked[0] == depth).all() and (walked[1] == tree).all()
    cycle = np.array([1, 2, 0, -1], dtype=np.int64)
    assert propagation_figures._walk(cycle) is None


def test_figures_are_the_same_by_either_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    posts = [weibo(f"p{i}", f"author{i}", i, kind="post") for i in range(3)]
    posts += [weibo(f"r{i}", f"user{i}", 10 + i, parent=f"p{i % 3}") for i in range(30)]
    posts += [weibo(f"s{i}", f"fan{i}", 60 + i, parent=f"r{i}") for i in range(15)]
    cascade = build_cascade(posts)
    walked = cascade_figures(cascade)
    monkeypatch.setattr(propagation_figures, "WALK_UP_TO", 0)
    assert cascade_figures(cascade) == walked

"""The event page's 传播分析 section over a real SQLite archive: first source with its link,
the tree (sampled when large), the cumulative spread and the key spreaders."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from archive import open_archive
from archive.models import Analysis, Event, Mention, stable_id
from dashboard.data_propagation import tree_layout
from nlp.propagation import build_cascade
from tests.support.dashboard_fixtures import (
    NOW,
    DashboardArchive,
    app_test,
    assert_no_html,
    build_archive,
)

START = NOW - timedelta(hours=6)


def repost(mid: str, author: str, minutes: int, parent: str | None, **metrics: Any) -> Mention:
    return Mention(
        id=stable_id("weibo", mid),
        source="weibo",
        platform="weibo",
        kind="repost" if parent else "post",
        url=f"https://weibo.com/{author}/{mid}",
        text="江州商场电梯困人" if parent is None else "转发微博",
        published_at=START + timedelta(minutes=minutes),
        fetched_at=NOW,
        author=author,
        parent_id=stable_id("weibo", parent) if parent else None,
        metrics=metrics,
    )


def thread() -> list[Mention]:
    mentions = [repost("root", "江州发布", 0, None, verified_type=1)]
    mentions.append(repost("hub", "某大V", 10, "root", verified_type=0))
    mentions += [repost(f"f{i}", f"粉丝{i}", 20 + i, "hub") for i in range(6)]
    mentions += [repost(f"d{i}", f"网友{i}", 40 + i, "root") for i in range(3)]
    return mentions


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    made = build_archive(tmp_path_factory.mktemp("propagation"))
    with open_archive(made.db) as archive:
        mentions = thread()
        archive.upsert_mentions(mentions)
        archive.upsert_analyses(
            [Analysis(m.id, relevant=True, relevance=0.9, event_id="ev-spread") for m in mentions]
        )
        archive.upsert_event(
            Event(id="ev-spread", title="江州商场电梯困人（转发）", first_seen=START,
                  last_seen=NOW, mention_count=len(mentions), heat=1.0)
        )  # fmt: skip
    return made


def _chart_rows(at: AppTest, field: str) -> list[dict[str, Any]]:
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        for dataset in chart.proto.datasets:
            table = pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
            if table and field in table[0] and "layer" in spec:
                return table
    return []


def test_event_page_shows_the_propagation_section(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch)
    at.query_params["id"] = "ev-spread"
    at = at.switch_page("views/event.py").run()
    assert_no_html(at)
    assert "传播分析" in [s.value for s in at.subheader]
    texts = "\n".join(m.value for m in at.markdown)
    assert "**首发**：江州发布［官方］ 2026-11-20 08:00" in texts
    assert "https://weibo.com/江州发布/root" in texts
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["传播节点"] == "11" and metrics["最大深度"] == "2"
    table = next(d.value for d in at.dataframe if "带来传播" in d.value.columns)
    assert list(table["作者"]) == ["江州发布", "某大V"]
    assert list(table["带来传播"]) == [10, 6] and list(table["类型"]) == ["官方", "大V"]
    nodes = _chart_rows(at, "作者")
    assert sorted(n["作者"] for n in nodes) == sorted(m.author for m in thread())
    assert not any("仅绘制" in c.value for c in at.caption)


def test_tree_layout_places_parents_between_their_children_and_samples() -> None:
    cascade = build_cascade(thread())
    nodes, edges = tree_layout(cascade)
    assert len(nodes) == 11 and len(edges) == 10
    y = dict(zip(nodes["作者"], nodes["y"], strict=True))
    x = dict(zip(nodes["作者"], nodes["x"], strict=True))
    assert x["江州发布"] == 0 and x["某大V"] == 1 and x["粉丝0"] == 2
    assert y["某大V"] == pytest.approx(sum(y[f"粉丝{i}"] for i in range(6)) / 6)
    assert len(set(nodes["y"][nodes["x"] == 2])) == 6  # leaves on their own rows
    small, small_edges = tree_layout(cascade, limit=4)
    # Breadth first from the root: the root and its first reposts, each edge inside the sample.
    assert list(small["作者"]) == ["江州发布", "某大V", "网友0", "网友1"]
    assert len(small_edges) == 3


def test_the_propagation_figures_are_named_in_plain_chinese(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    """结构病毒性 and 中介度 are research terms: the labels say what they mean, the help keeps
    the precise name."""
    at = app_test(made, monkeypatch)
    at.query_params["id"] = "ev-spread"
    at = at.switch_page("views/event.py").run()
    metric = next(m for m in at.metric if m.label == "接力转发程度")
    assert "结构病毒性" in metric.help
    assert not [m for m in at.metric if "病毒" in m.label]
    table = next(d.value for d in at.dataframe if "带来传播" in d.value.columns)
    assert "桥梁作用" in table.columns and "中介度" not in table.columns

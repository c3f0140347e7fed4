"""Altair charts for the pages. Inputs are plain rows; times are Beijing wall time (naive)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import altair as alt
import pandas as pd
from altair.utils.schemapi import UndefinedType

from archive.search import FacetCount, HistogramBucket
from core.clock import local

_TIME_FORMAT = {"hour": "%m-%d %H:%M", "day": "%Y-%m-%d"}
# Bars as wide as their bucket.
_UNIT = {"hour": "yearmonthdatehours", "day": "yearmonthdate"}
# Counts are whole numbers: no 0.5 ticks on a chart of two mentions.
_COUNT_AXIS = alt.Axis(tickMinStep=1, format="d")


Span = tuple[datetime, datetime]


def _time_axis(unit: str, interval: str, span: Span | None = None) -> alt.X:
    """The shared time axis of the volume charts, in Beijing time; over ``span`` (the page's
    time range) when given, so charts stacked on one page share their axis instead of each
    stretching over its own data (a topic chart ending hours before the platform chart
    above it reads as topics going quiet)."""
    scale: alt.Scale | UndefinedType = alt.Undefined
    if span is not None:
        ends = [local(end).replace(tzinfo=None).isoformat() for end in span]
        scale = alt.Scale(domain=ends)
    return alt.X(
        f"{unit}(时间):T",
        title="时间（北京时间）",
        axis=alt.Axis(format=_TIME_FORMAT.get(interval, "%Y-%m-%d"), labelAngle=-30),
        scale=scale,
    )


def volume_chart(
    frame: pd.DataFrame, interval: str, series: str = "平台", span: Span | None = None
) -> alt.Chart:
    """Stacked bars of mentions per bucket, one colour per ``series`` (platform, topic)."""
    unit = _UNIT.get(interval, "yearmonthdate")
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=_time_axis(unit, interval, span),
            y=alt.Y("sum(数量):Q", title="提及数", axis=_COUNT_AXIS),
            color=alt.Color(f"{series}:N", title=series),
            tooltip=[
                alt.Tooltip(f"{unit}(时间):T", title="时间", format="%Y-%m-%d %H:%M"),
                alt.Tooltip(f"{series}:N", title=series),
                alt.Tooltip("sum(数量):Q", title="提及数"),
            ],
        )
        .properties(height=280)
    )


def facet_chart(
    counts: list[FacetCount], title: str, names: dict[str, str] | None = None
) -> alt.Chart:
    """Horizontal bars of facet counts, largest on top."""
    names = names or {}
    frame = pd.DataFrame(
        [{"名称": names.get(c.value, c.value) or "（空）", "数量": c.count} for c in counts],
        columns=["名称", "数量"],
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("数量:Q", title="提及数", axis=_COUNT_AXIS),
            y=alt.Y("名称:N", title=None, sort="-x", axis=alt.Axis(labelLimit=160)),
            tooltip=[alt.Tooltip("名称:N", title=title), alt.Tooltip("数量:Q", title="提及数")],
        )
        # The height includes the axes (autosize "fit"): about 60 px, then one band per bar.
        .properties(height=70 + 30 * max(3, len(frame)))
    )


def histogram_chart(buckets: list[HistogramBucket], interval: str) -> alt.Chart:
    unit = _UNIT.get(interval, "yearmonthdate")
    frame = pd.DataFrame(
        [{"时间": local(b.start).replace(tzinfo=None), "数量": b.count} for b in buckets],
        columns=["时间", "数量"],
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=_time_axis(unit, interval),
            y=alt.Y("数量:Q", title="提及数", axis=_COUNT_AXIS),
            tooltip=[
                alt.Tooltip(f"{unit}(时间):T", title="时间", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("数量:Q", title="提及数"),
            ],
        )
        .properties(height=200)
    )


def early_hours_chart(
    hours: list[tuple[datetime, int]], start: datetime, marks: Sequence[tuple[timedelta, str]]
) -> alt.LayerChart:
    """Hourly bars over an event's first hours, with a dashed rule at each disclosure deadline
    (start + offset) so the duty officer sees the 5 h and 24 h windows against the spread."""
    frame = pd.DataFrame(
        [{"时间": local(at).replace(tzinfo=None), "数量": n} for at, n in hours],
        columns=["时间", "数量"],
    )
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=_time_axis("yearmonthdatehours", "hour"),
            y=alt.Y("数量:Q", title="提及数", axis=_COUNT_AXIS),
            tooltip=[
                alt.Tooltip("yearmonthdatehours(时间):T", title="时间", format="%m-%d %H:00"),
                alt.Tooltip("数量:Q", title="提及数"),
            ],
        )
    )
    rules_frame = pd.DataFrame(
        [
            {"时间": local(start + offset).replace(tzinfo=None), "时限": label}
            for offset, label in marks
        ],
        columns=["时间", "时限"],
    )
    rules = (
        alt.Chart(rules_frame)
        .mark_rule(color="#c0392b", strokeDash=[4, 3])
        .encode(x="时间:T", tooltip=[alt.Tooltip("时限:N", title="处置时限")])
    )
    labels = (
        alt.Chart(rules_frame)
        .mark_text(align="left", dx=4, dy=-6, color="#c0392b")
        .encode(x="时间:T", y=alt.value(8), text="时限:N")
    )
    return alt.LayerChart(layer=[bars, rules, labels], height=220)


# Sentiment colours as press offices read them: negative red, neutral grey, positive green.
_SENTIMENT_COLOURS = {"负面": "#c0392b", "中性": "#95a5a6", "正面": "#27ae60"}


def sentiment_chart(
    rows: Sequence[tuple[datetime, str, int]], interval: str, span: Span | None = None
) -> alt.Chart:
    """Stacked bars of mentions per bucket by sentiment (rows: start, code, count)."""
    from dashboard.labels import SENTIMENT_LABELS

    frame = pd.DataFrame(
        [
            {"时间": local(at).replace(tzinfo=None), "情感": SENTIMENT_LABELS.get(s, s), "数量": n}
            for at, s, n in rows
        ],
        columns=["时间", "情感", "数量"],
    )
    unit = _UNIT.get(interval, "yearmonthdate")
    colours = alt.Scale(domain=list(_SENTIMENT_COLOURS), range=list(_SENTIMENT_COLOURS.values()))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=_time_axis(unit, interval, span),
            y=alt.Y("sum(数量):Q", title="提及数", axis=_COUNT_AXIS),
            color=alt.Color("情感:N", title="情感", scale=colours),
            tooltip=[
                alt.Tooltip(f"{unit}(时间):T", title="时间", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("情感:N"),
                alt.Tooltip("sum(数量):Q", title="提及数"),
            ],
        )
        .properties(height=220)
    )


# The installed CJK font (fonts-noto-cjk, scripts/system-deps.sh) measures the words for the
# layout; the browser draws them with the same family, so nothing is rasterised.
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# Sized to half the page (the event page's right column at 1400 px): fixed font sizes do not
# scale with the container, so the cloud is laid out for the space it gets.
CLOUD_WIDTH, CLOUD_HEIGHT = 460, 260


def word_cloud_chart(terms: Sequence[tuple[str, float]]) -> alt.Chart:
    """A word cloud: ``wordcloud`` places the words (largest weight largest, none overlapping),
    Altair draws them as text, so the words stay selectable and carry their weight as a tooltip."""
    from wordcloud import WordCloud

    weights = {word: weight for word, weight in terms if weight > 0}
    cloud = WordCloud(
        font_path=CJK_FONT,
        width=CLOUD_WIDTH,
        height=CLOUD_HEIGHT,
        prefer_horizontal=1.0,  # horizontal words read fastest, and Chinese reads poorly rotated
        random_state=0,  # the same layout for the same words on every refresh
        max_words=len(weights) or 1,
    ).generate_from_frequencies(weights or {"": 1.0})
    rows = []
    for rank, ((word, _share), size, (y, x), _orientation, _colour) in enumerate(cloud.layout_):
        if not word:
            continue
        rows.append(
            # wordcloud gives the top-left corner; Altair anchors text at its centre.
            {"词": word, "x": x + len(word) * size / 2, "y": y + size / 2, "字号": size,
             "权重": round(weights[word], 1), "名次": rank}
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=["词", "x", "y", "字号", "权重", "名次"])
    return (
        alt.Chart(frame)
        .mark_text(font="Noto Sans CJK SC", baseline="middle", align="center")
        .encode(
            x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, CLOUD_WIDTH])),
            y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[0, CLOUD_HEIGHT], reverse=True)),
            size=alt.Size("字号:Q", scale=None, legend=None),
            # The heaviest words darkest (navy), the lightest still readable on white.
            color=alt.Color(
                "名次:Q",
                scale=alt.Scale(domain=[0, max(len(rows) - 1, 1)], range=["#08306b", "#4292c6"]),
                legend=None,
            ),
            text="词:N",
            tooltip=[alt.Tooltip("词:N"), alt.Tooltip("权重:Q", title="权重（词频×逆文档频率）")],
        )
        .properties(width=CLOUD_WIDTH, height=CLOUD_HEIGHT)
        .configure_view(stroke=None)
    )

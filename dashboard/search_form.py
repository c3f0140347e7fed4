"""The search page's form: query box, filters and the help text, turned into ``SearchParams``.

A relative time range ("最近7天") is anchored at the moment the form was submitted, so the
parameters, and with them the cached pages and the "更多" pagination, stay the same until the
user searches again.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import streamlit as st

from archive.models import PLATFORMS, SENTIMENTS, Event
from archive.vocabulary import valid_values
from core.clock import SHANGHAI
from dashboard import data, data_events
from dashboard.labels import PLATFORM_LABELS, SENTIMENT_LABELS, TOPIC_LABELS, label, shown
from dashboard.search_link import apply_link

FIELD_NAMES = {"platform": "平台", "sentiment": "情感", "topic": "话题"}
ANCHOR_KEY = "search_anchor"
EVENTS_KEY = "search_events"
RANGE_WISH_KEY = "search_range_wish"  # the range another page asks the form to start with
_EPOCH = datetime(1970, 1, 1, tzinfo=SHANGHAI)
RANGES: dict[str, timedelta | None] = {
    "最近24小时": timedelta(hours=24),
    "最近7天": timedelta(days=7),
    "最近30天": timedelta(days=30),
    "全部时间": None,
    "自定义日期": None,
}
CUSTOM = "自定义日期"
SORTS = {"最新优先": "time", "相关度优先": "relevance"}

QUERY_HELP = (
    """
**检索式写法**

| 写法 | 含义 |
|---|---|
| `电梯 事故` | 同时包含两个词（空格表示“并且”） |
| `"电梯 困人"` | 用英文双引号括起的短语，按原文匹配 |
| `召回 OR 缺陷` | 包含任一个词（OR 须大写，前后留空格） |
| `-演习` | 排除含有该词的内容，也可排除短语：`-"应急演练"` |
| `platform:weibo` | 按字段筛选（可用字段见下） |
| `-platform:weibo` | 排除该字段取值 |

可用字段：source（来源）、platform（平台）、kind（类型）、topic（话题）、event（事件）、
sentiment（情感）、region（地区，指来源所属地区）、author（作者）、
entity（实体：文中提到的企业、品牌、产品或地区，如 `entity:佳佳`、`entity:深圳市`，
地区也可用行政区划代码，如 `entity:440300`；省级代码含其下各市，如 `entity:440000`）。

示例：`电梯 困人 OR 停运 -演习 region:江州市`。OR 比空格结合得更紧：
`电梯 困人 OR 停运` 表示“电梯”并且（“困人”或“停运”）。
字段值可写代码或中文名称（`platform:微博` 即 `platform:weibo`，`topic:食品安全`），
地区写不写“市/区/县”均可（`region:江州` 也查到“江州市”）；写错的取值会提示全部可选值。
繁体字按简体检索（`電梯` 与 `电梯` 结果相同）；`AND`、`&&` 可写可不写，`NOT 演习` 同 `-演习`。
检索结果页的网址包含检索条件（如 `?q=电梯&platform=weibo`），可收藏或发给同事。
"""
    + "\n\n".join(
        f"{FIELD_NAMES[field]}取值：{valid_values(field)}"
        for field in ("platform", "sentiment", "topic")
    )
    + """

下方的筛选条件与检索式中的字段条件同时生效。
"""
)


def _anchor(config: str) -> None:
    st.session_state[ANCHOR_KEY] = data.now(config)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)


def _time_range(choice: str, anchor: datetime, days: object) -> tuple[datetime | None, ...]:
    if choice == CUSTOM:
        picked = list(days) if isinstance(days, list | tuple) else []
        if len(picked) == 2:
            return _day_start(picked[0]), _day_start(picked[1]) + timedelta(days=1)
        if len(picked) == 1:
            return _day_start(picked[0]), _day_start(picked[0]) + timedelta(days=1)
        return None, None
    window = RANGES.get(choice)
    return (anchor - window if window is not None else None), None


def search_form(config: str) -> data.SearchParams:
    """Draw the form and return what it asks for (the last submitted values)."""
    if ANCHOR_KEY not in st.session_state:
        _anchor(config)
    options = data.filter_options(config)
    apply_link(
        {
            "platform": PLATFORMS,
            "topic": options.topics,
            "sentiment": SENTIMENTS,
            "region": options.regions,
            "source": options.sources,
        }
    )
    event_options = data_events.event_choices(config)
    event_titles = {e.id: e.title or e.id for e in event_options}
    for wanted in st.session_state.get(EVENTS_KEY) or []:
        if wanted not in event_titles:  # an older event asked for from its page
            event_options.append(
                Event(id=wanted, title=wanted, first_seen=_EPOCH, last_seen=_EPOCH)
            )
    with st.form("search_form", border=True):
        query = st.text_input(
            "检索式",
            key="search_query",
            placeholder="例如：电梯 困人 -演习",
            max_chars=500,
        )
        first = st.columns([2, 2, 2, 1])
        wish = st.session_state.pop(RANGE_WISH_KEY, "最近7天")
        choice = first[0].selectbox(
            "时间范围", list(RANGES), index=list(RANGES).index(wish), key="search_range"
        )
        days = first[1].date_input(
            "自定义日期（选择“自定义日期”时生效）", value=[], key="search_days"
        )
        platforms = first[2].multiselect(
            "平台",
            list(PLATFORMS),
            format_func=lambda code: label(PLATFORM_LABELS, code),
            key="search_platforms",
            placeholder="全部",
        )
        sort = first[3].selectbox("排序", list(SORTS), key="search_sort")
        second = st.columns([2, 2, 2, 2, 2])
        sources = second[0].multiselect(
            "来源", options.sources, format_func=shown, key="search_sources", placeholder="全部"
        )
        topics = second[1].multiselect(
            "话题",
            options.topics,
            format_func=lambda code: label(TOPIC_LABELS, code),
            key="search_topics",
            placeholder="全部",
        )
        sentiments = second[2].multiselect(
            "情感",
            list(SENTIMENTS),
            format_func=lambda code: label(SENTIMENT_LABELS, code),
            key="search_sentiments",
            placeholder="全部",
        )
        regions = second[3].multiselect(
            "地区", options.regions, key="search_regions", placeholder="全部"
        )
        rumor = second[4].slider(
            "最低谣言概率", 0.0, 1.0, 0.0, 0.05, key="search_rumor", help="0 表示不限"
        )
        third = st.columns([3, 2])
        events = third[0].multiselect(
            "事件",
            [e.id for e in event_options],
            format_func=lambda key: event_titles.get(key, key),
            key=EVENTS_KEY,
            placeholder="全部（可选热度最高的200个事件）",
        )
        entity_text = third[1].text_input(
            "实体(企业/品牌/地区)",
            key="search_entities",
            placeholder="例如：佳佳、深圳市",
            max_chars=200,
            help="文中提到的企业、品牌、产品或地区（地区也可填行政区划代码，如440300；"
            "省级代码含其下各市，如440000）；"
            "多个用顿号或逗号分隔，满足任一即可",
        )
        st.form_submit_button("检索", type="primary", on_click=_anchor, args=(config,))
    since, until = _time_range(choice, st.session_state[ANCHOR_KEY], days)
    return data.SearchParams(
        query=query or "",
        since=since,
        until=until,
        platforms=tuple(platforms),
        sources=tuple(sources),
        topics=tuple(topics),
        sentiments=tuple(sentiments),
        regions=tuple(regions),
        events=tuple(events),
        rumor_min=rumor if rumor > 0 else None,
        sort=SORTS.get(sort, "time"),
        entities=entity_names(entity_text or ""),
    )


def entity_names(text: str) -> tuple[str, ...]:
    """The names typed in the entity box: separated by 、 or commas (Chinese or Latin)."""
    names = (name.strip() for name in re.split(r"[、,，;；]", text))
    return tuple(dict.fromkeys(name for name in names if name))


def histogram_interval(params: data.SearchParams, anchor: datetime) -> str:
    """Hourly bars for up to three days, daily bars beyond."""
    if params.since is None:
        return "day"
    span = (params.until or anchor) - params.since
    return "hour" if span <= timedelta(days=3) else "day"


def search_event(event_id: str) -> None:
    """Open the search page on one event's mentions (a button callback on the event page)."""
    for key in ("search_query", "search_platforms", "search_sources", "search_topics",
                "search_sentiments", "search_regions", "search_entities"):  # fmt: skip
        st.session_state.pop(key, None)
    st.session_state.pop("search_range", None)
    st.session_state[RANGE_WISH_KEY] = "全部时间"
    st.session_state[EVENTS_KEY] = [event_id]
    st.session_state.pop(ANCHOR_KEY, None)

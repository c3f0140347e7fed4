"""Chinese prose from the data pack: sections of sentences, each with its citations.

The wording lives in ``templates/sentences.zh.j2`` (one Jinja2 macro per kind of sentence);
this module chooses which sentences a pack calls for and attaches to each the references
(``reports.refs``) of the mentions, obligations or source records it states. A sentence that
states an absence ("未监测到…") cites the figure whose query found nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from archive.models import PLATFORM_LABELS
from core.clock import local
from core.text.clip import clip
from reports import propagation, prose_env
from reports.advice import suggestions

OVERVIEW_LIMIT = 200  # characters of the 综述, the usual limit of a briefing's summary
EVENT_STATUS = {
    "emerging": "新出现",
    "growing": "升温",
    "peak": "高峰",
    "declining": "降温",
    "closed": "平息",
}
OBLIGATION_STATES = {
    "on_time": "已按时办结",
    "late": "已逾期办结",
    "overdue": "已逾期未办结",
    "open": "正在办理",
    "waived": "已豁免",
}
# Obligations listed one by one per state; the rest are counted in one sentence (a briefing
# is read by people: the 处置 page lists them all).
LISTED_PER_STATE = 8
CLAIM_CHARS = 40  # of a claim quoted in a sentence, as a briefing quotes a post
MAX_CITES = 30  # of one sentence (a count over many items cites its figure and the first 30)


def _macros() -> Any:
    return prose_env.module("sentences.zh.j2")


def sentence(
    text: Any, cites: list[str], absence: bool = False, factual: bool = True
) -> dict[str, Any]:
    """One sentence with its references (each once, at most MAX_CITES). ``absence``: it
    states that something was not found; ``factual`` False: a judgement, no fact."""
    return {
        "text": str(text).strip(),
        "cites": list(dict.fromkeys(cites))[:MAX_CITES],
        "factual": factual,
        "absence": absence,
    }


def when(value: str | None) -> str:
    if not value:
        return ""
    at = local(datetime.fromisoformat(value))
    return f"{at.month}月{at.day}日{at:%H:%M}"


def _mention(pack: dict[str, Any], ref: str) -> dict[str, Any]:
    return pack["mentions"][ref.partition(":")[2]]


def _who(record: dict[str, Any]) -> str:
    return record["author"] or record.get("source_name") or record["source"]


def overview(pack: dict[str, Any], t: Any) -> list[dict[str, Any]]:
    """综述: volume and 环比, where it came from, the negative share, the hottest events;
    sentences are dropped from the end until it fits OVERVIEW_LIMIT characters."""
    f = pack["figures"]
    volume = f["volume"]
    label = pack["period"]["label"]
    if volume["value"] == 0:
        return [sentence(t.overview_none(label), ["f:volume"], absence=True)]
    out = [
        sentence(
            t.overview_volume(label, volume["value"], volume["previous"], volume["change_pct"]),
            ["f:volume", *volume["cites"]],
        )
    ]
    platforms, topics = f["by_platform"]["rows"], f["by_topic"]["rows"][:3]
    if platforms:
        top = platforms[0]
        out.append(
            sentence(
                t.overview_platform(top["label"], top["share"], [r["label"] for r in topics]),
                [
                    "f:by_platform",
                    "f:by_topic",
                    *top["cites"],
                    *(c for r in topics for c in r["cites"]),
                ],
            )
        )
    negative = [r for r in f["by_sentiment"]["rows"] if r["value"] == "negative"]
    if negative:
        out.append(
            sentence(
                t.overview_negative(
                    negative[0]["share"], f["by_sentiment"]["previous_negative_share"]
                ),
                ["f:by_sentiment", *negative[0]["cites"]],
            )
        )
    events = f["events"]["rows"][:3]
    # A 专报 is about one event: "热度较高的事件为“<that event>”" told its reader nothing.
    if events and pack.get("event_id") is None:
        out.append(
            sentence(
                t.overview_events([f"“{prose_env.nested(e['title'])}”" for e in events]),
                ["f:events", *(e["first_cite"] for e in events)],
            )
        )
    while len(out) > 1 and sum(len(s["text"]) for s in out) > OVERVIEW_LIMIT:
        out.pop()
    return out


def key_events(pack: dict[str, Any], t: Any) -> list[list[dict[str, Any]]]:
    rows = pack["figures"]["events"]["rows"]
    if not rows:
        return [[sentence(t.no_events(pack["period"]["label"]), ["f:events"], absence=True)]]
    paragraphs = []
    for e in rows:
        first = _mention(pack, e["first_cite"])
        para = [
            sentence(
                t.event_lead(
                    e["title"],
                    when(first["published_at"]),
                    PLATFORM_LABELS.get(first["platform"], first["platform"]),
                    e["mention_count"],
                    # A 专报's period is its event's whole life: "new in this period" would
                    # repeat the total (累计168条，本期新增168条).
                    None if pack.get("event_id") else e["in_period"],
                    # Packs stored before heat had a level say the number alone.
                    f"{e['heat']}（{e['heat_level']}）" if e.get("heat_level") else e["heat"],
                    EVENT_STATUS.get(e["status"], e["status"]),
                    pack["period"].get("as_of", "目前"),
                ),
                [e["first_cite"], "f:events"],
            )
        ]
        loud = _mention(pack, e["loudest_cite"])
        if e["loudest_cite"] != e["first_cite"]:
            para.append(
                sentence(
                    t.event_loudest(_who(loud), clip(loud["excerpt"], 40), loud["engagement"]),
                    [e["loudest_cite"]],
                )
            )
        if e["severity"]:
            para.append(
                sentence(
                    t.event_severity(e["severity"], e["severity_basis"]),
                    e["severity_cites"] or [e["first_cite"]],
                )
            )
        if e["platforms"]:
            line = "、".join(
                f"{PLATFORM_LABELS.get(k, k)}{v}条"
                for k, v in sorted(e["platforms"].items(), key=lambda kv: -kv[1])
            )
            para.append(sentence(t.event_platforms(line), [e["first_cite"], e["loudest_cite"]]))
        if e["official_cites"]:
            rec = _mention(pack, e["official_cites"][0])
            para.append(
                sentence(
                    t.event_official(when(rec["published_at"]), rec["title"]),
                    e["official_cites"][:1],
                )
            )
        else:
            as_of = pack["period"].get("as_of", "目前")
            para.append(sentence(t.event_no_official(as_of), ["f:events", e["first_cite"]]))
        paragraphs.append(para)
    return paragraphs


def views(pack: dict[str, Any], t: Any) -> list[list[dict[str, Any]]]:
    fig = pack["figures"]["views"]
    out = []
    for view, refs in fig["groups"].items():
        for ref in refs:
            rec = _mention(pack, ref)
            out.append(
                [sentence(t.view(fig["labels"][view], _who(rec), clip(rec["excerpt"], 60)), [ref])]
            )
    for row in pack["figures"]["spreaders"]["rows"][:3]:
        if row["engagement"]:
            out.append(
                [sentence(t.spreader(row["author"], row["posts"], row["engagement"]), row["cites"])]
            )
    return out


def rumours(pack: dict[str, Any], t: Any) -> list[list[dict[str, Any]]]:
    fig = pack["figures"]["rumours"]
    if not fig["rows"]:
        return [[sentence(t.no_rumours(fig["threshold"]), ["f:rumours"], absence=True)]]
    out = []
    for row in fig["rows"]:
        rec = _mention(pack, row["mention"])
        words = clip(row.get("claim") or rec["excerpt"], CLAIM_CHARS)
        claim = (
            t.rumour(words, when(rec["published_at"]), row["score"])
            if row["score"] is not None
            else t.rumour_owed(words, when(rec["published_at"]))
        )
        para = [sentence(claim, [row["mention"]])]
        ob = (
            pack["obligations"].get(row["obligation"].partition(":")[2])
            if row["obligation"]
            else None
        )
        if row["status"] == "debunked":
            d = _mention(pack, row["debunk_cites"][0])
            para.append(
                sentence(
                    t.rumour_debunked(d["title"], when(d["published_at"])), row["debunk_cites"]
                )
            )
        elif row["status"] == "clarified" and ob:
            para.append(
                sentence(t.rumour_clarified(ob["title"], when(ob["done_at"])), [row["obligation"]])
            )
        elif row["status"] == "pending" and ob:
            para.append(
                sentence(t.rumour_pending(ob["title"], when(ob["due_at"])), [row["obligation"]])
            )
        else:
            para.append(sentence(t.rumour_none(), [row["mention"], "f:rumours"]))
        out.append(para)
    return out


def handling(pack: dict[str, Any], t: Any) -> list[list[dict[str, Any]]]:
    groups = pack["figures"]["obligations"]["groups"]
    out: list[list[dict[str, Any]]] = []
    everything = [r for refs in groups.values() for r in refs]
    if not everything:
        out.append([sentence(t.no_obligations(), ["f:obligations"], absence=True)])
    else:
        as_of = pack["period"].get("as_of", "目前")
        counts = {
            k: len(groups.get(k, [])) for k in ("opened", "on_time", "late", "overdue", "open")
        }
        new = groups.get("opened", [])
        backfilled = sum(1 for ref in new if _duty(pack, ref).get("backfilled"))
        summary = t.obligations_summary(backfilled=backfilled, as_of=as_of, **counts)
        out.append([sentence(summary, ["f:obligations", *everything])])
        for ref in new[:LISTED_PER_STATE]:
            out.append([sentence(_new_duty(t, _duty(pack, ref), as_of), [ref])])
        if new[LISTED_PER_STATE:]:
            more = t.obligations_more(len(new) - LISTED_PER_STATE, "为本期新增")
            out.append([sentence(more, ["f:obligations", *new[LISTED_PER_STATE:]])])
        for state in ("overdue", "open", "late"):
            refs = [ref for ref in groups.get(state, []) if ref not in new]  # listed above
            for ref in refs[:LISTED_PER_STATE]:
                ob = pack["obligations"][ref.partition(":")[2]]
                line = t.obligation_line(ob["title"], OBLIGATION_STATES[state], when(ob["due_at"]))
                out.append([sentence(line, [ref])])
            rest = refs[LISTED_PER_STATE:]
            if rest:
                more = t.obligations_more(len(rest), OBLIGATION_STATES[state])
                out.append([sentence(more, ["f:obligations", *rest])])
    rows = pack["figures"]["sources"]["rows"]
    failing = [r for r in rows if r["failing"]]
    health = [
        sentence(
            t.source_failing(
                r.get("source_name") or r["source"], when(r["last_success_at"]), r["last_error"]
            ),
            [r["ref"]],
        )
        for r in failing
    ]
    healthy = [r for r in rows if not r["failing"]]
    if healthy:
        ok = t.sources_ok(len(healthy), bool(failing))
        health.append(sentence(ok, [r["ref"] for r in healthy]))
    if health:
        out.append(health)
    return out


def _duty(pack: dict[str, Any], ref: str) -> dict[str, Any]:
    return dict(pack["obligations"][ref.partition(":")[2]])


def _new_duty(t: Any, ob: dict[str, Any], as_of: str) -> Any:
    """A duty recorded in the period: when it was recorded and, when its clock started on
    another day or it was opened after its deadline (补登), when the clock started."""
    recorded = ob.get("recorded_at") or ob["opened_at"]
    other_day = local(datetime.fromisoformat(recorded)).date() != (
        local(datetime.fromisoformat(ob["opened_at"])).date()
    )
    trigger = when(ob["opened_at"]) if other_day or ob.get("backfilled") else ""
    state = OBLIGATION_STATES[ob["state"]]
    return t.obligation_new(
        ob["title"],
        when(recorded),
        trigger,
        bool(ob.get("backfilled")),
        state if as_of == "目前" else f"{as_of}{state}",
        when(ob["due_at"]),
    )


def compose(pack: dict[str, Any]) -> list[dict[str, Any]]:
    """The sections of the briefing, in the order of a government briefing."""
    t = _macros()
    sections: list[dict[str, Any]] = [
        {"id": "overview", "heading": "一、综述", "paragraphs": [overview(pack, t)]},
        {"id": "events", "heading": "二、重点舆情", "paragraphs": key_events(pack, t)},
    ]

    view_paragraphs = views(pack, t)
    if view_paragraphs:
        sections.append(
            {
                "id": "views",
                "heading": "（一）代表性观点",
                "paragraphs": view_paragraphs,
                "sub": True,
            }
        )
    spread = propagation.paragraphs(pack, t, sentence, _who, when)
    if spread:  # a 专报 of an event with posts
        number = "（二）" if view_paragraphs else "（一）"
        sections.append(
            {"id": "propagation", "heading": f"{number}传播分析", "paragraphs": spread, "sub": True}
        )
    sections += [
        {"id": "rumours", "heading": "三、谣言与澄清", "paragraphs": rumours(pack, t)},
        {"id": "handling", "heading": "四、处置情况", "paragraphs": handling(pack, t)},
        {
            "id": "advice",
            "heading": "五、研判与建议",
            "paragraphs": [[s] for s in suggestions(pack)],
        },
    ]
    return sections

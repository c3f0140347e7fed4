"""The items of a data pack beyond the volume figures: events, rumours, obligations,
representative posts, key spreaders and the sources' health. Each is a figure of the pack
(``PackBuilder.figure``) with its query and, per row, the references it rests on."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from archive.models import Event, Mention, Obligation
from archive.search import SearchRequest
from nlp.hotspots import count_publishers
from nlp.propagation import account_type
from reports.as_of import event_state, moment, recorded_at, state_at
from reports.claims import claims_by_event, read_claim
from reports.refs import engagement, oref, query_record, sref

if TYPE_CHECKING:
    from reports.datapack import PackBuilder

TOP_EVENTS = 5
TOP_RUMOURS = 5
EVENT_MEMBERS = 500
OFFICIAL_KINDS = ("official", "debunk")
# A Weibo author with this many followers, or verified, is a KOL (大V) here: the usual
# threshold of the trade's monitoring reports for "key opinion accounts".
KOL_FOLLOWERS = 100_000
SCAN_OBLIGATIONS = 1_000_000


def is_official(mention: Mention) -> bool:
    return mention.platform == "official" or mention.kind in OFFICIAL_KINDS


def is_hotspot_then(event: Event, members: list[Mention], b: PackBuilder) -> bool:
    """Whether ``event``, whose members by the briefing's moment are ``members``, was a
    hotspot then: the dashboard's rule (``nlp.hotspots``: enough mentions from enough
    publishers), so the briefing's 重点事件 and the 热点 page never disagree about what is one.
    An event wholly before the moment is sized by its stored count, as the 热点 page sizes it
    (members the archive no longer holds still count); one still growing then, by the
    members published by then."""
    rule = b.hotspot
    size = event.mention_count if event.last_seen <= moment(b.period, b.now) else len(members)
    if size < rule.min_mentions:
        return False
    return count_publishers(members, rule.min_publishers) >= rule.min_publishers


def top_events(b: PackBuilder, only: Event | None) -> None:
    """The hottest hotspots active in the period (or the 专报's one event), each with its
    first post, its most travelled post and the agency's own releases among its members."""
    at = moment(b.period, b.now)
    if only is not None:
        events = [only]
    else:
        active = b.archive.list_events(active_since=b.period.start, limit=200)
        if b.area is not None:
            active = [e for e in active if b.area.has_event(e.id)]
        events = [e for e in active if e.first_seen < b.period.end]
    # Each event as it stood at the briefing's moment (reports.as_of): its mentions by then,
    # its heat and stage then, the hottest then first.
    states = []
    for event in events:
        members = [
            m
            for m in b.archive.event_mentions(event.id, limit=EVENT_MEMBERS)
            if m.published_at < b.period.end and m.published_at <= at
        ]
        # A lone report or a post and its replies is an event, not a 重点事件 (nlp.hotspots).
        if members and (only is not None or is_hotspot_then(event, members, b)):
            states.append((event, members, event_state(members, at, b.event_window)))
    states.sort(key=lambda s: (-s[2][1], s[0].id))
    rows = []
    for event, members, (count, heat, status) in states[: 1 if only else TOP_EVENTS]:
        first = min(members, key=lambda m: (m.published_at, m.id))
        loudest = max(members, key=lambda m: (engagement(m), m.published_at))
        official = sorted((m for m in members if is_official(m)), key=lambda m: m.published_at)
        in_period = [m for m in members if m.published_at >= b.period.start]
        basis = b.archive.get_mentions([r.mention_id for r in event.severity_basis if r.mention_id])
        # A grade read from mentions published after the moment was not known then.
        graded = all(m.published_at <= at for m in basis)
        platforms = Counter(m.platform for m in members)
        rows.append(
            {
                "id": event.id,
                "title": event.title,
                "heat": round(heat, 1),
                "heat_level": b.heat.level(heat),
                "status": status,
                "severity": event.severity if graded else None,
                "severity_basis": [r.text for r in event.severity_basis][:3] if graded else [],
                "severity_cites": [b.cite(m) for m in basis] if graded else [],
                "first_seen": event.first_seen.isoformat(),
                "last_seen": max(m.published_at for m in members).isoformat(),
                "mention_count": count,
                "in_period": len(in_period),
                "region": event.region,
                "rumor_score": event.rumor_score,
                # the members published by the moment, per platform, the most first
                "platforms": dict(sorted(platforms.items(), key=lambda kv: (-kv[1], kv[0]))),
                "first_cite": b.cite(first),
                "loudest_cite": b.cite(loudest),
                "official_cites": [b.cite(m) for m in official[:2]],
            }
        )
    b.figure(
        "events",
        "重点事件",
        {
            "operation": "list_events",
            "active_since": b.period.start.isoformat(),
            "first_seen_before": b.period.end.isoformat(),
            "hotspot": {
                "min_mentions": b.hotspot.min_mentions,
                "min_publishers": b.hotspot.min_publishers,
            },
            "order": "heat",
            "as_of": at.isoformat(),  # members, heat and stage as they stood then
            "limit": TOP_EVENTS,
            "event": only.id if only else None,
            "unit": b.area.unit_id if b.area is not None else None,
        },
        rows=rows,
        heat_line=b.heat.line,
        heat_rule=b.heat.rule,
    )


def _clarifications(b: PackBuilder) -> list[Obligation]:
    return [
        ob
        for ob in b.archive.ledger.list_obligations(limit=SCAN_OBLIGATIONS)
        if ob.kind == "clarification"
    ]


def rumours(b: PackBuilder, threshold: float, rules: set[str]) -> None:
    """Posts scored as likely rumours in the period, one per event (the most likely), with
    what is known of their debunking: a matched debunk notice, the agency's own release in the
    event, or the clarification obligation and its state. A row names the claim in the words
    the rumour rule identified it by (``reports.claims``) when the event has one, so the
    briefing says what is claimed rather than how one post happens to open."""
    at = moment(b.period, b.now)
    claims = claims_by_event(b.archive, rules, at)
    filters = b.filters(rumor_min=threshold)
    hits = b.search(filters, limit=200)
    hits.sort(key=lambda h: -(h.analysis.rumor_score or 0.0) if h.analysis else 0.0)
    duties = _clarifications(b)
    clarifications = {ob.event_id: ob for ob in duties if ob.event_id}
    seen: set[str] = set()
    rows = []
    for hit in hits:
        analysis = hit.analysis
        group = (analysis.event_id if analysis else None) or hit.mention.id
        if group in seen:
            continue
        seen.add(group)
        debunk_ids = [
            r.mention_id for r in (analysis.reasons if analysis else []) if r.kind == "match"
        ]
        found = b.archive.get_mentions([i for i in debunk_ids if i and i != hit.mention.id])
        if not found and analysis and analysis.event_id:
            members = b.archive.event_mentions(analysis.event_id, limit=EVENT_MEMBERS)
            found = [m for m in members if is_official(m)]
        debunks = [m for m in found if m.published_at <= at][:2]  # known at the moment
        ob = clarifications.get(analysis.event_id or "") if analysis else None
        state = state_at(ob, at) if ob is not None else None
        if debunks:
            status = "debunked"
        elif state in ("on_time", "late"):
            status = "clarified"
        elif state in ("open", "overdue"):
            status = "pending"
        else:
            status = "none"
        rows.append(
            {
                "mention": b.cite_hit(hit),
                "event_id": analysis.event_id if analysis else None,
                "claim": claims.get(analysis.event_id or "") if analysis else None,
                "score": round(analysis.rumor_score or 0.0, 2) if analysis else None,
                "status": status,
                "debunk_cites": [b.cite(m) for m in debunks[:2]],
                "obligation": _obligation(b, ob) if ob is not None else None,
            }
        )
        if len(rows) >= TOP_RUMOURS:
            break
    rows += _duty_claims(b, seen, duties, threshold)[: max(0, TOP_RUMOURS - len(rows))]
    b.figure(
        "rumours",
        "谣言与澄清",
        _search_query(filters, rumor_threshold=threshold, clarification_duties=True),
        threshold=threshold,
        rows=rows,
    )


def _duty_claims(
    b: PackBuilder, seen: set[str], duties: list[Obligation], threshold: float
) -> list[dict[str, Any]]:
    """False claims the agency was obliged to clarify (a clarification duty, whatever their
    posts' scores: the rumour rule also opens one for a post a debunk answers), one row per
    event not already listed, with the debunk that fulfilled it; in the period when the
    claim was posted or the duty opened then."""
    rows: list[dict[str, Any]] = []
    if not duties:
        return rows
    alerts = {a.id: a for a in b.archive.ledger.list_alerts(limit=SCAN_OBLIGATIONS)}
    for ob in sorted(duties, key=lambda o: o.opened_at):
        if ob.status == "waived" or ob.event_id in seen:
            continue  # waived: the office decided there was nothing to clarify
        if b.event_id and ob.event_id != b.event_id:
            continue
        if b.area is not None and not b.area.has_obligation(b.archive, ob):
            continue
        # The posts passing the claim on (reports.claims: the alert's 传播帖 and the others
        # spreading it, whatever their score), not the rest of its evidence (the event's
        # first source, its spreaders, the debunk).
        at = moment(b.period, b.now)
        alert = alerts.get(ob.alert_id) if ob.alert_id is not None else None
        claim = read_claim(b.archive, alert, threshold, at, ob) if alert else None
        claims = [p.mention for p in claim.posts if not is_official(p.mention)] if claim else []
        recorded = recorded_at(b.archive, ob)
        when = [recorded, *(m.published_at for m in claims)]
        if not claims or not any(b.period.start <= t < b.period.end and t <= at for t in when):
            continue
        seen.add(ob.event_id or claims[0].id)
        state = state_at(ob, at)
        answer = b.archive.get_mentions([ob.fulfilled_by]) if ob.fulfilled_by else []
        answer = [m for m in answer if m.published_at <= at and state in ("on_time", "late")]
        status = "clarified" if state in ("on_time", "late") else "pending"
        rows.append(
            {
                "mention": b.cite(claims[0]),
                "event_id": ob.event_id,
                "claim": claim.text if claim else None,
                "score": None,  # named by a clarification duty, not by its score
                "status": "debunked" if answer else status,
                "debunk_cites": [b.cite(m) for m in answer],
                "obligation": _obligation(b, ob),
            }
        )
    return rows


def _search_query(filters: Any, **extra: Any) -> dict[str, Any]:
    return query_record("search", SearchRequest(filters=filters), **extra)


def _obligation(b: PackBuilder, ob: Obligation) -> str:
    """Record ``ob`` in the pack as it stood at the briefing's moment (``reports.as_of``: on
    time, late, overdue or open) and cite it."""
    ref = oref(ob.id)
    at = moment(b.period, b.now)
    state = state_at(ob, at)
    done_at = (ob.done_at or ob.updated_at) if state in ("on_time", "late") else None
    b.obligations[str(ob.id)] = {
        "id": ob.id,
        "kind": ob.kind,
        "title": ob.title,
        "status": ob.status,
        "state": state,
        "opened_at": ob.opened_at.isoformat(),
        "recorded_at": recorded_at(b.archive, ob).isoformat(),
        "backfilled": bool(ob.late_reason),  # 补登: opened after its deadline
        "due_at": ob.due_at.isoformat(),
        "done_at": done_at.isoformat() if done_at else None,
        "event_id": ob.event_id,
        "link": ob.link,
    }
    return ref


def obligations(b: PackBuilder, event_id: str | None) -> None:
    """Obligations recorded in the period (a 补登 one on the day it was recorded, whatever
    its backdated trigger), and those still open from before, by their state at the
    briefing's moment (``reports.as_of``)."""
    rows: dict[str, list[str]] = defaultdict(list)
    at = moment(b.period, b.now)
    for ob in b.archive.ledger.list_obligations(limit=SCAN_OBLIGATIONS):
        if event_id and ob.event_id != event_id:
            continue
        recorded = recorded_at(b.archive, ob)
        opened_in = b.period.start <= recorded < b.period.end and recorded <= at
        carried = recorded < b.period.start and state_at(ob, b.period.start) in ("open", "overdue")
        if not (opened_in or carried):
            continue
        if b.area is not None and not b.area.has_obligation(b.archive, ob):
            continue
        ref = _obligation(b, ob)
        if opened_in:
            rows["opened"].append(ref)
        rows[b.obligations[str(ob.id)]["state"]].append(ref)
    b.figure(
        "obligations",
        "处置情况",
        {
            "operation": "list_obligations",
            "recorded_in": [b.period.start.isoformat(), b.period.end.isoformat()],
            "or_active_from_before": True,
            "event": event_id,
            "unit": b.area.unit_id if b.area is not None else None,
            "as_of": at.isoformat(),
        },
        groups={k: v for k, v in rows.items()},
    )


VIEWS: dict[str, tuple[str, dict[str, Any]]] = {
    "official": ("官方", {"platforms": ["official"]}),
    "media": ("媒体", {"platforms": ["news", "rss"]}),
    "kol": ("意见领袖", {"platforms": ["weibo"]}),
    "public": ("网民", {"platforms": ["weibo"]}),
    "critical": ("批评质疑", {"sentiments": ["negative"]}),
}


def _kol(mention: Mention) -> bool:
    metrics = mention.metrics or {}
    try:
        followers = int(metrics.get("followers") or 0)
    except (TypeError, ValueError):
        followers = 0
    return bool(metrics.get("verified")) or followers >= KOL_FOLLOWERS


def _agency(mention: Mention) -> bool:
    """An official site's document or a government account's post (Weibo's 蓝V 政府,
    ``nlp.propagation.account_type``): the authorities speaking, never 批评质疑 or 网民."""
    return account_type(mention.platform, mention.kind, mention.metrics or {}) == "官方"


def _ranked(hits: list[Any]) -> list[Any]:
    return sorted(hits, key=lambda h: -engagement(h.mention))


def _view_hits(b: PackBuilder, view: str, filters: Any) -> list[Any]:
    """The view's candidates, the one to quote first first."""
    hits = b.search(filters, limit=200)
    if view == "official":
        # Government accounts' Weibo posts (a 情况通报, a 辟谣) are official too; the site's
        # own document leads (a post travels further, a document is the authority), then
        # the most travelled post, then the rest.
        posts = _ranked(
            [h for h in b.search(b.filters(platforms=["weibo"]), limit=200) if _agency(h.mention)]
        )
        docs = _ranked(hits)
        return docs[:1] + posts[:1] + _ranked(docs[1:] + posts[1:])
    hits = [h for h in hits if not _agency(h.mention)]
    if view == "kol":
        hits = [h for h in hits if _kol(h.mention)]
    elif view == "public":
        hits = [h for h in hits if not _kol(h.mention)]
    return _ranked(hits)


def representatives(b: PackBuilder) -> None:
    """Up to two posts of each view — official, media, KOL, public, critical — the most
    travelled first; a post shown under one view is not repeated under another."""
    shown: set[str] = set()
    groups: dict[str, list[str]] = {}
    queries: dict[str, Any] = {}
    for view, (_label, extra) in VIEWS.items():
        filters = b.filters(**extra)
        hits = _view_hits(b, view, filters)
        hits = [h for h in hits if h.mention.id not in shown]
        picked = hits[:2]
        shown.update(h.mention.id for h in picked)
        groups[view] = [b.cite_hit(h) for h in picked]
        queries[view] = _search_query(filters)["filters"]
    b.figure(
        "views",
        "代表性观点",
        {
            "operation": "search",
            "views": queries,
            "kol_followers": KOL_FOLLOWERS,
            # which posts count as 官方 in every view (see _agency)
            "agency_accounts": {"platforms": ["official"], "weibo_verified_type": [1]},
        },
        groups=groups,
        labels={k: v[0] for k, v in VIEWS.items()},
    )


def spreaders(b: PackBuilder) -> None:
    """Authors whose posts in the period travelled furthest (reposts, comments, likes)."""
    filters = b.filters()
    hits = b.search(filters, limit=500)
    by_author: dict[str, list[Mention]] = defaultdict(list)
    for hit in hits:
        if hit.mention.author:
            by_author[hit.mention.author].append(hit.mention)
    ranked = sorted(
        by_author.items(), key=lambda kv: (-sum(engagement(m) for m in kv[1]), -len(kv[1]), kv[0])
    )
    rows = [
        {
            "author": author,
            "posts": len(posts),
            "engagement": sum(engagement(m) for m in posts),
            "cites": [b.cite(m) for m in sorted(posts, key=lambda m: -engagement(m))[:2]],
        }
        for author, posts in ranked[:5]
    ]
    b.figure(
        "spreaders",
        "关键传播者",
        _search_query(filters, limit=500),
        rows=rows,
    )


def sources_health(b: PackBuilder) -> None:
    """Each crawl source's runs and errors, and whether it failed during the period."""
    rows = []
    for state in b.archive.ledger.list_source_states():
        failing = state.last_error_at is not None and (
            state.last_success_at is None or state.last_error_at > state.last_success_at
        )
        rows.append(
            {
                "source": state.source,
                "ref": sref(state.source),
                "runs": state.runs,
                "errors": state.errors,
                "last_success_at": state.last_success_at.isoformat()
                if state.last_success_at
                else None,
                "last_error": state.last_error[:120],
                "failing": failing,
            }
        )
    b.figure("sources", "采集源状态", {"operation": "list_source_states"}, rows=rows)

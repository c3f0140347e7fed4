"""Fulfilment found by the crawlers: an official notice that answers an open obligation.

When the agency's own site publishes a debunk (辟谣), an interpretation (解读), a notice or a
penalty disclosure, the obligations it may answer are looked at:

=================  ===============================================================
notice doc_type    obligation kinds it can fulfil
=================  ===============================================================
``debunk``         clarification, response, authoritative_release
``interpretation`` policy_interpretation
``notice``         authoritative_release, press_conference, response, clarification
``penalty``        penalty_disclosure
=================  ===============================================================

A notice answers an obligation when it is not the notice that opened it, was published after
the obligation opened, and is about the same thing: the document number in the obligation
(临市监处罚〔2026〕88号) appears in it — when there is one, nothing else counts — or the key
entered by hand or the document's full title does, or most of the event's keywords or of the
character pairs of the subject's title do. Nothing is closed automatically —
a person confirms: the obligation gets the note 「建议办结：<link>」 through
``update_obligation`` (which writes the audit entry, actor ``system``, in the same
transaction), and its recipients get a message with the link and the command to close it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from alerts.deadlines import kind_label
from alerts.messages import dashboard_url, obligation_link
from alerts.reminders import queue_for
from archive.base import Archive
from archive.models import Alert, Analysis, Mention, Obligation
from yuqing.settings import RuleSettings, Settings

FULFILS: dict[str, tuple[str, ...]] = {
    "debunk": ("clarification", "response", "authoritative_release"),
    "interpretation": ("policy_interpretation",),
    "notice": ("authoritative_release", "press_conference", "response", "clarification"),
    "penalty": ("penalty_disclosure",),
}
# Share of keywords / title character pairs that must appear; set on the demo corpus, where a
# debunk repeats most of the rumour's words and an unrelated notice shares under a fifth.
MIN_SHARE = 0.6
PROPOSAL = "建议办结："


def _pairs(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in itertools.pairwise(chars)}


DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号")


def match_score(
    ob: Obligation, notice: Mention, keywords: Sequence[str], topic_title: str
) -> float:
    """1.0 for a certain match, else the share of keywords or title pairs found, else 0.

    A document number (临市监处罚〔2026〕88号) in the obligation decides alone: sibling
    penalty decisions differ only in it, so they must not answer each other."""
    text = f"{notice.title}\n{notice.text}"
    numbers = set(DOCUMENT_NUMBER.findall(f"{ob.subject}\n{topic_title}"))
    if numbers:
        return 1.0 if any(number in text for number in numbers) else 0.0
    if len(ob.subject) >= 6 and ":" not in ob.subject and ob.subject in text:
        return 1.0  # a key entered by hand
    if len(topic_title) >= 8 and topic_title in text:
        return 1.0  # the policy document's full name in its interpretation
    scores = []
    words = [w for w in keywords if len(w) >= 2]
    if len(words) >= 2:
        scores.append(sum(w in text for w in words) / len(words))
    pairs = _pairs(topic_title)
    if len(pairs) >= 4:
        scores.append(len(pairs & _pairs(text)) / len(pairs))
    return max(scores, default=0.0)


def propose_fulfilment(
    archive: Archive,
    settings: Settings,
    rules: Mapping[str, RuleSettings],
    alerts: Mapping[int, Alert],
    mentions: Sequence[tuple[Mention, Analysis | None]],
    now: datetime,
) -> int:
    """Propose as done the obligations answered by new official notices; returns how many."""
    notices = [
        m
        for m, _ in mentions
        if (m.platform == "official" or m.kind == "official") and m.extra.get("doc_type") in FULFILS
    ]
    if not notices:
        return 0
    active = archive.list_obligations(["open", "acknowledged"], limit=1_000_000)
    proposed = 0
    for ob in active:
        best: tuple[float, Mention] | None = None
        for notice in notices:
            if ob.kind not in FULFILS[str(notice.extra["doc_type"])]:
                continue
            if ob.subject == f"doc:{notice.id}" or notice.url in ob.note:
                continue  # the notice that opened it, or one already proposed
            if notice.published_at < ob.opened_at:
                continue
            score = match_score(ob, notice, _keywords(archive, ob), _topic_title(ob))
            if score >= MIN_SHARE and (best is None or score > best[0]):
                best = (score, notice)
        if best is None:
            continue
        score, notice = best
        _propose(archive, settings, rules, alerts, ob, notice, score, now)
        proposed += 1
    return proposed


def _keywords(archive: Archive, ob: Obligation) -> list[str]:
    if not ob.event_id:
        return []
    event = archive.get_event(ob.event_id)
    return list(event.keywords[:8]) if event else []


def _topic_title(ob: Obligation) -> str:
    """The obligation's title without its kind label: the document's or event's own title."""
    _, _, rest = ob.title.partition("：")
    return rest or ob.title


def _propose(
    archive: Archive,
    settings: Settings,
    rules: Mapping[str, RuleSettings],
    alerts: Mapping[int, Alert],
    ob: Obligation,
    notice: Mention,
    score: float,
    now: datetime,
) -> None:
    note = f"{PROPOSAL}{notice.url}（{notice.title or notice.source}，匹配度 {score:.2f}）"
    archive.update_obligation(
        replace(ob, note=note, updated_at=now), "system", "obligation.fulfilment_proposed"
    )
    alert = alerts.get(ob.alert_id) if ob.alert_id is not None else None
    rule = rules.get(alert.rule) if alert is not None else None
    names = list(rule.recipients) if rule else list(settings.obligations.recipients)
    subject = f"【建议办结·{kind_label(ob.kind)}】{ob.title}"
    body = "\n".join(
        [
            f"已采集到可能履行义务 #{ob.id} 的官方发布：",
            f"  · {notice.title or notice.text[:40]} {notice.url}",
            f"请核对后办结：yuqing obligations done {ob.id} --link {notice.url}",
            f"或在系统中办理：{obligation_link(dashboard_url(settings), ob)}",
        ]
    )
    recipients = {r.name: r for r in settings.recipients}
    queue_for(
        archive, recipients, names, f"obligation:{ob.id}:proposed:{notice.id}", subject, body, now
    )

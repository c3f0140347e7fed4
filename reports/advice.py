"""研判与建议: suggestions derived from rules over the data pack, each with its reason.

Every rule reads figures the pack already holds and cites what its reason states; the
wording lives in ``templates/advice.zh.j2``. Rules, in order of urgency:

1. a clarification still open within CLARIFY_SOON of its deadline (past it: rule 4);
2. an emerging or growing event without any official release among its mentions;
3. a likely rumour with neither a debunk nor a clarification;
4. obligations past their deadline;
5. obligations done after their deadline (a briefing that lists them as 逾期办结 must not
   close with 未发现需要特别处置的情况);
6. volume up by SURGE_PCT or more on at least SURGE_MIN mentions;
7. crawl sources whose last run failed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.text.clip import clip
from reports import prose_env

CLARIFY_SOON = timedelta(hours=12)
SURGE_PCT = 50.0  # 环比 +50 %: the step at which the trade's briefings call a rise notable
SURGE_MIN = 20
RISING = ("emerging", "growing")


def suggestions(pack: dict[str, Any]) -> list[dict[str, Any]]:
    from reports.prose import EVENT_STATUS, sentence, when

    t = prose_env.module("advice.zh.j2")
    now = datetime.fromisoformat(pack["generated_at"])
    figures = pack["figures"]
    out = []
    for ref in figures["obligations"]["groups"].get("opened", []) + [
        r for s in ("open", "overdue") for r in figures["obligations"]["groups"].get(s, [])
    ]:
        ob = pack["obligations"][ref.partition(":")[2]]
        due = datetime.fromisoformat(ob["due_at"])
        if (
            ob["kind"] == "clarification"
            and ob["state"] == "open"
            and timedelta(0) <= due - now <= CLARIFY_SOON
        ):
            out.append(sentence(t.clarify(ob["title"], when(ob["due_at"])), [ref]))
    out = list({s["text"]: s for s in out}.values())
    for e in figures["events"]["rows"]:
        if e["status"] in RISING and not e["official_cites"]:
            status = EVENT_STATUS.get(e["status"], e["status"])
            out.append(
                sentence(t.release(e["title"], status), [e["first_cite"], e["loudest_cite"]])
            )
    for row in figures["rumours"]["rows"]:
        if row["status"] == "none":
            excerpt = pack["mentions"][row["mention"].partition(":")[2]]["excerpt"]
            out.append(sentence(t.verify(clip(excerpt, 30), row["score"]), [row["mention"]]))
    overdue = figures["obligations"]["groups"].get("overdue", [])
    if overdue:
        out.append(sentence(t.overdue(len(overdue)), overdue))
    late = figures["obligations"]["groups"].get("late", [])
    if late:
        out.append(sentence(t.late(len(late)), late))
    volume = figures["volume"]
    pct = volume["change_pct"]
    if pct is not None and pct >= SURGE_PCT and volume["value"] >= SURGE_MIN:
        out.append(sentence(t.surge(pct, volume["value"]), ["f:volume", *volume["cites"]]))
    failing = [r for r in figures["sources"]["rows"] if r["failing"]]
    if failing:
        names = [r.get("source_name") or r["source"] for r in failing]
        out.append(sentence(t.sources(names), [r["ref"] for r in failing]))
    if not out:
        out.append(
            sentence(
                t.steady(),
                ["f:events", "f:rumours", "f:obligations"],
                factual=False,  # a judgement over the figures cited, not a fact
            )
        )
    return out

"""The Chinese text of notifications: what a spokesperson reads on a phone.

Every message says what happened (the event, the rule, the level), why (the rule's reasons,
each post with its link), what is due by when (Beijing time and the time left at sending) and
where to act (the dashboard link). Times are shown in Beijing time; a deadline that counted
days of a year whose holiday schedule is not yet published carries 「暂定」.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from alerts.deadlines import Deadline, kind_label
from alerts.rules import Match
from archive.models import Alert, Mention, Obligation, Reason
from core.clock import local
from core.settings import RuleSettings, Settings
from core.text.clip import clip
from core.vocabulary import AGENCY_LEVEL_LABELS, ALERT_LEVEL_LABELS, shown_name

EVIDENCE_SHOWN = 5


def show_time(value: datetime) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def show_due(due_at: datetime, provisional: bool) -> str:
    return show_time(due_at) + ("「暂定」" if provisional else "")


def show_left(due_at: datetime, now: datetime) -> str:
    """剩余 2天3小时 / 剩余 45分钟 / 已逾期 1小时5分钟."""
    left = due_at - now
    text = show_span(abs(left))
    return f"已逾期 {text}" if left < timedelta(0) else f"剩余 {text}"


def show_span(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{minutes}分钟"
    return f"{minutes}分钟"


def show_outcome(ob: Obligation) -> str:
    """按时办结 / 逾期 3 小时办结 / 逾期 3 天 11 小时办结 (whole hours, rounded up) for a done
    obligation; a day or more in days and hours, as people count a penalty published days
    late (not 逾期 83 小时)."""
    if ob.done_at is None:
        return "已办结"
    late = ob.done_at - ob.due_at
    if late <= timedelta(0):
        return "按时办结"
    hours = -(-int(late.total_seconds()) // 3600)
    days, hours = divmod(hours, 24)
    if not days:
        return f"逾期 {hours} 小时办结"
    return f"逾期 {days} 天" + (f" {hours} 小时" if hours else "") + "办结"


LATE_LABEL = "补登"


def late_reason(
    opened_at: datetime, due_at: datetime, recorded: datetime, event_start: datetime | None
) -> str:
    """Why an obligation is opened after its deadline (补登), '' when it is not: when the
    event began, when the clock started, and when the system first saw the duty arise."""
    if recorded <= due_at:
        return ""
    late = show_span(recorded - due_at)
    if event_start is not None and event_start == opened_at:
        start = f"事件始于 {show_time(event_start)}，期限自此起算；"
    elif event_start is not None:
        start = f"事件始于 {show_time(event_start)}，期限自 {show_time(opened_at)} 起算；"
    else:
        start = f"期限自 {show_time(opened_at)} 起算；"
    return (
        f"{LATE_LABEL}：{start}至 {show_time(recorded)} 才首次识别到该义务"
        f"（开启条件首次满足），开启时已超期 {late}"
    )


def mention_label(m: Mention, limit: int = 40) -> str:
    """What a message calls a publication: its title, else its opening, marked as cut (…)
    when longer than ``limit`` characters, so a reader never takes a cut word for the text."""
    if m.title:
        return m.title
    return clip(m.text, limit)


def dashboard_url(settings: Settings) -> str:
    base = settings.dashboard.url or f"http://{settings.dashboard.host}:{settings.dashboard.port}"
    return base.rstrip("/")


def obligation_link(base: str, ob: Obligation) -> str:
    return f"{base}/obligations?id={ob.id}"


def alert_link(base: str, alert: Alert) -> str:
    """The event's page when the alert is about one, else the obligations page."""
    return f"{base}/event?id={alert.event_id}" if alert.event_id else f"{base}/obligations"


def _rule_line(rule: RuleSettings) -> str:
    name = shown_name(rule.name, rule.display_name)
    return f"规则：{name}" + (f"（{rule.description}）" if rule.description else "")


def _level_line(level: str, grade: str | None) -> str:
    line = f"级别：{ALERT_LEVEL_LABELS.get(level, level)}"
    return line + (f"；事件等级：{grade}" if grade else "")


def _evidence_lines(evidence: Sequence[Reason]) -> list[str]:
    lines = [f"  · {reason.text}" for reason in evidence[:EVIDENCE_SHOWN]]
    if len(evidence) > EVIDENCE_SHOWN:
        lines.append(f"  · 另有 {len(evidence) - EVIDENCE_SHOWN} 条依据")
    return lines


def alert_message(
    rule: RuleSettings,
    alert: Alert,
    match: Match,
    obligations: Sequence[tuple[Obligation, Deadline]],
    raised_from: str | None = None,
    *,
    now: datetime | None = None,
    link: str | None = None,
) -> tuple[str, str]:
    """The alert with what it calls for: one message per story and change (alerts.notices)."""
    level = ALERT_LEVEL_LABELS.get(alert.level, alert.level)
    prefix = f"升级为{level}" if raised_from else level
    subject = f"【舆情预警·{prefix}】{alert.title}"
    if obligations:
        duties = "；".join(f"{_duty(ob)}，截止 {_due_short(ob)}" for ob, _ in obligations)
        subject += f"（须履行：{duties}）"
    lines = [
        _rule_line(rule),
        f"事件：{alert.title}",
        _level_line(alert.level, match.grade),
        f"首次发现：{show_time(alert.first_at)}",
    ]
    if raised_from:
        lines.append(f"级别变化：{ALERT_LEVEL_LABELS.get(raised_from, raised_from)} → {level}")
    if alert.evidence:
        lines.append("依据：")
        lines += _evidence_lines(alert.evidence)
    if obligations:
        lines.append("须履行：")
        for ob, deadline in obligations:
            lines += _obligation_lines(ob, deadline, now, link)
    lines.append(f"预警编号：{alert.id}")
    if link:
        lines.append(f"查看与确认：{alert_link(link, alert)}")
    return subject, "\n".join(lines)


def _due_short(ob: Obligation) -> str:
    return local(ob.due_at).strftime("%m-%d %H:%M") + ("「暂定」" if ob.provisional else "")


def _duty(ob: Obligation) -> str:
    return kind_label(ob.kind) + (f"·{LATE_LABEL}" if ob.late_reason else "")


def _obligation_lines(
    ob: Obligation, deadline: Deadline, now: datetime | None, link: str | None
) -> list[str]:
    """One obligation in an alert's message: what, by when, at which level, where to act."""
    left = f"，{show_left(ob.due_at, now)}" if now is not None else ""
    level = AGENCY_LEVEL_LABELS.get(ob.level, ob.level)
    lines = [
        f"  · {_duty(ob)}（义务 #{ob.id}，{level}），起算：{show_time(ob.opened_at)}，"
        f"截止时间：{show_due(ob.due_at, ob.provisional)}{left}（{deadline.rule_text}）"
    ]
    if ob.late_reason:
        lines.append(f"    {ob.late_reason}")
    if link:
        lines.append(f"    确认与办结：{obligation_link(link, ob)}")
    return lines

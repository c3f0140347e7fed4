"""Chinese names for the archive's closed vocabularies, as the duty staff read them.

The codes stay in the archive and in exports; only the screen shows these names. A code
without a name is shown as it is, so a new platform or kind never breaks a page.
"""

from __future__ import annotations

from alerts.deadlines import KINDS as OBLIGATION_KINDS
from alerts.obligations import STATE_LABELS

# The vocabularies' names live with the archive, where search maps typed names to codes.
from archive import vocabulary

# One list of platform names, kept with the archive's models: alert texts name platforms too.
from archive.models import PLATFORM_LABELS as PLATFORM_LABELS
from archive.vocabulary import MENTION_KIND_LABELS as MENTION_KIND_LABELS
from archive.vocabulary import TOPIC_LABELS as TOPIC_LABELS
from core.settings import RULE_SETTINGS
from core.vocabulary import AGENCY_LEVEL_LABELS
from core.vocabulary import ALERT_LEVEL_LABELS as ALERT_LEVEL_LABELS

SENTIMENT_LABELS = {**vocabulary.SENTIMENT_LABELS, "未分析": "未分析"}
EVENT_STATUS_LABELS = {
    "emerging": "新出现",
    "growing": "升温",
    "peak": "高峰",
    "declining": "降温",
    "closed": "已平息",
}
# One source with the alert messages and the CLI: the obligation kinds' own names.
OBLIGATION_KIND_LABELS = {kind: rule.label for kind, rule in OBLIGATION_KINDS.items()}
# The lifecycle's own names (alerts.obligations), so the CLI and the screen agree.
OBLIGATION_STATUS_LABELS = dict(STATE_LABELS)
LEVEL_LABELS = AGENCY_LEVEL_LABELS
AUDIT_ACTION_LABELS = {
    "obligation.opened": "开启",
    "obligation.added": "手工登记",
    "obligation.acknowledged": "确认",
    "obligation.completed": "办结",
    "obligation.waived": "豁免",
    "obligation.reopened": "重新打开",
    "obligation.assigned": "指派",
    "obligation.reminder_snoozed": "暂停提醒",
    "obligation.fulfilled": "系统自动办结",
    "obligation.fulfilment_undone": "撤销自动办结",
    "obligation.fulfilment_proposed": "建议办结",
    "obligation.escalated": "升级提醒",
    "alert.fired": "告警触发",
    "alert.raised": "告警升级",
    "alert.silenced": "静默告警",
    "alert.unsilenced": "取消静默",
    "silence.created": "设置静默",
    "silence.expired": "解除静默",
}
ALERT_STATUS_LABELS = {"firing": "告警中", "resolved": "已恢复", "silenced": "已静默"}
RULE_TYPE_LABELS = {name: model.label for name, model in RULE_SETTINGS.items()}
# Source types (settings ``sources[].type``): the platform's name, or the kind of source.
SOURCE_TYPE_LABELS = {
    **PLATFORM_LABELS,
    "notices": "抽检召回公告",
    "complaints": "投诉平台",
    "petitions": "领导留言板",
    "plugin": "插件采集",
}


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese name of ``code``, or the code itself when it has none."""
    if code is None:
        return ""
    return table.get(code, code)


def shown(name: str) -> str:
    """The display name of a configured id — a rule, source, recipient, notifier or user —
    as ``core.settings.Settings.display_name`` gives it; ids never reach the screen."""
    from dashboard.context import settings  # the configuration of this dashboard

    return settings().display_name(name) if name else name

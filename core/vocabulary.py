"""The fixed lists every layer names: agency levels, severity grades, alert levels, obligation
kinds and roles, each written once as a ``Literal`` (what settings validate against) with the
tuple of its values derived from it, and their Chinese names.

These are the law's and the office's vocabularies, not plug-in points: the registries of rule
types and notifier types are the per-type settings models (``core.settings_rules``,
``core.settings_notifiers``), and the archive's own closed vocabularies (topics, sentiment,
mention kinds) live in ``archive.vocabulary``. The obligation kinds' deadlines and labels are
registered in ``alerts.deadlines``, which checks at import that it covers exactly this list.
"""

from __future__ import annotations

from typing import Literal, get_args

# The four levels of market-regulation agency; the level sets working-day deadlines.
AgencyLevel = Literal["national", "province", "city", "county"]
AGENCY_LEVELS: tuple[str, ...] = get_args(AgencyLevel)
AGENCY_LEVEL_LABELS: dict[str, str] = {
    "national": "国家级",
    "province": "省级",
    "city": "市级",
    "county": "县级",
}
# The level of the units below an agency (a city's districts are county level).
LEVEL_BELOW: dict[str, AgencyLevel] = {
    "national": "province",
    "province": "city",
    "city": "county",
    "county": "county",
}

# Emergency severity grades, most severe first (突发事件分级).
Grade = Literal["特别重大", "重大", "较大", "一般"]
SEVERITY_GRADES: tuple[str, ...] = get_args(Grade)

# Alert levels, least urgent first.
AlertLevel = Literal["info", "warning", "critical"]
ALERT_LEVELS: tuple[str, ...] = get_args(AlertLevel)
ALERT_LEVEL_LABELS: dict[str, str] = {"info": "提示", "warning": "警告", "critical": "严重"}

# What an alert may oblige the office to do, strongest duty first: the stage opens them in
# this order so that inhibitions see the stronger duty first.
ObligationKind = Literal[
    "authoritative_release",
    "press_conference",
    "clarification",
    "response",
    "policy_interpretation",
    "penalty_disclosure",
    "implementation_report",
]
OBLIGATION_KINDS: tuple[str, ...] = get_args(ObligationKind)

# Who receives notifications (settings ``recipients``); the press office reads drafts.
RecipientRole = Literal["duty", "spokesperson", "leader", "analyst"]
PRESS_OFFICE: tuple[str, ...] = ("duty", "spokesperson", "analyst")

# Who may do what on the dashboard (settings ``users``; permissions in dashboard.roles).
UserRole = Literal["viewer", "analyst", "spokesperson", "admin"]
USER_ROLES: tuple[str, ...] = get_args(UserRole)
USER_ROLE_LABELS: dict[str, str] = {
    "viewer": "只读",
    "analyst": "分析员",
    "spokesperson": "新闻发言人",
    "admin": "管理员",
}

# What an official site publishes (a source's ``doc_type``; the official spider's guess).
DocType = Literal[
    "policy", "interpretation", "penalty", "debunk", "notice",
    "inspection", "recall",  # sampling-inspection and recall notices (issue 23)
]  # fmt: skip
DOC_TYPES: tuple[str, ...] = get_args(DocType)

# Chinese names of the configured things the starter configuration ships (`yuqing init`,
# alerts/defaults.py, the demo) and of the system's own actors, for a configuration that gives
# them no ``display_name``. A site's own ids without one show as written.
BUILTIN_DISPLAY_NAMES: dict[str, str] = {
    # Recipients
    "spokesperson": "新闻发言人",
    "duty-officer": "值班员",
    "leader": "分管领导",
    # Rules (alerts/defaults.py and the example configuration)
    "major-accident": "较大及以上突发事件",
    "major-accidents": "较大及以上突发事件",
    "rumor": "谣言澄清",
    "rumours": "谣言澄清",
    "hot-event": "热点舆情",
    "hot-events": "热点舆情",
    "policy-document": "重要政策文件",
    "policy-published": "重要政策文件",
    "penalty-decision": "行政处罚决定",
    "penalty-decided": "行政处罚决定",
    "volume-spike": "信息量突增",
    "topic-spike": "话题声量突增",
    # Notifiers
    "outbox-file": "发件箱文件",
    # Actors the system writes into the audit log
    "dashboard": "值班人员",
    "system": "系统",
    "runner": "系统（定时任务）",
    "cli": "命令行",
}


def shown_name(name: str, display_name: str = "") -> str:
    """What people read for a configured id: its own display name, else the built-in Chinese
    name, else the id as written."""
    return display_name or BUILTIN_DISPLAY_NAMES.get(name, name)

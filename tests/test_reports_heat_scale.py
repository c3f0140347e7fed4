"""Heat's level against the alert line (reports.heat_scale), shared by the dashboard's pages
and the briefings."""

from __future__ import annotations

from core.settings import Settings
from reports.heat_scale import DEFAULT_LINE, heat_scale


def _settings(*rules: dict[str, object]) -> Settings:
    return Settings.model_validate({"rules": list(rules)})


def test_the_line_is_the_lowest_heat_an_enabled_threshold_rule_alerts_at() -> None:
    scale = heat_scale(
        _settings(
            {"name": "hot", "type": "threshold", "min_heat": 120},
            {"name": "hotter", "type": "threshold", "min_heat": 80, "display_name": "热点预警"},
            {"name": "off", "type": "threshold", "min_heat": 10, "enabled": False},
            {"name": "volume", "type": "threshold", "min_mentions": 30},
        )
    )
    assert (scale.line, scale.rule) == (80, "热点预警")
    assert [scale.level(h) for h in (80, 79.9, 20, 19.9)] == ["高", "中", "中", "低"]
    assert scale.text(37.24) == "37.2（中）"
    assert "预警线 80（规则“热点预警”热度达到即预警）" in scale.explain()


def test_without_a_heat_rule_the_shipped_line_is_the_reference_and_says_so() -> None:
    scale = heat_scale(_settings({"name": "volume", "type": "threshold", "min_mentions": 30}))
    assert (scale.line, scale.rule) == (DEFAULT_LINE, None)
    assert "参考线 200" in scale.explain() and "不按热度预警" in scale.explain()
    assert heat_scale(None).line == DEFAULT_LINE

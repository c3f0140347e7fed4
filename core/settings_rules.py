"""Schema of ``rules:``: one settings model per rule type, a discriminated union on ``type``.

The rule types' registry is this module: each model's ``type`` Literal is the type's name,
``RULE_SETTINGS`` maps names to models and ``RULE_TYPES`` lists them. The classes that
evaluate the rules (``alerts.rules`` and the modules it loads) name their model
(``settings_model``) and take their ``type_name`` from it, and ``alerts.rules`` checks at
import that every type here has exactly one class. The models live here, below the stages,
because every layer that reads ``yuqing.yaml`` (the crawlers and the dashboard too) validates
the whole file without importing the alert stage.

A key of another rule type is refused with the types it applies to, so a ``per_topic`` on a
threshold rule reads "'per_topic' applies to spike rules only", not just "unknown key".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import Discriminator, Field, TypeAdapter, model_validator

from core.settings_base import Duration, StrictModel, check_keys_of_other_types, literal_name
from core.vocabulary import AlertLevel, Grade, ObligationKind


class RuleFilter(StrictModel):
    topics: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    platforms: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)


class RuleSettingsBase(StrictModel):
    """What every rule has; each type adds its parameters in its own model below."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    display_name: str = ""  # what pages and messages show; the name stays the id
    type: str
    description: str = ""
    enabled: bool = True
    level: AlertLevel = "warning"
    filters: RuleFilter = Field(default_factory=RuleFilter)
    opens: list[ObligationKind] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    cooldown: Duration = timedelta(hours=1)
    label: ClassVar[str]  # the type's name on screen and in messages
    # The parameters of which at least one must be set (a rule that tests nothing is a typo).
    needs: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _keys_of_other_types(cls, data: Any) -> Any:
        check_keys_of_other_types(cls, data, RULE_SETTINGS, "rules")
        return data

    @model_validator(mode="after")
    def _check_needs(self) -> RuleSettingsBase:
        needs = self.required_parameters()
        if needs and not any(getattr(self, key) for key in needs):
            wanted = " or ".join(f"'{key}'" for key in needs)
            raise ValueError(f"a {self.type} rule needs {wanted}")
        return self

    def required_parameters(self) -> tuple[str, ...]:
        return self.needs


class ThresholdRuleSettings(RuleSettingsBase):
    type: Literal["threshold"]
    label = "热度阈值"
    min_heat: float | None = None
    min_mentions: int | None = None
    # Public concern about the agency's own work (其他政务舆情) below the volume bar: an event
    # of these topics with ``concern_posts`` posts by the public and a media report on it
    # (alerts.event_rules.public_concern). Empty: volume and heat only.
    concern_topics: list[str] = Field(default_factory=list)
    concern_posts: int = Field(default=2, ge=1)
    needs = ("min_heat", "min_mentions", "concern_topics")


class SpikeRuleSettings(RuleSettingsBase):
    type: Literal["spike"]
    label = "声量突增"
    # A spike of the same scope within this long of the last one updates that alert (one
    # alert per wave of attention, like an event's) instead of raising another.
    group_within: Duration = timedelta(hours=24)
    min_mentions: int | None = None
    # The ratio to the baseline that makes a spike (> 1).
    spike_factor: float | None = Field(default=None, gt=1)
    baseline: Duration | None = None
    # Judge each topic on its own (one alert per topic), and against the same hour of the
    # previous ``seasonal_days`` days (default with per_topic) with a Poisson tail
    # probability at most ``max_p_value`` (alerts/topic_burst.py).
    per_topic: bool = False
    seasonal: bool | None = None
    seasonal_days: int | None = Field(default=None, ge=3, le=28)  # default 7
    max_p_value: float | None = Field(default=None, gt=0, lt=1)
    needs = ("spike_factor",)

    @property
    def seasonal_baseline(self) -> bool:
        """Judged against the same hour of earlier days (per_topic's default)."""
        return self.seasonal if self.seasonal is not None else self.per_topic

    def required_parameters(self) -> tuple[str, ...]:
        # The seasonal detector has tuned defaults for every threshold.
        return () if self.per_topic or self.seasonal else self.needs

    @model_validator(mode="after")
    def _check_seasonal(self) -> SpikeRuleSettings:
        if self.max_p_value is not None and not (self.per_topic or self.seasonal):
            raise ValueError(
                "'max_p_value' needs 'per_topic: true' or 'seasonal: true' "
                "(the plain spike rule has no Poisson test)"
            )
        if self.seasonal_days is not None and not self.seasonal_baseline:
            raise ValueError(
                "'seasonal_days' needs the seasonal baseline: 'seasonal: true', or "
                "'per_topic: true' without 'seasonal: false'"
            )
        if self.min_mentions is not None and self.min_mentions < 1:
            raise ValueError(f"'min_mentions' must be at least 1, got {self.min_mentions}")
        return self


class NewTermRuleSettings(RuleSettingsBase):
    type: Literal["new_term"]
    label = "新词"
    baseline: Duration | None = None  # how far back a word must be absent (default 7 days)


class RumorRuleSettings(RuleSettingsBase):
    type: Literal["rumor"]
    label = "谣言"
    min_probability: float | None = Field(default=None, ge=0, le=1)
    min_reach: int | None = None
    needs = ("min_probability",)


class SeverityRuleSettings(RuleSettingsBase):
    type: Literal["severity"]
    label = "严重程度"
    min_grade: Grade | None = None
    needs = ("min_grade",)


class WatchListRuleSettings(RuleSettingsBase):
    type: Literal["watch_list"]
    label = "关注词"
    terms: list[str] = Field(default_factory=list)
    negative_only: bool = False
    needs = ("terms",)


class OfficialDocumentRuleSettings(RuleSettingsBase):
    type: Literal["official_document"]
    label = "政策文件"
    doc_types: list[str] = Field(default_factory=list)  # default: policy


class WorkPlanReportRuleSettings(RuleSettingsBase):
    """A superior's request for the year's work-plan implementation report
    (alerts/document_rules.py, WorkPlanReportRule)."""

    type: Literal["work_plan_report"]
    label = "工作要点落实情况报告"
    doc_types: list[str] = Field(default_factory=list)  # default: notice, policy


class PenaltyRuleSettings(RuleSettingsBase):
    type: Literal["penalty"]
    label = "行政处罚"
    doc_types: list[str] = Field(default_factory=list)  # default: penalty


class ComplaintsRuleSettings(RuleSettingsBase):
    """A surge of complaints against one company (alerts/complaint_rules.py, issue 23)."""

    type: Literal["complaints"]
    label = "投诉激增"
    min_mentions: int | None = Field(default=None, ge=1)  # complaints per company
    window: Duration = timedelta(hours=24)  # over which they are counted
    # Also this many times the company's count of the window before (at least one).
    spike_factor: float | None = Field(default=None, gt=1)
    needs = ("min_mentions",)


class InspectionRuleSettings(RuleSettingsBase):
    """A sampling-inspection or recall notice naming firms of ``filters.regions``
    (alerts/inspection_rules.py, issue 23)."""

    type: Literal["inspection"]
    label = "抽检不合格"
    doc_types: list[str] = Field(default_factory=list)  # default: inspection, recall


RuleSettings = Annotated[
    ThresholdRuleSettings
    | SpikeRuleSettings
    | RumorRuleSettings
    | SeverityRuleSettings
    | NewTermRuleSettings
    | WatchListRuleSettings
    | OfficialDocumentRuleSettings
    | WorkPlanReportRuleSettings
    | PenaltyRuleSettings
    | ComplaintsRuleSettings
    | InspectionRuleSettings,
    Discriminator("type"),
]


RULE_SETTINGS: dict[str, type[RuleSettingsBase]] = {
    literal_name(model): model for model in get_args(get_args(RuleSettings)[0])
}
RULE_TYPES: tuple[str, ...] = tuple(RULE_SETTINGS)

_ADAPTER: TypeAdapter[RuleSettings] = TypeAdapter(RuleSettings)


def parse_rule(data: Any) -> RuleSettings:
    """One rule from its mapping (``pydantic.ValidationError`` when it is not one)."""
    return _ADAPTER.validate_python(data)

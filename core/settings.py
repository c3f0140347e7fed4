"""Typed settings: the schema of ``yuqing.yaml``. Unknown keys are errors, not surprises.

The sections with many models have modules of their own (``settings_rules``,
``settings_notifiers``, ``settings_obligations``, ``settings_reports``; the building blocks in
``settings_base``); their names are re-exported here, so ``from core.settings import X`` is
the one import callers need.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, SecretStr, model_validator

from core.passwords import PasswordHashError, parse_hash
from core.settings_base import (
    Duration,
    LocatedError,
    StrictModel,
    http_url_problem,
    is_loopback_bind,
    parse_duration,
)
from core.settings_notifiers import (
    HTTP_NOTIFIER_TYPES,
    NOTIFIER_TYPES,
    FileNotifierSettings,
    NotifierSettings,
    NotifierSettingsBase,
    parse_notifier,
)
from core.settings_obligations import (
    AgencySettings,
    DeadlineSettings,
    HolidayYear,
    ObligationSettings,
    parse_reminder,
)
from core.settings_redis import RedisSettings
from core.settings_reports import ReportSchedule, press_office_of
from core.settings_rules import (
    RULE_SETTINGS,
    RULE_TYPES,
    RuleFilter,
    RuleSettings,
    RuleSettingsBase,
    SpikeRuleSettings,
    parse_rule,
)
from core.settings_units import UnitSettings, check_units
from core.vocabulary import (
    LEVEL_BELOW,
    OBLIGATION_KINDS,
    AgencyLevel,
    AlertLevel,
    DocType,
    ObligationKind,
    RecipientRole,
    UserRole,
    shown_name,
)

__all__ = [
    "HTTP_NOTIFIER_TYPES",
    "LEVEL_BELOW",
    "NOTIFIER_TYPES",
    "OBLIGATION_KINDS",
    "RULE_SETTINGS",
    "RULE_TYPES",
    "SOURCE_TYPES",
    "AgencySettings",
    "ArchiveSettings",
    "AuthoritySettings",
    "DashboardSettings",
    "DeadlineSettings",
    "Duration",
    "HolidayYear",
    "HotspotSettings",
    "LocatedError",
    "NlpSettings",
    "NotifierSettings",
    "NotifierSettingsBase",
    "ObligationKind",
    "ObligationSettings",
    "OutboxSettings",
    "RecipientSettings",
    "ReportSchedule",
    "RuleFilter",
    "RuleSettings",
    "RuleSettingsBase",
    "RunnerSettings",
    "Settings",
    "SilenceSettings",
    "SourceSettings",
    "SpikeRuleSettings",
    "UnitSettings",
    "UserSettings",
    "http_url_problem",
    "is_loopback_bind",
    "parse_duration",
    "parse_notifier",
    "parse_reminder",
    "parse_rule",
]


class ArchiveSettings(StrictModel):
    backend: Literal["sqlite", "elasticsearch"] = "sqlite"
    path: Path = Path("data/yuqing.db")
    hosts: list[str] = Field(default_factory=list)
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    index_prefix: str = Field(default="yuqing", pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    # Elasticsearch TLS: a CA bundle for a private CA; verify_certs: false only for tests.
    ca_certs: Path | None = None
    verify_certs: bool = True
    # Replicas per index (None: the cluster's default, 1); 0 for a one-node cluster.
    replicas: int | None = Field(default=None, ge=0)


SourceType = Literal[
    "news", "rss", "weibo", "official", "replay",
    # issue 23: notices with attachments, complaint lists, leaders' message boards, WeChat
    # articles through a search page, portal (Toutiao-style) feeds, site-specific plug-ins.
    "notices", "complaints", "petitions", "wechat", "portal", "plugin",
]  # fmt: skip
SOURCE_TYPES: tuple[SourceType, ...] = get_args(SourceType)


class SourceSettings(StrictModel):
    """One place to collect from. A new news site needs configuration, not code."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    # What pages and messages show (e.g. 江州日报); the name stays the id.
    display_name: str = ""
    type: SourceType
    # plugin: the spider class as "package.module:Class" (crawlers/plugins.py, docs/plugins.md).
    plugin: str | None = None
    start_urls: list[str] = Field(default_factory=list)
    interval: Duration = timedelta(minutes=10)
    enabled: bool = True
    delay: float = Field(default=1.0, ge=0)
    concurrency: int = Field(default=2, ge=1, le=32)
    encoding: str | None = None
    region: str = ""
    # Headers and cookies; values usually come from ${ENV_VAR} so tokens stay out of files.
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    cookies: dict[str, SecretStr] = Field(default_factory=dict)
    # News and official sites: which links on a list page lead to articles / further lists.
    article_pattern: str | None = None
    next_page_pattern: str | None = None
    max_pages: int = Field(default=3, ge=1)
    selectors: dict[str, str] = Field(default_factory=dict)
    # The agency level of the publisher (a district bureau's site: county). Penalty notices
    # crawled from it are due on that level's deadline (7 working days at county level).
    level: AgencyLevel | None = None
    # Official sites: the document type of what this list publishes.
    doc_type: DocType | None = None
    # Replay: the recorded file and the time compression factor.
    path: Path | None = None
    speed: float = Field(default=60.0, gt=0)
    # Weibo: also fetch the repost timeline of watched posts; HTML pages (m.weibo.cn/detail/ID,
    # s.weibo.com/weibo?q=...) read instead when the JSON API start page gives no data.
    reposts: bool = False
    html_fallback: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_type_needs(self) -> SourceSettings:
        if self.type == "replay":
            if self.path is None:
                raise ValueError("a replay source needs 'path': the JSONL file to play back")
        elif not self.start_urls:
            raise ValueError(f"a {self.type} source needs 'start_urls': a list of URLs")
        if (self.type == "plugin") != bool(self.plugin):
            raise ValueError(
                "'plugin' (the spider class as 'package.module:Class') goes with type: plugin"
            )
        for key in ("article_pattern", "next_page_pattern"):
            pattern = getattr(self, key)
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"'{key}' is not a valid regular expression: {exc}") from exc
        return self


class HotspotSettings(StrictModel):
    """What makes an event a hotspot (nlp/hotspots.py: why 3 and 2)."""

    min_mentions: int = Field(default=3, ge=1)
    min_publishers: int = Field(default=2, ge=1)


class AuthoritySettings(StrictModel):
    """Sources whose posts are not rumour claims (``nlp.rumor.context``), by author name as
    the source gives it (a Weibo screen name, a site's publisher). Added to the built-in
    Chinese defaults of ``nlp/resources/authorities.txt``; Weibo government and media
    accounts (verified_type 1 and 3) and official sites count without being listed."""

    own: list[str] = Field(default_factory=list)  # the agency's own accounts and sites
    official: list[str] = Field(default_factory=list)  # other government and debunk sources
    media: list[str] = Field(default_factory=list)  # verified news media
    science: list[str] = Field(default_factory=list)  # known science communicators


class NlpSettings(StrictModel):
    relevance_threshold: float = Field(default=0.5, ge=0, le=1)
    domain_dictionary: Path | None = None
    models_dir: Path | None = None
    # Mentions further apart than this never join the same event.
    event_window: Duration = timedelta(hours=72)
    batch_size: int = Field(default=500, ge=1)
    # The 热点 list and the hot-event (threshold) rules show only events this big and spread.
    hotspot: HotspotSettings = Field(default_factory=HotspotSettings)
    authorities: AuthoritySettings = Field(default_factory=AuthoritySettings)


class SilenceSettings(StrictModel):
    """Mute notifications of matching alerts until ``ends_at`` (obligations still open).

    Every given matcher must match: ``rule`` and ``subject`` exactly (``subject`` may end in
    ``*`` for a prefix), ``title_contains`` as a substring, ``level`` exactly."""

    rule: str | None = None
    subject: str | None = None
    title_contains: str | None = None
    level: AlertLevel | None = None
    ends_at: datetime
    created_by: str = Field(min_length=1)
    comment: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check_matcher(self) -> SilenceSettings:
        if not any((self.rule, self.subject, self.title_contains, self.level)):
            raise ValueError(
                "a silence needs a matcher: 'rule', 'subject', 'title_contains' or 'level'"
            )
        if self.ends_at.tzinfo is None:
            raise ValueError("'ends_at' needs a timezone, e.g. 2026-12-01T18:00:00+08:00")
        return self


class OutboxSettings(StrictModel):
    # Messages to one recipient on one channel due within this window go as one message
    # (0: only those due in the same pass are grouped).
    group_wait: Duration = timedelta(0)
    group_max: int = Field(default=10, ge=1)
    # After a send about a story, its 已自动办结 / 建议办结 news to that recipient waits this
    # long, then goes with what else is due (alerts.intervals; 0: never held). An hour by
    # default, as in the template: issue 16's fatigue aim is at most one message per
    # recipient per story per hour, and a file that leaves the key out should meet it too.
    group_interval: Duration = timedelta(hours=1)
    # Recipients told, by their other channels, when a channel keeps failing.
    admins: list[str] = Field(default_factory=list)
    failing_after: int = Field(default=3, ge=1)


class RecipientSettings(StrictModel):
    name: str
    display_name: str = ""  # what messages and pages show (e.g. 新闻发言人)
    role: RecipientRole = "spokesperson"
    email: str | None = None
    phone: str | None = None
    notifiers: list[str] = Field(default_factory=list)
    escalates_to: str | None = None


class UserSettings(StrictModel):
    username: str = Field(pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = ""
    role: UserRole = "viewer"
    # A hash made by `yuqing hash-password`; plain passwords are refused.
    password_hash: SecretStr
    # The unit (settings ``units``, by id) whose subtree the user sees; None: everything.
    unit: str | None = None

    @model_validator(mode="after")
    def _check_hash(self) -> UserSettings:
        # Checked in full here, not first at login: a malformed hash would otherwise tell
        # whoever tries that user name that the user exists.
        try:
            parse_hash(self.password_hash.get_secret_value())
        except PasswordHashError as exc:
            raise ValueError(
                f"'password_hash' of user {self.username!r}: {exc} (make one with "
                "`yuqing hash-password`, never write a password here)"
            ) from None
        return self


class DashboardSettings(StrictModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8501, ge=1, le=65535)
    session_timeout: Duration = timedelta(hours=8)
    # Signs the login cookie (dashboard/session_cookie.py); usually ${ENV_VAR}. Unset: a
    # random key kept beside the archive. Set it when several dashboard hosts share logins.
    session_secret: SecretStr | None = None
    cache_ttl: Duration = timedelta(seconds=10)
    # The address people open from a message (default http://host:port).
    url: str | None = None


class RunnerSettings(StrictModel):
    # How often the continuous runner looks for due crawls and new mentions.
    tick: Duration = timedelta(seconds=5)
    # "real": the wall clock. "pipeline": the time the runner last recorded in the archive,
    # for archives filled under simulated time (the demo, replays, backtests).
    clock: Literal["real", "pipeline"] = "real"


class Settings(StrictModel):
    timezone: str = "Asia/Shanghai"
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)
    sources: list[SourceSettings] = Field(default_factory=list)
    nlp: NlpSettings = Field(default_factory=NlpSettings)
    rules: list[RuleSettings] = Field(default_factory=list)
    # More rules in their own YAML file, re-read when it changes; a file with an error is
    # rejected and the rules read before keep running.
    rules_file: Path | None = None
    silences: list[SilenceSettings] = Field(default_factory=list)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    obligations: ObligationSettings = Field(default_factory=ObligationSettings)
    agency: AgencySettings | None = None
    notifiers: list[NotifierSettings] = Field(default_factory=list)
    recipients: list[RecipientSettings] = Field(default_factory=list)
    users: list[UserSettings] = Field(default_factory=list)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)
    runner: RunnerSettings = Field(default_factory=RunnerSettings)
    reports: list[ReportSchedule] = Field(default_factory=list)
    # Scale-out only (core/settings_redis.py); None keeps the one-process SQLite default.
    redis: RedisSettings | None = None
    # The province's units (core/settings_units.py): events route to the unit of their region.
    units: UnitSettings | None = None
    config_path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _check_references(self) -> Settings:
        for kind, items in (
            ("sources", self.sources),
            ("rules", self.rules),
            ("notifiers", self.notifiers),
            ("recipients", self.recipients),
            ("users", self.users),
        ):
            key = "username" if kind == "users" else "name"
            seen: set[str] = set()
            for index, item in enumerate(items):
                name = str(getattr(item, key, ""))
                if name in seen:
                    raise LocatedError(
                        f"duplicate {kind[:-1]} name {name!r} (names must be unique)",
                        (kind, index, key),
                    )
                seen.add(name)
        notifier_names = {n.name for n in self.notifiers}
        recipient_names = {r.name for r in self.recipients}
        for index, recipient in enumerate(self.recipients):
            for position, name in enumerate(recipient.notifiers):
                if name not in notifier_names:
                    raise LocatedError(
                        f"recipient {recipient.name!r} uses unknown notifier {name!r}"
                        f" (known: {', '.join(sorted(notifier_names)) or 'none'})",
                        ("recipients", index, "notifiers", position),
                    )
        for index, rule in enumerate(self.rules):
            for position, name in enumerate(rule.recipients):
                if name not in recipient_names:
                    raise LocatedError(
                        f"rule {rule.name!r} names unknown recipient {name!r}"
                        f" (known: {', '.join(sorted(recipient_names)) or 'none'})",
                        ("rules", index, "recipients", position),
                    )
        if not self.users and not is_loopback_bind(self.dashboard.host):
            shown = self.dashboard.host or "(empty: every interface)"
            raise LocatedError(
                f"dashboard.host {shown} lets other computers open the dashboard, and no "
                "users are configured: add users (yuqing hash-password) or set "
                "dashboard.host to 127.0.0.1",
                ("dashboard", "host"),
            )
        self._apply_agency()
        for section, key, names in (
            ("outbox", "admins", self.outbox.admins),
            ("obligations", "recipients", self.obligations.recipients),
        ):
            for position, name in enumerate(names):
                if name not in recipient_names:
                    raise LocatedError(
                        f"{section}.{key} names unknown recipient {name!r}",
                        (section, key, position),
                    )
        for index, schedule in enumerate(self.reports):
            for position, name in enumerate(schedule.recipients):
                if name not in recipient_names:
                    raise LocatedError(
                        f"unknown recipient {name!r}"
                        f" (known: {', '.join(sorted(recipient_names)) or 'none'})",
                        ("reports", index, "recipients", position),
                    )
        check_units(
            self.units,
            [r.name for r in self.recipients],
            {u.username: u.unit for u in self.users},
            [s.name for s in self.sources],
        )
        return self

    def _apply_agency(self) -> None:
        """The agency's level is the obligations' level (unless obligations.level is set
        too), its districts' documents get the level below (region_levels), and briefings
        without a ``unit`` are issued by its press office."""
        agency = self.agency
        if agency is None:
            return
        if "level" not in self.obligations.model_fields_set:
            self.obligations.level = agency.level
        for schedule in self.reports:
            if "unit" not in schedule.model_fields_set:
                schedule.unit = press_office_of(agency.name)
        for district in agency.districts:
            self.obligations.region_levels.setdefault(district, LEVEL_BELOW[agency.level])

    def resolve_paths(self, base: Path) -> None:
        """Make relative paths relative to the configuration file's folder."""
        if not self.archive.path.is_absolute():
            self.archive.path = base / self.archive.path
        if self.archive.ca_certs is not None and not self.archive.ca_certs.is_absolute():
            self.archive.ca_certs = base / self.archive.ca_certs
        if self.rules_file is not None and not self.rules_file.is_absolute():
            self.rules_file = base / self.rules_file
        for source in self.sources:
            if source.path is not None and not source.path.is_absolute():
                source.path = base / source.path
        for notifier in self.notifiers:
            path = notifier.path if isinstance(notifier, FileNotifierSettings) else None
            if path is not None and not path.is_absolute():
                assert isinstance(notifier, FileNotifierSettings)
                notifier.path = base / path
        for attr in ("domain_dictionary", "models_dir"):
            value = getattr(self.nlp, attr)
            if value is not None and not value.is_absolute():
                setattr(self.nlp, attr, base / value)

    def display_name(self, name: str) -> str:
        """What people read for a configured id (a rule, source, recipient, notifier or
        user): its ``display_name``, else the built-in Chinese name, else the id itself. Ids
        stay in the configuration and in ``--json`` output."""
        for item in (*self.rules, *self.sources, *self.recipients, *self.notifiers):
            if item.name == name and item.display_name:
                return item.display_name
        for user in self.users:
            if user.username == name and user.display_name:
                return user.display_name
        return shown_name(name)

    def source(self, name: str) -> SourceSettings:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise KeyError(f"unknown source {name!r} (known: {known})")

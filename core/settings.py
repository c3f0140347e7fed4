"""Typed settings: the schema of ``yuqing.yaml``. Unknown keys are errors, not surprises."""

from __future__ import annotations

import fnmatch
import ipaddress
import re
import urllib.parse
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, model_validator

from core.passwords import PasswordHashError, parse_hash
from core.settings_reports import ReportSchedule

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> timedelta:
    """'30s', '10m', '2h', '1d' or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    raise ValueError(f"expected a duration such as '30s', '10m' or '2h', got {value!r}")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class LocatedError(ValueError):
    """A problem found by a check across entries, with the key path of the entry it is about,
    so the message points at that entry's own line instead of the top of the file."""

    def __init__(self, message: str, path: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.path = path


def http_url_problem(url: str) -> str | None:
    """What makes ``url`` unusable as a notifier's target, or None for an http(s) URL with a host.

    Checked at ``check-config`` and again at send time: ``file://`` would be "sent" without
    anything delivered, an empty address would be retried for hours, and ``user:pass@`` would
    leak credentials into a DNS error.
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"expected an http:// or https:// URL, got scheme {parts.scheme or '(none)'!r}"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "a name and password before @ in the URL are not accepted; use 'secret'"
    return None


def is_loopback_bind(host: str) -> bool:
    """Whether a server told to bind ``host`` is reachable from this machine only.

    Decided by what Streamlit will bind: an empty address means every interface; a host name
    other than ``localhost`` may resolve to any interface, so only literal loopback addresses
    count.
    """
    host = host.strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class ArchiveSettings(_Strict):
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


SOURCE_TYPES = ("news", "rss", "weibo", "official", "replay")


class SourceSettings(_Strict):
    """One place to collect from. A new news site needs configuration, not code."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    type: Literal["news", "rss", "weibo", "official", "replay"]
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
    level: Literal["national", "province", "city", "county"] | None = None
    # Official sites: the document type of what this list publishes.
    doc_type: Literal["policy", "interpretation", "penalty", "debunk", "notice"] | None = None
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
        for key in ("article_pattern", "next_page_pattern"):
            pattern = getattr(self, key)
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"'{key}' is not a valid regular expression: {exc}") from exc
        return self


class HotspotSettings(_Strict):
    """What makes an event a hotspot (nlp/hotspots.py: why 3 and 2)."""

    min_mentions: int = Field(default=3, ge=1)
    min_publishers: int = Field(default=2, ge=1)


class AuthoritySettings(_Strict):
    """Sources whose posts are not rumour claims (``nlp.rumor.context``), by author name as
    the source gives it (a Weibo screen name, a site's publisher). Added to the built-in
    Chinese defaults of ``nlp/resources/authorities.txt``; Weibo government and media
    accounts (verified_type 1 and 3) and official sites count without being listed."""

    own: list[str] = Field(default_factory=list)  # the agency's own accounts and sites
    official: list[str] = Field(default_factory=list)  # other government and debunk sources
    media: list[str] = Field(default_factory=list)  # verified news media
    science: list[str] = Field(default_factory=list)  # known science communicators


class NlpSettings(_Strict):
    relevance_threshold: float = Field(default=0.5, ge=0, le=1)
    domain_dictionary: Path | None = None
    models_dir: Path | None = None
    # Mentions further apart than this never join the same event.
    event_window: Duration = timedelta(hours=72)
    batch_size: int = Field(default=500, ge=1)
    # The 热点 list and the hot-event (threshold) rules show only events this big and spread.
    hotspot: HotspotSettings = Field(default_factory=HotspotSettings)
    authorities: AuthoritySettings = Field(default_factory=AuthoritySettings)


RULE_TYPES = (
    "threshold",
    "spike",
    "rumor",
    "severity",
    "new_term",
    "watch_list",
    "official_document",
    "penalty",
)
OBLIGATION_KINDS = (
    "authoritative_release",
    "press_conference",
    "clarification",
    "response",
    "policy_interpretation",
    "penalty_disclosure",
    "implementation_report",
)
ObligationKind = Literal[
    "authoritative_release",
    "press_conference",
    "clarification",
    "response",
    "policy_interpretation",
    "penalty_disclosure",
    "implementation_report",
]
Grade = Literal["特别重大", "重大", "较大", "一般"]


class RuleFilter(_Strict):
    topics: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    platforms: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)


class RuleSettings(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    type: Literal[
        "threshold",
        "spike",
        "rumor",
        "severity",
        "new_term",
        "watch_list",
        "official_document",
        "penalty",
    ]
    description: str = ""
    enabled: bool = True
    level: Literal["info", "warning", "critical"] = "warning"
    filters: RuleFilter = Field(default_factory=RuleFilter)
    opens: list[ObligationKind] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    cooldown: Duration = timedelta(hours=1)
    # spike: a spike of the same scope within this long of the last one updates that alert
    # (one alert per wave of attention, like an event's) instead of raising another.
    group_within: Duration = timedelta(hours=24)
    # Type-specific parameters; which are required is checked below.
    min_heat: float | None = None
    min_mentions: int | None = None
    # spike: the ratio to the baseline that makes a spike (> 1).
    spike_factor: float | None = Field(default=None, gt=1)
    baseline: Duration | None = None
    # spike: judge each topic on its own (one alert per topic), and against the same hour of
    # the previous ``seasonal_days`` days (default with per_topic) with a Poisson tail
    # probability at most ``max_p_value`` (nlp/topic_burst.py).
    per_topic: bool = False
    seasonal: bool | None = None
    seasonal_days: int | None = Field(default=None, ge=3, le=28)  # default 7
    max_p_value: float | None = Field(default=None, gt=0, lt=1)
    min_probability: float | None = Field(default=None, ge=0, le=1)
    min_reach: int | None = None
    min_grade: Grade | None = None
    terms: list[str] = Field(default_factory=list)
    negative_only: bool = False
    doc_types: list[str] = Field(default_factory=list)

    @property
    def seasonal_baseline(self) -> bool:
        """A spike rule judged against the same hour of earlier days (per_topic's default)."""
        return self.type == "spike" and (
            self.seasonal if self.seasonal is not None else self.per_topic
        )

    @model_validator(mode="after")
    def _check_parameters(self) -> RuleSettings:
        needs = {
            "threshold": ("min_heat", "min_mentions"),
            "spike": ("spike_factor",),
            "rumor": ("min_probability",),
            "severity": ("min_grade",),
            "watch_list": ("terms",),
        }.get(self.type, ())
        if self.type == "spike" and (self.per_topic or self.seasonal):
            needs = ()  # the seasonal detector has tuned defaults for every threshold
        if needs and not any(getattr(self, key) for key in needs):
            wanted = " or ".join(f"'{key}'" for key in needs)
            raise ValueError(f"a {self.type} rule needs {wanted}")
        # Checked on values, not on the keys given, so a dumped and re-read rule stays valid.
        if self.type != "spike":
            for key in ("per_topic", "seasonal", "seasonal_days", "max_p_value"):
                if getattr(self, key) not in (None, False):
                    raise ValueError(f"'{key}' applies to spike rules only")
        elif self.max_p_value is not None and not (self.per_topic or self.seasonal):
            raise ValueError(
                "'max_p_value' needs 'per_topic: true' or 'seasonal: true' "
                "(the plain spike rule has no Poisson test)"
            )
        if self.seasonal_days is not None and not self.seasonal_baseline:
            raise ValueError(
                "'seasonal_days' needs the seasonal baseline: 'seasonal: true', or "
                "'per_topic: true' without 'seasonal: false'"
            )
        if self.type == "spike" and self.min_mentions is not None and self.min_mentions < 1:
            raise ValueError(f"'min_mentions' must be at least 1, got {self.min_mentions}")
        return self


class SilenceSettings(_Strict):
    """Mute notifications of matching alerts until ``ends_at`` (obligations still open).

    Every given matcher must match: ``rule`` and ``subject`` exactly (``subject`` may end in
    ``*`` for a prefix), ``title_contains`` as a substring, ``level`` exactly."""

    rule: str | None = None
    subject: str | None = None
    title_contains: str | None = None
    level: Literal["info", "warning", "critical"] | None = None
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


def parse_reminder(value: Any) -> float | timedelta:
    """0.5 or '50%': that share of the allowed time gone; '2h before': that long before the
    deadline; 'due': at the deadline."""
    if isinstance(value, timedelta) and value > timedelta(0):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 < value <= 1:
            return float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        if text in ("due", "deadline", "at deadline"):
            return 1.0
        if text.endswith("%"):
            share = float(text[:-1] or "nan") / 100
            if 0 < share <= 1:
                return share
        if text.endswith(" before"):
            return parse_duration(text.removesuffix(" before"))
    raise ValueError(
        f"expected a reminder point such as 0.5, '50%', '2h before' or 'due', got {value!r}"
    )


def _default_reminders() -> list[float | timedelta]:
    return [0.5, timedelta(hours=2), 1.0]


class HolidayYear(_Strict):
    """The official schedule of one year: days off, and weekend days that are working days."""

    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)


class DeadlineSettings(_Strict):
    authoritative_release: Duration = timedelta(hours=5)
    press_conference: Duration = timedelta(hours=24)
    clarification: Duration = timedelta(hours=24)
    response: Duration = timedelta(hours=48)
    policy_interpretation_working_days: int = Field(default=3, ge=1)
    penalty_disclosure_working_days: int = Field(default=20, ge=1)
    penalty_disclosure_working_days_county: int = Field(default=7, ge=1)
    implementation_report_dates: list[str] = Field(default_factory=lambda: ["07-10", "11-30"])

    @model_validator(mode="after")
    def _check_dates(self) -> DeadlineSettings:
        for text in self.implementation_report_dates:
            try:
                month, day = (int(part) for part in text.strip().split("-"))
                date(2024, month, day)  # a leap year accepts every real month-day
            except ValueError:
                raise ValueError(
                    f"implementation_report_dates: expected 'MM-DD' such as '07-10', got {text!r}"
                ) from None
        return self


AgencyLevel = Literal["national", "province", "city", "county"]
LEVEL_BELOW: dict[str, AgencyLevel] = {
    "national": "province",
    "province": "city",
    "city": "county",
    "county": "county",
}


class AgencySettings(_Strict):
    """The agency this installation works for: its level sets the deadlines (a county
    bureau discloses penalties in 7 working days), its channels fulfil obligations."""

    name: str = Field(min_length=2)  # 江州市市场监督管理局: the publisher on its own site
    level: AgencyLevel
    region: str = ""  # 江州市
    # Units one level below (a city's districts: 临川区...): their decisions get that level's
    # deadlines (the county rule for a city's districts).
    districts: list[str] = Field(default_factory=list)
    # Its verified social accounts and other names it publishes under (江州市场监管).
    accounts: list[str] = Field(default_factory=list)
    # Publishers and accounts of its superiors (江州发布, 南岭省市场监督管理局): what they
    # publish on the agency's matters is proposed as fulfilment, not applied.
    superiors: list[str] = Field(default_factory=list)
    # Sources that are its own site (names or shell patterns such as 'official-*'): a penalty
    # decision published there is its own disclosure, whoever decided it.
    sources: list[str] = Field(default_factory=list)

    def owns_source(self, source: str) -> bool:
        """Whether a configured source is one of its own sites (``sources`` patterns)."""
        return any(fnmatch.fnmatchcase(source, pattern) for pattern in self.sources)

    def own_names(self) -> set[str]:
        return {self.name, *self.accounts}

    def spoken_names(self) -> set[str]:
        """How reports name it: its names, the short form (江州市市场监管局) and, for a city or
        province bureau, the local form (市市场监管局) reporters use."""
        short = self.name.replace("市场监督管理局", "市场监管局")
        local = {"city": "市", "province": "省"}.get(self.level)
        return {*self.own_names(), short, *([f"{local}市场监管局"] if local else [])}

    def district_unit(self, publisher: str) -> bool:
        """A unit one level below it: a district or county bureau of its region
        (江州市望江区市场监督管理局), configured in ``districts`` or not."""
        region = self.region.rstrip("市省")
        if not region or not publisher.startswith(region) or publisher == self.name:
            return False
        head, _, tail = publisher.partition("市场监督管理局")
        return tail == "" and bool(head) and head[-1] in "区县旗"


class ObligationSettings(_Strict):
    level: Literal["national", "province", "city", "county"] = "province"
    deadlines: DeadlineSettings = Field(default_factory=DeadlineSettings)
    holidays: dict[int, HolidayYear] = Field(default_factory=dict)
    # When to remind: 0.5 or '50%' (half the time gone), '2h before', 'due' (at the deadline).
    reminders: list[Annotated[float | timedelta, BeforeValidator(parse_reminder)]] = Field(
        default_factory=_default_reminders
    )
    # Calendar-hour obligations: still unacknowledged this long after opening → next in the
    # escalation chain (and again after each further step).
    escalate_after: Duration = timedelta(minutes=30)
    # Working-day obligations escalate only when these shares of their time are gone (one hop
    # per share), and never within their first day: a penalty disclosure with 28 days left
    # is no emergency.
    escalate_shares: list[Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=lambda: [0.5, 0.8]
    )
    # Who is told of obligations that no rule opened (entered by hand or imported).
    recipients: list[str] = Field(default_factory=list)
    # Agency level by region substring (e.g. 临川区: county) for crawled penalty notices whose
    # source has no 'level'.
    region_levels: dict[str, Literal["national", "province", "city", "county"]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _check_holiday_years(self) -> ObligationSettings:
        for year, spec in self.holidays.items():
            stray = [d for d in (*spec.holidays, *spec.workdays) if d.year != int(year)]
            if stray:
                raise ValueError(
                    f"holidays.{year}: {stray[0].isoformat()} is not in {year} "
                    "(each year lists its own days)"
                )
        return self


class NotifierSettings(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    type: Literal["email", "dingtalk", "wecom", "feishu", "webhook", "file"]
    url: SecretStr | None = None
    secret: SecretStr | None = None
    host: str | None = None
    port: int = 25
    username: str | None = None
    password: SecretStr | None = None
    sender: str | None = None
    starttls: bool = False
    ssl: bool = False  # implicit TLS (SMTPS); also when port is 465
    path: Path | None = None

    @model_validator(mode="after")
    def _check_target(self) -> NotifierSettings:
        if self.type == "email" and not (self.host and self.sender):
            raise ValueError("an email notifier needs 'host' and 'sender'")
        if self.type in ("dingtalk", "wecom", "feishu", "webhook"):
            if self.url is None:
                raise ValueError(f"a {self.type} notifier needs 'url'")
            problem = http_url_problem(self.url.get_secret_value())
            if problem:
                raise ValueError(f"'url' of notifier {self.name!r}: {problem}")
        if self.type == "file" and self.path is None:
            raise ValueError("a file notifier needs 'path'")
        return self


class OutboxSettings(_Strict):
    # Messages to one recipient on one channel due within this window go as one message
    # (0: only those due in the same pass are grouped).
    group_wait: Duration = timedelta(0)
    group_max: int = Field(default=10, ge=1)
    # Recipients told, by their other channels, when a channel keeps failing.
    admins: list[str] = Field(default_factory=list)
    failing_after: int = Field(default=3, ge=1)


class RecipientSettings(_Strict):
    name: str
    role: Literal["duty", "spokesperson", "leader", "analyst"] = "spokesperson"
    email: str | None = None
    phone: str | None = None
    notifiers: list[str] = Field(default_factory=list)
    escalates_to: str | None = None


class UserSettings(_Strict):
    username: str = Field(pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = ""
    role: Literal["viewer", "analyst", "spokesperson", "admin"] = "viewer"
    # A hash made by `yuqing hash-password`; plain passwords are refused.
    password_hash: SecretStr

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


class DashboardSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8501, ge=1, le=65535)
    session_timeout: Duration = timedelta(hours=8)
    # Signs the login cookie (dashboard/session_cookie.py); usually ${ENV_VAR}. Unset: a
    # random key kept beside the archive. Set it when several dashboard hosts share logins.
    session_secret: SecretStr | None = None
    cache_ttl: Duration = timedelta(seconds=10)
    # The address people open from a message (default http://host:port).
    url: str | None = None


class RunnerSettings(_Strict):
    # How often the continuous runner looks for due crawls and new mentions.
    tick: Duration = timedelta(seconds=5)
    # "real": the wall clock. "pipeline": the time the runner last recorded in the archive,
    # for archives filled under simulated time (the demo, replays, backtests).
    clock: Literal["real", "pipeline"] = "real"


class Settings(_Strict):
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
        return self

    def _apply_agency(self) -> None:
        """The agency's level is the obligations' level (unless obligations.level is set
        too), and its districts' documents get the level below (region_levels)."""
        agency = self.agency
        if agency is None:
            return
        if "level" not in self.obligations.model_fields_set:
            self.obligations.level = agency.level
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
            if notifier.path is not None and not notifier.path.is_absolute():
                notifier.path = base / notifier.path
        for attr in ("domain_dictionary", "models_dir"):
            value = getattr(self.nlp, attr)
            if value is not None and not value.is_absolute():
                setattr(self.nlp, attr, base / value)

    def source(self, name: str) -> SourceSettings:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise KeyError(f"unknown source {name!r} (known: {known})")

"""Notifier types: one class each over a shared contract, one registry.

Each class names its settings model in ``core.settings_notifiers`` (the type's keys and its
name); importing this module fails when a configurable type has no class.

A notifier sends one outbox message to one recipient and raises on failure; it never marks
anything (``alerts.notify`` does). ``PermanentError`` means retrying cannot help.

- ``file``: appends one JSON object per line (what the demo and tests read);
- ``email``: SMTP via smtplib, text and HTML parts, the subject RFC 2047-encoded; STARTTLS
  when ``starttls``, implicit TLS when ``ssl`` or on port 465, login when ``username`` is
  set (the password is a ``SecretStr`` from the environment); 5xx replies are permanent;
- ``webhook``: a JSON POST with an ``Idempotency-Key`` header equal to the dedup key;
- ``dingtalk`` / ``wecom`` / ``feishu``: the same POST in each robot's payload shape, signed
  (DingTalk and Feishu) when ``secret`` is set.

Secrets (URLs with tokens, signing secrets, passwords) never appear in logs or stored errors:
``redact`` blanks them out of any text before it leaves the notifier.
"""

from __future__ import annotations

import abc
import base64
import hashlib
import hmac
import html
import json
import os
import re
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from archive.models import OutboxMessage
from core.settings import NotifierSettings, RecipientSettings, http_url_problem
from core.settings_base import register_typed
from core.settings_notifiers import (
    NOTIFIER_TYPES,
    DingTalkNotifierSettings,
    EmailNotifierSettings,
    FeishuNotifierSettings,
    FileNotifierSettings,
    HttpNotifierSettings,
    NotifierSettingsBase,
    WebhookNotifierSettings,
    WeComNotifierSettings,
)

TIMEOUT = 20.0  # seconds, for SMTP and HTTP


class PermanentError(Exception):
    """A delivery failure that no retry can fix (missing address, unknown notifier, a 4xx
    answer other than 408/429, a robot rejecting the signature)."""


class RetryableError(Exception):
    """A failure worth retrying (timeout, 5xx, rate limit); ``retry_after`` in seconds when the
    receiver said how long to wait."""

    def __init__(self, text: str, retry_after: float | None = None) -> None:
        super().__init__(text)
        self.retry_after = retry_after


# HTTP answers that mean "later": request timeout, too early, rate limited; and every 5xx.
RETRYABLE_HTTP = frozenset({408, 425, 429})
# Robot answers (HTTP 200 with an error code) that mean "rate limited, try again later":
# DingTalk 130101 (send too fast), WeCom 45009 (api freq out of limit), Feishu 11232
# (frequency limited). Any other non-zero code is a
# configuration problem (bad signature, keyword missing, robot removed): permanent.
ROBOT_RATE_LIMITED = frozenset({130101, 45009, 11232})


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: treat as "some time", the backoff decides
        return None


def classify_http_error(exc: urllib.error.HTTPError) -> Exception:
    text = f"HTTP {exc.code} {exc.reason}"
    if exc.code in RETRYABLE_HTTP or exc.code >= 500:
        return RetryableError(text, _retry_after(exc.headers.get("Retry-After")))
    return PermanentError(text)


def classify_smtp_error(exc: smtplib.SMTPException) -> Exception:
    """5xx SMTP replies (bad login, refused recipient) are permanent; 4xx and drops retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            return PermanentError(f"the server refused {', '.join(exc.recipients)}")
        return RetryableError(str(exc))
    code = getattr(exc, "smtp_code", None)
    if isinstance(code, int) and 500 <= code < 600:
        return PermanentError(f"SMTP {code}: {exc}")
    return RetryableError(f"{type(exc).__name__}: {exc}")


class Notifier(abc.ABC):
    # The type's settings model (core.settings_notifiers): its ``type`` Literal is the name.
    settings_model: ClassVar[type[NotifierSettingsBase]]
    type_name: ClassVar[str]  # set by ``register_notifier`` from the settings model
    # Whether a burst for one recipient is sent as one combined message (people read it);
    # the file sink writes each message as its own record.
    groups: ClassVar[bool] = True

    def __init__(self, config: NotifierSettingsBase) -> None:
        if not isinstance(config, self.settings_model):
            raise TypeError(f"{type(self).__name__} takes {self.settings_model.__name__}")
        self.config = config
        self.name = config.name

    @abc.abstractmethod
    def send(self, message: OutboxMessage, recipient: RecipientSettings | None) -> None: ...

    def secrets(self) -> list[str]:
        values = [s.get_secret_value() for s in self.config.secrets() if s.get_secret_value()]
        url = getattr(self.config, "url", None)
        if url is not None:  # tokens hide in the query string too
            query = urllib.parse.urlsplit(url.get_secret_value()).query
            values += [v for _, v in urllib.parse.parse_qsl(query) if len(v) >= 6]
        return sorted(set(values), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for value in self.secrets():
            text = text.replace(value, "***")
        return text


NOTIFIERS: dict[str, type[Notifier]] = {}
_N = TypeVar("_N", bound=type[Notifier])


def register_notifier(cls: _N) -> _N:
    """Register a notifier class under the name its settings model's ``type`` gives."""
    register_typed(NOTIFIERS, cls, "notifier")
    return cls


def build_notifier(config: NotifierSettings) -> Notifier:
    cls = NOTIFIERS.get(config.type)
    if cls is None:
        raise PermanentError(f"notifier type {config.type!r} is not available")
    return cls(config)


@register_notifier
class FileNotifier(Notifier):
    settings_model = FileNotifierSettings
    config: FileNotifierSettings
    groups = False

    def send(self, message: OutboxMessage, recipient: RecipientSettings | None) -> None:
        assert self.config.path is not None
        record = {
            "dedup_key": message.dedup_key,
            "channel": message.channel,
            "recipient": message.recipient,
            "subject": message.subject,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        path = self.config.path
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())


# A line "附件：<path>" in a message's body (reports.schedule writes them for briefings) makes
# the e-mail carry that file; robots and the file sink just show the line.
ATTACHMENT_LINE = re.compile(r"^附件：(/\S+\.(?:docx|pdf))$", re.M)
ATTACHMENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
}


def attachments(body: str) -> list[Path]:
    """The files named by 附件 lines that exist (a missing one is left out, not fatal)."""
    return [Path(m) for m in ATTACHMENT_LINE.findall(body) if Path(m).is_file()]


@register_notifier
class EmailNotifier(Notifier):
    settings_model = EmailNotifierSettings
    config: EmailNotifierSettings

    def send(self, message: OutboxMessage, recipient: RecipientSettings | None) -> None:
        if recipient is None or not recipient.email:
            raise PermanentError(f"recipient {message.recipient!r} has no e-mail address")
        config = self.config
        assert config.host is not None and config.sender is not None
        mail = EmailMessage()
        mail["From"] = config.sender
        mail["To"] = formataddr((recipient.name, recipient.email))
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(domain="yuqing.local")
        mail["X-Yuqing-Key"] = message.dedup_key
        mail.set_content(message.body)
        mail.add_alternative(_html(message), subtype="html")
        for path in attachments(message.body):
            kind = ATTACHMENT_TYPES.get(path.suffix, "application/octet-stream").split("/")
            name = f"{path.parent.name}{path.suffix}"  # the briefing's key, e.g. daily-20261120
            mail.add_attachment(path.read_bytes(), maintype=kind[0], subtype=kind[1], filename=name)
        try:
            refused = self._transmit(mail)
        except smtplib.SMTPException as exc:
            raise classify_smtp_error(exc) from None
        if refused:
            raise PermanentError(f"the server refused {', '.join(refused)}")

    def _transmit(self, mail: EmailMessage) -> dict[str, tuple[int, bytes]]:
        config = self.config
        assert config.host is not None
        smtp: smtplib.SMTP
        implicit_tls = config.ssl or config.port == 465
        if implicit_tls:
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT)
        with smtp:
            smtp.ehlo()
            if config.starttls and not implicit_tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.username:
                password = config.password.get_secret_value() if config.password else ""
                smtp.login(config.username, password)
            return smtp.send_message(mail)


@register_notifier
class WebhookNotifier(Notifier):
    """A JSON POST; any 2xx is success."""

    settings_model: ClassVar[type[HttpNotifierSettings]] = WebhookNotifierSettings
    config: HttpNotifierSettings

    def payload(self, message: OutboxMessage, recipient: RecipientSettings | None) -> Any:
        return {
            "dedup_key": message.dedup_key,
            "recipient": message.recipient,
            "subject": message.subject,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
        }

    def url(self) -> str:
        # Checked again at send time: an address from an edited file or the environment
        # that is not http(s) with a host can never be delivered, so it is not retried.
        url = self.config.url.get_secret_value() if self.config.url is not None else ""
        problem = http_url_problem(url)
        if problem:
            raise PermanentError(f"notifier {self.name!r}: {problem}")
        return url

    def check(self, status: int, body: bytes) -> None:
        """Raise when the receiver's answer means failure (robots answer 200 with a code)."""

    def send(self, message: OutboxMessage, recipient: RecipientSettings | None) -> None:
        data = json.dumps(self.payload(message, recipient), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url(),
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": message.dedup_key,
                "User-Agent": "yuqing-notifier",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                answer = response.read()
        except urllib.error.HTTPError as exc:
            raise classify_http_error(exc) from None
        # URLError, timeouts and dropped connections propagate as they are: retried.
        self.check(response.status, answer)


def _robot_failure(robot: str, code: int, text: str) -> Exception:
    problem = f"{robot} answered code {code}: {text}"
    return RetryableError(problem) if code in ROBOT_RATE_LIMITED else PermanentError(problem)


def _html(message: OutboxMessage) -> str:
    """The e-mail's HTML part: the same lines, escaped, links clickable."""

    def line(text: str) -> str:
        escaped = html.escape(text)
        return re.sub(r"(https?://[^\s<>&]+)", r'<a href="\1">\1</a>', escaped)

    rows = "".join(f'<p style="margin:2px 0">{line(t)}</p>' for t in message.body.splitlines())
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f"<h3>{html.escape(message.subject)}</h3>{rows}</body></html>"
    )


def _robot_code(body: bytes, *keys: str) -> tuple[int, str]:
    try:
        answer = json.loads(body.decode("utf-8") or "{}")
    except ValueError:
        return -1, "not JSON: " + body[:200].decode("utf-8", "replace")
    for key in keys:
        if key in answer:
            return int(answer[key]), str(answer.get("errmsg") or answer.get("msg") or "")
    return 0, ""


def _markdown(message: OutboxMessage, limit: int) -> str:
    text = f"### {message.subject}\n\n" + message.body.replace("\n", "\n\n")
    raw = text.encode("utf-8")
    return text if len(raw) <= limit else raw[: limit - 3].decode("utf-8", "ignore") + "…"


@register_notifier
class DingTalkNotifier(WebhookNotifier):
    """DingTalk custom robot: markdown, @ the recipient's phone, HMAC-SHA256 signed URL."""

    settings_model = DingTalkNotifierSettings

    def url(self) -> str:
        url = super().url()
        if self.config.secret is None:
            return url
        secret = self.config.secret.get_secret_value()
        timestamp = str(int(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
        sign = urllib.parse.quote_plus(base64.b64encode(digest.digest()).decode())
        return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"

    def payload(self, message: OutboxMessage, recipient: RecipientSettings | None) -> Any:
        phones = [recipient.phone] if recipient and recipient.phone else []
        text = _markdown(message, 18000)
        if phones:
            text += "\n\n" + " ".join(f"@{p}" for p in phones)
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.subject, "text": text},
            "at": {"atMobiles": phones, "isAtAll": False},
        }

    def check(self, status: int, body: bytes) -> None:
        code, text = _robot_code(body, "errcode")
        if code != 0:
            raise _robot_failure("DingTalk", code, text)


@register_notifier
class WeComNotifier(WebhookNotifier):
    """WeCom (企业微信) group robot: markdown, 4096 bytes at most."""

    settings_model = WeComNotifierSettings

    def payload(self, message: OutboxMessage, recipient: RecipientSettings | None) -> Any:
        return {"msgtype": "markdown", "markdown": {"content": _markdown(message, 4000)}}

    def check(self, status: int, body: bytes) -> None:
        code, text = _robot_code(body, "errcode")
        if code != 0:
            raise _robot_failure("WeCom", code, text)


@register_notifier
class FeishuNotifier(WebhookNotifier):
    """Feishu (飞书) custom bot: text, with timestamp and signature in the body."""

    settings_model = FeishuNotifierSettings

    def payload(self, message: OutboxMessage, recipient: RecipientSettings | None) -> Any:
        payload: dict[str, Any] = {
            "msg_type": "text",
            "content": {"text": f"{message.subject}\n{message.body}"},
        }
        if self.config.secret is not None:
            secret = self.config.secret.get_secret_value()
            timestamp = str(int(time.time()))
            key = f"{timestamp}\n{secret}".encode()
            sign = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            payload.update(timestamp=timestamp, sign=sign)
        return payload

    def check(self, status: int, body: bytes) -> None:
        code, text = _robot_code(body, "code", "StatusCode")
        if code != 0:
            raise _robot_failure("Feishu", code, text)


# Every configurable notifier type has its class.
if set(NOTIFIERS) != set(NOTIFIER_TYPES):
    raise TypeError(f"notifier types without a class: {set(NOTIFIER_TYPES) - set(NOTIFIERS)}")

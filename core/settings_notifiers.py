"""Schema of ``notifiers:``: one settings model per notifier type, a union on ``type``.

As with rules (``core.settings_rules``), this module is the notifier types' registry: each
model's ``type`` Literal is the name, ``NOTIFIER_SETTINGS`` maps names to models, and the
classes in ``alerts.notifiers`` take their ``type_name`` from the model they name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import Discriminator, Field, SecretStr, TypeAdapter, model_validator

from core.settings_base import (
    StrictModel,
    check_keys_of_other_types,
    http_url_problem,
    literal_name,
)


class NotifierSettingsBase(StrictModel):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    display_name: str = ""
    type: str
    # The secret values this notifier holds, blanked out of anything it logs or stores.
    secret_fields: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _keys_of_other_types(cls, data: Any) -> Any:
        check_keys_of_other_types(cls, data, NOTIFIER_SETTINGS, "notifiers")
        return data

    def secrets(self) -> list[SecretStr]:
        found = (getattr(self, key) for key in self.secret_fields)
        return [value for value in found if value is not None]


class FileNotifierSettings(NotifierSettingsBase):
    type: Literal["file"]
    path: Path | None = None

    @model_validator(mode="after")
    def _check_path(self) -> FileNotifierSettings:
        if self.path is None:
            raise ValueError("a file notifier needs 'path'")
        return self


class EmailNotifierSettings(NotifierSettingsBase):
    type: Literal["email"]
    host: str | None = None
    port: int = 25
    username: str | None = None
    password: SecretStr | None = None
    sender: str | None = None
    starttls: bool = False
    ssl: bool = False  # implicit TLS (SMTPS); also when port is 465
    secret_fields = ("password",)

    @model_validator(mode="after")
    def _check_server(self) -> EmailNotifierSettings:
        if not (self.host and self.sender):
            raise ValueError("an email notifier needs 'host' and 'sender'")
        return self


class HttpNotifierSettings(NotifierSettingsBase):
    """A JSON POST to ``url``; robots sign it with ``secret`` when their API does."""

    url: SecretStr | None = None
    secret: SecretStr | None = None
    secret_fields = ("url", "secret")

    @model_validator(mode="after")
    def _check_url(self) -> HttpNotifierSettings:
        if self.url is None:
            raise ValueError(f"a {self.type} notifier needs 'url'")
        problem = http_url_problem(self.url.get_secret_value())
        if problem:
            raise ValueError(f"'url' of notifier {self.name!r}: {problem}")
        return self


class WebhookNotifierSettings(HttpNotifierSettings):
    type: Literal["webhook"]


class DingTalkNotifierSettings(HttpNotifierSettings):
    type: Literal["dingtalk"]


class WeComNotifierSettings(HttpNotifierSettings):
    type: Literal["wecom"]


class FeishuNotifierSettings(HttpNotifierSettings):
    type: Literal["feishu"]


NotifierSettings = Annotated[
    EmailNotifierSettings
    | DingTalkNotifierSettings
    | WeComNotifierSettings
    | FeishuNotifierSettings
    | WebhookNotifierSettings
    | FileNotifierSettings,
    Discriminator("type"),
]


NOTIFIER_SETTINGS: dict[str, type[NotifierSettingsBase]] = {
    literal_name(model): model for model in get_args(get_args(NotifierSettings)[0])
}
NOTIFIER_TYPES: tuple[str, ...] = tuple(NOTIFIER_SETTINGS)
# The types that post to an http(s) URL (chat robots and plain webhooks).
HTTP_NOTIFIER_TYPES: tuple[str, ...] = tuple(
    name for name, model in NOTIFIER_SETTINGS.items() if issubclass(model, HttpNotifierSettings)
)

_ADAPTER: TypeAdapter[NotifierSettings] = TypeAdapter(NotifierSettings)


def parse_notifier(data: Any) -> NotifierSettings:
    """One notifier from its mapping (``pydantic.ValidationError`` when it is not one)."""
    return _ADAPTER.validate_python(data)

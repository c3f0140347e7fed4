"""Unit-routed mail through a real SMTP server: the e-mail configuration the unit tests share
and one alert-stage pass that evaluates, delivers and reads back what each recipient got."""

from __future__ import annotations

import email
from datetime import datetime
from email.policy import default as default_policy
from typing import Any

from alerts.notify import deliver_due
from alerts.stage import evaluate
from archive import Archive
from core.clock import SimulatedClock
from core.settings import Settings
from tests.support.smtp_inbox import Inbox


def mail_settings(
    port: int,
    names: list[str],
    rules: list[dict[str, Any]],
    units: dict[str, Any],
    chains: dict[str, str] | None = None,
) -> Settings:
    """Every name a recipient at ``name@example.cn`` through the SMTP server on ``port``,
    ``chains`` mapping a recipient to whom it escalates; obligations at the city's level."""
    chains = chains or {}
    return Settings.model_validate(
        {
            "notifiers": [
                {
                    "name": "mail",
                    "type": "email",
                    "host": "127.0.0.1",
                    "port": port,
                    "sender": "yuqing@example.cn",
                }
            ],
            "recipients": [
                {"name": name, "email": f"{name}@example.cn", "notifiers": ["mail"]}
                | ({"escalates_to": chains[name]} if name in chains else {})
                for name in names
            ],
            "rules": rules,
            "obligations": {"level": "city"},
            "units": units,
        }
    )


def evaluate_and_deliver(
    archive: Archive, settings: Settings, inbox: Inbox, at: datetime
) -> list[dict[str, Any]]:
    """Evaluate and deliver at ``at``; the mails that arrived, one per addressee (to, subject,
    body)."""
    before = len(inbox.messages)
    evaluate(archive, settings, SimulatedClock(at))
    deliver_due(archive, settings, SimulatedClock(at))
    mails = []
    for received in inbox.messages[before:]:
        parsed = email.message_from_bytes(received["data"], policy=default_policy)
        body = parsed.get_body(("plain",))
        assert body is not None
        for address in received["to"]:
            mails.append(
                {
                    "to": address.split("@")[0],
                    "subject": str(parsed["Subject"]),
                    "body": body.get_content(),
                }
            )
    return mails

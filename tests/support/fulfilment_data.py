"""The agency, settings and posts of the obligation-fulfilment tests (a city bureau with one
district, its accounts and superiors; a hot elevator event and the bureau's report on it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from archive import Archive
from archive.models import Mention
from core.settings import Settings
from tests.support.alert_data import T0, escalation_settings, event, mention

AGENCY = {
    "name": "杭州市市场监督管理局",
    "level": "city",
    "region": "杭州市",
    "districts": ["临川区"],
    "accounts": ["杭州市场监管"],
    "superiors": ["杭州发布"],
    "sources": ["bureau-*"],
}


def settings_for(
    tmp_path: Path, rules: list[dict[str, Any]], agency: bool = True, **obligations: Any
) -> Settings:
    return escalation_settings(
        tmp_path, rules, obligations, **({"agency": AGENCY} if agency else {})
    )


def post(mid: str, text: str, minutes: float, author: str, **kwargs: Any) -> Mention:
    return replace(mention(mid, text, T0 + timedelta(minutes=minutes), **kwargs), author=author)


def hot_event(archive: Archive) -> None:
    archive.upsert_event(
        replace(event("e1", count=5), keywords=["电梯", "坠落", "小区", "杭州", "事故"])
    )


REPORT = "【情况通报】杭州某小区电梯坠落事故：经初步调查，事故造成2人受伤，原因正在调查。"

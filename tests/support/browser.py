"""Dashboard tests in a real browser: ``dashboard/server.py`` served by streamlit on a free
loopback port with a fixture archive, opened in headless Chromium through playwright.

Chromium comes from Debian (``make system-deps``). Without it (or without playwright) a test
is skipped locally and fails under ``CI=true``, so a CI machine cannot pass by silently
testing nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the test: skipped locally, a failure under CI=true
    sync_playwright = None  # type: ignore[assignment]

from core.passwords import hash_password
from tests.support.dashboard_fixtures import DashboardArchive, build_archive, write_config
from tests.support.server_process import free_port
from yuqing.cli import streamlit_command

__all__ = [
    "chromium",
    "expect",
    "fixture_dashboard",
    "login",
    "open_page",
    "page_at",
    "served_dashboard",
]

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "dashboard" / "server.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
START_TIMEOUT = 30.0
# (user name, role, password); hashed with a lower scrypt cost than the default to keep the
# test quick (the cost travels with the hash; the code path is the same).
USERS = [("root", "admin", "root-secret-1"), ("wang", "viewer", "wang-secret-1")]


def users_yaml() -> str:
    lines = ["users:"]
    for name, role, password in USERS:
        digest = hash_password(password, log_n=14)
        lines += [f"  - {{username: {name}, role: {role}, password_hash: '{digest}'}}"]
    return "\n".join(lines) + "\n"


def missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (required under CI=true; run `make system-deps`)")
    pytest.skip(message)


def chromium_path() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        missing(f"Chromium is not installed at {CHROMIUM}")
    return str(path)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"streamlit did not answer on {url} within {START_TIMEOUT} s:\n{log.read_text()}")


@contextmanager
def served_dashboard(config: Path, log: Path) -> Iterator[str]:
    """``streamlit run dashboard/server.py`` (the app and its cookie routes, as ``yuqing
    dashboard`` serves it) on a free loopback port with ``config``; its URL."""
    port = free_port()
    # Started as production starts it (toolbar mode and all): one command for both.
    command = streamlit_command(SERVER, "127.0.0.1", port)
    env = dict(os.environ, YUQING_CONFIG=str(config))
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def fixture_dashboard(
    tmp_path: Path, prepare: Callable[[DashboardArchive], None] | None = None
) -> Iterator[str]:
    """The dashboard on the fixture archive (``prepare`` adds to it first) with the users of
    ``USERS``; its URL."""
    made = build_archive(tmp_path / "archive")
    if prepare is not None:
        prepare(made)
    write_config(made.folder, made.db, extra=users_yaml())
    with served_dashboard(made.config, tmp_path / "streamlit.log") as url:
        yield url


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (playwright's ``Browser``), closed afterwards."""
    executable = chromium_path()
    if sync_playwright is None:
        missing("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def page_at(browser: Any, url: str, **options: Any) -> Any:
    """A new Chinese-locale page, tall enough for a whole dashboard page, opened at ``url``."""
    page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="zh-CN", **options)
    page.goto(url)
    return page


def login(page: Any, user: str, password: str) -> None:
    expect(page.get_by_role("heading", name="登录舆情监测平台")).to_be_visible(timeout=20_000)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def open_page(page: Any, menu: str, heading: str) -> None:
    page.get_by_role("link", name=menu, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=20_000)

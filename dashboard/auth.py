"""Login and sessions: who is using this browser tab, and until when.

Users and their roles come from ``users:`` in the configuration (re-read when the file
changes, so a removed user or a changed role takes effect on the next rerun). A session lives
in Streamlit's per-tab session state and ends ``dashboard.session_timeout`` after the login,
on "退出登录", or when the tab is closed. Failed logins are counted per user name in this
process: after ``MAX_FAILURES`` within ``LOCKOUT`` the name is refused until the window passes,
on top of the scrypt cost of every attempt.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

import streamlit as st

from dashboard.context import current_actor, settings
from dashboard.passwords import PasswordHashError, burn_time, verify_password
from dashboard.roles import Principal
from yuqing.settings import UserSettings

SESSION_KEY = "auth_session"
NOTICE_KEY = "auth_notice"
MAX_FAILURES = 5
LOCKOUT = 300.0  # seconds

_failures: dict[str, deque[float]] = defaultdict(deque)
_failures_lock = threading.Lock()


def _wall_clock() -> float:
    # Sessions expire in real time even when the pipeline runs in simulated time.
    return time.time()


def users(config: str) -> list[UserSettings]:
    return list(settings(config).users)


def login_required(config: str) -> bool:
    return bool(users(config))


def _user(config: str, username: str) -> UserSettings | None:
    return next((u for u in users(config) if u.username == username), None)


def current(config: str) -> Principal | None:
    """The person acting in this session, or None when a login is needed.

    Without configured users: the open dashboard's name from the sidebar, as ``admin``.
    """
    if not login_required(config):
        return Principal(username=current_actor(), role="admin")
    session = st.session_state.get(SESSION_KEY)
    if not isinstance(session, dict):
        return None
    if _wall_clock() >= float(session.get("expires_at", 0)):
        logout("登录已过期，请重新登录。")
        return None
    user = _user(config, str(session.get("username")))
    if user is None:
        logout("该用户已不在配置中，请联系管理员。")
        return None
    return Principal(user.username, user.role, user.display_name, authenticated=True)


def logout(notice: str = "") -> None:
    st.session_state.pop(SESSION_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _locked(username: str, now: float) -> bool:
    with _failures_lock:
        recent = _failures[username]
        while recent and now - recent[0] > LOCKOUT:
            recent.popleft()
        return len(recent) >= MAX_FAILURES


def _failed(username: str, now: float) -> None:
    with _failures_lock:
        _failures[username].append(now)


def authenticate(config: str, username: str, password: str) -> Principal:
    """Check the name and password; on success the session starts. Raises ``LoginError``."""
    username = username.strip()
    now = _wall_clock()
    if not username or not password:
        raise LoginError("请输入用户名和密码。")
    if _locked(username, now):
        raise LoginError("登录失败次数过多，请5分钟后再试。")
    user = _user(config, username)
    if user is None:
        burn_time(password)  # as slow as a wrong password: names are not revealed
        _failed(username, now)
        raise LoginError("用户名或密码不正确。")
    try:
        ok = verify_password(password, user.password_hash.get_secret_value())
    except PasswordHashError as exc:
        raise LoginError(f"用户 {username} 的 password_hash 配置有误：{exc}") from None
    if not ok:
        _failed(username, now)
        raise LoginError("用户名或密码不正确。")
    timeout = settings(config).dashboard.session_timeout.total_seconds()
    st.session_state[SESSION_KEY] = {
        "username": user.username,
        "login_at": now,
        "expires_at": now + timeout,
    }
    st.session_state.pop(NOTICE_KEY, None)
    return Principal(user.username, user.role, user.display_name, authenticated=True)


class LoginError(Exception):
    """``str()`` is the message for the login form."""


def expires_in(config: str) -> float | None:
    session = st.session_state.get(SESSION_KEY)
    if not isinstance(session, dict):
        return None
    return float(session.get("expires_at", 0)) - _wall_clock()


def page_principal(config: str) -> Principal:
    """For pages: the app only runs a page for someone who may see it; stop otherwise."""
    principal = current(config)
    if principal is None:
        st.stop()
    return principal

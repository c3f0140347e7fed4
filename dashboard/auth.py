"""Login and sessions: who is using this browser tab, and until when.

Users and their roles come from ``users:`` in the configuration (re-read when the file
changes, so a removed user or a changed role takes effect on the next rerun). A session lives
in Streamlit's per-tab session state, survives a reload through a signed cookie
(``dashboard.session_cookie``), and ends ``dashboard.session_timeout`` after the login or on
"退出登录". Failed logins are counted per user name in this
process: after ``MAX_FAILURES`` within ``LOCKOUT`` the name is refused until the window passes,
on top of the scrypt cost of every attempt.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import streamlit as st

from core.passwords import PasswordHashError, burn_time, verify_password
from core.settings import UserSettings
from dashboard import session_cookie, session_store
from dashboard.context import current_actor, settings
from dashboard.roles import Principal

SESSION_KEY = "auth_session"
NOTICE_KEY = "auth_notice"
# What the page must do with the login cookie on its next run: ("set", one-time code) or
# ("clear",). Done by apply_cookie() in a run that completes (a rerun would cut it short).
COOKIE_ACTION_KEY = "auth_cookie_action"
# Set by a logout: this tab's handshake still carries the old cookie, which must not log the
# tab straight back in.
LOGGED_OUT_KEY = "auth_logged_out"
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
        session = _from_cookie(config)
        if session is None:
            return None
    if _wall_clock() >= float(session.get("expires_at", 0)):
        logout("登录已过期，请重新登录。")
        return None
    if not session_store.is_active(
        _store(config), str(session.get("sid")), str(session.get("username")), _wall_clock()
    ):
        logout("登录已在其他页面退出或被管理员结束，请重新登录。")
        return None
    user = _user(config, str(session.get("username")))
    if user is None:
        logout("该用户已不在配置中，请联系管理员。")
        return None
    return Principal(user.username, user.role, user.display_name, authenticated=True)


def logout(notice: str = "") -> None:
    session = st.session_state.pop(SESSION_KEY, None)
    if isinstance(session, dict) and session.get("store"):
        # The record ends too, so a copy of the cookie cannot log in again elsewhere.
        session_store.revoke(Path(session["store"]), str(session["sid"]), "退出登录", _wall_clock())
    st.session_state[LOGGED_OUT_KEY] = True
    st.session_state[COOKIE_ACTION_KEY] = ("clear",)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _signing_key(config: str) -> bytes:
    configured = settings(config)
    secret = configured.dashboard.session_secret
    return session_cookie.signing_key(
        secret.get_secret_value() if secret else None, configured.archive.path
    )


def _store(config: str) -> Path:
    return session_store.store_file(settings(config).archive.path)


def _from_cookie(config: str) -> dict[str, Any] | None:
    """The session a reloaded page's cookie carries, when it is genuine and still valid."""
    if st.session_state.get(LOGGED_OUT_KEY):
        return None
    token = st.context.cookies.get(session_cookie.COOKIE)
    if not isinstance(token, str) or not token:  # (outside a browser session: no cookies)
        return None
    claims = session_cookie.read(_signing_key(config), token, _wall_clock())
    if claims is None:
        return None
    store, now = _store(config), _wall_clock()
    user = _user(config, claims.username)
    if user is None:
        session_store.revoke(store, claims.session_id, "用户已从配置中删除", now)
        return None
    if claims.fingerprint != session_cookie.fingerprint(user.password_hash.get_secret_value()):
        session_store.revoke(store, claims.session_id, "密码已修改", now)
        return None
    if not session_store.is_active(store, claims.session_id, user.username, now):
        return None  # logged out, or ended by an admin
    session: dict[str, Any] = {
        "username": user.username,
        "login_at": claims.login_at,
        "expires_at": claims.expires_at,
        "sid": claims.session_id,
        "store": str(store),
    }
    st.session_state[SESSION_KEY] = session
    return session


def apply_cookie() -> None:
    """Store or clear the login cookie if a login or logout asked for it (see the keys)."""
    action = st.session_state.pop(COOKIE_ACTION_KEY, None)
    if not action:
        return
    if action[0] == "set":
        script = session_cookie.set_script(str(action[1]))
    else:
        script = session_cookie.clear_script()
    st.html(script, unsafe_allow_javascript=True)


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
    store = _store(config)
    session_id = session_store.start(store, user.username, now, now + timeout)
    st.session_state[SESSION_KEY] = {
        "username": user.username,
        "login_at": now,
        "expires_at": now + timeout,
        "sid": session_id,
        "store": str(store),
    }
    claims = session_cookie.Claims(
        user.username,
        now,
        now + timeout,
        session_cookie.fingerprint(user.password_hash.get_secret_value()),
        session_id,
    )
    token = session_cookie.issue(_signing_key(config), claims)
    code = session_store.hand_off(store, token, int(timeout), now)
    st.session_state[COOKIE_ACTION_KEY] = ("set", code)
    st.session_state.pop(LOGGED_OUT_KEY, None)
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


def active_sessions(config: str) -> list[session_store.SessionRecord]:
    """For admins: who is logged in now."""
    return session_store.active(_store(config), _wall_clock())


def end_session(config: str, session_id: str, actor: str) -> None:
    """An admin ends someone's session; their next page load asks for a login."""
    session_store.revoke(_store(config), session_id, f"管理员 {actor} 结束", _wall_clock())

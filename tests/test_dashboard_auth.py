"""Logins, sessions and roles: what each role is offered and what the server allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from archive import open_archive
from core.config import ConfigError, load_config
from core.passwords import PasswordHashError, hash_password, parse_hash, verify_password
from dashboard import actions, auth, session_cookie
from dashboard.roles import Principal
from tests.support.dashboard_fixtures import (
    DashboardArchive,
    app_test,
    assert_no_html,
    build_archive,
    write_config,
)
from yuqing.cli import main as cli

# A cheaper cost than the default for the test users (the cost travels with each hash):
# the same scrypt code path, a tenth of the time.
TEST_LOG_N = 14
PASSWORDS = {
    "wang": ("viewer", "只读王"),
    "li": ("analyst", "分析李"),
    "zhang": ("spokesperson", "发言人张"),
    "root": ("admin", ""),
}


def _password(user: str) -> str:
    return f"{user}-secret-1"


@pytest.fixture(scope="module")
def users_yaml() -> str:
    lines = ["users:"]
    for user, (role, shown) in PASSWORDS.items():
        digest = hash_password(_password(user), log_n=TEST_LOG_N)
        lines += [
            f"  - username: {user}",
            f"    role: {role}",
            f"    display_name: '{shown}'",
            f"    password_hash: '{digest}'",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def made(tmp_path: Path, users_yaml: str) -> DashboardArchive:
    built = build_archive(tmp_path)
    write_config(tmp_path, built.db, extra=users_yaml)
    auth._failures.clear()
    return built


def _login(at: AppTest, user: str, password: str | None = None) -> AppTest:
    at.text_input(key="login_username").set_value(user)
    at.text_input(key="login_password").set_value(password or _password(user))
    return next(b for b in at.button if b.label == "登录").click().run()


def test_passwords_are_salted_scrypt_hashes() -> None:
    digest = hash_password("correct horse battery")  # the default cost
    assert digest.startswith("scrypt$17$8$1$")
    assert verify_password("correct horse battery", digest)
    cheap = hash_password("correct horse battery", log_n=TEST_LOG_N)
    assert cheap != hash_password("correct horse battery", log_n=TEST_LOG_N)  # salted
    assert not verify_password("correct horse batterz", cheap)
    with pytest.raises(ValueError, match="at least 8"):
        hash_password("short")
    for bad in (
        "plain-text",
        "scrypt$x$8$1$AAAA$BBBB",
        "scrypt$40$8$1$AAAAAAAAAAA$BBBBBBBBBBBBBBBBBBBBBB",
    ):
        with pytest.raises(PasswordHashError):
            parse_hash(bad)


def test_a_plain_password_in_the_configuration_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "yuqing.yaml"
    config.write_text(
        "users:\n  - {username: zhang, role: admin, password_hash: 'hunter2-plain'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    problem = "\n".join(caught.value.problems)
    assert "yuqing.yaml:2: users[0]" in problem and "yuqing hash-password" in problem
    assert "hunter2" not in problem  # the secret is not repeated


def test_a_malformed_hash_is_refused_at_load_not_at_login(tmp_path: Path) -> None:
    # Of the right form but a cost no server should spend: refused before anyone can try the
    # name (refused only at login, it told whoever tried "broken" that the user exists).
    broken = "scrypt$40$8$1$AAAAAAAAAAA$BBBBBBBBBBBBBBBBBBBBBB"
    config = tmp_path / "yuqing.yaml"
    config.write_text(
        f"users:\n  - {{username: broken, role: admin, password_hash: '{broken}'}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    problem = "\n".join(caught.value.problems)
    assert "yuqing.yaml:2: users[0]" in problem and "scrypt cost out of range" in problem


def test_hash_password_command() -> None:
    result = CliRunner().invoke(cli, ["hash-password", "--stdin"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    digest = result.output.strip()
    assert verify_password("a-long-password", digest)
    assert "a-long-password" not in result.output
    short = CliRunner().invoke(cli, ["hash-password", "--stdin"], input="short\n")
    assert short.exit_code == 2 and "at least 8" in short.output


def test_login_is_required_and_wrong_passwords_are_refused(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = app_test(made, monkeypatch)
    assert_no_html(at)
    assert at.title[0].value == "登录舆情监测平台"
    assert not at.metric  # nothing of the archive before a login
    at = _login(at, "wang", "wrong-password")
    assert "用户名或密码不正确" in at.error[0].value
    at = _login(at, "nobody", "whatever-password")
    assert "用户名或密码不正确" in at.error[0].value  # the same message: names stay secret
    for _ in range(4):
        at = _login(at, "wang", "wrong-password")
    at = _login(at, "wang")  # five failures: refused even with the right password
    assert "登录失败次数过多" in at.error[0].value


def test_viewer_reads_but_cannot_act(made: DashboardArchive, monkeypatch: Any) -> None:
    at = _login(app_test(made, monkeypatch), "wang")
    assert_no_html(at)
    assert at.title[0].value == "舆情总览"
    assert "只读王" in at.sidebar.markdown[0].value
    at.switch_page("views/obligations.py").run()
    assert any("只读权限" in i.value for i in at.info)
    assert not [b for b in at.button if b.label in ("确认", "办结", "豁免", "指派", "暂停提醒")]
    assert not [b for b in at.button if b.label == "静默告警"]
    # The server refuses too, whatever the screen offered.
    viewer = Principal("wang", "viewer", authenticated=True)
    with pytest.raises(actions.ActionError, match="无权办理处置事项"):
        actions.perform(str(made.config), "acknowledge", made.obligations["overdue"], viewer)
    with pytest.raises(actions.ActionError, match="无权静默告警"):
        actions.silence(str(made.config), made.alerts["rumours"], viewer, "误报")
    with open_archive(made.db, readonly=True) as archive:
        assert archive.ledger.get_obligation(made.obligations["overdue"]).status == "open"  # type: ignore[union-attr]
    # No search page for a viewer: it is not registered, so no address reaches it.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/search.py")


def test_spokesperson_acts_under_their_user_name(made: DashboardArchive, monkeypatch: Any) -> None:
    at = _login(app_test(made, monkeypatch), "zhang")
    at.switch_page("views/obligations.py").run()
    assert not at.sidebar.text_input  # no free-text actor once users are configured
    next(b for b in at.button if b.label == "确认").click().run()
    assert_no_html(at)
    assert "已确认（操作人：zhang）" in at.success[0].value
    with open_archive(made.db, readonly=True) as archive:
        entry = archive.ledger.list_audit(object_type="obligation")[0]
    assert (entry.actor, entry.action) == ("zhang", "obligation.acknowledged")
    # A spokesperson searches but does not export; an analyst does both.
    at.switch_page("views/search.py").run()
    assert at.title[0].value == "舆情检索"
    assert not at.download_button
    assert any("无导出权限" in c.value for c in at.caption)


def test_analyst_exports_and_backtests(made: DashboardArchive, monkeypatch: Any) -> None:
    at = _login(app_test(made, monkeypatch), "li")
    at.switch_page("views/search.py").run()
    assert {b.label for b in at.download_button} == {"导出 CSV", "导出 Excel"}
    at.switch_page("views/rules.py").run()
    assert [b for b in at.button if b.label == "开始回测"]
    at.switch_page("views/obligations.py").run()
    assert not [b for b in at.button if b.label == "确认"]


def test_sessions_expire_and_log_out(made: DashboardArchive, monkeypatch: Any) -> None:
    clock = {"now": 1_000_000.0}
    monkeypatch.setattr(auth, "_wall_clock", lambda: clock["now"])
    at = _login(app_test(made, monkeypatch), "root")
    assert at.title[0].value == "舆情总览"
    assert any("登录有效期还剩 8小时" in c.value for c in at.sidebar.caption)
    clock["now"] += 8 * 3600 - 60
    at.run()
    assert at.title[0].value == "舆情总览"
    clock["now"] += 61  # the configured session_timeout (8h) has passed
    at.run()
    assert at.title[0].value == "登录舆情监测平台"
    assert "登录已过期" in at.warning[0].value
    at = _login(at, "root")
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert at.title[0].value == "登录舆情监测平台"
    assert "已退出登录" in at.warning[0].value


def _served_at(made: DashboardArchive, monkeypatch: Any, address: str) -> AppTest:
    """The app as Streamlit runs it when told to listen on ``address``."""
    from streamlit import config as streamlit_config
    from streamlit.config_option import ConfigOption

    streamlit_config.set_option("server.address", address)
    try:
        return app_test(made, monkeypatch)
    finally:
        streamlit_config.set_option(
            "server.address", None, where_defined=ConfigOption.DEFAULT_DEFINITION
        )


def test_an_open_dashboard_is_not_served_beyond_loopback(tmp_path: Path, monkeypatch: Any) -> None:
    made = build_archive(tmp_path)  # no users
    for address in ("0.0.0.0", "", "::", "dashboard.example.org", "192.0.2.7"):
        at = _served_at(made, monkeypatch, address)
        assert not at.exception, address
        assert "其他计算机可以访问，但配置中没有用户" in at.error[0].value, address
        assert not at.metric, address
    for address in ("127.0.0.1", "localhost", "::1"):
        at = _served_at(made, monkeypatch, address)
        assert not any("其他计算机可以访问" in e.value for e in at.error), address
        assert at.metric, address  # the overview is served


def test_session_tokens_are_signed_expiring_and_bound_to_the_password(tmp_path: Path) -> None:
    key = session_cookie.signing_key(None, tmp_path / "data" / "yuqing.db")
    key_file = tmp_path / "data" / "yuqing.db.session-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert session_cookie.signing_key(None, tmp_path / "data" / "yuqing.db") == key  # kept
    first = hash_password("zhang-secret-1", log_n=TEST_LOG_N)
    claims = session_cookie.Claims(
        "zhang", 1000.0, 1000.0 + 8 * 3600, session_cookie.fingerprint(first)
    )
    token = session_cookie.issue(key, claims)
    assert session_cookie.read(key, token, 2000.0) == claims
    assert "zhang-secret-1" not in token and first not in token
    # Expired, signed with another key, or edited: refused.
    assert session_cookie.read(key, token, claims.expires_at) is None
    assert (
        session_cookie.read(session_cookie.signing_key("other", tmp_path / "x.db"), token, 2000.0)
        is None
    )
    payload, signature = token.split(".")
    assert session_cookie.read(key, f"{payload}x.{signature}", 2000.0) is None
    assert session_cookie.read(key, "not a token", 2000.0) is None
    # A new password (a new salted hash) gives another fingerprint: old tokens stop working.
    second = hash_password("zhang-secret-2", log_n=TEST_LOG_N)
    assert session_cookie.fingerprint(second) != claims.fingerprint
    # A configured secret is used as given, whatever file is beside the archive.
    configured = session_cookie.signing_key("s3cret", tmp_path / "data" / "yuqing.db")
    assert configured != key and configured == session_cookie.signing_key("s3cret", tmp_path)
    # A folder the key cannot be written to: one key for this process, the same each time.
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    assert session_cookie.signing_key(None, blocked / "yuqing.db") == session_cookie.signing_key(
        None, blocked / "yuqing.db"
    )
    # The page script carries a one-time code, never the token; the server's header does.
    script = session_cookie.set_script("one-time-code")
    assert script.startswith(session_cookie.SCRIPT_PREFIX) and token not in script
    assert "one-time-code" in script and session_cookie.SESSION_ROUTE in script
    header = session_cookie.cookie_header(token, 3600, secure=True)
    assert "Max-Age=3600" in header and "SameSite=Strict" in header
    assert "HttpOnly" in header and "Secure" in header
    assert "Secure" not in session_cookie.cookie_header(token, 3600, secure=False)


def test_session_records_end_on_revocation_and_expiry(tmp_path: Path) -> None:
    from dashboard import session_store

    store = session_store.store_file(tmp_path / "data" / "yuqing.db")
    first = session_store.start(store, "zhang", 1000.0, 1000.0 + 3600)
    second = session_store.start(store, "zhang", 1100.0, 1100.0 + 3600)
    assert store.stat().st_mode & 0o777 == 0o600
    assert session_store.is_active(store, first, "zhang", 2000.0)
    assert not session_store.is_active(store, first, "wang", 2000.0)  # bound to its user
    assert not session_store.is_active(store, first, "zhang", 1000.0 + 3600)  # expired
    session_store.revoke(store, first, "退出登录", 2000.0)
    assert not session_store.is_active(store, first, "zhang", 2000.0)
    assert [r.id for r in session_store.active(store, 2000.0)] == [second]
    assert session_store.revoke_user(store, "zhang", "用户已删除", 2000.0) == 1
    assert session_store.active(store, 2000.0) == []
    # A login's token is handed to the cookie route once, within two minutes.
    code = session_store.hand_off(store, "the-token", 3600, 2000.0)
    assert session_store.redeem(store, code, 2001.0) == ("the-token", 3600)
    assert session_store.redeem(store, code, 2001.0) is None  # used
    late = session_store.hand_off(store, "the-token", 3600, 2000.0)
    assert session_store.redeem(store, late, 2000.0 + session_store.HANDOFF_SECONDS + 1) is None


def test_only_administrators_see_where_the_archive_is(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    """The archive's server path is for administrators, not for every duty officer."""
    viewer = _login(app_test(made, monkeypatch), "wang")
    shown = " ".join(c.value for c in viewer.sidebar.caption)
    assert "档案库" not in shown and str(made.db.name) not in shown
    admin = _login(app_test(made, monkeypatch), "root")
    assert any(c.value.startswith("档案库：") for c in admin.sidebar.caption)
    # An open dashboard (no users, the demo's): everyone acts as admin, nobody logged in.
    opened = build_archive(made.folder / "open")
    open_page = app_test(opened, monkeypatch)
    assert open_page.title[0].value == "舆情总览"
    shown = " ".join(c.value for c in open_page.sidebar.caption)
    assert "模拟时间" in shown and "档案库" not in shown

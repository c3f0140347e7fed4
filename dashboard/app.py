"""The Yuqing dashboard: ``streamlit run dashboard/app.py`` (or ``yuqing dashboard``).

The configuration file comes from ``$YUQING_CONFIG`` (default ``yuqing.yaml``). This script
checks that the configuration and the archive can be read, draws the sidebar and hands over to
the page the user chose; the pages themselves only render what ``dashboard.data`` returns.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

# A checkout that was not installed with ``pip install -e .`` still finds its packages.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402
from streamlit import config as st_config  # noqa: E402

from archive.base import ArchiveError  # noqa: E402
from archive.es.bulk import ArchiveUnavailable  # noqa: E402
from core.config import ConfigError  # noqa: E402
from core.settings import is_loopback_bind  # noqa: E402
from dashboard import alert_watch, auth, context, data, login_view, roles  # noqa: E402
from dashboard.formatting import duration_text, fmt_time, md_escape  # noqa: E402
from dashboard.labels import shown as shown_name  # noqa: E402
from dashboard.roles import Principal  # noqa: E402

_VIEWS = Path(__file__).resolve().parent / "views"


# (file, title, icon, url path, permission, visible in the menu)
_PAGES = [
    ("overview.py", "总览", ":material/monitoring:", "", roles.VIEW, True),
    ("hotspots.py", "热点", ":material/local_fire_department:", "hotspots", roles.VIEW, True),
    ("event.py", "事件详情", ":material/article:", "event", roles.VIEW, False),
    ("obligations.py", "处置", ":material/assignment_late:", "obligations", roles.VIEW, True),
    ("search.py", "检索", ":material/search:", "search", roles.SEARCH, True),
    ("sources.py", "信息源", ":material/rss_feed:", "sources", roles.VIEW, True),
    ("reports.py", "报告", ":material/description:", "reports", roles.VIEW, True),
    ("rules.py", "规则", ":material/rule:", "rules", roles.VIEW, True),
]


def pages(principal: Principal | None) -> list[st.Page]:
    """The pages this person may open, in the order of the menu; only the login form for
    someone who has not logged in. A page left out cannot be reached by its URL either."""
    if principal is None:
        # The login form under every address (a page's identity is its address), so a link
        # opened before logging in shows that page after it, parameters and all.
        return [
            st.Page(
                login_view.render, title="登录", url_path=url_path or None, default=not url_path
            )
            for _file, _title, _icon, url_path, _permission, _visible in _PAGES
        ]
    made = []
    for file, title, icon, url_path, permission, visible in _PAGES:
        if not roles.allowed(principal, permission):
            continue
        made.append(
            st.Page(
                _VIEWS / file,
                title=title,
                icon=icon,
                url_path=url_path or None,
                default=not url_path,  # the overview is served at "/"
                visibility="visible" if visible else "hidden",
            )
        )
    return made


def _check(config: str) -> bool:
    """Stop with a clear message when the configuration or the archive cannot be read."""
    try:
        context.settings(config)
        context.reader(config)
    except ConfigError as exc:
        st.error("配置文件有误，请修改后刷新页面：")
        st.code("\n".join(exc.problems), language=None)
        return False
    except ArchiveError as exc:
        st.error("无法打开舆情档案库（请先运行采集或演示）：")
        st.code(str(exc), language=None)
        return False
    return True


FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.png"


def _exposed(config: str) -> bool:
    """Refuse to serve an open dashboard (no users) on an address others can reach.

    ``yuqing dashboard`` passes ``dashboard.host`` as ``--server.address`` (and refuses a
    non-loopback host without users at ``check-config``). An address given to Streamlit that
    is empty, ``0.0.0.0``, ``::``, a host name or an interface address makes it listen
    beyond this machine, so the pages stay closed. A bare ``streamlit run`` that sets no
    address is left alone, so the tools that run the script directly keep working.
    """
    if auth.login_required(config):
        return False
    if not st_config.is_manually_set("server.address"):
        return False
    address = str(st.get_option("server.address") or "")
    if is_loopback_bind(address):
        return False
    shown = address or "所有网络接口"
    st.error(
        f"仪表盘监听在 {md_escape(shown)}，其他计算机可以访问，但配置中没有用户：请在配置"
        "文件的 users 中添加用户以启用登录，或改为只监听 127.0.0.1。"
    )
    return True


def _who(config: str, principal: Principal) -> None:
    if not principal.authenticated:
        # Empty, not the default actor's id ("dashboard", English on the screen): an empty
        # name is recorded as that actor, shown 值班人员.
        st.session_state.setdefault(context.ACTOR_KEY, "")
        st.text_input(
            "值班人员",
            key=context.ACTOR_KEY,
            placeholder=f"未填写时记为“{shown_name(context.DEFAULT_ACTOR)}”",
            help="处置操作记入审计日志时使用的姓名（配置用户后改为登录用户）。",
        )
        return
    role = roles.ROLE_LABELS.get(principal.role, principal.role)
    st.markdown(f"**{md_escape(principal.shown)}**（{role}）")
    left = auth.expires_in(config)
    if left is not None:
        st.caption(f"登录有效期还剩 {duration_text(timedelta(seconds=max(0.0, left)))}")
    if st.button("退出登录", key="logout", icon=":material/logout:"):
        auth.logout("已退出登录。")
        st.rerun()
    if principal.role == "admin":
        _sessions(config, principal)


def _sessions(config: str, principal: Principal) -> None:
    """Admins see who is logged in and can end a session (a lost laptop, a leaver)."""
    sessions = auth.active_sessions(config)
    with st.expander(f"登录会话（{len(sessions)}）"):
        for record in sessions:
            since = fmt_time(datetime.fromtimestamp(record.login_at, UTC))
            left, right = st.columns([3, 1])
            left.caption(f"{md_escape(record.username)} · {since} 登录")
            if right.button("结束", key=f"end-session-{record.id}"):
                auth.end_session(config, record.id, principal.username)
                st.rerun()


def _sidebar(config: str, principal: Principal) -> None:
    with st.sidebar:
        _who(config, principal)
        clock = data.clock(config)
        when = fmt_time(clock.now())
        st.caption(f"模拟时间：{when}" if clock.simulated else f"北京时间：{when}")
        if principal.authenticated and principal.role == "admin":
            # A server file path (or cluster address) tells duty staff nothing and tells
            # anyone looking over a shoulder where the data lives: logged-in administrators
            # only (an open dashboard's users all act as admin, the demo's duty desk too).
            st.caption(f"档案库：{md_escape(context.reader(config).describe())}")
        alert_watch.render(config, principal.username)


def main() -> None:
    # A file served by the dashboard itself: a ":material/…:" icon makes the browser fetch the
    # favicon from fonts.gstatic.com, which a government intranet cannot reach.
    st.set_page_config(page_title="舆情监测", page_icon=str(FAVICON), layout="wide")
    config = context.config_path()
    if not _check(config) or _exposed(config):
        st.stop()
    principal = auth.current(config)
    auth.apply_cookie()
    navigation = st.navigation(pages(principal), position="sidebar" if principal else "hidden")
    try:
        if principal is not None:
            _sidebar(config, principal)
        navigation.run()
    except ArchiveUnavailable as exc:
        # Elasticsearch down mid-session: say so and keep the page up; the pipeline spools
        # new mentions and writes them when the cluster is back (archive/es/spool.py).
        st.error(
            "舆情档案库（Elasticsearch）暂时无法连接，页面数据无法读取。采集到的新数据暂存在本地，"
            "恢复连接后自动写入。请稍后刷新页面。"
        )
        st.code(str(exc), language=None)


main()

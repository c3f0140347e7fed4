"""The Yuqing dashboard: ``streamlit run dashboard/app.py`` (or ``yuqing dashboard``).

The configuration file comes from ``$YUQING_CONFIG`` (default ``yuqing.yaml``). This script
checks that the configuration and the archive can be read, draws the sidebar and hands over to
the page the user chose; the pages themselves only render what ``dashboard.data`` returns.
"""

from __future__ import annotations

import sys
from pathlib import Path

# A checkout that was not installed with ``pip install -e .`` still finds its packages.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from archive.base import ArchiveError  # noqa: E402
from dashboard import context, data  # noqa: E402
from dashboard.formatting import fmt_time, md_escape  # noqa: E402
from yuqing.config import ConfigError  # noqa: E402

_VIEWS = Path(__file__).resolve().parent / "views"


def pages() -> list[st.Page]:
    """The pages in the order of the menu. New pages (hotspot details, sources, rules) go
    here; pages that need a role will be filtered here once login exists."""
    return [
        st.Page(
            _VIEWS / "overview.py",
            title="总览",
            icon=":material/monitoring:",
            default=True,  # served at "/"
        ),
        st.Page(
            _VIEWS / "obligations.py",
            title="处置",
            icon=":material/assignment_late:",
            url_path="obligations",
        ),
        st.Page(_VIEWS / "search.py", title="检索", icon=":material/search:", url_path="search"),
    ]


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


def _sidebar(config: str) -> None:
    st.session_state.setdefault(context.ACTOR_KEY, context.DEFAULT_ACTOR)
    with st.sidebar:
        st.text_input(
            "值班人员",
            key=context.ACTOR_KEY,
            help="处置操作记入审计日志时使用的姓名（启用登录后改为登录用户）。",
        )
        clock = data.clock(config)
        when = fmt_time(clock.now())
        st.caption(f"模拟时间：{when}" if clock.simulated else f"北京时间：{when}")
        st.caption(f"档案库：{md_escape(context.reader(config).describe())}")


def main() -> None:
    st.set_page_config(page_title="舆情监测", page_icon=":material/radar:", layout="wide")
    config = context.config_path()
    navigation = st.navigation(pages())
    if not _check(config):
        st.stop()
    _sidebar(config)
    navigation.run()


main()
